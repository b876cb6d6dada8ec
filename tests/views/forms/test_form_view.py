"""FormView: drawn from the description, typed by keyboard, computed live, checked at the field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit

from desktop.engine import VALUE_TYPES, Evaluator, FieldIssue
from desktop.services.forms.catalog import load_form, parse_form
from desktop.services.forms.hooks import build_hooks
from desktop.views.forms.form_view import ChoiceCombo, FormView, screen_value
from tests.views.keyboard import type_text


def make_view(qtbot, code: str, **kwargs) -> FormView:
    form = load_form(code)
    view = FormView(form, evaluator=Evaluator(form, build_hooks()), **kwargs)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    return view


def focused(view):
    """Return the widget holding the keyboard focus inside the view's window."""
    widget = view.window().focusWidget()
    assert widget is not None
    return widget


def shown_texts(view: FormView) -> set[str]:
    texts = {w.text() for w in view.findChildren(QLabel)}
    texts |= {w.text() for w in view.findChildren(QCheckBox)}
    for grid in view.member_grids.values():
        texts |= {grid.horizontalHeaderItem(c).text() for c in range(grid.columnCount())}
    return texts


@pytest.mark.parametrize("code", ["verification", "collection"])
def test_every_label_of_the_paper_is_on_screen(qtbot, code):
    view = make_view(qtbot, code)
    texts = shown_texts(view)
    joined = "\n".join(texts)
    for label in load_form(code).all_labels():
        assert label in texts or label in joined, label


def test_same_sections_in_the_same_order(qtbot):
    view = make_view(qtbot, "collection")
    titles = [w.text() for w in view.findChildren(QLabel) if w.objectName() == "sectionTitle"]
    assert titles == [
        "一、基本信息",
        "二、家庭成员信息",
        "三、致贫原因",
        "四、收入情况",
        "五、生产生活条件",
    ]


def test_value_types_get_their_inputs(qtbot):
    view = make_view(qtbot, "verification")
    assert isinstance(view.editor_widget("labour_count"), QLineEdit)
    assert view.editor_widget("labour_count").validator() is not None
    assert isinstance(view.editor_widget("wubao_dibao"), ChoiceCombo)
    assert isinstance(view.editor_widget("have_safe_water"), QCheckBox)
    causes = view.editors["poverty_causes"].widgets
    assert [b.text() for b in causes][:3] == ["因病", "因残", "因学"]
    assert len(causes) == 12


def test_keyboard_fills_the_form_top_to_bottom(qtbot):
    view = make_view(qtbot, "verification")
    head = view.editor_widget("head_name")
    head.setFocus()
    type_text(qtbot, head, "张三")
    # 户主姓名 → 建档立卡人数 → 户籍人数 → 实际共同生活人数 → 劳动力人数, as on paper.
    for text in ("4", "4", "5", "3"):
        qtbot.keyClick(focused(view), Qt.Key.Key_Tab)
        qtbot.keyClicks(focused(view), text)
    answers = view.answers()
    assert answers["head_name"] == "张三"
    assert answers["registered_count"] == 4
    assert answers["hukou_count"] == 4
    assert answers["actual_count"] == 5
    assert answers["labour_count"] == 3


def test_tab_order_follows_the_paper(qtbot):
    view = make_view(qtbot, "verification")
    chain = view._focus_chain()
    fields_in_chain = []
    for widget in chain:
        for code, editor in view.editors.items():
            if widget in editor.widgets and code not in fields_in_chain:
                fields_in_chain.append(code)
    assert fields_in_chain[:4] == ["county", "township", "village", "head_name"]
    assert fields_in_chain.index("students_local") < fields_in_chain.index("medical_2017")
    assert fields_in_chain[-1] == "checked_on"
    widget = chain[3]
    widget.setFocus()
    for expected in chain[4:9]:
        qtbot.keyClick(focused(view), Qt.Key.Key_Tab)
        assert focused(view) is expected


def test_counts_reject_letters(qtbot):
    view = make_view(qtbot, "verification")
    edit = view.editor_widget("labour_count")
    qtbot.keyClicks(edit, "3a-")
    assert edit.text() == "3"


def test_choice_by_digit_and_boxes(qtbot):
    view = make_view(qtbot, "verification")
    combo = view.editor_widget("wubao_dibao")
    qtbot.keyClick(combo, Qt.Key.Key_2)
    assert view.answers()["wubao_dibao"] == "否"
    qtbot.keyClick(combo, Qt.Key.Key_0)
    assert "wubao_dibao" not in view.answers()
    yes, no = view.editors["has_car"].widgets
    assert yes.text() == "是（购买时间）"
    qtbot.keyClick(yes, Qt.Key.Key_Space)
    qtbot.keyClick(no, Qt.Key.Key_Space)
    assert not yes.isChecked()  # one answer only
    assert view.answers()["has_car"] == "否"
    boxes = view.editors["poverty_causes"].widgets
    boxes[0].click()
    boxes[6].click()
    assert view.answers()["poverty_causes"] == ["因病", "缺技术"]


