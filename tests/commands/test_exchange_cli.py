"""`huitoukan exchange …`: key, export, import, conflicts and resolve from the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.cli import main
from desktop.models.database import open_database
from desktop.models.registry import Household
from desktop.services.unit_of_work import Database


@pytest.fixture
def township_file(tmp_path, data_dir):
    from desktop.demo.township import build_demo

    path = tmp_path / "乡镇.sqlite3"
    engine = open_database(path)
    build_demo(engine, households=20, seed=5, data_dir=data_dir, sichuan=False)
    engine.dispose()
    return path


def _set_phone(path, code: str, phone: str) -> None:
    engine = open_database(path)
    try:
        with Database(engine).unit_of_work() as s:
            s.scalar(select(Household).where(Household.code == code)).phone = phone
    finally:
        engine.dispose()


def _count(path) -> int:
    engine = open_database(path)
    try:
        with engine.connect() as conn:
            return len(conn.execute(select(Household.id)).all())
    finally:
        engine.dispose()


def _first_code(path) -> str:
    engine = open_database(path)
    try:
        with engine.connect() as conn:
            return conn.execute(select(Household.code).order_by(Household.id)).scalars().first()
    finally:
        engine.dispose()


def test_a_township_exports_and_the_county_imports_resolving_a_conflict(
    township_file, tmp_path, capsys
):
    county = str(tmp_path / "县.sqlite3")
    township = str(township_file)
    assert main(["exchange", "key", "--new", "--db", county]) == 0
    key = capsys.readouterr().out.splitlines()[1]
    assert main(["exchange", "key", "--set", key, "--db", township]) == 0
    assert "交换包将发往县里的电脑" in capsys.readouterr().out

    first = str(tmp_path / "桃花江镇-1.htkx")
    assert main(["exchange", "export", "--db", township, "--out", first]) == 0
    assert "桃花江镇 第 1 号" in capsys.readouterr().out
    assert main(["exchange", "import", first, "--db", county]) == 0
    out = capsys.readouterr().out
    assert "已导入 桃花江镇 第 1 号交换包" in out and "冲突" not in out
    assert f"户 {_count(township_file)}，" in out

    code = _first_code(township_file)
    _set_phone(township_file, code, "13800000001")
    _set_phone(tmp_path / "县.sqlite3", code, "13900000002")
    second = str(tmp_path / "桃花江镇-2.htkx")
    assert main(["exchange", "export", "--db", township, "--out", second]) == 0
    capsys.readouterr()
    assert main(["exchange", "import", second, "--db", county]) == 0
    assert "冲突：1 条" in capsys.readouterr().out
    assert main(["exchange", "conflicts", "--db", county]) == 0
    listed = capsys.readouterr().out
    assert f"冲突 1：户 {code}" in listed
    assert "联系电话：本机“13900000002”，对方“13800000001”" in listed
    assert main(["exchange", "resolve", "1", "--take", "--db", county]) == 0
    assert "采用对方" in capsys.readouterr().out
    assert main(["exchange", "conflicts", "--db", county]) == 0
    assert "没有待处理的冲突" in capsys.readouterr().out

    with pytest.raises(SystemExit) as exc:
        main(["exchange", "import", second, "--db", county])
    assert exc.value.code == 1 and "导入过" in capsys.readouterr().err
