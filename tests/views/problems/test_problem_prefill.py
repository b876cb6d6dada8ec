"""What a problem raised from a form starts with: the paper's own labels decide."""

from __future__ import annotations

import datetime

from desktop.services.forms.catalog import load_form
from desktop.views.problems.problem_prefill import prefill_from_form


def test_the_verification_form_gives_description_measures_and_date():
    form = load_form("verification")
    answers = {"problems": " 无安全饮水 ", "measures": "接通自来水", "checked_on": "2024-05-20"}
    prefill = prefill_from_form(form, answers)
    assert prefill.description == "无安全饮水" and prefill.measures == "接通自来水"
    assert prefill.found_date == datetime.date(2024, 5, 20) and prefill.source == "回头看排查"


def test_a_form_without_those_labels_prefills_nothing():
    prefill = prefill_from_form(load_form("collection"), {"head_name": "张三"})
    assert prefill.is_empty()
