"""FormDialog: fill by keyboard, save, reopen; completion rules; closing; recovery; signals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.campaign import FormRecord
from desktop.services.forms.recovery import FormRecovery
from desktop.services.forms.service import FormError
from desktop.views.forms.form_dialog import FormDialog
from desktop.views.signals import hub
from tests.views.conflicts import choosing
from tests.views.keyboard import type_text


def open_dialog(qtbot, services, household_id, code="verification") -> FormDialog:
    dialog = FormDialog(services, household_id, code)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def record_of(services, household_id, code="verification") -> FormRecord | None:
    with Session(services.engine) as s:
        return s.scalar(
            select(FormRecord).where(
                FormRecord.household_id == household_id, FormRecord.form_code == code
            )
        )


def type_into(qtbot, widget, text):
    """Replace a cell's text by typing; Chinese comes as key events carrying the character."""
    widget.setFocus()
    if hasattr(widget, "selectAll"):
        widget.selectAll()
    type_text(qtbot, widget, text)


def test_title_prefill_and_state(qtbot, services, household_id):
    dialog = open_dialog(qtbot, services, household_id)
    household = services.registry.get_household(household_id)
    assert household.code in dialog.windowTitle()
    assert household.head_name in dialog.windowTitle()
    assert "未填" in dialog.state_label.text()
    answers = dialog.view.answers()
    assert answers["head_name"] == household.head_name
    assert answers["village"] == household.village_name
    texts = [b.text() for b in (dialog.save_button, dialog.complete_button)]
    assert texts == ["保存草稿 (Ctrl+S)", "完成 (Ctrl+Enter)"]  # the keys that press them
    # Ctrl+P prints in Excel and WPS; under Xvfb it did nothing in the form
    assert dialog.preview_button.text() == "打印预览… (Ctrl+P)"
    assert dialog.close_button.text() == "关闭"


def test_keyboard_entry_saved_and_seen_again(qtbot, services, household_id, boxes):
    dialog = open_dialog(qtbot, services, household_id)
    type_into(qtbot, dialog.view.editor_widget("public_post_count"), "1")
    qtbot.keyClick(dialog.view.editor_widget("public_post_count"), Qt.Key.Key_Tab)
    # Tab goes on to 外出务工（人）, the next box to the right on paper.
    assert dialog.window().focusWidget() is dialog.view.editor_widget("migrant_count")
    type_into(qtbot, dialog.window().focusWidget(), "1")
    type_into(qtbot, dialog.view.editor_widget("aid_projects"), "光伏扶贫 分红 1200 元")
    assert dialog.is_dirty()
    with qtbot.waitSignal(hub().form_changed) as changed:
        assert dialog.save(complete=False)
    assert changed.args == [household_id, "verification"]
    assert not dialog.is_dirty()
    assert "草稿" in dialog.state_label.text()
    record = record_of(services, household_id)
    assert record.state == "draft" and record.answers["public_post_count"] == 1
    dialog.close()

    again = open_dialog(qtbot, services, household_id)
    answers = again.view.answers()
    assert answers["public_post_count"] == 1
    assert answers["migrant_count"] == 1
    assert answers["aid_projects"] == "光伏扶贫 分红 1200 元"
    assert again.view.editor_widget("public_post_count").text() == "1"
    assert "草稿" in again.state_label.text()


def test_blocking_error_prevents_completion(qtbot, services, household_id, boxes):
    dialog = open_dialog(qtbot, services, household_id)
    actual = dialog.view.answers()["actual_count"]
    type_into(qtbot, dialog.view.editor_widget("labour_count"), str(actual + 2))
    dialog.complete_button.click()
    kind, title, text = boxes["shown"][-1]
    assert kind == "warning" and title == "不能完成"
    assert "劳动力人数不能多于实际共同生活人数" in text
    assert record_of(services, household_id) is None
    assert dialog.view.frames["labour_count"].property("state") == "error"
    # The entries stay, and a draft with the error may still be saved.
    assert dialog.view.answers()["labour_count"] == actual + 2
    assert dialog.save(complete=False)
    assert record_of(services, household_id).state == "draft"


