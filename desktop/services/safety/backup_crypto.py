"""Encrypted backups: what leaves the data folder (a USB stick) is AES-GCM under the backup key.

An administrator sets one backup password for the database (`BackupService.set_backup_password`,
`huitoukan backup-password`); scrypt derives the backup key from it with a salt of its own, and
only that derived key is kept (in the database's settings; the password itself is kept nowhere).
Each backup then needs no password: its file key is derived from the backup key and a fresh file
salt (HKDF-SHA256), so no two files share a key. Restoring asks for the password: the header
names the scrypt salt and parameters, so the key is derived again on any computer.

A file is encrypted in chunks of 4 MiB (a county database does not have to fit in memory
twice), each with its own nonce (a random prefix and the chunk's number) and the header and a
last-chunk flag as associated data, so that a chunk changed, swapped, dropped or cut off the end
fails authentication like a wrong password does. Nothing is written under the target's name
until the whole file is encrypted (`….part`, then renamed).

File layout (version 2): MAGIC_V2, scrypt salt (16), log2 n, r, p (one byte each), file salt
(16), nonce prefix (7), then chunks of a 4-byte big-endian length and the ciphertext with its
16-byte tag. Version 1 files (MAGIC, no file salt: the scrypt key encrypted the chunks
directly, a password typed per backup) are still restored.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.errors import AppError

MAGIC = b"HTKBAK1\n"  # version 1: the password's key encrypts the chunks
MAGIC_V2 = b"HTKBAK2\n"  # version 2: a file key from the backup key and a file salt
SUFFIX = ".htkbak"
CHUNK = 4 * 1024 * 1024
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1  # 32 MiB and about 0.1 s per derivation
MIN_PASSWORD_LENGTH = 8
_HEADER = struct.Struct(">8s16sBBB7s")
_HEADER_V2 = struct.Struct(">8s16sBBB16s7s")
_FILE_KEY_INFO = b"huitoukan backup file key v2"
_LENGTH = struct.Struct(">I")
TAG = 16


class BackupPasswordError(AppError):
    """The backup password is wrong or the encrypted file has been changed."""


@dataclass(frozen=True)
class BackupKey:
    """The key derived from the backup password, with the salt and scrypt parameters used."""

    salt: bytes
    log2_n: int
    r: int
    p: int
    key: bytes

    def to_text(self) -> str:
        """Return the key as the database's setting keeps it (JSON, base64)."""
        return json.dumps(
            {
                "salt": base64.b64encode(self.salt).decode("ascii"),
                "n": self.log2_n,
                "r": self.r,
                "p": self.p,
                "key": base64.b64encode(self.key).decode("ascii"),
            }
        )

    @classmethod
    def from_text(cls, text: str) -> BackupKey:
        """Return the key a setting holds; raise BackupPasswordError when it is unreadable."""
        try:
            data = json.loads(text)
            key = cls(
                base64.b64decode(data["salt"]),
                int(data["n"]),
                int(data["r"]),
                int(data["p"]),
                base64.b64decode(data["key"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupPasswordError("保存的备份密码已损坏，请管理员重新设置备份密码") from exc
        if len(key.salt) != 16 or len(key.key) != 32:
            raise BackupPasswordError("保存的备份密码已损坏，请管理员重新设置备份密码")
        return key


def derive_backup_key(password: str) -> BackupKey:
    """Derive a new backup key from the administrator's backup password (a fresh salt)."""
    check_password(password)
    salt = os.urandom(16)
    key = _key(password, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    return BackupKey(salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, key)


def is_encrypted(path: Path) -> bool:
    """True when a file is an encrypted backup (by its first bytes, not its name)."""
    try:
        with Path(path).open("rb") as f:
            return f.read(len(MAGIC)) in (MAGIC, MAGIC_V2)
    except OSError:
        return False


def check_password(password: str) -> None:
    """Refuse a backup password too short to protect a roster of ID numbers."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise BackupPasswordError(f"备份密码至少要 {MIN_PASSWORD_LENGTH} 位")


def _key(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * n * r
    )


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


def _chunks(f) -> Iterator[tuple[bytes, bool]]:
    data = f.read(CHUNK)
    while True:
        following = f.read(CHUNK)
        yield data, not following
        if not following:
            return
        data = following


def _file_key(master: bytes, file_salt: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, file_salt, _FILE_KEY_INFO).derive(master)


def encrypt_file(source: Path, target: Path, key: BackupKey) -> Path:
    """Encrypt `source` into `target` (written whole or not at all) under the backup key."""
    file_salt, prefix = os.urandom(16), os.urandom(7)
    header = _HEADER_V2.pack(MAGIC_V2, key.salt, key.log2_n, key.r, key.p, file_salt, prefix)
    aead = AESGCM(_file_key(key.key, file_salt))
    part = target.with_name(target.name + ".part")
    try:
        with Path(source).open("rb") as src, part.open("wb") as out:
            out.write(header)
            for index, (data, last) in enumerate(_chunks(src)):
                sealed = aead.encrypt(_nonce(prefix, index, last), data, header)
                out.write(_LENGTH.pack(len(sealed)) + sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, target)
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    return target


def _read_header(f, name: str, password: str | None, key: BackupKey | None):
    """Return (header, chunk cipher, nonce prefix) of an open encrypted backup."""
    magic = f.peek(len(MAGIC))[: len(MAGIC)]
    if magic == MAGIC_V2:
        header = f.read(_HEADER_V2.size)
        if len(header) < _HEADER_V2.size:
            raise BackupPasswordError(f"{name} 不完整，文件可能已损坏")
        _magic, salt, log2_n, r, p, file_salt, prefix = _HEADER_V2.unpack(header)
    elif magic == MAGIC:
        header = f.read(_HEADER.size)
        if len(header) < _HEADER.size:
            raise BackupPasswordError(f"{name} 不完整，文件可能已损坏")
        _magic, salt, log2_n, r, p, prefix = _HEADER.unpack(header)
        file_salt = None
    else:
        raise BackupPasswordError(f"{name} 不是加密的回头看工作台备份")
    if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
        raise BackupPasswordError(f"{name} 的加密参数无效，文件可能已损坏")
    if key is not None and (key.salt, key.log2_n, key.r, key.p) == (salt, log2_n, r, p):
        master = key.key  # made under this backup key: no password needed to read it back
    elif password:
        master = _key(password, salt, log2_n, r, p)
    else:
        raise BackupPasswordError(f"{name} 是加密的备份，需要备份密码")
    chunk_key = master if file_salt is None else _file_key(master, file_salt)
    return header, AESGCM(chunk_key), prefix


def _open_chunks(
    source: Path, password: str | None = None, key: BackupKey | None = None
) -> Iterator[bytes]:
    wrong = "备份密码不正确，或备份文件已被改动、不完整"
    with Path(source).open("rb") as f:
        header, aead, prefix = _read_header(f, Path(source).name, password, key)
        index = 0
        while True:
            size = f.read(_LENGTH.size)
            if len(size) < _LENGTH.size:
                raise BackupPasswordError(wrong)  # cut off before its last chunk
            (length,) = _LENGTH.unpack(size)
            sealed = f.read(length)
            if length < TAG or length > CHUNK + TAG or len(sealed) < length:
                raise BackupPasswordError(wrong)
            last = not f.peek(1)  # nothing after it: the writer flagged it as the last
            try:
                yield aead.decrypt(_nonce(prefix, index, last), sealed, header)
            except InvalidTag:
                raise BackupPasswordError(wrong) from None
            if last:
                return
            index += 1


def decrypt_file(source: Path, target: Path, password: str) -> Path:
    """Decrypt an encrypted backup into `target`; a wrong password leaves no `target`."""
    part = target.with_name(target.name + ".part")
    try:
        with part.open("wb") as out:
            for data in _open_chunks(source, password):
                out.write(data)
        os.replace(part, target)
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    return target


def verify_file(source: Path, key: BackupKey) -> None:
    """Authenticate every chunk of an encrypted backup (after writing it to a stick)."""
    for _data in _open_chunks(source, key=key):
        pass
