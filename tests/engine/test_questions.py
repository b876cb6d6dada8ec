"""The questionnaire section kind: the two Hunan papers, their skips, review rules, loader."""

from __future__ import annotations

import copy
import json
import re

import pytest

from desktop.engine import Evaluator, FormDescriptionError
from desktop.engine.sections.questions import CIRCLED, QuestionSection
from desktop.services.forms.catalog import forms_dir, load_form, parse_form

REGISTERED = "hunan_registered"
UNREGISTERED = "hunan_unregistered"

# Every “如填X直接跳转至Y” of both papers: (question, answer, the answers it skips).
SKIPS = {
    REGISTERED: [
        ("Q4", "否", {"Q4_1", "Q4_2"}),
        ("Q4_1", "是", {"Q4_2"}),
        ("Q5", "是", {"Q5_1"}),
        ("Q7", "否", {"Q7_1a", "Q7_1b", "Q7_1c", "Q7_1d"}),
        ("Q8", "否", {"Q8_1", "Q8_2", "Q8_3", "Q8_4", "Q8_5"}),
        ("Q8", "C级危房维修加固", {"Q8_1"}),
        ("Q8_3", "是", {"Q8_4"}),
        ("Q9", "自来水", {"Q9_1a", "Q9_1b", "Q9_1c"}),
        ("Q10", "否", {"Q10_1"}),
        ("Q11", "否", {"Q11_1"}),
        ("Q12", "否", {"Q12_1"}),
        ("Q12_2", "否", {"Q12_3"}),
        ("Q13", "否", {"Q13_1a", "Q13_1b"}),
        ("Q14", "否", {"Q14_1"}),
        ("Q14_3", "否", {"Q14_4"}),
        ("Q15", "否", {"Q15_1a", "Q15_1b"}),
        ("Q19", "否", {"Q19_1"}),
    ],
    UNREGISTERED: [
        ("Q2", "否", {"Q2_1", "Q2_2"}),
        ("Q2_1", "是", {"Q2_2"}),
        ("Q3_1", "否", {"Q3_2"}),
        ("Q3_3", "否", {"Q3_4a", "Q3_4b"}),
        ("Q5", "自来水", {"Q5_1a", "Q5_1b", "Q5_1c"}),
        ("Q6", "否", {"Q6_1", "Q6_2"}),
        ("Q7", "否", {"Q7_1"}),
        ("Q8", "否", {"Q8_1", "Q8_2"}),  # 直接结束问卷: the signatures are still asked
    ],
}


def _form(code):
    return load_form(code)


