"""Roster import and export: dirty cells, every error kind, all or nothing, round trip."""

from __future__ import annotations

import datetime
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from desktop.models.database import open_database
from desktop.models.registry import Household, Member, Village
from desktop.services.registry.idcard import make_id
from desktop.services.registry.service import RegistryService
from desktop.services.roster.export import export_roster
from desktop.services.roster.importer import import_roster
from desktop.services.roster.normalise import MSG_ID_AS_NUMBER
from desktop.services.roster.report import (
    ERROR_COLUMN_HEADER,
    SUMMARY_SHEET_TITLE,
    write_error_report,
)
from desktop.services.roster.sheet import ColumnMapping, read_roster
from desktop.services.roster.template import HEADERS
from desktop.services.unit_of_work import Database
from tests.roster_samples import clean_rows, household_rows, person_id, write_xls, write_xlsx


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count(Household.id))).scalar(),
            conn.execute(select(func.count(Member.id))).scalar(),
        )


def household(engine, code: str):
    registry = RegistryService(Database(engine))
    return registry.get_household(registry.find_household_id(code))


def only_error(result, header: str):
    found = [e for e in result.errors if e.field == header]
    assert found, [e.text() for e in result.errors]
    return found[0]


def x_id() -> str:
    """Return a valid ID whose check digit is X."""
    for n in range(1000):
        number = make_id("430922", datetime.date(1985, 5, 5), n)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit found")


# --- clean and dirty files ----------------------------------------------------------------


def test_clean_roster_imports_households_and_members(engine, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", clean_rows())
    result = import_roster(Database(engine), path)
    assert result.written, result.summary_lines()
    assert (result.created, result.updated, result.members) == (3, 0, 6)
    assert counts(engine) == (3, 6)
    h1 = household(engine, "H001")
    assert h1.head_name == "张三"
    assert h1.poverty_kind == "一般贫困户" and h1.is_registered and h1.exit_year == 2016
    assert h1.village_name == "花园村" and h1.group_name == "3组"
    assert h1.income_per_capita == 5200.5
    assert [m.relation for m in h1.members] == ["户主", "配偶", "之子"]
    assert h1.members[2].birth_date == datetime.date(2008, 1, 4)
    h2 = household(engine, "H002")
    assert (h2.poverty_kind, h2.special_kind, h2.is_registered) == ("", "边缘户", False)
    assert h2.exit_year is None
    assert household(engine, "H003").exit_year is None  # 未脱贫


def test_dirty_cells_are_normalised(engine, tmp_path):
    rows = clean_rows()
    with_x = x_id()
    rows[0].update(
        {
            "证件号码": "　" + with_x.lower() + " ",  # full-width space, lower-case x
            "姓名": "张　三",  # a two-character name padded to line up
            "户主姓名": " 张三 ",
            "脱贫年度": 2016.0,
            "联系电话": 13800000000.0,
            "人均纯收入": "5,200.50",
            "务工情况": "乡(镇)内务工",  # ASCII brackets for the list's full-width ones
            "组": "３组",  # a full-width digit
            "户编号": "Ｈ001",  # a full-width letter
        }
    )
    rows[1]["人均纯收入"] = "5200.5元"
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    result = import_roster(Database(engine), path)
    assert result.written, result.summary_lines()
    h1 = household(engine, "H001")
    head = h1.members[0]
    assert head.id_number == with_x and head.name == "张三"
    assert head.work_status == "乡（镇）内务工"
    assert h1.exit_year == 2016 and h1.phone == "13800000000" and h1.group_name == "3组"
    assert h1.income_per_capita == 5200.5


def test_blank_rows_and_blank_sex_are_handled(engine, tmp_path):
    rows = clean_rows()
    rows[1]["性别"] = ""
    rows.insert(3, {})  # a blank row in between
    path = write_xlsx(tmp_path / "r.xlsx", [*rows, {}, {}])
    result = import_roster(Database(engine), path)
    assert result.written and result.rows == 6
    assert household(engine, "H001").members[1].sex == "女"  # from the ID number


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (430922197001020011.0, MSG_ID_AS_NUMBER),
        ("4.30922E+17", MSG_ID_AS_NUMBER),
        (person_id(1)[:-1] + ("0" if person_id(1)[-1] != "0" else "1"), "校验码错误"),
        ("430922197002300013", "出生日期不存在"),
        ("43092219700101", "应为18位"),
    ],
)
def test_bad_id_numbers_are_errors(engine, tmp_path, value, reason):
    rows = clean_rows()
    rows[1]["证件号码"] = value
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    result = import_roster(Database(engine), path)
    assert not result.written
    error = only_error(result, "证件号码")
    assert (error.row, error.column_letter) == (3, "I")  # as Excel shows it
    assert reason in error.message
    assert "第3行 I列（证件号码）" in error.text()
    if isinstance(value, float):
        assert "E+17" in error.value.upper() or "4309221970010" in error.value
    assert counts(engine) == (0, 0)  # all or nothing


