"""Encrypted backups: what leaves the data folder (a USB stick) is AES-GCM with a password's key.

The key is derived from the backup password with scrypt and a fresh salt per file; the file is
encrypted in chunks of 4 MiB (a county database does not have to fit in memory twice), each
with its own nonce (a random prefix and the chunk's number) and the header and a last-chunk
flag as associated data, so that a chunk changed, swapped, dropped or cut off the end fails
authentication like a wrong password does. Nothing is written under the target's name until
the whole file is encrypted (`….part`, then renamed).

File layout: MAGIC, salt (16), log2 n, r, p (one byte each), nonce prefix (7), then chunks of
a 4-byte big-endian length and the ciphertext with its 16-byte tag.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.errors import AppError

MAGIC = b"HTKBAK1\n"
SUFFIX = ".htkbak"
CHUNK = 4 * 1024 * 1024
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1  # 32 MiB and about 0.1 s per derivation
MIN_PASSWORD_LENGTH = 8
_HEADER = struct.Struct(">8s16sBBB7s")
_LENGTH = struct.Struct(">I")
TAG = 16


class BackupPasswordError(AppError):
    """The backup password is wrong or the encrypted file has been changed."""


def is_encrypted(path: Path) -> bool:
    """True when a file is an encrypted backup (by its first bytes, not its name)."""
    try:
        with Path(path).open("rb") as f:
            return f.read(len(MAGIC)) == MAGIC
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


def encrypt_file(source: Path, target: Path, password: str) -> Path:
    """Encrypt `source` into `target` (written whole or not at all) with the password's key."""
    check_password(password)
    salt, prefix = os.urandom(16), os.urandom(7)
    header = _HEADER.pack(MAGIC, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, prefix)
    aead = AESGCM(_key(password, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P))
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


def _open_chunks(source: Path, password: str) -> Iterator[bytes]:
    wrong = "备份密码不正确，或备份文件已被改动、不完整"
    with Path(source).open("rb") as f:
        header = f.read(_HEADER.size)
        if len(header) < _HEADER.size or not header.startswith(MAGIC):
            raise BackupPasswordError(f"{Path(source).name} 不是加密的回头看工作台备份")
        _magic, salt, log2_n, r, p, prefix = _HEADER.unpack(header)
        if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
            raise BackupPasswordError(f"{Path(source).name} 的加密参数无效，文件可能已损坏")
        aead = AESGCM(_key(password, salt, log2_n, r, p))
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


def verify_file(source: Path, password: str) -> None:
    """Authenticate every chunk of an encrypted backup (after writing it to a stick)."""
    for _data in _open_chunks(source, password):
        pass
