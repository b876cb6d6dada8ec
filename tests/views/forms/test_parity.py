"""Screen and paper agree, for generated answers (hypothesis), on every form and value type.

For every form description (and one that holds a cell of each value type and a skip to a
section): the text the screen shows for a field equals the text the paper prints for it, the
boxes ticked on screen are the boxes ticked on paper, a member cell reads as printed, and the
fields the screen skips are the fields the service's evaluator skips.
"""

from __future__ import annotations

import copy
import datetime
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.engine import VALUE_TYPES
from desktop.printing.form_renderer import layout_form, slot_text
from desktop.services.forms.catalog import list_forms, load_form, parse_form
from desktop.services.forms.hooks import build_hooks
from desktop.services.forms.service import FormService
from desktop.views.forms.form_view import FormView
from tests.services.forms.test_stored_forms import SKIP_FORM

ALL_TYPES = {
    "format": 1, "code": "all_types", "title": "每种类型",
    "page": {"size": "A4", "orientation": "portrait",
             "margins_mm": {"top": 10, "right": 10, "bottom": 10, "left": 10}},
    "sections": [{"id": "s", "kind": "grid", "columns_mm": [40, 60], "rows_mm": [10] * 11,
                  "cells": [
        c
        for i, (code, extra) in enumerate([
            ("t_text", {}), ("t_int", {}), ("t_count", {}), ("t_money", {"unit": "元"}),
            ("t_area", {}), ("t_decimal", {}), ("t_date", {}),
            ("t_choice", {"choices": ["是", "否"], "choice_labels": {"是": "是（购买时间）"}}),
            ("t_choice_boxes", {"choices": ["甲", "乙", "丙"], "boxes": True}),
            ("t_multi_choice", {"choices": ["因病", "因残", "因学"], "boxes": True}),
            ("t_bool", {"boxes": True}),
        ])
        for c in (
            {"row": i, "col": 0, "label": code},
            {"row": i, "col": 1, "field": code, "label": code,
             "type": code[2:].replace("_boxes", ""), **extra},
        )
    ]}],
}  # fmt: skip
VERIFIED_VALUE_TYPES = set(VALUE_TYPES)

_text = st.text(alphabet=string.ascii_letters + string.digits + "户主村组张王李", max_size=12).map(
    str.strip
)


def _value(cell) -> st.SearchStrategy:
    kind = VALUE_TYPES[cell.type]
    if kind.name == "text":
        return _text
    if kind.integer:
        low = 0 if kind.minimum is not None else -99999
        return st.one_of(st.integers(low, 999999), st.integers(0, 99999).map(float))
    if kind.numeric:
        return st.decimals(0, 999999, places=3).map(float)
    if kind.name == "choice":
        return st.sampled_from(cell.choices)
    if kind.multiple:
        return st.lists(st.sampled_from(cell.choices), unique=True).map(
            lambda chosen: [c for c in cell.choices if c in chosen]
        )
    if kind.name == "bool":
        return st.sampled_from([True, False])
    if kind.name == "date":
        return st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31)).map(str)
    raise AssertionError(f"no strategy for value type {kind.name}")


def _answers(form) -> st.SearchStrategy:
    fields = {c.field: st.one_of(st.none(), _value(c)) for c in form.input_cells if not c.computed}
    for section in form.repeat_sections:
        columns = {c.code: st.one_of(st.none(), _value(c)) for c in section.columns}
        fields[section.id] = st.lists(st.fixed_dictionaries(columns), max_size=3)
    answered = st.fixed_dictionaries(fields)
    return answered.map(lambda a: {k: v for k, v in a.items() if v is not None})


FORMS = [code for code, _ in list_forms()]


def _form(code: str):
    if code == "all_types":
        return parse_form(copy.deepcopy(ALL_TYPES))
    if code == "skip_test":
        return parse_form(copy.deepcopy(SKIP_FORM))
    return load_form(code)


def test_the_parity_covers_every_value_type():
    covered = {c.type for c in _form("all_types").input_cells}
    assert covered == VERIFIED_VALUE_TYPES


@pytest.mark.parametrize("code", [*FORMS, "all_types", "skip_test"])
def test_screen_and_paper_and_service_agree(qtbot, code):
    form = _form(code)
    service = FormService.__new__(FormService)  # only its evaluator: no database needed
    service.hooks, service._evaluators = build_hooks(), {}
    evaluator = service.evaluator(form)
    view = FormView(form, evaluator=evaluator)
    qtbot.addWidget(view)
    slots = {
        slot.field: slot
        for template in layout_form(form).pages
        for slot in template.slots
        if slot.cell is not None
    }
    member_sections = {s.id: s for s in form.repeat_sections}

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(_answers(form))
    def check(answers):
        view.set_answers(answers)
        shown = view.answers()
        assert view.skipped_fields() == evaluator.skipped(shown) == evaluator.skipped(answers)
        for code_, slot in slots.items():
            if code_ in view.skipped_fields():
                continue
            if slot.kind == "ticks":
                value = shown.get(code_)
                chosen = value if isinstance(value, list) else [value]
                paper = "、".join(
                    slot.cell.choice_text(v) if isinstance(v, str) else slot.cell.box_label
                    for v in slot.boxes
                    if v in chosen
                )
                assert view.field_text(code_) == paper, code_
            else:
                assert view.field_text(code_) == slot_text(slot, shown), code_
        for section_id, section in member_sections.items():
            grid = view.member_grids[section_id]
            for r, row in enumerate(shown.get(section_id) or []):
                for c, column in enumerate(section.columns):
                    if column.type == "bool":
                        continue
                    assert grid.cell_text(r, c) == column.text(row.get(column.code)), (
                        section_id, r, column.code,
                    )  # fmt: skip

    check()
