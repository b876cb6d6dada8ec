"""`huitoukan compare import|run` and `huitoukan rosters removals|additions`."""

from __future__ import annotations

import datetime

import pdfplumber
from openpyxl import load_workbook

from desktop.cli import main
from desktop.models.comparison import DECISION_AGREE
from desktop.models.database import open_database
from desktop.services.actor import CurrentUser
from desktop.services.comparison.cases import CaseService, Decision
from desktop.services.comparison.service import ComparisonService
from desktop.services.unit_of_work import Database
from tests.services.comparison.fixtures import HEAD_ID, build_village

DAY = datetime.date.today()


def _village_db(tmp_path):
    path = tmp_path / "cli.sqlite3"
    engine = open_database(path)
    places = build_village(engine)
    engine.dispose()
    return path, places


def test_import_then_run_counts_hits_by_department(tmp_path, capsys):
    db, _places = _village_db(tmp_path)
    cars = tmp_path / "车管所.csv"
    cars.write_text(f"车主,身份证号码,号牌号码\n林大,{HEAD_ID},粤N12345\n", encoding="gbk")
    args = ["compare", "import", str(cars), "--department", "公安（车管所）", "--db", str(db)]
    assert main(args) == 0
    assert "比对发现疑点 1 条" in capsys.readouterr().out
    assert main(["compare", "run", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "新发现疑点 0 条" in out and "公安（车管所）" in out and "1 条（未处理 1）" in out


def test_a_rejected_import_exits_1_with_the_row_and_a_report(tmp_path, capsys):
    db, _places = _village_db(tmp_path)
    bad = tmp_path / "民政.csv"
    bad.write_text("姓名,身份证号码\n林大,12345\n", encoding="utf-8")
    report = tmp_path / "错误.xlsx"
    args = ["compare", "import", str(bad), "--department", "民政", "--db", str(db),
            "--report", str(report)]  # fmt: skip
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "第2行 B列（身份证号码）" in out and "应为18位" in out
    ws = load_workbook(report).active
    assert [c.value for c in ws[2]][:2] == [2, "B（身份证号码）"]


def test_rosters_of_a_period_as_xlsx_and_pdf(tmp_path, capsys, data_dir):
    db, _places = _village_db(tmp_path)
    cars = tmp_path / "车管所.csv"
    cars.write_text(f"车主,身份证号码\n林大,{HEAD_ID}\n", encoding="utf-8")
    main(["compare", "import", str(cars), "--department", "公安（车管所）", "--db", str(db)])
    engine = open_database(db)
    cases = CaseService(Database(engine), data_dir)
    hit = ComparisonService(Database(engine)).hits()[0]
    case_id = cases.open_removal(CurrentUser("李", "clerk"), [hit.id], "户主名下有小汽车")
    for role in ("clerk", "reviewer", "admin"):
        version = cases.case(case_id).version
        cases.decide(
            CurrentUser(role, role), case_id, version, Decision(DECISION_AGREE, DAY, "同意", "属实")
        )
    engine.dispose()
    capsys.readouterr()
    for suffix in ("xlsx", "pdf"):
        out = tmp_path / f"清退.{suffix}"
        args = ["rosters", "removals", "--db", str(db), "--from", DAY.isoformat(),
                "--to", DAY.isoformat(), "--out", str(out)]  # fmt: skip
        assert main(args) == 0
        assert "3 人" in capsys.readouterr().out
    assert load_workbook(tmp_path / "清退.xlsx").active["F4"].value == "林大"
    with pdfplumber.open(tmp_path / "清退.pdf") as pdf:
        assert "建档立卡贫困户清退人员花名册" in pdf.pages[0].extract_text()
    empty = tmp_path / "新增.xlsx"
    args = ["rosters", "additions", "--db", str(db), "--from", DAY.isoformat(),
            "--to", DAY.isoformat(), "--out", str(empty)]  # fmt: skip
    assert main(args) == 0 and "0 人" in capsys.readouterr().out
