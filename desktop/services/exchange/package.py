"""The package file: a zip of a manifest, the rows and the evidence files, signed.

    manifest.json   source and destination PC, 乡镇, sequence number, the previous package's
                    digest, when it was made, counts, and the SHA-256 of every other member
    data.json       rows by table, uids deleted by table, audit entries
    files/<sha256>  the evidence files the rows name
    signature       HMAC-SHA256 of manifest.json under the exchange key's secret

The manifest names the checksum of everything else, so signing it signs the whole package: a
changed, cut-off or foreign package is refused before anything is read into a database. The
package's digest (the SHA-256 of its manifest) is what the next package names as previous.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from desktop.services.exchange.keys import ExchangeError

FORMAT = 1
SUFFIX = ".htkx"
MANIFEST, DATA, SIGNATURE = "manifest.json", "data.json", "signature"
_FILE = re.compile(r"^files/[0-9a-f]{64}$")
# What a package may unpack to, at most: a township's evidence fits many times over.
MAX_UNPACKED = 4 * 1024**3

REFUSED = "，未导入任何内容"
BROKEN = "交换包不完整或已损坏（可能没有复制完整）" + REFUSED
FOREIGN = "不是回头看工作台的交换包" + REFUSED
BAD_SIGNATURE = "交换包的签名不对：文件被改动过，或不是用本县的交换密钥签发的" + REFUSED


@dataclass(frozen=True)
class Package:
    """A package read and verified: its manifest, rows and files."""

    manifest: dict
    data: dict
    files: dict[str, bytes]  # sha256 → content
    digest: str

    @property
    def source_pc(self) -> str:
        return self.manifest["source_pc"]

    @property
    def destination_pc(self) -> str:
        return self.manifest["destination_pc"]

    @property
    def sequence(self) -> int:
        return self.manifest["sequence"]

    @property
    def township(self) -> str:
        return self.manifest.get("township", "")


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _sign(secret: bytes, manifest: bytes) -> str:
    return hmac.new(secret, manifest, hashlib.sha256).hexdigest()


def write_package(
    path: Path, manifest: dict, data: dict, files: dict[str, bytes], secret: bytes
) -> str:
    """Write a signed package to `path` (whole or not at all); return its digest."""
    payload = _json(data)
    members = {DATA: hashlib.sha256(payload).hexdigest()}
    members.update({f"files/{sha}": sha for sha in files})
    signed = _json({**manifest, "format": FORMAT, "members": members})
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr(MANIFEST, signed)
            package.writestr(DATA, payload)
            for sha, content in files.items():
                package.writestr(f"files/{sha}", content)
            package.writestr(SIGNATURE, _sign(secret, signed))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return hashlib.sha256(signed).hexdigest()


def read_package(path: Path, secret: bytes) -> Package:
    """Read a package and check it whole; ExchangeError (in Chinese) when it is not sound."""
    path = Path(path)
    if not path.is_file():
        raise ExchangeError(f"找不到交换包文件：{path}")
    try:
        with zipfile.ZipFile(path) as package:
            infos = {info.filename: info for info in package.infolist()}
            if MANIFEST not in infos or SIGNATURE not in infos or DATA not in infos:
                raise ExchangeError(FOREIGN)
            if sum(info.file_size for info in infos.values()) > MAX_UNPACKED:
                raise ExchangeError(BROKEN)
            signed = package.read(MANIFEST)
            signature = package.read(SIGNATURE).decode("ascii", "replace").strip()
            if not hmac.compare_digest(signature, _sign(secret, signed)):
                raise ExchangeError(BAD_SIGNATURE)
            manifest = json.loads(signed)
            members = manifest.get("members", {})
            if manifest.get("format") != FORMAT or set(infos) != {MANIFEST, SIGNATURE, *members}:
                raise ExchangeError(FOREIGN)
            contents = {}
            for name, sha in members.items():
                if name != DATA and not _FILE.match(name):
                    raise ExchangeError(FOREIGN)
                content = package.read(name)
                if hashlib.sha256(content).hexdigest() != sha:
                    raise ExchangeError(f"交换包中的 {name} 与签发时不符（被改动过）{REFUSED}")
                contents[name] = content
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError) as exc:
        raise ExchangeError(BROKEN) from exc
    data = json.loads(contents.pop(DATA))
    files = {name.removeprefix("files/"): content for name, content in contents.items()}
    return Package(manifest, data, files, hashlib.sha256(signed).hexdigest())
