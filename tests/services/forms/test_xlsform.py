"""XLSForm workbooks as form descriptions: the shipped Hunan workbooks, a county's own, bad ones."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openpyxl import Workbook

from desktop.engine import Evaluator, FormDescriptionError
from desktop.services.forms import catalog
from desktop.services.forms.catalog import VOCABULARY, forms_dir, load_form, read_form
from desktop.services.forms.xlsform import load_xlsform, xlsform_expression

HUNAN = ("hunan_registered", "hunan_unregistered")
SURVEY_HEAD = ["type", "name", "label", "required", "number", "text", "skip", "constraint",
               "constraint_message", "level", "relevant"]  # fmt: skip
SETTINGS = [["form_id", "form_title"], ["county_q", "某县边缘户走访问卷"]]
CHOICES = [["list_name", "name", "label"], ["yes_no", "是", "是"], ["yes_no", "否", "否"]]


def _book(path, survey, *, settings=SETTINGS, choices=CHOICES, drop=()):
    book = Workbook()
    sheets = {"survey": survey, "choices": choices, "settings": settings}
    book.remove(book.active)
    for name, rows in sheets.items():
        if name in drop:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _row(**values):
    return [values.get(k) for k in SURVEY_HEAD]


def _county_survey(**change):
    rows = {
        "Q1": _row(type="select_one yes_no", name="Q1", label="是否有义务教育阶段儿童", number="1",
                   required="yes", skip="② → Q2"),
        "Q1_1": _row(type="select_one yes_no", name="Q1_1", label="是否在校", number="1—1",
                     required="yes", constraint=". = '是' or ${Q1} = '否'",
                     constraint_message="有义务教育阶段儿童的，应在校", level="warning"),
        "Q2": _row(type="integer", name="Q2", label="家庭人口", number="2",
                   text="家庭人口{Q2}人，其中劳动力{Q2b}人。", required="yes"),
        "Q2b": _row(type="integer", name="Q2b", label="劳动力人数",
                    constraint=". <= ${Q2}", constraint_message="劳动力不能多于家庭人口"),
        "Q3": _row(type="select_one yes_no", name="Q3", label="是否参加医疗保险", number="3",
                   required="true", skip="否 → end"),
        "Q3_1": _row(type="text", name="Q3_1", label="参保地", number="3—1",
                     relevant="${Q3} = '是'"),
    }  # fmt: skip
    for name, row in change.items():
        rows[name] = row
    return [SURVEY_HEAD, *[r for r in rows.values() if r is not None]]


@pytest.mark.parametrize("code", HUNAN)
def test_the_shipped_workbook_gives_the_json_description(code):
    """Same questions, skips and rules from resources/forms/xlsform/<code>.xlsx as from the
    JSON (run scripts/xlsform_from_json.py after editing the JSON, else this fails)."""
    from_json = read_form(forms_dir() / f"{code}.json")
    from_xlsx = read_form(forms_dir() / "xlsform" / f"{code}.xlsx")
    assert from_xlsx.entry_order == from_json.entry_order
    assert [q.text for s in from_xlsx.sections for q in s.questions] == [
        q.text for s in from_json.sections for q in s.questions
    ]
    skips = {c.field: c.skips for c in from_json.input_cells if c.skips}
    assert {c.field: c.skips for c in from_xlsx.input_cells if c.skips} == skips
    # Every 如填X直接跳转至Y of the paper (17 / 8) and the 代签 line's.
    assert sum(map(len, skips.values())) == (18 if code == "hunan_registered" else 9)
    assert from_xlsx.rules == from_json.rules
    assert replace(from_xlsx, path=None) == replace(from_json, path=None)


def test_a_county_workbook_in_the_data_folder_is_a_form(data_dir):
    folder = catalog.county_forms_dir()
    folder.mkdir()
    _book(folder / "county_q.xlsx", _county_survey())
    assert ("county_q", "某县边缘户走访问卷") in catalog.list_forms()
    form = load_form("county_q")
    assert form.entry_order == ("Q1", "Q1_1", "Q2", "Q2b", "Q3", "Q3_1")
    # Q2b has no text of its own: it is the {Q2b} of question 2's paragraph.
    q2 = form.section("questions").question_of("Q2b")
    assert (q2.number, [a.field for a in q2.answers]) == ("2", ["Q2", "Q2b"])
    q1 = form.section("questions").question_of("Q1")
    assert q1.text == "是否有义务教育阶段儿童{Q1}"
    ev = Evaluator(form)
    assert ev.skipped({"Q1": "否", "Q3": "是"}) == {"Q1_1"}  # ② → the second choice, 否
    assert "Q3_1" in ev.skipped({})  # relevant: asked only once 3 is 是
    assert ev.skipped({"Q3": "否"}) == {"Q3_1"}  # → end
    assert ev.skipped({"Q3": "是"}) == set()
    found = ev.evaluate({"Q1": "是", "Q1_1": "否", "Q2": 3, "Q2b": 4, "Q3": "否"})
    issues = {i.field: i for i in found.issues}
    assert not issues["Q1_1"].blocking  # level warning
    assert issues["Q2b"].blocking and issues["Q2b"].message == "劳动力不能多于家庭人口"


def test_xlsform_expressions_become_the_engines():
    assert (
        xlsform_expression("${Q4_1} = '是' or . != 'a=b'", "Q10") == "Q4_1 == '是' or Q10 != 'a=b'"
    )
    assert xlsform_expression(". >= 0.5 and ${A} <= 2", "B") == "B >= 0.5 and A <= 2"
    assert xlsform_expression("selected(${Q8}, '无厕所')", "X") == "('无厕所' in Q8)"


def _refusal(tmp_path, survey=None, **kwargs):
    path = _book(tmp_path / "county_q.xlsx", survey or _county_survey(), **kwargs)
    with pytest.raises(FormDescriptionError) as caught:
        load_xlsform(path, VOCABULARY)
    return str(caught.value)


F = "county_q.xlsx：survey 表第 "  # every refusal starts with the file and the sheet
YES_NO = "select_one yes_no"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            {"Q1": _row(type=YES_NO, name="Q1", label="x", number="1", skip="否 → Q9")},
            F + "2 行（第1题 Q1），skip 列：跳转目标 'Q9' 不存在",
            id="skip-to-a-missing-question",
        ),
        pytest.param(
            {"Q3": _row(type=YES_NO, name="Q3", label="x", number="3", skip="否 → Q1")},
            F + "6 行（第3题 Q3），skip 列：跳转目标 'Q1' 不在本题之后（会形成循环）",
            id="a-cycle",
        ),
        pytest.param(
            {"Q2b": _row(type="integer", name="Q2b", label="x", constraint=". <= ${Q7}")},
            F + "5 行（第2题 Q2b），constraint 列：表达式 'Q2b <= Q7' 引用了不存在的字段 Q7",
            id="a-rule-naming-an-unknown-field",
        ),
        pytest.param(
            {"Q3_1": _row(type="text", name="Q3_1", label="x", number="3—1", relevant="${Q5}=1")},
            F + "7 行（第3—1题 Q3_1），relevant 列：表达式 'Q5==1' 引用了不存在的字段 Q5",
            id="relevant-naming-an-unknown-field",
        ),
        pytest.param(
            {"Q2": _row(type="integer", name="Q2", label="x", number="2", text="{Q2}人，{Q2c}人")},
            F + "4 行（第2题 Q2），text 列：文字中的 {…} 应与答案一一对应",
            id="a-paragraph-naming-an-answer-that-is-not-there",
        ),
        pytest.param(
            {"Q1": _row(type="select_one yes_nope", name="Q1", label="x", number="1")},
            F + "2 行（第1题 Q1），type 列：choices 表中没有选项表“yes_nope”",
            id="an-unknown-choice-list",
        ),
        pytest.param(
            {"Q1": _row(type="geopoint", name="Q1", label="x", number="1")},
            F + "2 行（第1题 Q1），type 列：未知类型 'geopoint'",
            id="an-unknown-type",
        ),
        pytest.param(
            {"Q3": _row(type=YES_NO, name="Q3", label="x", number="3", skip="否 Q4")},
            F + "6 行（第3题 Q3），skip 列：跳转“否 Q4”应写作“答案 → 题目代码”",
            id="a-skip-written-wrong",
        ),
    ],
)
def test_a_bad_workbook_is_refused_naming_file_sheet_row_and_question(tmp_path, change, expected):
    assert expected in _refusal(tmp_path, _county_survey(**change))


def test_a_missing_column_or_sheet_is_refused(tmp_path):
    survey = [row[:1] + row[2:] for row in _county_survey()]  # the name column left out
    assert "county_q.xlsx：survey 表第 1 行：缺少列 name" in _refusal(tmp_path, survey)
    assert "county_q.xlsx：缺少工作表“settings”" in _refusal(tmp_path, drop=("settings",))
    bad = [["form_id", "form_title", "colour"], ["county_q", "问卷", "红"]]
    assert "settings 表第 1 行，C 列：未知的列“colour”" in _refusal(tmp_path, settings=bad)
    other = [["form_id", "form_title"], ["other_q", "问卷"]]
    assert "form_id “other_q”应与文件名“county_q”相同" in _refusal(tmp_path, settings=other)


def test_a_county_form_with_a_shipped_code_is_refused(data_dir):
    folder = catalog.county_forms_dir()
    folder.mkdir()
    settings = [["form_id", "form_title"], ["hunan_registered", "改过的问卷"]]
    _book(folder / "hunan_registered.xlsx", _county_survey(), settings=settings)
    with pytest.raises(FormDescriptionError, match="有两个描述文件"):
        catalog.list_forms()
    with pytest.raises(FormDescriptionError, match="有两个描述文件"):
        load_form("hunan_registered")
