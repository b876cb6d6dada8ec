"""Every failure a user can cause ends in one Chinese sentence: no traceback, no library English,
the right exit code, and the database as it was."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from desktop.models.database import open_database
from desktop.models.registry import Household, Member
from desktop.models.safety import AuditEntry
from tests import hostile_files
from tests.platforms import linux_only, read_only
from tests.roster_samples import clean_rows, write_xls, write_xlsx

ALLOWED = {
    "XFD",
    "Excel",
    "WPS",
    "xlsx",
    "xls",
    "MB",
    "KB",
    "GB",
    "remove",
    "missing",
    "UNC",
    "csv",
}


def run(*argv, env=None):
    return subprocess.run(
        [sys.executable, "-m", "desktop", *map(str, argv)],
        capture_output=True, encoding="utf-8", timeout=180, env=env,
    )  # fmt: skip


def counts(db_path):
    engine = open_database(db_path)
    with engine.connect() as conn:
        found = tuple(
            conn.execute(select(func.count(t.id))).scalar() for t in (Household, Member, AuditEntry)
        )
    engine.dispose()
    return found


def one_chinese_sentence(done, *paths):
    output = (done.stdout + done.stderr).strip()
    assert "Traceback" not in output and "Error" not in output, output
    rest = output
    for path in paths:
        rest = rest.replace(str(path), "").replace(path.name, "")
    words = set(re.findall(r"[A-Za-z]{3,}", rest)) - ALLOWED
    assert not words, output
    assert re.search(r"[\u4e00-\u9fff]", output), output
    return output


@pytest.fixture
def filled(tmp_path, db_path):
    assert (
        run(
            "roster", "import", write_xlsx(tmp_path / "all.xlsx", clean_rows()), "--db", db_path
        ).returncode
        == 0
    )
    return db_path


def _bel_name(tmp_path):
    rows = clean_rows()
    rows[1]["姓名"] = "李\x07梅"
    return write_xls(tmp_path / "bel.xls", rows)


def _partial(tmp_path):
    rows = clean_rows()
    del rows[1]
    return write_xlsx(tmp_path / "part.xlsx", rows)


def _garbled_xls(path):
    """A real .xls with a run of its bytes overwritten (the reader's "Cfb error" before)."""
    data = bytearray(write_xls(path.with_name("src.xls"), clean_rows()).read_bytes())
    data[600:2000] = b"\xff" * 1400
    path.write_bytes(bytes(data))
    return path


def _half_xlsx(path):
    """The first half of a real .xlsx (the reader's "invalid Zip archive" before)."""
    return hostile_files.truncated_zip(path, write_xlsx(path.with_name("src.xlsx"), clean_rows()))


CASES = {
    "far-cell": (hostile_files.far_cell, "XFD1048576"),
    "far-cell-out-of-order": (hostile_files.far_cell_out_of_order, "XFD1048576"),
    "lying-size": (hostile_files.lying_size, "声明的 4 KB"),
    "space-rows": (lambda p: hostile_files.space_rows(p, 600_000, 2), "超过导入上限"),
    "shared-string-bomb": (hostile_files.shared_string_bomb, "反复引用超长文字"),
    "truncated": (_half_xlsx, "已损坏"),
    "garbled-xls": (_garbled_xls, "已损坏"),
    "empty": (lambda p: hostile_files.write_bytes(p, b""), "是空的"),
    "zip-bomb": (hostile_files.zip_bomb, "压缩了"),
    "styled-rows": (hostile_files.styled_empty_rows, "空行"),
    "huge-cell": (hostile_files.huge_cell, "32767"),
    "not-a-workbook": (hostile_files.not_a_workbook, "不是Excel文件"),
    "encrypted": (hostile_files.encrypted_xlsx, "设有密码"),
    "wide-xls": (hostile_files.wide_xls, "65,536 行"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_roster_files(tmp_path, filled, case):
    build, word = CASES[case]
    path = build(tmp_path / (f"{case}.xls" if case.endswith("xls") else f"{case}.xlsx"))
    before = counts(filled)
    for command in ("roster", "problems"):
        done = run(command, "import", path, "--db", filled)
        assert done.returncode in (1, 2)
        assert word in one_chinese_sentence(done, path, filled)
    assert counts(filled) == before


def test_bad_cells_and_partial_roster(tmp_path, filled):
    before = counts(filled)
    for path, word in ((_bel_name(tmp_path), "控制字符"), (_partial(tmp_path), "--remove-missing")):
        done = run("roster", "import", path, "--db", filled, "--report", tmp_path / "r.xlsx")
        assert done.returncode == 1
        assert word in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert counts(filled) == before


def test_missing_file_and_wrong_type(tmp_path, filled):
    before = counts(filled)
    for path, word in ((tmp_path / "nothing.xlsx", "找不到文件"), (tmp_path / "a.csv", "不支持")):
        done = run("roster", "import", path, "--db", filled)
        assert done.returncode in (1, 2) and word in one_chinese_sentence(done, path, filled)
    assert counts(filled) == before


def test_network_share_is_refused_on_the_command_line(tmp_path):
    done = run("roster", "import", tmp_path / "x.xlsx", "--db", "//server/share/h.sqlite3")
    assert done.returncode != 0 and "网络共享" in done.stdout + done.stderr


@linux_only("a folder's mode bits do not make it read-only on Windows")
@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders"
)
def test_export_to_a_read_only_folder(tmp_path, filled):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        done = run("roster", "export", "--db", filled, "--out", folder / "o.xlsx")
        assert done.returncode != 0
        assert "没有写入权限" in one_chinese_sentence(done, folder / "o.xlsx", filled)
    finally:
        folder.chmod(0o700)


def test_export_into_a_missing_folder(tmp_path, filled):
    out = tmp_path / "no" / "such" / "folder" / "o.xlsx"
    done = run("roster", "export", "--db", filled, "--out", out)
    assert done.returncode != 0
    assert "文件夹不存在" in one_chinese_sentence(done, out.parent, filled)


def test_restore_of_a_stamp_only_file(tmp_path, filled):
    import sqlite3

    from desktop.models.database import SCHEMA_HEAD

    bad = tmp_path / "stamp.sqlite3"
    conn = sqlite3.connect(bad)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (SCHEMA_HEAD,))
    conn.commit()
    conn.close()
    before = counts(filled)
    done = run("restore", bad, "--db", filled)
    assert done.returncode != 0 and "不完整" in one_chinese_sentence(done, bad, filled)
    assert counts(filled) == before
    done = run("check", "--db", bad)
    assert done.returncode != 0 and "不完整" in done.stdout + done.stderr


def test_a_full_disk_during_an_import_is_one_sentence_and_changes_nothing(
    tmp_path, filled, monkeypatch, capsys
):
    """SQLite's "database or disk is full" (and SQLAlchemy's "Background on this error at …")
    reach the user as 磁盘已满, with the database as it was."""
    from sqlalchemy import event

    import desktop.commands.common as common
    from desktop.cli import main
    from tests.roster_samples import household_rows, person_id

    rows = []
    for n in range(400):
        rows += household_rows(
            f"H{n:04d}", f"户主{n}", [(f"户主{n}", "男", "户主", person_id(n + 100))]
        )
    source = write_xlsx(tmp_path / "big.xlsx", rows)
    before = counts(filled)
    opened = common.open_database

    def no_room_to_grow(*args, **kwargs):
        engine = opened(*args, **kwargs)

        @event.listens_for(engine, "connect")
        def _cap(dbapi, _record):
            pages = dbapi.execute("PRAGMA page_count").fetchone()[0]
            dbapi.execute(f"PRAGMA max_page_count = {pages + 2}")

        engine.dispose()  # connections from now on have no room to grow
        return engine

    monkeypatch.setattr(common, "open_database", no_room_to_grow)
    assert main(["roster", "import", str(source), "--db", str(filled)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"操作未能完成：磁盘已满（数据库 {filled}）", err
    assert counts(filled) == before


@linux_only("chattr makes a file read-only for root too")
def test_a_read_only_database_file_is_refused_at_once_naming_the_file(tmp_path, filled):
    """A file marked 只读 in a writable folder: SQLite opens it and fails at the first save
    (after a whole form was typed); it is refused when opened, and the file is named, not
    its folder."""
    from desktop.models.database import DatabaseError, open_database

    before = counts(filled)
    (tmp_path / "out").mkdir()
    with read_only(filled):
        with pytest.raises(DatabaseError) as refused:
            open_database(filled)
        said = str(refused.value)
        assert str(filled) in said and "只读" in said and "所在文件夹" not in said, said
        done = run("roster", "export", "--out", tmp_path / "out" / "o.xlsx", "--db", filled)
        assert done.returncode != 0, done
        said = one_chinese_sentence(done, filled)
        assert "只读" in said and "损坏" not in said and "数据库文件" in said, said
        assert run("check", "--db", filled).returncode == 0  # reading it still works
    assert counts(filled) == before


@linux_only("chattr makes a folder read-only for root too")
def test_a_database_in_a_read_only_folder_is_said_so_not_called_damaged(tmp_path, filled):
    folder = filled.parent
    before = counts(filled)
    (tmp_path / "out").mkdir()
    with read_only(filled, folder):
        for argv in (["roster", "export", "--out", tmp_path / "out" / "o.xlsx"], ["check"]):
            done = run(*argv, "--db", filled)
            assert done.returncode != 0, done
            said = one_chinese_sentence(done, filled, folder)
            assert "只读" in said and "损坏" not in said, said
    assert counts(filled) == before
