"""The audit log as the viewer shows it: filters, Chinese names, readable values, the export."""

from __future__ import annotations

import datetime

import openpyxl
import pytest

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.safety.audit_view import AuditQuery, field_label, readable_value
from tests.problem_fixtures import clear_problems, problem


@pytest.fixture
def services(demo_engine):
    clear_problems(demo_engine)
    return AppServices(engine=demo_engine, user=CurrentUser(name="刘芳", role="admin"))


def _raise_and_edit(services, demo_engine) -> int:
    problem_id = services.problems.save(problem(services.problems, demo_engine), "刘芳")
    data = services.problems.get(problem_id)
    data.description = "房屋漏雨，已列入改造"
    services.problems.save(data, "刘芳")
    return problem_id


def test_labels_are_chinese():
    assert field_label("description") == "问题描述"
    assert field_label("answers.checked_on").endswith("核查时间")
    assert "核查表" in field_label("answers.checked_on")
    assert readable_value("draft→complete") == "草稿 → 已完成"
    assert readable_value('{"code": "4309221002010001", "head_name": "张三"}') == (
        "户编号：4309221002010001；户主：张三"
    )
    assert readable_value('["因病", "因残"]') == "因病、因残"
    assert readable_value("clerk") == "录入员"


def test_filter_by_person_kind_and_day(services, demo_engine):
    _raise_and_edit(services, demo_engine)
    view = services.audit_view
    today = datetime.date.today()
    rows = view.rows(AuditQuery(start=today, end=today, user_name="刘芳", kind="问题"))
    assert rows, "the problem's entries are listed"
    assert all(r.user_name == "刘芳" and r.table in ("问题", "整改记录") for r in rows)
    changed = [r for r in rows if r.field == "问题描述" and r.new == "房屋漏雨，已列入改造"]
    assert changed and changed[0].old == "住房经鉴定为C级危房，仍在居住"
    assert not view.rows(AuditQuery(user_name="没有这个人"))
    yesterday = today - datetime.timedelta(days=1)
    assert not view.rows(AuditQuery(start=yesterday, end=yesterday, kind="问题"))
    assert "刘芳" in view.user_names()


def test_no_english_object_or_field_names_in_the_view(services, demo_engine):
    _raise_and_edit(services, demo_engine)
    rows = services.audit_view.rows(AuditQuery())
    for row in rows:
        for text in (row.table, row.field.split(".")[0], row.action):
            assert not text.isascii() or not text, (text, row)


def test_filter_by_household(services, demo_engine):
    household = services.registry.household_rows()[0]
    data = services.registry.get_household(household.id)
    data.note = "复核：家中新添一口人"
    services.registry.save_household(data)
    rows = services.audit_view.rows(AuditQuery(household_code=household.code[-4:]))
    assert any(r.new == "复核：家中新添一口人" and r.field == "备注" for r in rows)
    other = services.registry.household_rows()[1]
    assert all(other.code not in r.record for r in rows)


def test_export_is_the_view(services, demo_engine, tmp_path):
    _raise_and_edit(services, demo_engine)
    view = services.audit_view
    query = AuditQuery(kind="问题")
    rows = view.rows(query)
    path = tmp_path / "操作日志.xlsx"
    assert view.export_xlsx(path, query, rows, services.user) == len(rows)
    sheet = openpyxl.load_workbook(path).active
    assert "对象 问题" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == ["时间", "操作人", "来源", "操作", "对象", "记录",
                                           "字段", "原值", "新值", "说明"]  # fmt: skip
    assert sheet.auto_filter.ref == f"A2:J{len(rows) + 2}"
    assert isinstance(sheet["A3"].value, datetime.datetime)
    assert [c.value or "" for c in sheet[3]][1:] == list(rows[0].cells())[1:]
    logged = view.rows(AuditQuery(kind="导出、备份、恢复"))
    assert logged and "导出操作日志" in logged[0].note


def test_export_needs_an_administrator(services, tmp_path):
    from desktop.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        services.audit_view.export_xlsx(
            tmp_path / "x.xlsx", AuditQuery(), [], CurrentUser(name="李录入", role="clerk")
        )


def test_a_backup_and_a_restore_name_the_database_in_chinese(services):
    # Under Xvfb the log's row for a restore read 恢复 database.
    services.audit.log("恢复", "database", note="从备份恢复")
    [row] = [r for r in services.audit_view.rows(AuditQuery()) if r.note == "从备份恢复"]
    assert row.table == "数据库"
