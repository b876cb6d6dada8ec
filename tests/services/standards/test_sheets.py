"""Seed 001's five tables filled from the demo's 青神县 township, read back from .xlsx and PDF."""

import datetime

import pdfplumber
import pytest
from openpyxl import load_workbook

from desktop.printing.standard_sheets import render_sheets_pdf
from desktop.services.problems.rules import STATUS_AWAITING
from desktop.services.problems.service import ProblemService
from desktop.services.standards.service import StandardsService
from desktop.services.standards.sheet_data import Check
from desktop.services.standards.sheets import build_sheet
from desktop.services.standards.shortfalls import assign_shortfalls, shortfall_list
from desktop.services.standards.workbook import write_sheets_xlsx
from desktop.services.unit_of_work import Database

FJ3_HEAD = [
    "序号", "指标内容\n户主姓名", "家庭人口数\n人", "脱贫时间\n(2014 年 - 2016 年)",
    "“回头看”未达标项目", "备注", "家庭年人均收入\n(元)", "“三保障”未达标", "“三有”未达标",
    "义务教育\n人数", "基本医疗\n人数", "住房安全\n户数", "安全饮用水\n户数", "生活用电\n户数",
    "广播电视\n户数",
]  # fmt: skip


@pytest.fixture
def service(sichuan_engine):
    return StandardsService(Database(sichuan_engine))


@pytest.fixture
def campaign(service):
    return next(c for c in service.campaigns() if c.province_profile == "sichuan")


def _village_with(service, campaign, indicator="housing_safe"):
    """The name of the first village where a household is short of `indicator`."""
    evaluation = service.evaluate(campaign.id)
    village_id = next(r.village_id for r in evaluation.households if indicator in r.shortfalls)
    return service.sheet_context(village_ids=[village_id]).villages[village_id].name


def _village_sheet(service, campaign, code, village=None):
    village_id = service.village_of(village or _village_with(service, campaign))
    evaluation = service.evaluate(campaign.id, village_id=village_id)
    context = service.sheet_context(village_ids=[village_id])
    return build_sheet(code, evaluation, context, village_id=village_id), evaluation


def _township_sheet(service, campaign, code):
    township_id = service.township_of("西龙镇")
    evaluation = service.evaluate(campaign.id, township_id=township_id)
    context = service.sheet_context(township_id=township_id)
    return build_sheet(code, evaluation, context, township_id=township_id)


def _xlsx_rows(sheet, tmp_path):
    path = write_sheets_xlsx([sheet], tmp_path / "sheet.xlsx")
    ws = load_workbook(path).worksheets[0]
    return ws, [[c.value for c in row] for row in ws.iter_rows()]


def test_fj3_lists_the_short_households_with_a_total_that_adds_up(service, campaign, tmp_path):
    sheet, evaluation = _village_sheet(service, campaign, "fj3")
    short = [r for r in evaluation.households if r.shortfalls]
    village = _village_with(service, campaign)
    assert sheet.title == f"青神县西龙镇{village}脱贫人口“回头看”基础信息摸底表"
    assert len(sheet.rows) == len(short) > 0
    ws, rows = _xlsx_rows(sheet, tmp_path)
    assert rows[0][0] == sheet.title
    assert rows[1][0].startswith("全村贫困户总户数：") and "2016 年脱贫户数：" in rows[1][0]
    assert rows[2][0].startswith("全村贫困人口总人数：")
    head = [v for r in rows[3:6] for v in r if v is not None]
    assert head == FJ3_HEAD
    assert ws.print_title_rows == "$4:$6"  # the header repeats on every printed page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    # one page wide (1 is the file format's default, so a writer may leave it out), any height
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert ws.freeze_panes == "A7" and ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    body = rows[6 : 6 + len(short)]
    total = rows[6 + len(short)]
    assert [r[0] for r in body] == list(range(1, len(short) + 1))
    assert total[0] == "合计"
    for col in (2, *range(5, 11)):  # 家庭人口数 and the six 人数 / 户数 columns
        assert total[col] == sum(r[col] or 0 for r in body)
    housing = sum("housing_safe" in r.shortfalls for r in short)
    assert total[7] == housing
    notes = next(str(r[0]) for r in rows if str(r[0]).startswith("注：")).split("\n")
    assert notes[0] == "注：1. 户主姓名：以户口簿为准；" and len(notes) == 12
    assert notes[10].startswith("11. “义务教育”")
    assert any("3100 元为准" in str(r[0]) for r in rows)
    assert any(str(r[0]).startswith("填表人：") for r in rows)


