"""Why a question is skipped, in the paper's words: the question and the circled answer."""

from __future__ import annotations

import pytest

from desktop.services.forms.catalog import load_form
from desktop.services.questionnaires.check import question_name, skip_reasons
from tests.engine.test_questions import REGISTERED, SKIPS, _complete


@pytest.mark.parametrize(("code", "field", "answer", "skipped"),
                         [(c, *s) for c, rows in SKIPS.items() for s in rows])  # fmt: skip
def test_every_skip_names_the_question_and_the_answer_that_made_it(code, field, answer, skipped):
    form = load_form(code)
    answers = {k: v for k, v in _complete(code).items() if k not in skipped} | {field: answer}
    reasons = skip_reasons(form, answers)
    mark = form.fields[field].choice_mark(answer)
    for key in skipped:
        assert reasons[key] == f"{question_name(form, field)}填“{mark}{answer}”，跳过"


def test_question_8s_two_targets_give_their_own_answer():
    form = load_form(REGISTERED)
    base = _complete(REGISTERED)
    assert skip_reasons(form, base | {"Q8": "C级危房维修加固"}) == {
        "Q8_1": "第8题填“①C级危房维修加固”，跳过",
        "proxy_note": "被访者签名填“①本人签名”，跳过",  # 代签 needs a note; 本人签名 does not
    }
    assert set(skip_reasons(form, base | {"Q8": "否"})) - {"proxy_note"} == {
        "Q8_1", "Q8_2", "Q8_3", "Q8_4", "Q8_5",
    }  # fmt: skip


def test_nothing_skipped_but_the_proxy_note_of_a_signature_by_the_household():
    form = load_form(REGISTERED)
    assert skip_reasons(form, _complete(REGISTERED)) == {
        "proxy_note": "被访者签名填“①本人签名”，跳过"
    }
