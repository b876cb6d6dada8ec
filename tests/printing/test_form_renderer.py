"""The printed forms, read back from the PDF: page, fonts, labels, values in their cells."""

from __future__ import annotations

import datetime
import io

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from desktop.printing import fonts as fonts_module
from desktop.printing.fonts import register_fonts
from desktop.printing.form_renderer import (
    MissingGlyphsError,
    find_missing_glyphs,
    layout_form,
    render_form,
)
from desktop.services.forms.catalog import load_form
from desktop.services.forms.service import PrintItem

A4_MM = (210.0, 297.0)
STAMP_TIME = datetime.datetime(2020, 5, 6, 9, 30)


def _verification_answers(**extra) -> dict:
    answers = {
        "county": "海丰县", "township": "梅陇镇", "village": "新村村", "head_name": "林镕",
        "registered_count": 4, "hukou_count": 4, "actual_count": 4, "labour_count": 2,
        "migrant_count": 1, "migrant_long_term": 1, "migrant_temporary": 0,
        "students_local": 1, "aided_local": 1, "wubao_dibao": "否", "medical_2017": 4,
        "medical_2018": 4, "poverty_causes": ["因病", "缺技术"], "have_safe_housing": True,
        "has_business": "否", "has_car": "是", "car_since": "2017年",
        "helper_name": "王堃", "helper_phone": "13800138000", "checked_on": "2018-06-12",
    }  # fmt: skip
    answers.update(extra)
    return answers


def _members(n: int) -> list[dict]:
    return [
        {"A1": f"成员{i + 1:02d}", "A2": "男", "A3": f"44152119800101{i:04d}", "A4": "之子"}
        for i in range(n)
    ]


def _pdf(pdf: bytes):
    return pdfplumber.open(io.BytesIO(pdf))


def _chars_in(page, rect) -> str:
    """Characters whose centre lies inside a rectangle given in PDF points (lower-left origin)."""
    x, y, w, h = rect
    top, bottom = page.height - (y + h), page.height - y
    inside = [
        c
        for c in page.chars
        if x <= (c["x0"] + c["x1"]) / 2 <= x + w and top <= (c["top"] + c["bottom"]) / 2 <= bottom
    ]
    inside.sort(key=lambda c: (round(c["top"]), c["x0"]))
    return "".join(c["text"] for c in inside).replace(" ", "")


def _all_text(page) -> str:
    return "".join(c["text"] for c in page.chars)


@pytest.mark.parametrize(("code", "landscape"), [("verification", True), ("collection", False)])
def test_a4_at_the_papers_orientation_and_no_print_scaling(code, landscape):
    pdf = render_form(load_form(code), [], blank=True, stamp=STAMP_TIME)
    with _pdf(pdf) as doc:
        for page in doc.pages:
            w_mm, h_mm = page.width / mm, page.height / mm
            expected = A4_MM[::-1] if landscape else A4_MM
            assert abs(w_mm - expected[0]) < 0.5 and abs(h_mm - expected[1]) < 0.5
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/PrintScaling"] == "/None"


def _fonts(reader: PdfReader):
    seen = {}

    def walk(resources):
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            seen[str(font["/BaseFont"]).lstrip("/")] = font
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if "/Resources" in xobject:
                walk(xobject["/Resources"])

    for page in reader.pages:
        walk(page["/Resources"])
    return seen


def test_every_font_is_embedded_as_a_subset():
    form = load_form("verification")
    # With 𠮷 when a fallback font has it, so the fallback's embedding is checked too.
    name = "张𠮷" if not register_fonts().missing_chars(["𠮷"]) else "张镕"
    items = [PrintItem("441521001", _verification_answers(head_name=name), 2)]
    pdf = render_form(form, items, stamp=STAMP_TIME)
    fonts = _fonts(PdfReader(io.BytesIO(pdf)))
    assert fonts
    for name, font in fonts.items():
        assert "+" in name and len(name.split("+")[0]) == 6, name  # subset prefix ABCDEF+
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, name


@pytest.mark.parametrize("code", ["verification", "collection"])
def test_every_label_stands_in_its_cell(code):
    form = load_form(code)
    layout = layout_form(form)
    pdf = render_form(form, [], blank=True, stamp=STAMP_TIME)
    with _pdf(pdf) as doc:
        texts = ""
        for template, page in zip(layout.pages, doc.pages, strict=True):
            texts += _all_text(page)
            for cell, rect in template.cells:
                if not cell.is_input:
                    assert _chars_in(page, rect) == cell.label.replace(" ", ""), cell.label
    for label in form.all_labels():
        assert label.replace(" ", "") in texts.replace(" ", ""), label


def test_household_values_stand_inside_the_cell_of_their_label():
    form = load_form("verification")
    layout = layout_form(form)
    answers = _verification_answers()
    pdf = render_form(form, [PrintItem("441521001", answers, 3)], stamp=STAMP_TIME)
    rects = {cell.field: rect for cell, rect in layout.pages[0].cells if cell.is_input}
    with _pdf(pdf) as doc:
        page = doc.pages[0]
        assert _chars_in(page, rects["head_name"]) == "林镕"
        assert _chars_in(page, rects["actual_count"]) == "4"
        assert _chars_in(page, rects["helper_name"]) == "王堃"
        assert _chars_in(page, rects["helper_phone"]) == "13800138000"
        assert _chars_in(page, rects["wubao_dibao"]) == "否"
        assert _chars_in(page, rects["car_since"]).endswith("2017年")
        text = _all_text(page)
        assert "海丰县" in text and "梅陇镇" in text
        assert "打印时间：2020-05-0609:30" in text.replace(" ", "")
        assert "第3版" in text.replace(" ", "")


