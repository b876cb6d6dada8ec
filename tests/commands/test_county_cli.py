"""`huitoukan county copy` from the command line."""

from __future__ import annotations

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
