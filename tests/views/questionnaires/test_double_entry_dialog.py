"""Double entry on screen: keyed blind, the differences listed, one value kept per difference."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.forms.service import FormService
from desktop.views.questionnaires.double_entry_dialog import ResolveDialog, SecondEntryDialog
from desktop.views.questionnaires.questionnaires_page import QuestionnairesPage
from tests.engine.test_questions import REGISTERED, _complete
from tests.team_fixtures import CLERK, DAY, build

SECOND = CurrentUser("录入员丙", "clerk")


@pytest.fixture
def town(engine):
    town = build(engine)
    town.hid = town.households["花园村"][0]
    town.answers = _complete(REGISTERED)
    FormService(town.db).save(town.hid, REGISTERED, town.answers, complete=True, user=CLERK)
    return town


def test_the_second_clerk_sees_only_the_header(qtbot, town):
    dialog = SecondEntryDialog(AppServices(town.db.engine, user=SECOND), town.hid, REGISTERED)
    qtbot.addWidget(dialog)
    shown = dialog.view.answers()
    assert shown.get("head_id_number") == town.answers["head_id_number"]  # the header as entered
    assert not any(k.startswith("Q") for k, v in shown.items() if v not in (None, "", []))


def test_keyed_again_then_resolved(qtbot, town, monkeypatch):
    services = AppServices(town.db.engine, user=SECOND)
    dialog = SecondEntryDialog(services, town.hid, REGISTERED)
    qtbot.addWidget(dialog)
    dialog.view.set_answers(town.answers | {"Q2": "否"})
    assert dialog.save()
    assert [(d.question, d.first, d.second) for d in dialog.differences] == [("第2题", "是", "否")]

    resolve = ResolveDialog(services, town.hid, REGISTERED)
    qtbot.addWidget(resolve)
    assert resolve.table.rowCount() == 1
    cells = [resolve.table.item(0, c).text() for c in range(4)]
    assert (cells[0], cells[2], cells[3]) == ("第2题", "是", "否")
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    assert not resolve.save()  # nothing picked yet
    assert "还有差异未处理：第2题" in said[0]
    resolve.pick("Q2", "second")
    assert resolve.save()
    assert FormService(town.db).open_form(town.hid, REGISTERED).answers["Q2"] == "否"

    page = QuestionnairesPage(services)
    qtbot.addWidget(page)
    assert "录入员甲 1/" in page.rates_label.text() and "录入员丙 0/" in page.rates_label.text()


def test_a_kept_skip_answer_resolves_what_it_skips_on_screen(qtbot, town):
    """4—1 and 4—2 follow 第4题: only 第4题 is picked, and keeping 否 clears them."""
    services = AppServices(town.db.engine, user=SECOND)
    dialog = SecondEntryDialog(services, town.hid, REGISTERED)
    qtbot.addWidget(dialog)
    dialog.view.set_answers(town.answers | {"Q4": "否"})  # 4—1, 4—2 disabled: not saved
    assert dialog.save()
    resolve = ResolveDialog(services, town.hid, REGISTERED)
    qtbot.addWidget(resolve)
    shown = [resolve.choices[f].currentText() for f in ("Q4", "Q4_1", "Q4_2")]
    assert shown == ["请选择", "随第4题（跳过则清空）", "随第4题（跳过则清空）"]
    resolve.pick("Q4", "second")
    assert resolve.save()
    assert resolve.resolution.notice == "第4题填“②否”，跳过：第4—1题、第4—2题的答案已清空"
    stored = FormService(town.db).open_form(town.hid, REGISTERED).answers
    assert stored["Q4"] == "否" and "Q4_1" not in stored and "Q4_2" not in stored


def test_the_first_clerk_may_not_key_it_again(qtbot, town, monkeypatch):
    dialog = SecondEntryDialog(AppServices(town.db.engine, user=CLERK), town.hid, REGISTERED)
    qtbot.addWidget(dialog)
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    dialog.view.set_answers(town.answers)
    assert not dialog.save()
    assert "另一名录入员" in said[0]


def test_the_tab_offers_double_entry_for_entered_questionnaires(qtbot, town):
    pair = town.teams.add_pair(
        town.teams.create_team(town.villages["花园村"]),
        town.reviewers["付县干"],
        town.reviewers["桃源干部"],
    )
    town.teams.assign(pair, town.households["花园村"][:2], DAY)
    page = QuestionnairesPage(AppServices(town.db.engine, user=SECOND))
    qtbot.addWidget(page)
    page.select_household(town.hid)
    assert page.verify_button.isEnabled()
    page.select_household(town.households["花园村"][1])
    assert not page.verify_button.isEnabled()
    assert "尚无核对完的二次录入" in page.rates_label.text()