def test_computed_cells_follow_their_inputs(qtbot):
    view = make_view(qtbot, "collection")
    assert view.editor_widget("A42").isReadOnly()
    assert view.editor_widget("A42").focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.keyClicks(view.editor_widget("A42a"), "100")
    qtbot.keyClicks(view.editor_widget("A42b"), "250.5")
    assert view.editor_widget("A42").text() == "350.5"
    qtbot.keyClicks(view.editor_widget("A39"), "1000")
    assert view.editor_widget("A52").text() == "1350.5"
    qtbot.keyClick(view.editor_widget("A42a"), Qt.Key.Key_Backspace)
    assert view.editor_widget("A42").text() == "260.5"
    assert view.answers()["A52"] == pytest.approx(1260.5)


def test_blocking_error_and_warning_at_the_field(qtbot):
    view = make_view(qtbot, "verification")
    view.set_answers({"head_name": "张三", "actual_count": 3, "labour_count": 5, "hukou_count": 4})
    frames = view.frames
    assert frames["labour_count"].property("state") == "error"
    assert frames["actual_count"].property("state") == "warning"
    assert "劳动力人数不能多于实际共同生活人数" in frames["labour_count"].toolTip()
    assert [p.field for p in view.blocking_problems()] == ["labour_count"]
    view.accept_warning("actual_count", "户籍未迁出，实际在外")
    assert frames["actual_count"].property("state") == "accepted"
    assert view.accepted_warnings() == {"actual_count": "户籍未迁出，实际在外"}
    assert "户籍未迁出" in frames["actual_count"].toolTip()
    with pytest.raises(ValueError):
        view.accept_warning("actual_count", "  ")
    edit = view.editor_widget("labour_count")
    edit.selectAll()
    qtbot.keyClicks(edit, "2")
    view.refresh_problems()
    assert frames["labour_count"].property("state") is None


def test_member_grid_round_trip_and_spare_row(qtbot):
    view = make_view(qtbot, "collection")
    rows = [
        {"A1": "李四", "A2": "男", "A4": "户主", "A12": 6, "A13": True, "_member_id": 41},
        {"A1": "王五", "A2": "女", "A4": "配偶", "A13": False, "_member_id": 42},
    ]
    view.set_answers({"members": rows})
    grid = view.member_grids["members"]
    assert grid.rowCount() == 10  # as many lines as the paper
    got = view.answers()["members"]
    assert got[0]["_member_id"] == 41 and got[0]["A12"] == 6 and got[0]["A13"] is True
    assert got[1]["A1"] == "王五" and got[1]["A13"] is False
    # Typing into the last row adds a spare row below it.
    rows11 = [{"A1": f"成员{i}", "A4": "之子"} for i in range(10)]
    view.set_answers({"members": rows11})
    assert grid.rowCount() == 11
    grid.item(10, 0).setText("新成员")
    assert grid.rowCount() == 12
    assert len(view.answers()["members"]) == 11


def test_member_grid_by_keyboard(qtbot):
    view = make_view(qtbot, "collection")
    grid = view.member_grids["members"]
    grid.setFocus()
    grid.setCurrentCell(0, 0)
    type_text(qtbot, focused(view), "赵六")
    qtbot.keyClick(focused(view), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(view), Qt.Key.Key_1)  # A2 性别: 1 = 男
    qtbot.keyClick(focused(view), Qt.Key.Key_Tab)
    assert view.answers()["members"] == [
        {"A1": "赵六", "A2": "男", **{c: False for c in ("A13", "A14", "tech_school",
         "ins_employee_pension", "ins_resident_medical", "ins_resident_pension")}}
    ]  # fmt: skip


def test_member_problem_marks_its_row(qtbot):
    view = make_view(qtbot, "collection")
    view.set_answers({"members": [{"A1": "甲", "A4": "户主"}, {"A1": "乙"}]})
    grid = view.member_grids["members"]
    assert grid.item(1, 0).background().color().name() == "#ffe1e1"  # A4 required
    assert grid.item(0, 0).background().color().name() == "#ffffff"


