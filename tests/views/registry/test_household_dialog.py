"""The household dialog: edit, save, keep entries on failure, ask before losing edits."""

from __future__ import annotations

import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from desktop.services.context import AppServices
from desktop.services.registry.idcard import make_id
from desktop.views.registry.household_dialog import (
    COL_ID,
    COL_NAME,
    COL_RELATION,
    COL_SEX,
    HouseholdDialog,
)
from tests.views.conflicts import choosing


@pytest.fixture
def services(demo_engine):
    return AppServices(engine=demo_engine)


@pytest.fixture
def household_id(services):
    return services.registry.household_rows()[0].id


def _dialog(qtbot, services, household_id):
    dialog = HouseholdDialog(services, household_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_edit_phone_and_add_member_saves_to_the_database(qtbot, services, household_id):
    dialog = _dialog(qtbot, services, household_id)
    before = len(dialog.collect().members)
    dialog.phone_edit.clear()
    qtbot.keyClicks(dialog.phone_edit, "13712345678")
    dialog.add_member_button.click()
    row = dialog.members_table.rowCount() - 1
    dialog.members_table.item(row, COL_NAME).setText("新成员")
    dialog.members_table.item(row, COL_RELATION).setText("之子")
    new_id = make_id("430922", datetime.date(2012, 9, 9), 21)
    dialog.members_table.item(row, COL_ID).setText(new_id)
    assert dialog.members_table.item(row, COL_SEX).text() == "男"  # derived from the ID
    assert dialog.is_dirty()
    assert dialog.save()
    saved = services.registry.get_household(household_id)
    assert saved.phone == "13712345678"
    assert len(saved.members) == before + 1
    assert saved.members[-1].birth_date == datetime.date(2012, 9, 9)
    assert not dialog.is_dirty()


def test_failed_save_keeps_entries_and_says_why(qtbot, services, household_id, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    dialog = _dialog(qtbot, services, household_id)
    dialog.phone_edit.setText("13000000000")
    dialog.members_table.item(0, COL_RELATION).setText("配偶")  # now no head
    assert not dialog.save()
    assert "户主" in shown[0]
    assert dialog.phone_edit.text() == "13000000000"
    assert dialog.members_table.item(0, COL_RELATION).text() == "配偶"
    assert services.registry.get_household(household_id).phone != "13000000000"
    problems = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert any("户主应有且只有一人" in p for p in problems)


def test_invalid_id_is_marked_at_the_cell(qtbot, services, household_id):
    dialog = _dialog(qtbot, services, household_id)
    item = dialog.members_table.item(0, COL_ID)
    item.setText(item.text()[:-1] + ("0" if item.text()[-1] != "0" else "1"))
    assert "校验码" in dialog.members_table.item(0, COL_ID).toolTip()


def test_closing_with_unsaved_edits_asks_and_cancel_keeps_the_dialog(
    qtbot, services, household_id, monkeypatch
):
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog = _dialog(qtbot, services, household_id)
    dialog.note_edit.setText("家中新添一口人")
    dialog.close()
    assert asked and "未保存" in asked[0]
    assert dialog.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    dialog.close()
    assert not dialog.isVisible()
    assert services.registry.get_household(household_id).note != "家中新添一口人"


def test_change_head(qtbot, services, household_id, monkeypatch):
    dialog = _dialog(qtbot, services, household_id)
    if dialog.members_table.rowCount() < 2:
        pytest.skip("the first demo household has one member")
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("之父", True))
    dialog.members_table.setCurrentCell(1, COL_NAME)
    dialog.make_head_button.click()
    assert dialog.members_table.item(1, COL_RELATION).text() == "户主"
    assert dialog.members_table.item(0, COL_RELATION).text() == "之父"
    new_head = dialog.members_table.item(1, COL_NAME).text()
    assert dialog.save()
    assert services.registry.get_household(household_id).head_name == new_head
    row = next(r for r in services.registry.household_rows() if r.id == household_id)
    assert row.head_name == new_head


def test_a_clerk_sees_masked_ids_and_saving_keeps_the_real_ones(qtbot, services, household_id):
    from desktop.services.actor import CurrentUser

    real = services.registry.get_household(household_id).members[0].id_number
    services.user = CurrentUser(name="录入员甲", role="clerk")
    dialog = _dialog(qtbot, services, household_id)
    shown = dialog.members_table.item(0, COL_ID).text()
    if shown == real:
        pytest.skip("clerks may see full ID numbers under the current policy")
    assert "*" in shown and shown.startswith(real[:6]) and shown.endswith(real[-4:])
    dialog.phone_edit.setText("13911112222")
    assert dialog.save()
    assert services.registry.get_household(household_id).members[0].id_number == real


def test_a_new_household_starts_without_red_errors_and_with_a_suggested_code(qtbot, services):
    from desktop.views.registry.household_dialog import HouseholdDialog

    village = services.registry.village_summaries()[0]
    codes = [r.code for r in services.registry.household_rows() if r.village_id == village.id]
    dialog = HouseholdDialog(services, None, village.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.code_edit.text() == str(int(max(codes)) + 1).zfill(len(max(codes)))
    shown = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert not any(text.startswith("错误") for text in shown), shown
    assert not dialog.has_unsaved_changes()  # a suggestion is not an edit
    dialog.note_edit.setText("新分户")
    shown = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert any(text.startswith("错误") for text in shown)  # now the checks speak


def test_undo_in_the_members_grid_puts_back_a_cell_a_row_added_and_a_row_removed(
    qtbot, services, household_id, monkeypatch
):
    dialog = _dialog(qtbot, services, household_id)
    original = dialog.collect().members
    assert not dialog.undo_member_button.isEnabled()
    name = dialog.members_table.item(0, COL_NAME)
    name.setText("改错的名字")
    dialog.add_member_button.click()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.members_table.setCurrentCell(0, COL_NAME)
    dialog.remove_member_button.click()
    assert len(dialog.collect().members) == len(original)  # one added, one removed
    dialog.undo_member_button.click()  # the removed row comes back
    assert dialog.members_table.item(0, COL_NAME).text() == "改错的名字"
    assert len(dialog.collect().members) == len(original) + 1
    dialog.undo_member_button.click()  # the added row goes
    assert len(dialog.collect().members) == len(original)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    QApplication.setActiveWindow(dialog)
    dialog.members_table.setFocus()
    qtbot.keyClick(dialog.members_table, "z", modifier=Qt.KeyboardModifier.ControlModifier)
    assert dialog.collect().members == original and not dialog.is_dirty()
    assert not dialog.undo_member_button.isEnabled()


def test_a_son_who_is_a_woman_is_questioned_with_the_reason(qtbot, services, household_id):
    dialog = _dialog(qtbot, services, household_id)
    dialog.add_member_button.click()
    row = dialog.members_table.rowCount() - 1
    dialog.members_table.item(row, COL_NAME).setText("新成员")
    dialog.members_table.item(row, COL_RELATION).setText("之子")
    dialog.members_table.item(row, COL_ID).setText(make_id("430922", datetime.date(2012, 9, 9), 22))
    assert dialog.members_table.item(row, COL_SEX).text() == "女"
    texts = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    message = f"提示：第{row + 1}名成员：与户主关系为“之子”，性别却是“女”，请核对关系或性别"
    assert message in texts
    assert dialog.members_table.item(row, COL_RELATION).toolTip() == message.removeprefix("提示：")
    dialog.members_table.item(row, COL_RELATION).setText("之女")
    texts = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert not any("之子" in t for t in texts)


def _saved_meanwhile(services, household_id, **values):
    """Another clerk saves the household while the dialog is open."""
    other = services.registry.get_household(household_id)
    for key, value in values.items():
        setattr(other, key, value)
    services.registry.save_household(other)


@pytest.mark.parametrize("choice", ["back", "theirs", "mine"])
def test_a_household_saved_by_another_clerk_meanwhile_shows_both_and_the_clerk_chooses(
    qtbot, services, household_id, monkeypatch, choice
):
    dialog = _dialog(qtbot, services, household_id)
    _saved_meanwhile(services, household_id, phone="13900000001", bank_name="农村信用社")
    dialog.phone_edit.setText("13700000002")
    shown = choosing(qtbot, monkeypatch, choice)
    saved = dialog.save()
    header = ("联系电话", shown[0][1], "13700000002", "13900000001", "双方", "13700000002")
    assert header in shown
    [bank] = [row for row in shown if row[0] == "开户银行"]
    assert bank[1] == bank[2] and bank[3:] == ("农村信用社", "对方", "农村信用社")
    stored = services.registry.get_household(household_id)
    if choice == "back":  # nothing saved, every entry still on screen
        assert not saved and dialog.phone_edit.text() == "13700000002"
        assert stored.phone == "13900000001"
    elif choice == "theirs":  # the saved household on screen, nothing written
        assert not saved and dialog.phone_edit.text() == "13900000001"
        assert dialog.bank_name_edit.text() == "农村信用社" and not dialog.is_dirty()
        assert stored.phone == "13900000001"
    else:  # the clerk's phone over the other's, the other's bank kept
        assert saved and stored.phone == "13700000002" and stored.bank_name == "农村信用社"
        assert dialog.bank_name_edit.text() == "农村信用社" and not dialog.is_dirty()
