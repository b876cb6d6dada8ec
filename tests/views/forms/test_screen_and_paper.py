"""Issue 11's screen defects: the preview of unsaved edits, one skip logic, one number format.

What the screen shows is compared with the PDF read back (pdfplumber), and what the screen
skips with what the evaluator (the service's) skips.
"""

from __future__ import annotations

import copy
import io

import pdfplumber
import pytest

from desktop.engine import Evaluator
from desktop.printing.form_renderer import layout_form, render_form
from desktop.services.forms.catalog import load_form, parse_form
from desktop.services.forms.hooks import build_hooks
from desktop.services.forms.service import PrintItem
from desktop.views.forms.form_view import FormView
from tests.services.forms.test_stored_forms import SKIP_FORM
from tests.views.forms.test_form_dialog import open_dialog, type_into


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def text_in_cell(pdf: bytes, description, code: str) -> str:
    """The characters printed inside the grid cell of a field (first page holding it)."""
    layout = layout_form(description)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, template in enumerate(layout.pages):
            for cell, (x, y, w, h) in template.cells:
                if cell.field != code:
                    continue
                page = doc.pages[number]
                top, bottom = page.height - (y + h), page.height - y
                return "".join(
                    c["text"]
                    for c in page.chars
                    if x <= (c["x0"] + c["x1"]) / 2 <= x + w
                    and top <= (c["top"] + c["bottom"]) / 2 <= bottom
                )
    raise KeyError(code)


def test_a_preview_of_unsaved_edits_is_stamped_unsaved(qtbot, services, household_id, boxes):
    """Defect 2: unsaved A51 on the paper never carries the saved version's stamp."""
    dialog = open_dialog(qtbot, services, household_id, "collection")
    assert dialog.save(complete=False)
    saved, _ = dialog.render_pdf()
    assert "第 1 版" in pdf_text(saved) and "未保存（草稿）" not in pdf_text(saved)
    type_into(qtbot, dialog.view.editor_widget("A51"), "123456")
    assert dialog.is_dirty()
    pdf, _ = dialog.render_pdf()
    text = pdf_text(pdf)
    assert "123456" in text_in_cell(pdf, dialog.form, "A51")
    assert "未保存（草稿）" in text and "第 1 版" not in text


def test_the_screen_skips_what_the_evaluator_skips(qtbot):
    """Defect 3: a skip to a section switches off the same questions on screen and in service."""
    form = parse_form(copy.deepcopy(SKIP_FORM))
    view = FormView(form)
    qtbot.addWidget(view)
    view.set_answers({"Q1": "否", "Q2": "旧", "Q4": "答"})
    assert view.skipped_fields() == Evaluator(form).skipped(view.answers()) == {"Q2", "Q3"}
    assert not view.editor_widget("Q3").isEnabled() and view.editor_widget("Q4").isEnabled()
    assert view.evaluation().blocking == []


@pytest.mark.parametrize(
    ("code", "field", "value", "text"),
    [
        ("collection", "A29", 1.255, "1.26"),  # 公里, two places, half up, on both
        ("collection", "A24", 2.0, "2"),
        ("verification", "actual_count", 1234567.0, "1234567"),  # never 1.23457e+06
        ("collection", "A51", 123456.785, "123456.79"),
    ],
)
def test_a_number_reads_the_same_on_screen_and_on_paper(qtbot, code, field, value, text):
    """Defect 4: one format for screen and paper."""
    form = load_form(code)
    view = FormView(form, evaluator=Evaluator(form, build_hooks()))
    qtbot.addWidget(view)
    view.set_answers({field: value})
    assert view.field_text(field) == text
    pdf = render_form(form, [PrintItem("1", {field: value}, 1)], stamp=False)
    assert text_in_cell(pdf, form, field) == text


def test_the_address_line_prints_the_townships_province_and_each_unit_once(services, household_id):
    [item] = services.forms.print_items([household_id], "collection")
    form = load_form("collection")
    pdf = render_form(form, [item], stamp=False)
    assert text_in_cell(pdf, form, "address_province") == "湖南省"  # the demo county's province
    assert text_in_cell(pdf, form, "address_city") == "益阳市"  # not 益阳市 市
    assert text_in_cell(pdf, form, "address_county") == "桃江县"  # not 桃江县 区（县）
    assert "广东省" not in pdf_text(pdf)
    blank = render_form(form, [], blank=True, stamp=False)
    assert [text_in_cell(blank, form, c) for c in ("address_province", "address_county")] == [
        "省",
        "区（县）",
    ]  # a blank paper keeps the units to write against


def test_both_dialogs_fit_the_screen_with_their_buttons(qtbot, services, household_id, boxes):
    for code in ("verification", "collection"):
        dialog = open_dialog(qtbot, services, household_id, code)
        screen = dialog.screen().availableGeometry()
        assert dialog.frameGeometry().height() <= screen.height()
        bottom = dialog.close_button.mapTo(dialog, dialog.close_button.rect().bottomLeft())
        assert 0 < bottom.y() <= dialog.height()
        assert dialog.scroll.horizontalScrollBar().maximum() == 0 or screen.width() < 1200
        for grid in dialog.view.member_grids.values():
            header = grid.horizontalHeader()
            last = grid.columnCount() - 1
            assert header.sectionViewportPosition(last) + header.sectionSize(last) <= (
                grid.viewport().width()
            )  # all 23 columns of the member grid are on screen