def test_fj2_has_a_row_per_exited_household_with_ticked_boxes(service, campaign, tmp_path):
    sheet, evaluation = _village_sheet(service, campaign, "fj2")
    assert len(sheet.rows) == len(evaluation.households) and sheet.total is None
    by_id = {r.household_id: r for r in evaluation.households}
    first = next(r for r in evaluation.households if not r.shortfalls and not r.missing)
    row = sheet.rows[list(by_id).index(first.household_id)]
    assert row[4] == Check(("有", "无"), 1)  # no child out of school: 无 ticked
    assert row[6] == Check(("是", "否"), 0)  # 是否住房安全: 是
    _ws, rows = _xlsx_rows(sheet, tmp_path)
    assert [v for v in rows[1] if v] == [
        "指标内容\n户主姓名",
        "家庭人口数",
        "脱贫时间\n(2014年 - 2016年)",
        "“回头看”是否达标项目",
        "备注",
    ]
    assert rows[3][4:10] == [
        "有无因贫困而辍学学生", "是否享受基本医疗", "是否住房安全", "是否有安全饮用水",
        "是否有生活用电", "是否有广播电视",
    ]  # fmt: skip
    assert "☑无" in rows[4][4] and "□有" in rows[4][4]
    assert any(r[0] and str(r[0]).startswith("贫困户签字：") for r in rows)


def test_fj5_puts_the_township_subtotal_first(service, campaign, tmp_path):
    sheet = _township_sheet(service, campaign, "fj5")
    assert sheet.title == "青神县西龙镇退出贫困村“回头看”基础信息摸底表"
    _ws, rows = _xlsx_rows(sheet, tmp_path)
    assert rows[1][0] == "全乡镇行政村总数：8" and rows[2][0] == "全乡镇贫困村总数：4"
    assert rows[3][0] == "其中：2016 年退出贫困村数：3"
    assert [v for v in rows[5] if v] == ["集体经济", "通村硬化路", "卫生室", "文化室", "通信网络"]
    subtotal, villages = rows[7], rows[8 : 8 + len(sheet.rows)]
    assert subtotal[0] == "西龙镇小计" and subtotal[1] == len(villages) > 0
    for col in (1, *range(3, 9)):
        assert subtotal[col] == sum(r[col] or 0 for r in villages)
        assert all(r[col] in (None, 1) for r in villages)  # note 3: a 1, or left blank


def test_fj6_mirrors_six_haves_as_printed(service, campaign, tmp_path):
    sheet = _township_sheet(service, campaign, "fj6")
    _ws, rows = _xlsx_rows(sheet, tmp_path)
    assert [v for v in rows[4] if v] == [
        "贫困村名称", "未达标村数", "达标时间", "其中：“一低”达标", "其中：“六有”未达标",
    ]  # fmt: skip
    assert [v for v in rows[5] if v] == [
        "有主导产业", "集体经济", "通村硬化路", "卫生室", "文化室", "通信网络",
    ]  # fmt: skip


def _assign_and_close(service, campaign, data_dir, *, indicator, scope_name):
    problems = ProblemService(service.db, data_dir)
    problems.ensure_reference_data()
    evaluation = service.evaluate(campaign.id)
    context = service.sheet_context(village_ids=list({r.village_id for r in evaluation.households}))
    shortfalls = shortfall_list(evaluation, context, service.departments())
    found = datetime.date(2017, 7, 15)
    result = assign_shortfalls(
        problems, shortfalls, deadline=datetime.date(2017, 10, 31), found_date=found,
        user="县脱贫办",
    )  # fmt: skip
    assert sum(result.created.values()) == len(shortfalls) and result.already == 0
    rows = [r for r in problems.rows() if r.description.startswith(scope_name)]
    target = next(
        s for s in shortfalls if s.indicator == indicator and s.target.startswith(scope_name)
    )
    problem = next(r for r in rows if f"“{target.indicator_label}”" in r.description)
    problems.set_status(problem.id, STATUS_AWAITING, "刘建林")
    problems.close(
        problem.id, verified_by="县脱贫办", verified_on=datetime.date(2017, 10, 20),
        opinion="经住建部门认定已达到安全住房", user="县脱贫办",
    )  # fmt: skip
    return problems, shortfalls, target


def test_dianqiu_sends_each_shortfall_to_its_department(service, campaign, data_dir):
    problems, shortfalls, _target = _assign_and_close(
        service, campaign, data_dir, indicator="housing_safe",
        scope_name=_village_with(service, campaign),
    )  # fmt: skip
    housing = [s for s in shortfalls if s.indicator == "housing_safe"]
    assert housing and all(s.lead_department == "县住建局" for s in housing)
    ledger = {r.id: r for r in problems.rows()}
    for s in housing:
        data = problems.get(next(r.id for r in ledger.values() if r.description.startswith(s.target)
                                 and "住房安全" in r.description))  # fmt: skip
        assert data.unit_id == problems.unit_id_by_name("县住建局")
        assert data.deadline == datetime.date(2017, 10, 31) and data.indicator == "housing_safe"
        assert "县发改局、县扶贫移民局配合" in data.note
    water = next(s for s in shortfalls if s.indicator == "safe_water")
    assert water.departments == ("县水务局",)
    # A second 点球 sends nothing twice.
    evaluation = service.evaluate(campaign.id)
    context = service.sheet_context(village_ids=list({r.village_id for r in evaluation.households}))
    again = shortfall_list(evaluation, context, service.departments())
    assert all(s.fix is not None for s in again)
    sent = sorted(int(s.fix.number.split("-")[1]) for s in again)  # numbered in one go
    assert sent == list(range(sent[0], sent[0] + len(again)))  # consecutive, none twice
    assert all(s.fix.number.startswith("2017-") for s in again)
    result = assign_shortfalls(
        problems, again, deadline=datetime.date(2017, 10, 31),
        found_date=datetime.date(2017, 7, 16), user="县脱贫办",
    )  # fmt: skip
    assert result.created == {} and result.already == len(again)


