"""A questionnaire on screen: keyboard entry in paper order, digits pick ①②, skips and rules."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.engine import Evaluator
from desktop.services.forms.catalog import load_form
from desktop.services.forms.hooks import build_hooks
from desktop.views.forms.form_view import FormView
from desktop.views.questionnaires.question_view import focused_field
from tests.engine.test_questions import REGISTERED, SKIPS, UNREGISTERED, _complete


def _view(qtbot, code):
    form = load_form(code)
    view = FormView(form, evaluator=Evaluator(form, build_hooks()))
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitExposed(view)
    return view


def _press(qtbot, view, keys: str) -> int:
    """Type keys into whatever has the focus; ⏎ is Enter. Returns how many keys were pressed."""
    for key in keys:
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        widget = QApplication.focusWidget()
        if key == "⏎":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        else:
            qtbot.keyClicks(widget, key)
    return len(keys)


@pytest.mark.parametrize(("code", "field", "answer", "skipped"),
                         [(c, *s) for c, rows in SKIPS.items() for s in rows])  # fmt: skip
def test_every_skip_switches_its_questions_off_on_screen(qtbot, code, field, answer, skipped):
    view = _view(qtbot, code)
    view.set_answers(
        {k: v for k, v in _complete(code).items() if k not in skipped} | {field: answer}
    )
    assert view.skipped_fields() - {"proxy_note"} == skipped  # 本人签名: no 代签 note
    for code_ in skipped:
        assert not view.frames[code_].isEnabled()
        assert code_ not in view.answers()
    assert not any(p.field in skipped for p in view.evaluation().issues)


def test_a_digit_picks_the_circled_choice_and_the_skip_moves_the_focus(qtbot):
    view = _view(qtbot, REGISTERED)
    assert view.focus_field("Q8")
    _press(qtbot, view, "1")  # ①C级危房维修加固 → 直接跳转至 8—2
    assert view.answers()["Q8"] == "C级危房维修加固"
    assert focused_field(view) == "Q8_2"
    assert view.skipped_fields() >= {"Q8_1"}
    view.focus_field("Q8")
    _press(qtbot, view, "3")  # ③否 → 直接跳转至 9
    assert focused_field(view) == "Q9"
    assert {"Q8_1", "Q8_2", "Q8_3", "Q8_4", "Q8_5"} <= view.skipped_fields()


def test_review_rules_on_screen(qtbot):
    view = _view(qtbot, REGISTERED)
    view.set_answers(_complete(REGISTERED) | {"Q4": "是", "Q4_1": "是", "Q10": "否", "Q11": "否"})
    issues = {p.field: p.blocking for p in view.evaluation().issues}
    assert issues == {"Q10": True, "Q11": False}
    assert view.frames["Q10"].property("state") == "error"
    assert view.frames["Q11"].property("state") == "warning"
    view.accept_warning("Q11", "户主常年在外务工，未就医")
    assert view.accepted_warnings() == {"Q11": "户主常年在外务工，未就医"}


def test_keyboard_entry_needs_no_more_keys_than_answers_plus_one_per_question(qtbot):
    """附件2 typed from its first question to its date: the count the issue asks for."""
    view = _view(qtbot, UNREGISTERED)
    view.set_answers({"county": "桃江县", "township": "桃花江镇", "village": "花园洞村",
                      "group": "3组", "head_name": "张三", "head_id_number": "430922195001010011",
                      "family_size": 3, "special_kind": "低保户"})  # fmt: skip
    assert view.focus_field("Q1a")
    # 1 total, of which 2 items; 2 否; 3 是, 3—1 否 (→3—3), 3—3 否 (→4); 4 ①; 4—1 Enter (选填);
    # 5 ① 自来水 (→6); 6 否 (→7); 7 否 (→8); 8 否 (→end); signature ① 本人签名 (→单位).
    typed = ["12000⏎", "2000⏎", "10000⏎", "2", "1", "2", "2", "1", "⏎", "1", "2", "2", "2", "1"]
    keys = sum(_press(qtbot, view, k) for k in typed)
    answers = view.answers()
    assert answers["Q1a"] == 12000 and answers["Q1c"] == 10000
    assert answers["Q3"] == "是" and answers["Q4"] == "安全（A级或B级）"
    assert (
        answers["Q5"] == "自来水" and answers["Q8"] == "否" and answers["signed_by"] == "本人签名"
    )
    assert focused_field(view) == "reviewer_unit"
    # On paper: 3 amounts (14 digits) and 10 circled choices; 12 questions asked (1, 2, 3, 3—1,
    # 3—3, 4, 4—1, 5, 6, 7, 8, the signature).
    paper_answers = len("12000") + len("2000") + len("10000") + 10
    questions = 12
    assert keys == 28 <= paper_answers + questions


def test_a_skipped_question_says_why_and_stops_saying_so_when_asked_again(qtbot):
    view = _view(qtbot, REGISTERED)
    view.set_answers(_complete(REGISTERED) | {"Q4": "否"})
    assert view.skip_reason("Q4_1") == "第4题填“②否”，跳过"
    assert "第4题填“②否”，跳过" in view.frames["Q4_1"].toolTip()
    view.set_answers(_complete(REGISTERED) | {"Q4": "是"})
    assert view.skip_reason("Q4_1") == ""
    assert "跳过" not in view.frames["Q4_1"].toolTip()


def test_changing_a_skip_answer_clears_what_it_now_skips_and_says_so(qtbot):
    """On paper a clerk who changes 第4题 to ②否 strikes out 4—1 and 4—2; so does the screen."""
    view = _view(qtbot, REGISTERED)
    answers = _complete(REGISTERED)
    view.set_answers(answers)
    assert view.answers()["Q4_1"] == answers["Q4_1"]
    said = []
    view.skips_cleared.connect(said.append)
    assert view.focus_field("Q4")
    _press(qtbot, view, "2")  # ②否 → 直接跳转至 5
    assert said == ["第4题填“②否”，跳过：第4—1题、第4—2题的答案已清空"]
    assert view.field_text("Q4_1") == "" and view.field_text("Q4_2") == ""
    view.focus_field("Q4")
    _press(qtbot, view, "1")  # back to ①是: 4—1 is asked again, empty, to be answered anew
    assert "Q4_1" not in view.answers() and view.frames["Q4_1"].isEnabled()
    assert len(said) == 1  # nothing more was cleared
