"""A pair's daily list read back: A4, fonts embedded, the households in order, the signatures."""

from __future__ import annotations

import datetime
import io

import pdfplumber
from pypdf import PdfReader
from reportlab.lib.units import mm

from desktop.printing.team_lists import daily_list_pdf
from desktop.services.questionnaires.team_data import (
    REVIEW_ASSIGNED,
    AssignmentRow,
    DailyList,
    PairData,
    ReviewerData,
)

DAY = datetime.date(2020, 4, 13)
FIRST = ReviewerData(1, "付建明", "县扶贫办", True, "")
SECOND = ReviewerData(2, "刘新意", "桃源村委", False, "桃源村")
PAIR = PairData(1, 1, 1, "花园村", 2, FIRST, SECOND)


def _rows(count: int) -> tuple[AssignmentRow, ...]:
    return tuple(
        AssignmentRow(
            i,
            1,
            i,
            f"430922100201{i:04d}",
            f"曾户主{i}",
            "花园村",
            f"{i % 3 + 1}组",
            "hunan_registered" if i % 2 else "hunan_unregistered",
            DAY,
            REVIEW_ASSIGNED,
            "",
        )
        for i in range(1, count + 1)
    )


def _words(pdf: bytes) -> list[list[dict]]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [p.extract_words(keep_blank_chars=False) for p in doc.pages]


def test_the_list_is_a4_with_embedded_fonts():
    pdf = daily_list_pdf(DailyList(PAIR, DAY, "桃花江镇", _rows(10)))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width) / mm), round(float(page.mediabox.height) / mm)) == (
        210,
        297,
    )
    fonts = page["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descendant = (
            font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        )
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_the_header_names_the_pair_the_people_and_the_day():
    pdf = daily_list_pdf(DailyList(PAIR, DAY, "桃花江镇", _rows(3)))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = doc.pages[0].extract_text()
    assert "入户排查当日名单" in text
    assert "乡镇：桃花江镇" in text and "花园村排查组" in text and "第2小组" in text
    assert "付建明（县扶贫办）、刘新意（桃源村委）" in text
    assert "2020年4月13日" in text and "共 3 户" in text


def test_households_run_down_the_page_in_order_with_village_head_and_code():
    rows = _rows(10)
    pdf = daily_list_pdf(DailyList(PAIR, DAY, "桃花江镇", rows))
    words = _words(pdf)[0]
    tops = {}
    for r in rows:
        code = next(w for w in words if w["text"] == r.household_code)
        head = next(w for w in words if w["text"] == r.head_name)
        assert abs(code["top"] - head["top"]) < 2  # on one row
        assert head["x0"] < code["x0"]  # 户主 left of 户编号, as the header says
        tops[r.household_code] = code["top"]
    ordered = [tops[r.household_code] for r in rows]
    assert ordered == sorted(ordered)
    heading = {w["text"]: w for w in words if w["text"] in ("村", "户主", "户编号", "问卷")}
    assert heading["户主"]["x0"] < heading["户编号"]["x0"] < heading["问卷"]["x0"]
    forms = [w["text"] for w in words if w["text"] in ("附件1", "附件2")]
    assert forms == ["附件1" if r.form_code == "hunan_registered" else "附件2" for r in rows]


def test_both_reviewers_sign_below_the_households():
    pdf = daily_list_pdf(DailyList(PAIR, DAY, "桃花江镇", _rows(10)))
    words = _words(pdf)[0]
    last_code = max(w["top"] for w in words if w["text"].startswith("430922"))
    signs = [w for w in words if w["text"] == "签名"]
    assert len(signs) == 2
    assert all(w["top"] > last_code for w in signs)
    names = [w for w in words if w["text"] in ("付建明", "刘新意") and w["top"] > last_code]
    assert [w["text"] for w in sorted(names, key=lambda w: w["top"])] == ["付建明", "刘新意"]
    assert sum(w["text"] == "日期" for w in words) >= 2


def test_a_long_day_goes_on_with_the_header_row_repeated():
    pdf = daily_list_pdf(DailyList(PAIR, DAY, "桃花江镇", _rows(40)))
    pages = _words(pdf)
    assert len(pages) >= 2
    for page in pages:
        assert any(w["text"] == "户编号" for w in page)
    codes = [w["text"] for p in pages for w in p if w["text"].startswith("430922")]
    assert codes == [r.household_code for r in _rows(40)]


def test_an_empty_day_says_so():
    pdf = daily_list_pdf(DailyList(PAIR, DAY, "桃花江镇", ()))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert "当日没有分配农户" in doc.pages[0].extract_text()
