"""`huitoukan inspections sample|archive|verify` from the command line."""

from __future__ import annotations

import datetime
import shutil

import pytest

from desktop.cli import main
from desktop.models.database import backup_file


@pytest.fixture
def demo_db(demo_engine, _demo_template, data_dir, tmp_path):
    """A closed copy of the demo, its evidence files in the data folder the commands use."""
    path = tmp_path / "cli.sqlite3"
    backup_file(demo_engine.url.database, path)
    shutil.copytree(_demo_template.parent / "data", data_dir, dirs_exist_ok=True)
    return path


def test_sample_prints_one_line_per_village_and_household(demo_db, capsys):
    code = main(["inspections", "sample", "--db", str(demo_db), "--township", "桃花江镇",
                 "--seed", "4", "--year", str(datetime.date.today().year)])  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert code in (0, 1)
    assert out[0].startswith("桃花江镇 建议抽查名单（随机种子 4，")
    lines = [line for line in out[1:] if not line.startswith(("说明：", "不足："))]
    kinds = [line.split("\t")[0].strip() for line in lines]
    assert kinds[0] == "贫困村" and "面上村" in kinds
    assert {"预脱贫户", "未脱贫户"} <= set(kinds)
    again = main(["inspections", "sample", "--db", str(demo_db), "--township", "桃花江镇",
                  "--seed", "4", "--year", str(datetime.date.today().year)])  # fmt: skip
    assert again == code and capsys.readouterr().out.splitlines() == out


def test_sample_names_the_townships_when_one_is_unknown(demo_db, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["inspections", "sample", "--db", str(demo_db), "--township", "无此镇", "--seed", "1"])
    assert exc.value.code == 2
    assert "没有名为“无此镇”的镇。已有：桃花江镇" in capsys.readouterr().err


def test_archive_then_verify(demo_db, tmp_path, capsys):
    out = tmp_path / "2026季度档案.zip"
    quarters = set()
    from desktop.models.database import open_database
    from desktop.services.inspections.service import InspectionService
    from desktop.services.problems.service import ProblemService
    from desktop.services.unit_of_work import Database

    engine = open_database(demo_db)
    db = Database(engine)
    rounds = InspectionService(db, ProblemService(db, tmp_path)).rounds()
    engine.dispose()
    for r in rounds:
        quarters.add(f"{r.start_date.year}Q{(r.start_date.month - 1) // 3 + 1}")
    quarter = sorted(quarters)[0]
    assert main(["inspections", "archive", "--db", str(demo_db), "--quarter", quarter,
                 "--out", str(out)]) == 0  # fmt: skip
    said = capsys.readouterr().out
    assert f"已生成 {quarter} 督查档案" in said and "注意" not in said
    assert main(["inspections", "verify", str(out)]) == 0
    assert "全部一致" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["inspections", "archive", "--db", str(demo_db), "--quarter", "2026-3",
              "--out", str(out)])  # fmt: skip
    assert exc.value.code == 2 and "季度格式不对" in capsys.readouterr().err