def test_same_id_twice_in_the_file(engine, tmp_path):
    rows = clean_rows()
    rows[4]["证件号码"] = rows[0]["证件号码"]
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    error = only_error(result, "证件号码")
    assert error.row == 6 and "与第2行的证件号码重复" in error.message


def test_id_already_in_the_database_for_another_household(engine, tmp_path):
    assert import_roster(Database(engine), write_xlsx(tmp_path / "a.xlsx", clean_rows())).written
    other = household_rows("H009", "孙九", [("孙九", "男", "户主", person_id(1))])
    result = import_roster(Database(engine), write_xlsx(tmp_path / "b.xlsx", other))
    assert not result.written
    error = only_error(result, "证件号码")
    assert "已在数据库中" in error.message and "H001" in error.message
    assert error.row == 2 and error.column_letter == "I"


def test_household_columns_must_agree(engine, tmp_path):
    rows = clean_rows()
    rows[1]["联系电话"] = "13900000000"
    rows[2]["村"] = "桃花村"
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    phone = only_error(result, "联系电话")
    assert phone.row == 3 and "不一致" in phone.message and "第2行" in phone.message
    assert only_error(result, "村").row == 4


@pytest.mark.parametrize("relation", ["配偶", "户主"])
def test_household_needs_exactly_one_head(engine, tmp_path, relation):
    rows = clean_rows()
    if relation == "配偶":
        rows[0]["与户主关系"] = "配偶"  # no head left
    else:
        rows[1]["与户主关系"] = "户主"  # two heads
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    error = only_error(result, "与户主关系")
    assert "应有且只有一名户主" in error.message and error.household_code == "H001"


def test_head_name_must_match_the_head(engine, tmp_path):
    rows = clean_rows()
    for row in rows[:3]:
        row["户主姓名"] = "张四"
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    assert "不一致" in only_error(result, "户主姓名").message


@pytest.mark.parametrize(
    ("header", "value"),
    [("民族", "火星族"), ("与户主关系", "朋友"), ("贫困户属性", "富裕户"), ("脱贫年度", 2031)],
)
def test_unknown_code_values_are_errors(engine, tmp_path, header, value):
    rows = clean_rows()
    rows[5][header] = value
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    error = only_error(result, header)
    assert error.row == 7 and not result.written


def test_a_bad_cell_repeated_down_a_household_is_reported_on_every_row(engine, tmp_path):
    rows = clean_rows()
    for row in rows[:3]:  # H001's three identical rows
        row["贫困户属性"] = "富裕户"
    for row in rows[3:5]:  # and the same bad member value twice in H002
        row["民族"] = "火星族"
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    found = [(e.row, e.field, e.household_code) for e in result.errors]
    assert found == [
        (2, "贫困户属性", "H001"),
        (3, "贫困户属性", "H001"),
        (4, "贫困户属性", "H001"),
        (5, "民族", "H002"),
        (6, "民族", "H002"),
    ]
    assert not result.written and counts(engine) == (0, 0)


def test_a_household_split_by_another_keeps_its_rows_and_checks_them(engine, tmp_path):
    rows = clean_rows()
    rows[1], rows[3] = rows[3], rows[1]  # H001, H002, H001, H001, H002, H003
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    assert result.written, result.summary_lines()
    assert [m.name for m in household(engine, "H001").members] == ["张三", "张小明", "李梅"]
    rows[2]["联系电话"] = "13900000000"  # now one of H001's later rows disagrees
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r2.xlsx", rows))
    assert [(e.row, e.field) for e in result.errors] == [(4, "联系电话")]


def test_masked_ids_are_refused(demo_engine, engine, tmp_path):
    path = tmp_path / "masked.xlsx"
    export_roster(Database(demo_engine), path)  # masked by default
    result = import_roster(Database(demo_engine), path, skip_invalid=True)
    assert not result.written and "打码" in result.fatal
    assert any("*" in e.value for e in result.errors)
    before = {m for (m,) in demo_engine.connect().execute(select(Member.id_number))}
    assert not any("*" in m for m in before)


def test_warnings_do_not_block(engine, tmp_path):
    rows = clean_rows()
    rows[3]["证件号码"] = make_id("999999", datetime.date(1975, 3, 3), 11)
    rows[4]["证件号码"] = "430922700101002"  # 15-digit old ID
    rows[0]["性别"] = "女"  # disagrees with the ID
    result = import_roster(Database(engine), write_xlsx(tmp_path / "r.xlsx", rows))
    assert result.written, result.summary_lines()
    reasons = " ".join(w.message for w in result.warnings)
    assert "地区码 999999" in reasons and "15位" in reasons and "性别与证件号码不符" in reasons