def test_warning_accepted_with_a_reason_is_stored(
    qtbot, services, household_id, boxes, monkeypatch
):
    dialog = open_dialog(qtbot, services, household_id)
    answers = dialog.view.answers()
    type_into(qtbot, dialog.view.editor_widget("hukou_count"), str(answers["actual_count"] + 1))
    dialog.view.refresh_problems()
    warnings = [p.field for p in dialog.view.open_warnings()]
    assert "actual_count" in warnings
    asked = []

    def reason(parent, title, label, *args, **kwargs):
        asked.append(label)
        return "长子在外地上学，户口未迁", True

    monkeypatch.setattr(QInputDialog, "getText", reason)
    assert dialog.save(complete=True), boxes["shown"]
    assert any("户籍人数与实际共同生活人数不一致" in a for a in asked)
    record = record_of(services, household_id)
    assert record.state == "complete"
    assert record.accepted_warnings["actual_count"] == "长子在外地上学，户口未迁"
    again = open_dialog(qtbot, services, household_id)
    assert "已完成" in again.state_label.text()
    texts = [again.problem_list.item(i).text() for i in range(again.problem_list.count())]
    assert any("已接受" in t and "长子在外地上学" in t for t in texts)


def test_cancelled_reason_does_not_complete(qtbot, services, household_id, boxes, monkeypatch):
    dialog = open_dialog(qtbot, services, household_id)
    answers = dialog.view.answers()
    type_into(qtbot, dialog.view.editor_widget("hukou_count"), str(answers["actual_count"] + 1))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    assert not dialog.save(complete=True)
    assert record_of(services, household_id) is None


def test_failed_save_keeps_the_entries(qtbot, services, household_id, boxes, monkeypatch):
    dialog = open_dialog(qtbot, services, household_id)
    type_into(qtbot, dialog.view.editor_widget("problems"), "房屋漏雨")

    def broken(*args, **kwargs):
        raise FormError("数据库文件只读")

    monkeypatch.setattr(services.forms, "save", broken)
    assert not dialog.save(complete=False)
    _kind, title, text = boxes["shown"][-1]
    assert title == "未能保存" and "数据库文件只读" in text
    assert dialog.view.answers()["problems"] == "房屋漏雨"
    assert dialog.is_dirty()


def test_closing_with_unsaved_entries_asks(qtbot, services, household_id, boxes):
    dialog = open_dialog(qtbot, services, household_id)
    type_into(qtbot, dialog.view.editor_widget("problems"), "x")
    dialog.write_recovery()
    boxes["answers"].append(QMessageBox.StandardButton.Cancel)
    dialog.close_button.click()
    assert dialog.isVisible()
    assert boxes["shown"][-1][1] == "尚未保存"
    boxes["answers"].append(QMessageBox.StandardButton.Discard)
    dialog.close_button.click()
    assert not dialog.isVisible()
    assert not dialog.recovery.exists()
    assert record_of(services, household_id) is None


def test_closing_with_save_saves_a_draft(qtbot, services, household_id, boxes):
    dialog = open_dialog(qtbot, services, household_id)
    type_into(qtbot, dialog.view.editor_widget("measures"), "危房改造")
    boxes["answers"].append(QMessageBox.StandardButton.Save)
    dialog.close()
    assert not dialog.isVisible()
    assert record_of(services, household_id).answers["measures"] == "危房改造"


def test_recovery_offered_after_a_crash(qtbot, services, household_id, boxes):
    dialog = open_dialog(qtbot, services, household_id)
    type_into(qtbot, dialog.view.editor_widget("problems"), "饮水不安全")
    # The debounced timer writes the copy while the clerk types.
    qtbot.waitUntil(dialog.recovery.exists, timeout=5000)
    assert FormRecovery(services.db_path, household_id, "verification").exists()
    # The power goes: the dialog is never closed properly. Next start, same household.
    dialog._dirty = False
    dialog.hide()

    boxes["answers"].append(QMessageBox.StandardButton.Yes)
    again = open_dialog(qtbot, services, household_id)
    assert again.offer_recovery()
    assert boxes["shown"][-1][1] == "恢复未保存的内容"
    assert again.view.answers()["problems"] == "饮水不安全"
    assert again.is_dirty()
    assert again.save(complete=False)
    assert not again.recovery.exists()