def _raw(code):
    return json.loads((forms_dir() / f"{code}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("code", "field", "answer", "skipped"),
                         [(c, *s) for c, rows in SKIPS.items() for s in rows])  # fmt: skip
def test_every_skip_of_the_paper_jumps_over_exactly_its_questions(code, field, answer, skipped):
    form = _form(code)
    ev = Evaluator(form)
    assert ev.skipped({field: answer}) == skipped
    # A skipped question is not required, keeps no answer, and its rules do not run.
    stale = {k: "是" for k in skipped}
    result = ev.evaluate({field: answer, **stale})
    assert not skipped & set(result.values)
    assert not skipped & result.required
    assert not any(i.field in skipped for i in result.issues)
    # Another answer does not jump.
    other = next(c for c in form.fields[field].choices if c != answer and
                 not any(s.if_value == c for s in form.fields[field].skips))  # fmt: skip
    assert not skipped & ev.skipped({field: other})


def test_the_skips_of_the_data_are_the_skips_printed_on_the_paper():
    """Each “如填“②”直接跳转至“5”” in a question's printed text is one skip of its answers."""
    pattern = re.compile(r"如填“([①-⑩])”直接(?:跳转至“([0-9—]+)”|结束问卷)")
    for code, rows in SKIPS.items():
        form = _form(code)
        printed = set()
        for section in form.sections:
            if not isinstance(section, QuestionSection):
                continue
            for q in section.questions:
                for mark, target in pattern.findall(q.text):
                    choice_answers = [a for a in q.answers if a.choices]
                    assert len(choice_answers) == 1, q.number
                    answer = choice_answers[0]
                    value = answer.choices[CIRCLED.index(mark)]
                    printed.add(
                        (answer.field, value, f"Q{target.replace('—', '_')}" if target else "end")
                    )
        data = {(c.field, s.if_value, s.goto) for c in form.input_cells for s in c.skips
                if c.field != "signed_by"}  # fmt: skip
        assert printed == data
        assert len(data) == len(rows)


def test_a_skip_to_the_end_keeps_the_signature_block():
    form = _form(UNREGISTERED)
    skipped = Evaluator(form).skipped({"Q8": "否"})
    assert {"reviewer_name", "signed_on", "signed_by"}.isdisjoint(skipped)


def _complete(code):
    """A whole questionnaire answered without any skip taken where it can be avoided."""
    form = _form(code)
    answers = {}
    for cell in form.input_cells:
        if cell.type == "money":
            answers[cell.field] = 0
        elif cell.type in ("count", "int"):
            answers[cell.field] = 2020 if cell.field == "exit_year" else 4
        elif cell.type == "choice":
            jumps = {s.if_value for s in cell.skips}
            answers[cell.field] = next((c for c in cell.choices if c not in jumps), cell.choices[0])
        elif cell.type == "multi_choice":
            answers[cell.field] = [cell.choices[0]]
        elif cell.type == "date":
            answers[cell.field] = "2020-04-15"
        else:
            answers[cell.field] = (
                "桃花江镇" if cell.field != "head_id_number" else "430922195001010011"
            )
    if code == REGISTERED:
        answers.update({"Q1_1a": 20000, "Q1_1b": 8000, "Q1_2": 600, "Q1_3": 1400, "Q1_4": 2000})
        answers.update({"Q1a": 30000, "Q1b": 7000})
    else:
        answers.update({"Q1a": 12000, "Q1b": 2000, "Q1c": 10000, "Q3_4a": 3000, "Q3_4b": 900})
    answers["signed_by"] = "本人签名"
    del answers["proxy_note"]
    return answers


@pytest.mark.parametrize("code", [REGISTERED, UNREGISTERED])
def test_a_complete_questionnaire_passes(code):
    result = Evaluator(_form(code)).evaluate(_complete(code))
    assert result.issues == ()


def test_question_10_no_with_a_pupil_in_question_4_does_not_pass_review():
    ev = Evaluator(_form(REGISTERED))
    answers = _complete(REGISTERED) | {"Q4": "是", "Q4_1": "是", "Q10": "否"}
    result = ev.evaluate(answers)
    assert [(i.field, i.blocking) for i in result.issues] == [("Q10", True)]
    assert "不允许通过审核" in result.issues[0].message
    # Without a child of compulsory-school age, 否 is a plain answer.
    assert ev.evaluate(answers | {"Q4": "否"}).issues == ()


def test_question_11_no_warns_but_may_pass():
    result = Evaluator(_form(REGISTERED)).evaluate(_complete(REGISTERED) | {"Q11": "否"})
    assert [(i.field, i.blocking) for i in result.issues] == [("Q11", False)]
    assert "Q11_1" in result.skipped


def test_income_total_and_per_head_must_agree_with_the_sub_questions():
    ev = Evaluator(_form(REGISTERED))
    answers = _complete(REGISTERED)
    assert ev.evaluate(answers | {"Q1a": 31000}).issues[0].field == "Q1a"
    wrong = ev.evaluate(answers | {"Q1b": 9000}).issues
    assert [(i.field, i.blocking) for i in wrong] == [("Q1b", True)]
    # (30000 − 2000) ÷ 4 = 7000, within a yuan of rounding.
    assert ev.evaluate(answers | {"Q1b": 7000.5}).issues == ()
    assert ev.evaluate(answers | {"family_size": 5, "Q1b": 5600}).issues == ()


def test_proxy_signature_needs_a_note():
    ev = Evaluator(_form(REGISTERED))
    answers = _complete(REGISTERED) | {"signed_by": "复核人员代签"}
    assert [i.field for i in ev.evaluate(answers).issues] == ["proxy_note"]
    assert ev.evaluate(answers | {"proxy_note": "户主外出务工，电话接受调查"}).issues == ()
    assert "proxy_note" in ev.skipped({"signed_by": "本人签名"})


def test_field_codes_follow_the_printed_numbers():
    form = _form(REGISTERED)
    section = form.section("questions")
    for q in section.questions:
        base = "Q" + q.number.replace("—", "_")
        for a in q.answers:
            assert a.field == base or (len(q.answers) > 1 and a.field[:-1] == base), a.field
    assert form.fields["Q9"].choices == ("自来水", "井水", "山泉水", "其他")
    assert form.fields["Q10_1"].type == "multi_choice"
    assert "（预测2019年10月1日—2020年9月30日）" in section.questions[0].text


def _break(code, change):
    raw = _raw(code)
    change(raw)
    return lambda: parse_form(copy.deepcopy(raw), source=f"{code}.json")


def _answer(raw, name):
    for s in raw["sections"]:
        for q in s.get("questions", []):
            for a in q.get("answers", []):
                if a["name"] == name:
                    return a
    raise KeyError(name)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda r: _answer(r, "Q4").update(skip={"if": "否", "goto": "Q99"}),
            r"Q4.*跳转目标 'Q99' 不存在",
        ),
        (
            lambda r: _answer(r, "Q8_3").update(skip={"if": "是", "goto": "Q8_1"}),
            r"Q8_3.*会形成循环",
        ),
        (
            lambda r: _answer(r, "Q8").update(
                skip=[{"if": "否", "goto": "Q9"}, {"if": "否", "goto": "Q8_2"}]
            ),
            "两个跳转",
        ),
        (lambda r: _answer(r, "Q10").update(constraint="Q4_9 != '是'"), r"Q10.*不存在的字段 Q4_9"),
        (lambda r: _answer(r, "Q7").update(skip={"if": "也许", "goto": "Q8"}), "不是该题的选项"),
        (lambda r: _answer(r, "Q2").update(type="colour"), "未知类型"),
        (lambda r: r["sections"][1]["questions"][1].update(text="工资性收入{Q1_1a}元"), "一一对应"),
        (
            lambda r: r["rules"].append(
                {"id": "x", "field": "Q77", "check": "Q2 == '是'", "message": "x", "blocking": True}
            ),
            "字段 'Q77' 不存在",
        ),
    ],
)
def test_bad_descriptions_are_refused_naming_file_and_question(change, message):
    load = _break(REGISTERED, lambda r: (r.setdefault("rules", []), change(r)))
    with pytest.raises(FormDescriptionError, match=message) as err:
        load()
    assert str(err.value).startswith(f"{REGISTERED}.json")