# --- all or nothing, skip invalid, re-import ------------------------------------------------


def test_skip_invalid_imports_the_valid_households_only(engine, tmp_path):
    rows = clean_rows()
    rows[1]["证件号码"] = "4.30922E+17"
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    assert counts(engine) == (0, 0)
    result = import_roster(Database(engine), path, skip_invalid=True)
    assert result.written and result.skipped_households == 1 and result.created == 2
    with engine.connect() as conn:
        codes = set(conn.execute(select(Household.code)).scalars())
    assert codes == {"H002", "H003"}


def test_reimport_updates_by_household_code(engine, tmp_path):
    assert import_roster(Database(engine), write_xlsx(tmp_path / "a.xlsx", clean_rows())).written
    with engine.begin() as conn:  # a field the roster does not carry must survive
        conn.execute(update(Household).where(Household.code == "H001").values(helper_name="周帮"))
    rows = clean_rows()
    for row in rows[:3]:
        row["联系电话"] = "13700000000"
    result = import_roster(Database(engine), write_xlsx(tmp_path / "b.xlsx", rows))
    assert (result.created, result.updated) == (0, 3)
    assert counts(engine) == (3, 6)
    h1 = household(engine, "H001")
    assert h1.phone == "13700000000" and h1.helper_name == "周帮" and h1.version == 2


def test_reimport_keeps_what_the_roster_does_not_carry_on_each_member(engine, tmp_path):
    assert import_roster(Database(engine), write_xlsx(tmp_path / "a.xlsx", clean_rows())).written
    with engine.begin() as conn:  # filled in later from a 采集表, for one member
        conn.execute(
            update(Member)
            .where(Member.name == "李梅")
            .values(ins_serious_illness=True, work_months=6, extra={"A15": "是"})
        )
    rows = clean_rows()
    rows[1], rows[2] = rows[2], rows[1]  # the members in another order
    assert import_roster(Database(engine), write_xlsx(tmp_path / "b.xlsx", rows)).written
    members = {m.name: m for m in household(engine, "H001").members}
    wife, head = members["李梅"], members["张三"]
    assert (wife.ins_serious_illness, wife.work_months, wife.extra) == (True, 6, {"A15": "是"})
    assert (head.ins_serious_illness, head.work_months, head.extra) == (False, None, {})