def test_recovery_declined_is_removed(qtbot, services, household_id, boxes):
    FormRecovery(services.db_path, household_id, "verification").write({"problems": "旧内容"})
    boxes["answers"].append(QMessageBox.StandardButton.No)
    dialog = open_dialog(qtbot, services, household_id)
    assert not dialog.offer_recovery()
    assert "problems" not in dialog.view.answers()
    assert not dialog.recovery.exists()


def test_collection_members_and_computed_cells(qtbot, services, household_id, boxes):
    dialog = open_dialog(qtbot, services, household_id, "collection")
    household = services.registry.get_household(household_id)
    rows = dialog.view.answers()["members"]
    assert [r["A1"] for r in rows] == [m.name for m in household.members]
    type_into(qtbot, dialog.view.editor_widget("A39"), "12000")
    type_into(qtbot, dialog.view.editor_widget("A42b"), "600")
    assert dialog.view.editor_widget("A42").text() == "600"
    a52 = dialog.view.editor_widget("A52").text()
    assert float(a52) == pytest.approx(12600 - float(dialog.view.answers().get("A43") or 0))
    assert dialog.view.editor_widget("A53").text() != ""
    assert dialog.save(complete=False)
    again = open_dialog(qtbot, services, household_id, "collection")
    assert again.view.editor_widget("A52").text() == a52


def test_open_returns_version_and_saved(qtbot, services, household_id, boxes, monkeypatch):
    def fake_exec(self):
        type_into(qtbot, self.view.editor_widget("problems"), "无")
        self.save(complete=False)
        return 0

    monkeypatch.setattr(FormDialog, "exec", fake_exec)
    version, saved = FormDialog.run(services, household_id, "verification")
    assert (version, saved) == (1, True)


def test_open_unknown_household_says_why(qtbot, services, boxes):
    assert FormDialog.run(services, 999999, "verification") == (0, False)
    assert boxes["shown"][-1][1] == "无法打开表单"


def test_preview_of_the_form_on_screen(qtbot, services, household_id, boxes, monkeypatch):
    from desktop.views.forms.print_preview import PrintPreviewDialog

    dialog = open_dialog(qtbot, services, household_id, "collection")
    type_into(qtbot, dialog.view.editor_widget("A18b"), "右腿残疾")
    pdf, missing = dialog.render_pdf()
    assert pdf.startswith(b"%PDF") and missing == {}
    shown = {}

    def fake_exec(self):
        shown["pages"] = self.page_count()
        shown["landscape"] = self.is_landscape()
        return 0

    monkeypatch.setattr(PrintPreviewDialog, "exec", fake_exec)
    dialog.preview_button.click()
    assert shown == {"pages": 2, "landscape": False}  # 采集表: two portrait sheets
    shown.clear()
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    QApplication.setActiveWindow(dialog)  # offscreen: shortcuts need an active window
    qtbot.keyClick(
        dialog.view.editor_widget("A18b"), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier
    )
    assert shown == {"pages": 2, "landscape": False}  # Ctrl+P, from inside a cell


def test_preview_warns_about_characters_no_font_has(
    qtbot, services, household_id, boxes, monkeypatch
):
    from desktop.views.forms.print_preview import PrintPreviewDialog

    dialog = open_dialog(qtbot, services, household_id)
    dialog.view.editors["head_name"].set_value("张\U000f0001")  # a private-use character
    monkeypatch.setattr(PrintPreviewDialog, "exec", lambda self: 0)
    dialog.preview_button.click()
    kind, title, text = boxes["shown"][-1]
    assert kind == "warning" and title == "有字符无法打印"
    assert "U+F0001" in text and "户主姓名" in text


