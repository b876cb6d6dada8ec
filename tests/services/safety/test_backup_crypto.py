"""Backups that leave the data folder are encrypted; restoring them needs their password."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services.safety import backup as backup_service
from desktop.services.safety import backup_crypto
from desktop.services.safety.backup import BackupError, backup_to_folder, check_file
from desktop.services.safety.backup_crypto import (
    BackupPasswordError,
    derive_backup_key,
    is_encrypted,
)
from tests.commands.admin import add_admin, sign_in_as_admin

pytestmark = pytest.mark.sqlite_only("encrypted backups of the SQLite file")

PASSWORD = "Beifen-mima-2026"


@pytest.fixture(scope="module")
def key():
    """The backup key an administrator's PASSWORD gives (derived once: scrypt takes 0.1 s)."""
    return derive_backup_key(PASSWORD)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """Chunks of 64 KiB, so that the demo's 1.5 MB file is many of them (a county's is too)."""
    monkeypatch.setattr(backup_crypto, "CHUNK", 64 * 1024)


@pytest.fixture
def demo_path(demo_engine) -> Path:
    path = Path(demo_engine.url.database)
    demo_engine.dispose()
    return path


@pytest.fixture
def stick(tmp_path) -> Path:
    folder = tmp_path / "U盘"
    folder.mkdir()
    return folder