def test_cancel_writes_nothing(engine, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", clean_rows())
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3  # after the checks, while writing

    result = import_roster(Database(engine), path, cancel=cancel)
    assert result.cancelled and not result.written
    assert counts(engine) == (0, 0)
    assert "取消" in "\n".join(result.summary_lines())


# --- layouts --------------------------------------------------------------------------------


def test_header_under_title_rows_other_order_and_extra_columns(engine, tmp_path):
    headers = list(reversed(HEADERS))
    path = write_xlsx(
        tmp_path / "r.xlsx",
        clean_rows(),
        headers=headers,
        title_rows=["桃花江镇2020年建档立卡花名册", "填报单位：花园村"],
        extra={"备注": "随便写点什么", "出生日期": "1970-01-01"},
    )
    sheet = read_roster(path)
    assert sheet.header_row == 2 and sheet.is_standard()
    result = import_roster(Database(engine), path)
    assert result.written and counts(engine) == (3, 6)
    assert result.errors == []


def test_merged_household_cells_are_filled(engine, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", clean_rows(), title_rows=["花名册"])
    wb = load_workbook(path)
    ws = wb.active
    # Household columns of H001 (rows 3–5) merged vertically, as villages often do.
    for col in ("A", "B", "C", "D", "E", "F", "Q", "R", "S", "T", "U"):
        for r in (4, 5):
            ws[f"{col}{r}"] = None
        ws.merge_cells(f"{col}3:{col}5")
    wb.save(path)
    result = import_roster(Database(engine), path)
    assert result.written, result.summary_lines()
    h1 = household(engine, "H001")
    assert len(h1.members) == 3 and h1.phone == "13800000000"


def test_formula_cells_give_their_cached_values(engine, tmp_path):
    rows = clean_rows()
    rows[0]["人均纯收入"] = "=5000+200.5"
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    # openpyxl writes no cached value; add one as Excel would have saved it.
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml, n = re.subn(r"<f>5000\+200\.5</f><v\s*/?>(</v>)?", "<f>5000+200.5</f><v>5200.5</v>", xml)
    assert n == 1
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = import_roster(Database(engine), path)
    assert result.written, result.summary_lines()
    assert household(engine, "H001").income_per_capita == 5200.5


def test_old_xls_files_are_read(engine, tmp_path):
    rows = clean_rows()
    rows[0]["脱贫年度"] = 2016.0
    path = write_xls(tmp_path / "r.xls", rows, title_rows=["花名册"])
    result = import_roster(Database(engine), path)
    assert result.written, result.summary_lines()
    assert counts(engine) == (3, 6) and household(engine, "H001").exit_year == 2016


def test_column_mapping_for_other_layouts(engine, tmp_path):
    renamed = {"姓名": "成员", "证件号码": "身份证", "与户主关系": "关系", "户编号": "户号"}
    headers = [renamed.get(h, h) for h in HEADERS]
    rows = [{renamed.get(k, k): v for k, v in row.items()} for row in clean_rows()]
    path = write_xlsx(tmp_path / "r.xlsx", rows, headers=headers)
    sheet = read_roster(path)
    auto = sheet.auto_mapping()
    assert set(auto.missing_required()) == {"姓名", "证件号码", "与户主关系", "户编号"}
    refused = import_roster(Database(engine), path)
    assert not refused.written and "找不到必需的列" in refused.fatal
    mapping = ColumnMapping(dict(auto.columns))
    for template, source in renamed.items():
        mapping.columns[template] = headers.index(source)
    result = import_roster(Database(engine), path, mapping=mapping)
    assert result.written and counts(engine) == (3, 6)


def test_unreadable_file_is_a_clear_message(engine, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"not a spreadsheet")
    result = import_roster(Database(engine), path)
    assert not result.written and "无法读取文件" in result.fatal


# --- error report and export ----------------------------------------------------------------


def test_error_report_marks_bad_cells(engine, tmp_path):
    rows = clean_rows()
    rows[1]["证件号码"] = "4.30922E+17"
    rows[5]["民族"] = "火星族"
    source = write_xlsx(tmp_path / "r.xlsx", rows, title_rows=["花名册"])
    result = import_roster(Database(engine), source)
    out = write_error_report(result, source, tmp_path / "report.xlsx")
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    note_col = len(HEADERS) + 1
    assert ws.cell(row=2, column=note_col).value == ERROR_COLUMN_HEADER
    assert ws["I4"].value == "4.30922E+17"
    assert ws["I4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "证件号码" in ws.cell(row=4, column=note_col).value
    assert ws["K8"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["A4"].fill.fgColor.rgb in (None, "00000000")
    summary = list(wb[SUMMARY_SHEET_TITLE].values)
    assert summary[0][:4] == ("行", "列", "值", "原因")
    assert [r[0] for r in summary[1:3]] == [4, 8]
    assert summary[1][1] == "I（证件号码）"


def test_export_masks_ids_by_default(demo_engine, tmp_path):
    path = tmp_path / "out.xlsx"
    rows = export_roster(Database(demo_engine), path)
    wb = load_workbook(path, read_only=True)
    values = list(wb["花名册"].values)
    assert values[0] == tuple(HEADERS) and len(values) == rows + 1
    assert all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", v[8]) for v in values[1:])


def test_export_of_selected_households(demo_engine, tmp_path):
    with demo_engine.connect() as conn:
        ids = list(conn.execute(select(Household.id).limit(5)).scalars())
        members = conn.execute(
            select(func.count(Member.id)).where(Member.household_id.in_(ids))
        ).scalar()
    assert export_roster(Database(demo_engine), tmp_path / "o.xlsx", household_ids=ids) == members


def test_round_trip_gives_the_same_registry(demo_engine, tmp_path):
    path = tmp_path / "full.xlsx"
    export_roster(Database(demo_engine), path, full_ids=True)
    target = open_database(tmp_path / "copy.sqlite3")
    result = import_roster(Database(target), path)
    assert result.written and result.errors == [], result.summary_lines()
    assert snapshot(target) == snapshot(demo_engine)
    target.dispose()


def snapshot(engine) -> dict:
    """Return the registry as the roster carries it, keyed by household code."""
    registry = RegistryService(Database(engine))
    with engine.connect() as conn:
        codes = list(conn.execute(select(Household.code)).scalars())
        villages = conn.execute(select(func.count(Village.id))).scalar()
    result = {"villages": villages}
    for code in codes:
        h = registry.get_household(registry.find_household_id(code))
        result[code] = (
            h.county_name,
            h.township_name,
            h.village_name,
            h.group_name,
            h.poverty_kind,
            h.special_kind,
            h.is_registered,
            h.exit_year,
            h.phone,
            h.income_per_capita,
            [
                (
                    m.name,
                    m.sex,
                    m.id_number,
                    m.relation,
                    m.ethnicity,
                    m.education,
                    m.schooling,
                    m.health,
                    m.labour_ability,
                    m.work_status,
                    m.birth_date,
                )
                for m in h.members
            ],
        )
    return result
