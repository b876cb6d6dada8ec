"""The roster template: columns, validation lists, text format, frozen header."""

from __future__ import annotations

from openpyxl import load_workbook

from desktop.services.registry import codes
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.roster.template import (
    CODES_SHEET_TITLE,
    COLUMNS,
    HEADERS,
    HOUSEHOLD,
    SHEET_TITLE,
    column_letter,
    template_header_for,
    write_template,
)

ISSUE_HEADERS = (
    "县", "乡镇", "村", "组", "户编号", "户主姓名", "姓名", "性别", "证件号码", "与户主关系",
    "民族", "文化程度", "在校情况", "健康状况", "劳动能力", "务工情况", "贫困户属性",
    "是否建档立卡", "脱贫年度", "联系电话", "人均纯收入",
)  # fmt: skip


def test_columns_are_the_issue_list_in_order():
    assert HEADERS == ISSUE_HEADERS


def test_every_column_names_a_real_field():
    household = HouseholdData(code="x")
    member = MemberData(name="x")
    for column in COLUMNS:
        target = household if column.level == HOUSEHOLD else member
        if column.field in ("kind", "head_name"):
            continue  # 贫困户属性 fills poverty_kind or special_kind; 户主姓名 is checked
        assert hasattr(target, column.field), column.header


def test_coded_columns_use_the_code_lists():
    by_header = {c.header: c for c in COLUMNS}
    assert by_header["性别"].choices == codes.SEXES
    assert by_header["民族"].choices == codes.ETHNICITIES
    assert by_header["贫困户属性"].choices == codes.HOUSEHOLD_KINDS
    assert codes.NOT_EXITED in by_header["脱贫年度"].choices


def test_header_aliases_and_spacing():
    assert template_header_for(" 身份证号码 ") == "证件号码"
    assert template_header_for("户 编 号") == "户编号"
    assert template_header_for("出生日期") is None


def test_column_letters():
    assert [column_letter(i) for i in (0, 8, 25, 26, 27)] == ["A", "I", "Z", "AA", "AB"]


def test_written_template(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET_TITLE]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert ws.max_row == 1  # no title row, no data
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["I"].number_format == "@"  # 证件号码 as text
    assert ws.column_dimensions["I"].width >= 20
    formulas = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
    }
    assert formulas["H2"] == '"男,女"'
    assert formulas["K2"].startswith(f"'{CODES_SHEET_TITLE}'!$A$2")  # 民族 too long to inline
    codes_ws = wb[CODES_SHEET_TITLE]
    assert codes_ws.sheet_state == "hidden"
    listed = [r[0] for r in codes_ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert listed == list(codes.ETHNICITIES)
    assert all(len(f) < 255 for f in formulas.values())
