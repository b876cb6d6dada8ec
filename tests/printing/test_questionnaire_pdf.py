"""The questionnaires on paper, read back: A4, fonts embedded, the paper's text, circled answers."""

from __future__ import annotations

import datetime
import io

import pdfplumber
from pypdf import PdfReader
from reportlab.lib.units import mm

from desktop.printing.form_renderer import layout_form, render_form
from desktop.services.forms.catalog import load_form
from tests.engine.test_questions import REGISTERED, UNREGISTERED, _complete

STAMP = datetime.datetime(2020, 4, 15, 9, 30)


def _text(page) -> str:
    return "".join(c["text"] for c in page.chars)


def test_blank_questionnaires_are_a4_with_embedded_fonts_and_every_question():
    for code, pages_expected in ((REGISTERED, 2), (UNREGISTERED, 1)):
        form = load_form(code)
        pdf = render_form(form, [], blank=True, stamp=STAMP)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == pages_expected
        for page in reader.pages:
            assert (
                round(float(page.mediabox.width) / mm),
                round(float(page.mediabox.height) / mm),
            ) == (210, 297)
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            fonts = {c["fontname"] for p in doc.pages for c in p.chars}
            text = "".join(_text(p) for p in doc.pages)
        assert all("+" in f for f in fonts)  # subsets: embedded
        section = form.section("questions")
        for q in section.questions:
            assert f"{q.number}." in text
        assert "（预测2019年10月1日—2020年9月30日）" in text
        assert "复核人员签名" in text and "年" in text


def test_registered_text_runs_in_paper_order_with_skips_as_printed():
    pdf = render_form(load_form(REGISTERED), [], blank=True, stamp=STAMP)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "".join(_text(p) for p in doc.pages)
    positions = [text.index(f"{n}.") for n in ("1", "1—1", "4—2", "8—5", "12—3", "19—1", "20")]
    assert positions == sorted(positions)
    assert "（如填“③”直接跳转至“9”；如填“①”直接跳转至“8—2”）" in text
    assert "①是，②否" in text and "①自来水；②井水；③山泉水；④其他" in text
    assert "被访者签名：" in text and "（其他方式接受调查由复核人员代签，并进行备注说明）" in text
    # The signature block stays together on the last sheet.
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        last = _text(doc.pages[-1])
    assert all(t in last for t in ("被访者签名", "复核人员单位", "复核人员签名"))


def test_filled_questionnaire_circles_the_chosen_answers_and_writes_amounts_on_their_lines():
    form = load_form(UNREGISTERED)
    answers = _complete(UNREGISTERED) | {"Q5": "井水", "Q8": "否", "reviewer_name": "刘新意"}
    answers.pop("Q8_1", None), answers.pop("Q8_2", None)
    pdf = render_form(form, [{**answers, "_household_code": "4309220010001", "_version": 2}],
                      stamp=STAMP)  # fmt: skip
    layout = layout_form(form)
    slots = {s.field: s for s in layout.pages[0].slots}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        text = _text(page)
        ellipses = [c for c in page.curves]
        assert "12000" in text and "刘新意" in text and "户编号：4309220010001" in text
        # Q5 井水 is circled where ②井水 is printed; nothing circled for the skipped Q8_1.
        x, y, _w, h = slots["Q5"].boxes["井水"]
        top = page.height - (y + h)
        assert any(abs(e["x0"] - x) < 1.5 and abs(e["top"] - top) < 1.5 for e in ellipses)
        x, y, _w, h = slots["Q8_1"].boxes["是"]
        assert not any(abs(e["x0"] - x) < 1.5 and abs(e["top"] - (page.height - y - h)) < 1.5
                       for e in ellipses)  # fmt: skip
        # The amount stands on its own line, between the words printed around it.
        q1 = slots["Q1a"]
        inside = "".join(
            c["text"] for c in page.chars
            if q1.x <= c["x0"] <= q1.x + q1.w and abs(page.height - c["bottom"] - q1.y) < 4
        )  # fmt: skip
        assert inside == "12000"
