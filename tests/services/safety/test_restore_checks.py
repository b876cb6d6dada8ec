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


def _edited(source, path, *statements):
    shutil.copyfile(source, path)
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("statements", "words"),
    [
        (["DROP INDEX ix_audit_entry_record"], ["缺少 1 个索引"]),
        (["ALTER TABLE household DROP COLUMN phone"], ["household", "列"]),
        (  # the name kept, the refusal gone: the log is open again
            [
                "DROP TRIGGER audit_entry_no_delete",
                "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry"
                " BEGIN SELECT 1; END",
            ],
            ["触发器"],
        ),
        (  # one trigger more than the revision has: deletes members behind the program's back
            ["CREATE TRIGGER quietly AFTER INSERT ON household BEGIN DELETE FROM member; END"],
            ["触发器"],
        ),
    ],
    ids=["index-dropped", "column-dropped", "trigger-emptied", "trigger-added"],
)
def test_a_file_whose_indexes_or_triggers_are_not_its_revisions_is_refused(
    tmp_path, live, statements, words
):
    bad = _edited(live, tmp_path / "bad.sqlite3", *statements)
    result = check_file(bad)
    assert not result.ok and all(w in result.message for w in words), result.message
    before = live.read_bytes()
    with pytest.raises(BackupError, match="当前数据库未作任何改动"):
        restore(bad, live, tmp_path / "backups")
    assert live.read_bytes() == before


def test_triggers_written_with_older_line_breaks_still_pass(tmp_path, live):
    """Files made before the triggers were built by refusing_trigger hold the same statements
    laid out on several lines: only the wording counts."""
    older = _edited(
        live,
        tmp_path / "older.sqlite3",
        "DROP TRIGGER audit_entry_no_update",
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry\n"
        "    BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END",
    )
    assert check_file(older).ok, check_file(older).message
