"""Backups: generations, backup → damage → restore, checks, network paths, the window lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desktop.models.database import backup_file, open_database
from desktop.models.registry import Household
from desktop.services.safety import backup as backup_service
from desktop.services.safety.backup import (
    AlreadyOpenError,
    BackupError,
    DatabaseLock,
    auto_backup,
    backup_to_folder,
    check_file,
    list_backups,
    network_reason,
    restore,
)
from desktop.services.safety.backup_crypto import derive_backup_key
from tests.platforms import linux_only, windows_only

pytestmark = pytest.mark.sqlite_only(
    "backups copy the SQLite file (PostgreSQL: pg_dump, not built yet)"
)


def _households(path) -> int:
    engine = open_database(path)
    try:
        with Session(engine) as s:
            return s.scalar(select(func.count(Household.id)))
    finally:
        engine.dispose()


def _damage(path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(size // 2)
        f.write(b"\xff" * 8192)


@pytest.fixture
def demo_path(demo_engine):
    path = demo_engine.url.database
    demo_engine.dispose()
    from pathlib import Path

    return Path(path)


def test_auto_backup_once_a_day_keeping_n_generations(demo_path, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    backup_service.set_generations(3)
    day = datetime(2026, 5, 1, 9, 0, 0)
    first = auto_backup(demo_path, folder, now=day)
    assert first is not None and check_file(first).ok
    assert auto_backup(demo_path, folder, now=day + timedelta(hours=3)) is None  # same day
    for n in range(1, 5):
        auto_backup(demo_path, folder, now=day + timedelta(days=n))
    kept = list_backups(demo_path, folder)
    assert [b.at.day for b in kept] == [5, 4, 3]
    assert all(b.kind_label == "启动时自动备份" for b in kept)
    assert backup_service.generations() == 3
    with pytest.raises(BackupError, match="保留份数"):
        backup_service.set_generations(0)


def test_backup_damage_restore(demo_path, tmp_path):
    stick = tmp_path / "U盘"
    stick.mkdir()
    # The stick is outside the data folder: the copy is encrypted under the backup key.
    copy = backup_to_folder(demo_path, stick, derive_backup_key("Beifen-mima-2026"))
    assert copy.parent == stick and copy.suffix == ".htkbak"
    # Work after the backup, then the file is damaged.
    engine = open_database(demo_path)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM household WHERE id IN (SELECT id FROM household LIMIT 5)"))
    engine.dispose()
    _damage(demo_path)
    assert not backup_service.quick_check(demo_path).ok
    kept_folder = tmp_path / "kept"
    kept_folder.mkdir()
    with backup_service.opened_backup(copy, "Beifen-mima-2026") as plain:
        assert check_file(plain).ok
        kept = restore(plain, demo_path, kept_folder)
    assert kept is not None and kept.name.startswith(demo_path.stem + "-before-restore-")
    assert check_file(demo_path).ok
    assert _households(demo_path) == 300
    assert kept.read_bytes()[:16] == b"SQLite format 3\x00"  # the damaged file is kept too


def test_a_damaged_backup_is_refused_and_nothing_changes(demo_path, tmp_path):
    bad = tmp_path / "bad.sqlite3"
    backup_file(demo_path, bad)
    _damage(bad)
    before = demo_path.read_bytes()
    with pytest.raises(BackupError, match="没有恢复：数据库文件已损坏"):
        restore(bad, demo_path, tmp_path)
    assert demo_path.read_bytes() == before
    not_db = tmp_path / "note.sqlite3"
    not_db.write_text("hello", encoding="utf-8")
    with pytest.raises(BackupError, match="不是 SQLite 数据库"):
        restore(not_db, demo_path, tmp_path)


def test_unknown_schema_version_is_refused(demo_path, tmp_path):
    newer = tmp_path / "newer.sqlite3"
    backup_file(demo_path, newer)
    engine = open_database(newer)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version VALUES ('9999')"))
    engine.dispose()
    result = check_file(newer)
    assert not result.ok and "9999" in result.message and "升级程序" in result.message
    with pytest.raises(BackupError, match="9999"):
        restore(newer, demo_path, tmp_path)


def test_newest_good_backup_skips_damaged_ones(demo_path, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    day = datetime(2026, 5, 1, 9, 0, 0)
    good = auto_backup(demo_path, folder, now=day)
    newer = auto_backup(demo_path, folder, now=day + timedelta(days=1))
    _damage(newer)
    assert backup_service.newest_good_backup(demo_path, folder).path == good


# Windows asks the drive type (GetDriveTypeW) instead of a mount table.
LINUX_MOUNTS = linux_only("network file systems are found in /proc/mounts")
MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
//server/share /mnt/share cifs rw 0 0
server:/export /mnt/nfs nfs4 rw 0 0
/dev/sdb1 /mnt/share/local ext4 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/home/clerk/huitoukan.sqlite3", False),
        pytest.param("/mnt/share/huitoukan.sqlite3", True, marks=LINUX_MOUNTS),
        pytest.param("/mnt/nfs/a/huitoukan.sqlite3", True, marks=LINUX_MOUNTS),
        ("/mnt/share/local/huitoukan.sqlite3", False),
        ("/mnt/sharex/huitoukan.sqlite3", False),
        ("\\\\server\\share\\huitoukan.sqlite3", True),
    ],
)
def test_network_paths_are_refused(path, refused):
    reason = network_reason(path, mounts_text=MOUNTS)
    assert (reason is not None) == refused
    if refused:
        assert "网络" in reason and "本机硬盘" in reason


@windows_only("network drives are told by their drive type (GetDriveTypeW)")
def test_a_mapped_network_drive_is_refused(monkeypatch):
    import ctypes

    remote, fixed = 4, 3  # DRIVE_REMOTE, DRIVE_FIXED
    monkeypatch.setattr(
        ctypes.windll.kernel32, "GetDriveTypeW", lambda root: remote if root == "N:\\" else fixed
    )
    assert "网络驱动器 N:" in network_reason("N:\\台账\\huitoukan.sqlite3")
    assert network_reason("C:\\台账\\huitoukan.sqlite3") is None


def test_second_window_on_the_same_database_is_told_who_has_it(db_path):
    first = DatabaseLock(db_path)
    first.acquire()
    with pytest.raises(AlreadyOpenError, match=r"已在另一个回头看工作台窗口中打开.*用户"):
        DatabaseLock(db_path).acquire()
    first.release()
    with DatabaseLock(db_path) as again:
        assert again.held


def test_a_lock_left_by_a_killed_process_is_stale_and_taken_over(db_path):
    code = textwrap.dedent(
        f"""
        import os, sys
        from desktop.services.safety.backup import DatabaseLock
        DatabaseLock({str(db_path)!r}).acquire()
        print("locked", flush=True)
        os._exit(0)  # dies holding the lock: the file stays behind
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "locked" in out.stdout
    assert db_path.with_name(db_path.name + ".lock").exists()
    with DatabaseLock(db_path) as lock:
        assert lock.held


def test_startup_makes_the_daily_backup_and_reports_damage(demo_path, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    report = backup_service.startup(demo_path, folder)
    assert report.check.ok and report.backup is not None and report.lock.held
    report.lock.release()
    _damage(demo_path)
    report = backup_service.startup(demo_path, folder)
    assert not report.check.ok and "损坏" in report.check.message
    assert (
        report.newest_good is not None
        and report.newest_good.path == list_backups(demo_path, folder)[0].path
    )
    report.lock.release()