def test_skip_disables_the_questions_jumped_over(qtbot):
    raw = {
        "format": 1, "code": "q", "title": "调查问卷",
        "page": {"size": "A4", "orientation": "portrait",
                 "margins_mm": {"top": 10, "right": 10, "bottom": 12, "left": 10}},
        "sections": [{"id": "s", "kind": "grid", "columns_mm": [60, 60], "rows_mm": [9, 9, 9, 9],
                      "cells": [
            {"row": 0, "col": 0, "label": "Q1 是否在校"},
            {"row": 0, "col": 1, "field": "Q1", "type": "choice", "choices": ["是", "否"],
             "skip": {"if": "否", "goto": "Q4"}},
            {"row": 1, "col": 0, "label": "Q2"}, {"row": 1, "col": 1, "field": "Q2"},
            {"row": 2, "col": 0, "label": "Q3"}, {"row": 2, "col": 1, "field": "Q3"},
            {"row": 3, "col": 0, "label": "Q4"}, {"row": 3, "col": 1, "field": "Q4"},
        ]}],
    }  # fmt: skip
    view = FormView(parse_form(raw))
    qtbot.addWidget(view)
    view.set_answers({"Q2": "旧答案"})
    assert view.editor_widget("Q2").isEnabled()
    qtbot.keyClick(view.editor_widget("Q1"), Qt.Key.Key_2)
    assert view.skipped_fields() == {"Q2", "Q3"}
    assert not view.editor_widget("Q2").isEnabled()
    assert view.editor_widget("Q4").isEnabled()
    assert "Q2" not in view.answers()
    qtbot.keyClick(view.editor_widget("Q1"), Qt.Key.Key_1)
    assert view.editor_widget("Q2").isEnabled()
    # The skip struck the old answer out, as on paper: asked again, Q2 is to be answered anew.
    assert "Q2" not in view.answers()


def test_read_only_view(qtbot):
    view = make_view(qtbot, "verification")
    view.set_answers({"head_name": "张三"})
    view.set_read_only(True)
    assert view.editor_widget("head_name").isReadOnly()
    assert not view.editor_widget("wubao_dibao").isEnabled()


def test_dates_and_booleans(qtbot):
    view = make_view(qtbot, "collection")
    view.set_answers({"filled_on": "2018-06-12", "A28": False})
    answers = view.answers()
    assert answers["filled_on"] == "2018-06-12"
    assert answers["A28"] is False  # answered 否, not left blank
    assert "A32" not in answers
    view.set_answers({})
    assert "filled_on" not in view.answers()


def test_number_text_round_trip():
    money = VALUE_TYPES["money"]
    assert money.format(1200.0) == "1200"
    assert money.format(1200.5) == "1200.5"
    assert VALUE_TYPES["count"].format(None) == ""
    assert screen_value("1200", "money") == 1200
    assert screen_value("12.30", "money") == pytest.approx(12.3)
    assert screen_value("", "count") is None
    assert screen_value(".", "money") is None


def test_problem_conversion_keeps_member_row():
    issue = FieldIssue("members", "第2名成员：请填写A1姓名", True, member_index=1)
    from desktop.views.forms.form_view import as_field_problem

    assert as_field_problem(issue) == FieldIssue("members", issue.message, True, 1)


def test_tab_follows_the_codes_down_each_column(qtbot):
    view = make_view(qtbot, "collection")
    view.set_answers({})

    def walk(start: str, steps: int) -> list[str]:
        view.editor_widget(start).setFocus()
        seen = [start]
        for _ in range(steps):
            qtbot.keyClick(focused(view), Qt.Key.Key_Tab)
            widget = focused(view)
            seen.append(next(c for c, e in view.editors.items() if widget in e.widgets))
        return seen

    # Computed cells (A42, A52, A53, A50) are shown, never typed: Tab passes them.
    assert walk("A39", 6) == ["A39", "A40", "A41", "A42a", "A42b", "A51", "A42c"]
    assert walk("A24", 8) == ["A24", "A24a", "A25", "A25a", "A25b", "A26", "A27", "A28", "A29"]
    # The last row across the three columns comes after every column above it.
    assert walk("A37", 3) == ["A37", "A56", "A56a", "A57"]


def test_the_signature_lines_are_marked_like_any_cell(qtbot):
    view = make_view(qtbot, "collection")
    view.refresh_problems()
    filler = view.frames["filled_by"]
    assert filler.property("state") == "error"
    assert "请填写填表人" in filler.toolTip()
    assert view.frames["filled_on"].property("state") == "error"
    type_text(qtbot, view.editor_widget("filled_by"), "王五")
    view.refresh_problems()
    assert filler.property("state") is None and "请填写" not in filler.toolTip()


def test_a_long_member_value_is_shown_whole_not_cut_off(qtbot):
    from PySide6.QtCore import QRect

    view = make_view(qtbot, "collection")
    grid = view.member_grids["members"]
    default = grid.rowHeight(0)
    long_value = "乡（镇）外县内务工"
    view.set_answers({"members": [{"A1": "李四", "A11": long_value}, {"A1": "王五"}]})
    column = [c.code for c in grid.columns].index("A11")
    metrics = grid.fontMetrics()
    text_box = QRect(0, 0, grid.columnWidth(column) - 6, 10_000)
    needed = metrics.boundingRect(text_box, Qt.TextFlag.TextWordWrap, long_value).height()
    assert grid.rowHeight(0) >= needed > default
    assert grid.rowHeight(1) == default  # a short row keeps the paper's line height
    grid.item(1, column).setText(long_value)  # typed later: the row grows too
    assert grid.rowHeight(1) == grid.rowHeight(0)
    assert grid.height() >= sum(grid.rowHeight(r) for r in range(grid.rowCount()))