def test_a_problem_is_raised_from_the_form_with_the_household_and_the_paper_filled_in(
    qtbot, services, household_id, monkeypatch
):
    import datetime

    from desktop.views.problems import problem_dialog

    opened = []

    def shown(dialog):  # what the clerk sees when the problem dialog opens
        opened.append(dialog)
        return 0

    monkeypatch.setattr(problem_dialog.ProblemDialog, "exec", shown)
    dialog = open_dialog(qtbot, services, household_id)
    dialog.view.editors["problems"].set_value("住房漏雨，未纳入危房改造")
    dialog.view.editors["measures"].set_value("联系住建站上门鉴定")
    dialog.view.editors["checked_on"].set_value(datetime.date(2024, 5, 20))
    dialog.problem_button.click()
    [problem] = opened
    qtbot.addWidget(problem)
    assert problem.household_combo.currentData() == household_id
    assert problem.description_edit.toPlainText() == "住房漏雨，未纳入危房改造"
    assert problem.measures_edit.toPlainText() == "联系住建站上门鉴定"
    assert problem.found_edit.value() == datetime.date(2024, 5, 20)
    assert problem.source_combo.currentText() == "回头看排查"


def test_sign_locks_the_form_and_unlock_needs_a_reason(
    qtbot, services, household_id, monkeypatch, boxes
):
    from PySide6.QtWidgets import QInputDialog

    from desktop.views.forms import form_dialog

    monkeypatch.setattr(form_dialog, "ask_reason", lambda *a, **k: "户主口述，已核实")
    dialog = open_dialog(qtbot, services, household_id)
    if not dialog.save(complete=True):
        pytest.skip(f"the demo household's form does not pass the rules: {boxes['shown']}")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert dialog.sign_button.isEnabled()
    dialog.sign_button.click()
    assert record_of(services, household_id).state == "signed"
    assert not dialog.save_button.isEnabled() and dialog.unlock_button.isEnabled()
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    dialog.unlock_button.click()
    assert warnings and record_of(services, household_id).state == "signed"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("户主更正了务工人数", True))
    dialog.unlock_button.click()
    record = record_of(services, household_id)
    assert record.state != "signed" and record.paper_outdated
    assert dialog.save_button.isEnabled()


def test_a_kept_form_says_the_standard_changed_since(qtbot, services, boxes):
    """A completed form under a changed campaign standard shows what it keeps, on screen."""
    from desktop.models.campaign import Campaign
    from desktop.services.unit_of_work import Database

    with Session(services.engine) as s:
        kept = s.scalar(
            select(FormRecord.household_id).where(
                FormRecord.form_code == "verification", FormRecord.state == "complete"
            )
        )
    dialog = open_dialog(qtbot, services, kept)
    assert dialog.standard_notice.isHidden()  # the standard it keeps is the campaign's
    dialog.close()
    with Database(services.engine).unit_of_work() as s:
        s.scalar(select(Campaign)).income_threshold = 4321.0
    dialog = open_dialog(qtbot, services, kept)
    assert dialog.state_label.text().endswith("已完成</b>（此后标准已改动）")
    assert dialog.standard_notice.isVisible()
    text = dialog.standard_notice.text()
    assert "此后标准已改动（收入标准" in text and "→ 4321）" in text and "未重新计算" in text


@pytest.mark.parametrize("choice", ["back", "theirs", "mine"])
def test_a_form_saved_by_another_clerk_meanwhile_shows_both_and_the_clerk_chooses(
    qtbot, services, household_id, boxes, monkeypatch, choice
):
    dialog = open_dialog(qtbot, services, household_id)
    other = dict(services.forms.open_form(household_id, "verification").answers)
    other.update(public_post_count=2, migrant_count=3)
    services.forms.save(household_id, "verification", other, False, None, "王录入")
    type_into(qtbot, dialog.view.editor_widget("public_post_count"), "1")
    shown = choosing(qtbot, monkeypatch, choice)
    saved = dialog.save(complete=False)
    rows = {row[0]: row for row in shown}
    assert rows["参加公益性岗位人数"][2:5] == ("1", "2", "双方")
    assert rows["外出务工人数"][3:] == ("3", "对方", "3")
    record = record_of(services, household_id)
    if choice == "back":
        assert not saved and dialog.view.answers()["public_post_count"] == 1
        assert record.answers["public_post_count"] == 2
    elif choice == "theirs":
        assert not saved and dialog.view.answers()["public_post_count"] == 2
        assert record.answers["public_post_count"] == 2
    else:
        assert saved and record.answers["public_post_count"] == 1
        assert record.answers["migrant_count"] == 3 and record.updated_by != "王录入"
