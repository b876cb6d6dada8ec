"""Backups appear only whole; what a killed backup or restore leaves is cleaned at next start."""

from __future__ import annotations

import pytest

from desktop.models.database import open_database
from desktop.services.safety import backup as backup_service
from desktop.services.safety.backup import (
    BackupError,
    backup_to_folder,
    list_backups,
    startup,
)
from desktop.services.safety.backup_crypto import derive_backup_key


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "data" / "huitoukan.sqlite3"
    path.parent.mkdir()
    open_database(path).dispose()
    return path


def test_a_failed_backup_leaves_no_file_under_its_name(tmp_path, db, monkeypatch):
    def dies_half_way(source, target):
        target.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
        raise OSError(28, "database or disk is full")

    monkeypatch.setattr(backup_service, "backup_file", dies_half_way)
    stick = tmp_path / "usb"
    stick.mkdir()
    with pytest.raises(BackupError) as refused:
        backup_to_folder(db, stick, derive_backup_key("Beifen-mima-2026"))
    assert list(stick.iterdir()) == []
    assert "磁盘已满" in str(refused.value) and "disk" not in str(refused.value)
    folder = tmp_path / "backups"
    folder.mkdir()
    with pytest.raises(OSError):
        backup_service.auto_backup(db, folder)
    assert list_backups(db, folder) == [] and list(folder.iterdir()) == []


def test_debris_is_cleaned_at_start_and_never_a_generation(tmp_path, db):
    folder = tmp_path / "backups"
    folder.mkdir()
    part = folder / (backup_service.backup_name(db, "auto") + ".part")
    part.write_bytes(b"SQLite format 3\x00half")
    restoring = db.with_name(db.name + ".restoring")
    restoring.write_bytes(b"half a restore")
    restoring.with_name(restoring.name + "-wal").write_bytes(b"x")
    assert list_backups(db, folder) == []
    report = startup(db, folder)
    try:
        assert not part.exists() and not restoring.exists()
        assert not restoring.with_name(restoring.name + "-wal").exists()
        assert [b.kind for b in list_backups(db, folder)] == ["auto"]  # today's, whole
    finally:
        report.lock.release()


def test_a_backups_log_without_its_file_is_debris_and_a_whole_ones_is_kept(tmp_path, db):
    # A restore killed while it kept a damaged file's -wal beside the before-restore backup,
    # before the file itself, left the log alone under the backup's final name.
    folder = tmp_path / "backups"
    folder.mkdir()
    orphan = folder / (backup_service.backup_name(db, "before-restore") + "-wal")
    orphan.write_bytes(b"a log without its database")
    whole = backup_service.auto_backup(db, folder)
    kept_log = whole.with_name(whole.name + "-wal")
    kept_log.write_bytes(b"the log of a whole backup")
    report = startup(db, folder)
    try:
        assert not orphan.exists()
        assert kept_log.exists()
        assert [b.kind for b in list_backups(db, folder)] == ["auto"]
    finally:
        report.lock.release()