def test_fj4_counts_what_the_ledger_closed(service, campaign, data_dir, tmp_path):
    village = _village_with(service, campaign)
    _problems, _shortfalls, target = _assign_and_close(
        service, campaign, data_dir, indicator="housing_safe", scope_name=village
    )
    sheet, _ = _village_sheet(service, campaign, "fj4", village)
    assert len(sheet.rows) == 1
    _ws, rows = _xlsx_rows(sheet, tmp_path)
    assert rows[3][4] == "“回头帮”达标项目"
    row, total = rows[6], rows[7]
    assert row[1] == target.head_name and row[7] == 1 and "销号：" in row[11]
    assert total[0] == "合计" and total[7] == 1 and total[2] == row[2]


def test_fj6_counts_a_village_shortfall_the_ledger_closed(service, campaign, data_dir, tmp_path):
    village = next(
        v for v in service.evaluate(campaign.id).villages if "culture_room" in v.shortfalls
    )
    name = service.sheet_context(village_ids=[village.village_id]).villages[village.village_id].name
    _assign_and_close(service, campaign, data_dir, indicator="culture_room", scope_name=name)
    sheet = _township_sheet(service, campaign, "fj6")
    row = next(r for r in sheet.rows if r[0] == name)
    assert row[8] == 1  # 文化室
    assert sheet.total[8] == sum(r[8] or 0 for r in sheet.rows) >= 1


def test_each_sheet_prints_on_a4_landscape_with_embedded_fonts(service, campaign):
    sheets = [_village_sheet(service, campaign, c)[0] for c in ("fj2", "fj3", "fj4")]
    sheets += [_township_sheet(service, campaign, c) for c in ("fj5", "fj6")]
    pdf = render_sheets_pdf(sheets)
    with pdfplumber.open(__import__("io").BytesIO(pdf)) as doc:
        texts = [p.extract_text() for p in doc.pages]
        for page in doc.pages:
            assert (round(page.width), round(page.height)) == (842, 595)
        fonts = {c["fontname"] for p in doc.pages for c in p.chars}
        assert fonts and all("+" in f for f in fonts)  # subsets, embedded
        everything = "\n".join(texts)
        for sheet in sheets:
            assert sheet.title in everything.replace(" ", "")
        fj3_page = next(t for t in texts if "基础信息摸底表" in t and "脱贫人口" in t)
        assert "合计" in fj3_page and "义务教育" in fj3_page and "填表人：" in fj3_page
        fj5_page = next(p for p in doc.pages if "退出贫困村“回头看”" in p.extract_text())
        words = fj5_page.extract_words()
        subtotal = next(w for w in words if w["text"] == "西龙镇小计")
        village_names = [r[0] for r in sheets[3].rows]
        first = next(w for w in words if w["text"] == village_names[0])
        assert subtotal["top"] < first["top"]  # 乡镇小计 above the village rows
        same_line = [w["text"] for w in words if abs(w["top"] - subtotal["top"]) < 2]
        assert str(sheets[3].total[1]) in same_line


def test_formula_like_text_and_hidden_characters_stay_harmless_text(service, campaign, tmp_path):
    sheet, _ = _village_sheet(service, campaign, "fj3")
    sheet.rows[0][1] = '=HYPERLINK("http://x","点我")'
    sheet.rows[0][-1] = "@SUM(A1)\x07备注"
    ws, _rows = _xlsx_rows(sheet, tmp_path)
    name, remark = ws.cell(7, 2), ws.cell(7, len(sheet.columns))
    assert name.data_type == "s" and name.value == '=HYPERLINK("http://x","点我")'
    assert name.quotePrefix  # Excel keeps it text when the cell is edited
    assert remark.data_type == "s" and remark.value == "@SUM(A1)备注" and remark.quotePrefix
    assert not ws.cell(7, 3).quotePrefix  # ordinary cells are not marked


def test_many_villages_make_one_workbook_a_worksheet_each(service, campaign, tmp_path):
    from desktop.services.standards.records import show_village_sheets

    shown = show_village_sheets(service, "fj3", township_id=service.township_of("西龙镇"))
    path = write_sheets_xlsx([s.sheet for s in shown], tmp_path / "all.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [f"附件3-{s.sheet.scope_name}" for s in shown]
    for ws, s in zip(wb.worksheets, shown, strict=True):
        assert ws["A1"].value == s.sheet.title and ws.print_title_rows == "$4:$6"
        assert ws.max_row >= 6 + len(s.sheet.rows) + 1