def test_ticks_are_drawn_in_the_chosen_boxes():
    form = load_form("verification")
    layout = layout_form(form)
    slot = next(s for s in layout.pages[0].slots if s.field == "poverty_causes")
    pdf = render_form(form, [_verification_answers()], stamp=False)
    with _pdf(pdf) as doc:
        page = doc.pages[0]
        ticks = [c for c in page.curves if len(c["pts"]) == 3]
        assert len(ticks) == 5  # 因病, 缺技术, 有安全住房, 开办企业 否, 小汽车 是
        for value in ("因病", "缺技术"):
            bx, by, side = slot.boxes[value]
            assert any(
                bx <= t["x0"] and t["x1"] <= bx + side + 0.5 and
                page.height - (by + side) - 0.5 <= t["top"] for t in ticks
            )  # fmt: skip


def test_long_text_wraps_and_shrinks_inside_its_cell():
    form = load_form("verification")
    layout = layout_form(form)
    rects = {cell.field: rect for cell, rect in layout.pages[0].cells if cell.is_input}
    long_text = "房屋漏雨需要维修，" * 60
    pdf = render_form(form, [_verification_answers(problems=long_text)], stamp=False)
    with _pdf(pdf) as doc:
        page = doc.pages[0]
        x, y, w, h = rects["problems"]
        top, bottom = page.height - (y + h), page.height - y
        # Every character of the text lies inside the cell's rectangle: nothing over a line.
        inside = [
            c
            for c in page.chars
            if x <= c["x0"] and c["x1"] <= x + w and top <= c["top"] and c["bottom"] <= bottom
        ]
        assert "".join(c["text"] for c in inside) == long_text


def test_batch_keeps_the_given_order_one_household_per_form():
    form = load_form("verification")
    items = [
        PrintItem(f"44152100{i}", _verification_answers(head_name=f"户主{i}"), i) for i in (1, 2, 3)
    ]
    pdf = render_form(form, items, stamp=STAMP_TIME)
    with _pdf(pdf) as doc:
        assert len(doc.pages) == 3
        for i, page in enumerate(doc.pages, 1):
            text = _all_text(page).replace(" ", "")
            assert f"户主{i}" in text and f"户编号：44152100{i}" in text and f"第{i}版" in text


def test_eleven_members_continue_on_a_second_page_with_the_header_repeated():
    form = load_form("collection")
    answers = {"head_name": "成员01", "members": _members(11)}
    pdf = render_form(form, [PrintItem("441521009", answers, 1)], stamp=STAMP_TIME)
    with _pdf(pdf) as doc:
        assert len(doc.pages) == 3  # member page, its continuation, income and conditions
        first, continued, last = (_all_text(p).replace(" ", "") for p in doc.pages)
        assert "成员10" in first and "成员11" not in first
        assert "成员11" in continued and "农户信息采集表（续）" in continued
        for label in ("A1姓名", "A3证件号码", "A14是否参加大病医疗保险"):
            assert label in continued
        assert "户编号：441521009" in continued and "四、收入情况" in last
    ten = render_form(form, [{"members": _members(10)}], stamp=False)
    with _pdf(ten) as doc:
        assert len(doc.pages) == 2


def test_blank_form_has_labels_and_no_values():
    form = load_form("collection")
    pdf = render_form(form, [{"head_name": "不应出现"}], blank=True, stamp=STAMP_TIME)
    with _pdf(pdf) as doc:
        text = "".join(_all_text(p) for p in doc.pages)
        assert (
            "不应出现" not in text
            and "空白表" in text
            and "A39工资性收入(元)" in text.replace(" ", "")
        )


def test_rare_characters_come_from_a_fallback_or_are_reported():
    fonts = register_fonts()
    assert fonts.missing_chars(["镕堃喆䶮"]) == []  # AR PL UMing / 宋体 carry these
    form = load_form("verification")
    answers = _verification_answers(head_name="王𠮷")
    if fonts.missing_chars(["𠮷"]):
        with pytest.raises(MissingGlyphsError, match="𠮷"):
            render_form(form, [PrintItem("1", answers)])
        return
    pdf = render_form(form, [PrintItem("1", answers)], stamp=False)
    fallback = fonts.font_for("𠮷")
    assert fallback != fonts.main
    with _pdf(pdf) as doc:
        assert "王𠮷" in _all_text(doc.pages[0])
    base_names = "".join(_fonts(PdfReader(io.BytesIO(pdf))))
    assert fonts_module.pdfmetrics.getFont(fallback).face.name.decode() in base_names


def test_a_character_no_font_has_is_reported_before_printing(monkeypatch):
    fonts = register_fonts()
    monkeypatch.setattr(fonts, "fallbacks", lambda: [])
    fonts_module._missing_in.cache_clear()
    fonts_module._runs.cache_clear()
    try:
        form = load_form("verification")
        items = [PrintItem("441521007", _verification_answers(head_name="王𠮷"))]
        assert find_missing_glyphs(form, items) == [("441521007", "户主姓名", "𠮷")]
        with pytest.raises(MissingGlyphsError) as info:
            render_form(form, items)
        assert "441521007" in str(info.value) and "U+20BB7" in str(info.value)
        marked = render_form(form, items, on_missing="mark", stamp=False)
        with _pdf(marked) as doc:
            assert "〔U+20BB7〕" in _all_text(doc.pages[0])
    finally:
        fonts_module._missing_in.cache_clear()
        fonts_module._runs.cache_clear()
