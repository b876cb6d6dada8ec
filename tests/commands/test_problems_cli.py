"""`huitoukan problems export|notice|import` from the command line."""

from __future__ import annotations

import datetime

import openpyxl
import pdfplumber
import pytest

from desktop.cli import main
from desktop.models.database import backup_file
from desktop.services.problems.importer import COLUMNS
from desktop.services.problems.report import HEADERS
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database


@pytest.fixture
def demo_db(demo_engine, tmp_path):
    """A closed copy of the demo township (with its demo problems) as a file path."""
    path = tmp_path / "cli.sqlite3"
    backup_file(demo_engine.url.database, path)
    return path


def test_export_whole_ledger_and_a_period(demo_db, data_dir, tmp_path, capsys):
    out = tmp_path / "台账.xlsx"
    assert main(["problems", "export", "--db", str(demo_db), "--out", str(out)]) == 0
    assert "已导出整改台账" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[3]] == list(HEADERS)
    rows = [ws.cell(row=n, column=1).value for n in range(4, ws.max_row + 1)]
    n = rows.index("合计")
    assert rows[:n] == list(range(1, n + 1)) and n >= 20  # 序号 as numbers, as Excel sorts them
    today = datetime.date.today()
    start = today - datetime.timedelta(days=15)
    part = tmp_path / "半月.xlsx"
    args = ["problems", "export", "--db", str(demo_db), "--out", str(part),
            "--from", start.isoformat(), "--to", today.isoformat()]  # fmt: skip
    assert main(args) == 0
    ws = openpyxl.load_workbook(part).active
    assert ws["A2"].value.startswith(f"报送时段：{start:%Y}年{start:%m}月{start:%d}日至")
    pdf = tmp_path / "台账.pdf"
    assert main(["problems", "export", "--db", str(demo_db), "--out", str(pdf)]) == 0
    assert round(pdfplumber.open(pdf).pages[0].width) == 842


def test_notice_for_a_unit(demo_db, data_dir, tmp_path, capsys):
    from desktop.models.database import open_database

    service = ProblemService(Database(open_database(demo_db)), data_dir)
    unit = next(r.unit_name for r in service.rows() if r.status != "已销号")
    out = tmp_path / "整改函.pdf"
    args = ["problems", "notice", "--db", str(demo_db), "--unit", unit, "--out", str(out),
            "--number", "桃扶函〔2020〕3号"]  # fmt: skip
    assert main(args) == 0
    assert f"已生成整改函：{unit}" in capsys.readouterr().out
    text = pdfplumber.open(out).pages[0].extract_text().replace("\n", "")
    assert f"{unit}：" in text and "桃扶函〔2020〕3号" in text
    with pytest.raises(SystemExit) as exit_info:
        main(["problems", "notice", "--db", str(demo_db), "--unit", "没有的单位", "--out",
              str(out)])  # fmt: skip
    assert exit_info.value.code == 2
    assert "没有名为“没有的单位”的责任单位" in capsys.readouterr().err


def test_import_refuses_a_bad_list_and_writes_a_report(demo_db, data_dir, tmp_path, capsys):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    row = dict.fromkeys(COLUMNS)
    row.update({"发现日期": "2020-05-06", "问题来源": "督查组", "村": "没有这个村",
                "问题描述": "道路破损", "整改类型": "限时整改", "责任单位": "扶贫工作站",
                "责任人": "李建华", "整改时限": "2020-06-06"})  # fmt: skip
    ws.append([row[c] for c in COLUMNS])
    wb.save(tmp_path / "清单.xlsx")
    report = tmp_path / "错误.xlsx"
    args = ["problems", "import", str(tmp_path / "清单.xlsx"), "--db", str(demo_db),
            "--report", str(report)]  # fmt: skip
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "第2行 E列（村） “没有这个村”：没有这个村" in out
    assert openpyxl.load_workbook(report)["错误汇总"].max_row == 2