def _head_name(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT head_name FROM household ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_on_a_stick_holds_nothing_readable(demo_path, stick, key):
    copy = backup_to_folder(demo_path, stick, key)
    data = copy.read_bytes()
    assert copy.suffix == ".htkbak" and is_encrypted(copy)
    assert b"SQLite format 3" not in data and _head_name(demo_path).encode("utf-8") not in data
    assert len(data) > demo_path.stat().st_size > 4 * backup_crypto.CHUNK  # chunks, each tagged
    assert [p.name for p in stick.iterdir()] == [copy.name]  # no plain copy left anywhere
    assert not list(backup_service.backups_dir().glob("*.part"))


def test_a_backup_inside_the_data_folder_stays_plain(demo_path):
    inside = backup_service.data_dir() / "手工备份"
    inside.mkdir()
    copy = backup_to_folder(demo_path, inside)
    assert copy.suffix == ".sqlite3" and check_file(copy).ok


def test_no_or_a_short_password_is_refused_before_anything_is_written(demo_path, stick):
    with pytest.raises(BackupError, match="还没有设置备份密码"):
        backup_to_folder(demo_path, stick)
    with pytest.raises(BackupPasswordError, match="至少要 8 位"):
        derive_backup_key("1234567")
    assert list(stick.iterdir()) == []


def test_restore_with_the_right_password_only(demo_path, stick, tmp_path, key):
    copy = backup_to_folder(demo_path, stick, key)
    target = tmp_path / "restored.sqlite3"
    for wrong in ("wrong-password", None):
        with (
            pytest.raises(BackupError, match="未作任何改动"),
            backup_service.opened_backup(copy, wrong) as plain,
        ):
            backup_service.restore(plain, target, tmp_path)
        assert not target.exists()
    with backup_service.opened_backup(copy, PASSWORD) as plain:
        backup_service.restore(plain, target, tmp_path)
    assert check_file(target).ok and _head_name(target) == _head_name(demo_path)
    assert not plain.exists()  # the decrypted copy is gone


@pytest.mark.parametrize("damage", ["flip", "cut", "drop_last"])
def test_a_changed_or_cut_encrypted_backup_is_refused(demo_path, stick, damage, key):
    copy = backup_to_folder(demo_path, stick, key)
    data = bytearray(copy.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "cut":
        del data[len(data) // 2 :]
    else:  # whole chunks dropped off the end: the new last chunk was not written as the last
        first = 8 + 16 + 3 + 16 + 7
        size = int.from_bytes(data[first : first + 4], "big")
        del data[first + 4 + size :]
    copy.write_bytes(bytes(data))
    with (
        pytest.raises(BackupError, match="备份密码不正确，或备份文件已被改动、不完整"),
        backup_service.opened_backup(copy, PASSWORD),
    ):
        pass


def test_the_command_line_encrypts_and_asks_for_the_password_to_restore(
    demo_path, stick, monkeypatch, capsys
):
    add_admin(demo_path)
    sign_in_as_admin(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:  # no backup password set yet
        main(["backup", "--db", str(demo_path), "--to", str(stick)])
    assert exit_info.value.code == 1 and "backup-password" in capsys.readouterr().err
    monkeypatch.setenv("HUITOUKAN_BACKUP_PASSWORD", PASSWORD)
    assert main(["backup-password", "--db", str(demo_path)]) == 0
    monkeypatch.delenv("HUITOUKAN_BACKUP_PASSWORD")  # backing up asks for no password
    monkeypatch.setattr("sys.stdin", None)
    assert main(["backup", "--db", str(demo_path), "--to", str(stick)]) == 0
    assert "已加密" in capsys.readouterr().out
    copy = next(stick.glob("*.htkbak"))
    before = demo_path.read_bytes()
    monkeypatch.setenv("HUITOUKAN_BACKUP_PASSWORD", "not-the-password")
    with pytest.raises(SystemExit) as exit_info:
        main(["restore", str(copy), "--db", str(demo_path)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and "备份密码不正确" in err and "未作任何改动" in err
    assert "Traceback" not in err and "InvalidTag" not in err
    assert demo_path.read_bytes() == before
    monkeypatch.delenv("HUITOUKAN_BACKUP_PASSWORD")
    with pytest.raises(SystemExit):
        main(["restore", str(copy), "--db", str(demo_path)])
    assert "HUITOUKAN_BACKUP_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("HUITOUKAN_BACKUP_PASSWORD", PASSWORD)
    assert main(["restore", str(copy), "--db", str(demo_path)]) == 0
    assert main(["check", "--db", str(demo_path)]) == 0


# --- the backup password an administrator sets ----------------------------------------------


def _services(path: Path, role: str = "admin"):
    from desktop.models.database import open_database
    from desktop.services.actor import CurrentUser
    from desktop.services.context import AppServices

    return AppServices(open_database(path), path, CurrentUser("王站长", role))


def test_the_administrator_sets_the_backup_password_once_and_it_is_kept_only_derived(
    demo_path, stick, tmp_path
):
    from desktop.errors import PermissionDeniedError

    clerk = _services(demo_path, "clerk")
    with pytest.raises(PermissionDeniedError, match="修改备份设置"):
        clerk.backups.set_backup_password(clerk.user, PASSWORD)
    clerk.engine.dispose()
    services = _services(demo_path)
    with pytest.raises(BackupError, match="还没有设置备份密码"):
        services.backups.back_up_to(stick)
    with pytest.raises(BackupError, match="至少要 8 位"):
        services.backups.set_backup_password(services.user, "1234567")
    services.backups.set_backup_password(services.user, PASSWORD)
    other = tmp_path / "另一个U盘"
    other.mkdir()
    first = services.backups.back_up_to(stick)  # no password asked
    second = services.backups.back_up_to(other)
    assert is_encrypted(first) and is_encrypted(second)
    head = 8 + 16 + 3  # the same scrypt salt and parameters, a file salt of its own
    assert first.read_bytes()[:head] == second.read_bytes()[:head]
    assert first.read_bytes()[head : head + 16] != second.read_bytes()[head : head + 16]
    services.engine.dispose()
    # The password is nowhere in the database, its key nowhere in the audit log.
    data = demo_path.read_bytes()
    assert PASSWORD.encode() not in data and PASSWORD.encode("utf-16-le") not in data
    conn = sqlite3.connect(demo_path)
    try:
        stored = conn.execute(
            "SELECT value FROM database_setting WHERE key = 'backup_key'"
        ).fetchone()[0]
        logged = " ".join(
            str(v) for row in conn.execute("SELECT * FROM audit_entry").fetchall() for v in row
        )
    finally:
        conn.close()
    assert PASSWORD not in stored and '"key"' in stored
    assert "设置备份密码" in logged and stored not in logged
    # Nor any piece of it (other settings are logged, the demo's double-entry draw among them,
    # so the word "key" alone says nothing: look for the derived key and salt themselves).
    derived = json.loads(stored)
    assert derived["key"] not in logged and derived["salt"] not in logged
    assert "backup_key" not in logged
    # Restoring asks for the password: a fresh database that never had the key restores it.
    target = tmp_path / "新电脑.sqlite3"
    with backup_service.opened_backup(first, PASSWORD) as plain:
        backup_service.restore(plain, target, tmp_path)
    assert check_file(target).ok and _head_name(target) == _head_name(demo_path)


def test_a_changed_backup_password_leaves_older_backups_restorable_with_theirs(
    demo_path, stick, tmp_path
):
    services = _services(demo_path)
    services.backups.set_backup_password(services.user, PASSWORD)
    old = services.backups.back_up_to(stick)
    services.backups.set_backup_password(services.user, "Xin-de-mima-2027")
    other = tmp_path / "另一个U盘"
    other.mkdir()
    new = services.backups.back_up_to(other)
    services.engine.dispose()
    for copy, good, bad in (
        (old, PASSWORD, "Xin-de-mima-2027"),
        (new, "Xin-de-mima-2027", PASSWORD),
    ):
        with (
            pytest.raises(BackupError, match="备份密码不正确"),
            backup_service.opened_backup(copy, bad),
        ):
            pass
        with backup_service.opened_backup(copy, good) as plain:
            assert check_file(plain).ok


def test_a_version_1_backup_still_restores_with_its_password(demo_path, tmp_path):
    # What the previous release wrote: the scrypt key itself encrypted the chunks (one here).
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, prefix = os.urandom(16), os.urandom(7)
    header = backup_crypto.MAGIC + salt + bytes([15, 8, 1]) + prefix
    key = backup_crypto._key(PASSWORD, salt, 15, 8, 1)
    data = demo_path.read_bytes()[: backup_crypto.CHUNK]
    sealed = AESGCM(key).encrypt(prefix + (0).to_bytes(4, "big") + b"\x01", data, header)
    old = tmp_path / "旧版备份.htkbak"
    old.write_bytes(header + len(sealed).to_bytes(4, "big") + sealed)
    assert is_encrypted(old)
    target = tmp_path / "out.bin"
    backup_crypto.decrypt_file(old, target, PASSWORD)
    assert target.read_bytes() == data
    with pytest.raises(BackupPasswordError, match="备份密码不正确"):
        backup_crypto.decrypt_file(old, tmp_path / "x.bin", "wrong-password")
