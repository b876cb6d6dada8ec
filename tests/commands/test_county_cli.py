"""`huitoukan county copy` from the command line."""

from __future__ import annotations

import re
import shutil

import pytest

from desktop.cli import main
from desktop.models.database import open_database
from tests.postgres import same_database


@pytest.fixture
def township_file(tmp_path):
    from desktop.demo.township import build_demo

    path = tmp_path / "乡镇.sqlite3"
    engine = open_database(path)
    build_demo(engine, households=20, seed=5, data_dir=tmp_path / "data", sichuan=False)
    engine.dispose()
    return path


def test_copy_prints_the_counts_and_a_second_copy_is_refused(township_file, tmp_path, capsys):
    county = tmp_path / "县.sqlite3"
    assert main(["county", "copy", str(township_file), "--db", str(county)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("已复制 ") and "两边行数一致" in out
    source = open_database(township_file)
    with source.connect() as conn:
        households = conn.exec_driver_sql("SELECT count(*) FROM household").scalar_one()
    source.dispose()
    assert ["household", str(households)] in [line.split() for line in out.splitlines()]
    with pytest.raises(SystemExit) as exc:
        main(["county", "copy", str(township_file), "--db", str(county)])
    assert exc.value.code == 1
    assert "县数据库不是空的" in capsys.readouterr().err


def test_check_on_a_server_reads_the_version_and_the_audit_chain(township_file, engine, capsys):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: set HUITOUKAN_TEST_POSTGRES (scripts/postgres.sh)")
    url = same_database(engine)
    assert main(["county", "copy", str(township_file), "--db", url]) == 0
    capsys.readouterr()
    assert main(["check", "--db", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("数据库服务器：结构版本 ") and "哈希链完整" in out


def test_user_audit_backup_and_the_written_hash_work_on_a_server(
    township_file, engine, tmp_path, capsys, monkeypatch
):
    """The commands that took the file's lock (user, audit export) or read the file itself
    (check --audit-hash, backup, restore) said "找不到文件或文件夹" for a server address."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: set HUITOUKAN_TEST_POSTGRES (scripts/postgres.sh)")
    pytest.importorskip("psycopg")
    from openpyxl import load_workbook

    from tests.commands.admin import ADMIN_NAME, add_admin, sign_in_as_admin

    url = same_database(engine)
    assert main(["county", "copy", str(township_file), "--db", url]) == 0
    add_admin(url)
    sign_in_as_admin(monkeypatch)
    capsys.readouterr()
    assert main(["user", "list", "--db", url]) == 0
    assert ADMIN_NAME in capsys.readouterr().out
    out = tmp_path / "日志.xlsx"
    assert main(["audit", "export", "--db", url, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    head = re.search(r"哈希 ([0-9a-f]{64})", said)[1]
    book = load_workbook(out)
    assert book.worksheets[0].max_row > 1
    book.close()
    assert main(["check", "--db", url, "--audit-hash", head[:16]]) == 0
    assert "截至它的日志未被改动" in capsys.readouterr().out
    assert main(["check", "--db", url, "--audit-hash", "f" * 16]) == 1
    assert "没有以 ffffffffffffffff 开头的链哈希" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["restore", str(township_file), "--db", url])
    assert "pg_restore" in capsys.readouterr().err
    if shutil.which("pg_dump") is None:
        return  # said so by the backup itself; tests/services/county covers that message
    folder = tmp_path / "备份"
    folder.mkdir()
    monkeypatch.setattr("desktop.services.safety.backup.leaves_data_folder", lambda _f: False)
    assert main(["backup", "--db", url, "--to", str(folder)]) == 0
    assert "已备份到" in capsys.readouterr().out and any(folder.iterdir())
