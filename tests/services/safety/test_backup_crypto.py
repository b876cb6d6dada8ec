"""Backups that leave the data folder are encrypted; restoring them needs their password."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services.safety import backup as backup_service
from desktop.services.safety import backup_crypto
from desktop.services.safety.backup import BackupError, backup_to_folder, check_file
from desktop.services.safety.backup_crypto import is_encrypted
from tests.commands.admin import add_admin, sign_in_as_admin

PASSWORD = "Beifen-mima-2026"


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


def test_a_backup_on_a_stick_holds_nothing_readable(demo_path, stick):
    copy = backup_to_folder(demo_path, stick, PASSWORD)
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
    with pytest.raises(BackupError, match="须设置备份密码"):
        backup_to_folder(demo_path, stick)
    with pytest.raises(BackupError, match="至少要 8 位"):
        backup_to_folder(demo_path, stick, "1234567")
    assert list(stick.iterdir()) == []


def test_restore_with_the_right_password_only(demo_path, stick, tmp_path):
    copy = backup_to_folder(demo_path, stick, PASSWORD)
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
def test_a_changed_or_cut_encrypted_backup_is_refused(demo_path, stick, damage):
    copy = backup_to_folder(demo_path, stick, PASSWORD)
    data = bytearray(copy.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "cut":
        del data[len(data) // 2 :]
    else:  # whole chunks dropped off the end: the new last chunk was not written as the last
        first = 8 + 16 + 3 + 7
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
    monkeypatch.setenv("HUITOUKAN_BACKUP_PASSWORD", PASSWORD)
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
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(SystemExit):
        main(["restore", str(copy), "--db", str(demo_path)])
    assert "HUITOUKAN_BACKUP_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("HUITOUKAN_BACKUP_PASSWORD", PASSWORD)
    assert main(["restore", str(copy), "--db", str(demo_path)]) == 0
    assert main(["check", "--db", str(demo_path)]) == 0
