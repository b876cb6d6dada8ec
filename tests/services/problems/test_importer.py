"""Import of a 问题清单 from Excel: all or nothing, errors by row and column in Chinese."""

from __future__ import annotations

import datetime

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.problem import Person, Problem
from desktop.models.registry import Household, Village
from desktop.services.problems.importer import (
    COLUMNS,
    ProblemImporter,
    ProblemImportError,
    parse_date,
    write_error_report,
)
from desktop.services.problems.rules import STATUS_CLOSED, STATUS_OPEN
from tests.problem_fixtures import service


def _write(path, rows, title=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append(["2020年5月督查问题清单"])  # a title row above the header, as lists arrive
    ws.append(list(COLUMNS))
    for row in rows:
        ws.append([row.get(c) for c in COLUMNS])
    wb.save(path)
    return path


def _household(engine):
    with Session(engine) as s:
        h = s.execute(
            select(Household.code, Household.head_name, Village.name).join(
                Village, Village.id == Household.village_id
            )
        ).first()
    return h


def _good_rows(engine):
    code, head, village = _household(engine)
    return [
        {
            "问题编号": "2020-101", "发现日期": datetime.date(2020, 5, 6), "问题来源": "督查组",
            "问题类别": "3", "户编号": code, "问题描述": "住房漏雨", "整改措施": "维修屋面",
            "整改类型": "限时整改", "责任单位": "扶贫工作站", "责任人": "新责任人",
            "整改时限": "2020/6/30",
        },
        {
            "发现日期": "2020年5月7日", "问题来源": "回头看排查", "问题类别": "保障饮水安全",
            "村": village, "问题描述": "自来水水质不达标", "整改措施": "更换消毒设备",
            "整改类型": "立行立改",
        },
        {
            "发现日期": "2020-05-08", "问题来源": "自查", "村": village, "户主姓名": head,
            "问题描述": "帮扶责任人未结对", "整改类型": "限时整改", "责任单位": "党建办",
            "责任人": "李建华", "整改时限": datetime.date(2020, 6, 8),
        },
    ]  # fmt: skip


def test_import_writes_every_row(demo_engine, data_dir, tmp_path):
    ps = service(demo_engine, data_dir)
    path = _write(tmp_path / "清单.xlsx", _good_rows(demo_engine))
    result = ProblemImporter(ps).run(path, "刘芳")
    assert result.ok, result.summary_lines()
    assert result.created == 3 and result.new_people == 2
    rows = sorted(ps.rows(), key=lambda r: r.found_date)
    assert rows[0].number == "2020-101" and rows[0].item_number == 3
    assert rows[0].person_name == "新责任人" and rows[0].deadline == datetime.date(2020, 6, 30)
    assert rows[1].status == STATUS_CLOSED and rows[1].item_number == 4
    assert rows[2].status == STATUS_OPEN and rows[2].scope == "户"
    assert [rows[1].number, rows[2].number] == ["2020-102", "2020-103"]


def test_import_with_errors_writes_nothing_and_says_where(demo_engine, data_dir, tmp_path):
    ps = service(demo_engine, data_dir)
    rows = _good_rows(demo_engine)
    rows[0]["整改时限"] = "2020-04-01"  # before the found date
    rows[1]["问题来源"] = "路过"
    rows[2]["发现日期"] = "五月八日"
    rows.append(dict(rows[0], **{"整改时限": "2020-07-01", "户编号": "999"}))
    people = _count(demo_engine, Person)
    path = _write(tmp_path / "清单.xlsx", rows)
    result = ProblemImporter(ps).run(path, "刘芳")
    assert not result.ok
    assert _count(demo_engine, Problem) == 0
    assert _count(demo_engine, Person) == people  # people added while checking are gone too
    where = {(e.row, e.field) for e in result.errors}
    assert (3, "整改时限") in where  # row 1 is the title, row 2 the header
    assert (4, "问题来源") in where
    assert (5, "发现日期") in where
    assert (6, "户编号") in where
    first = next(e for e in result.errors if e.row == 3)
    assert first.column_letter == "O"
    assert first.text().startswith("第3行 O列（整改时限）")
    assert "不能早于发现日期" in first.message
    assert "没有导入任何问题" in "\n".join(result.summary_lines())

    report = write_error_report(result, tmp_path / "错误报告.xlsx")
    wb = openpyxl.load_workbook(report)
    marked = wb.worksheets[0]
    assert marked.cell(row=2, column=len(COLUMNS) + 1).value == "错误说明"
    assert "不能早于发现日期" in marked.cell(row=3, column=len(COLUMNS) + 1).value
    summary = wb["错误汇总"]
    assert [c.value for c in summary[1]] == ["行号", "列", "字段", "内容", "错误原因"]
    assert summary.max_row == len(result.errors) + 1


def test_duplicate_numbers_in_file_and_database(demo_engine, data_dir, tmp_path):
    ps = service(demo_engine, data_dir)
    rows = _good_rows(demo_engine)[:1]
    ProblemImporter(ps).run(_write(tmp_path / "a.xlsx", rows), "刘芳")
    result = ProblemImporter(ps).run(_write(tmp_path / "b.xlsx", rows + rows), "刘芳")
    reasons = [e.message for e in result.errors]
    assert "该问题编号已存在" in reasons
    assert any("重复" in r for r in reasons)
    assert _count(demo_engine, Problem) == 1


def test_missing_header_and_bad_file(demo_engine, data_dir, tmp_path):
    ps = service(demo_engine, data_dir)
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(tmp_path / "x.xlsx")
    result = ProblemImporter(ps).run(tmp_path / "x.xlsx", "刘芳")
    assert not result.ok and "找不到表头列" in result.errors[0].message
    with pytest.raises(ProblemImportError, match="不支持"):
        ProblemImporter(ps).run(tmp_path / "x.csv", "刘芳")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ProblemImportError, match="无法读取"):
        ProblemImporter(ps).run(tmp_path / "broken.xlsx", "刘芳")


def test_parse_date_forms():
    assert parse_date("2020.5.1") == datetime.date(2020, 5, 1)
    assert parse_date("2020年05月01日") == datetime.date(2020, 5, 1)
    assert parse_date(43952.0) == datetime.date(2020, 5, 1)
    assert parse_date(None) is None
    with pytest.raises(ValueError):
        parse_date("2020-02-30")


def _count(engine, model):
    with Session(engine) as s:
        return s.scalar(select(func.count(model.id)))
