"""A file replaces the database only when it holds its revision's tables, indexes and triggers;
attachment paths stay inside the attachments folder, at restore and at use."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import update

from desktop.models.database import SCHEMA_HEAD, open_database
from desktop.models.problem import Attachment
from desktop.services.safety.backup import BackupError, check_file, restore
from tests.problem_fixtures import problem, service

pytestmark = pytest.mark.sqlite_only("restore replaces the SQLite file")


@pytest.fixture
def live(tmp_path):
    path = tmp_path / "live.sqlite3"
    open_database(path).dispose()
    return path


def stamp_only(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (SCHEMA_HEAD,))
    conn.commit()
    conn.close()
    return path


def without_triggers(source, path):
    shutil.copyfile(source, path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_entry_no_delete")
    conn.execute("DROP TRIGGER audit_entry_no_update")
    conn.commit()
    conn.close()
    return path


def test_a_file_with_only_the_version_stamp_is_refused(tmp_path, live):
    bad = stamp_only(tmp_path / "stamp.sqlite3")
    result = check_file(bad)
    assert not result.ok and "不完整" in result.message
    before = live.read_bytes()
    with pytest.raises(BackupError, match="当前数据库未作任何改动"):
        restore(bad, live, tmp_path / "backups")
    assert live.read_bytes() == before


def test_a_file_without_the_audit_triggers_is_refused(tmp_path, live):
    bad = without_triggers(live, tmp_path / "open.sqlite3")
    result = check_file(bad)
    assert not result.ok and "触发器" in result.message
    assert check_file(live).ok


def test_attachment_paths_outside_the_folder_are_refused_and_never_deleted(
    demo_engine, data_dir, tmp_path
):
    ps = service(demo_engine, data_dir)
    problem_id = ps.save(problem(ps, demo_engine), "刘芳")
    evidence = tmp_path / "照片.jpg"
    evidence.write_bytes(b"jpeg")
    ps.add_attachment(problem_id, evidence, "刘芳")
    victim = tmp_path / "victim.txt"
    victim.write_text("outside the data folder")
    escape = "attachments/../../victim.txt"
    with demo_engine.begin() as conn:
        conn.execute(update(Attachment).values(path=escape))
    result = check_file(demo_engine.url.database)
    assert not result.ok and "附件路径" in result.message
    ps.delete(problem_id, "刘芳")
    assert victim.exists()
