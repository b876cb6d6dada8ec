"""The 调查问卷 tab: progress by village and pair, a pair's list by day, the review steps, and a
questionnaire under review or passed opening read-only (from the tab and from the form screen)."""

from __future__ import annotations

import datetime

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QInputDialog, QMessageBox

from desktop.services.context import AppServices
from desktop.views.forms.form_dialog import FormDialog
from desktop.views.questionnaires.questionnaires_page import QuestionnairesPage
from tests.team_fixtures import CLERK, DAY, REVIEWER, build, enter


@pytest.fixture
def town(engine):
    town = build(engine)
    team = town.teams.create_team(town.villages["花园村"])
    town.pair = town.teams.add_pair(team, town.reviewers["付县干"], town.reviewers["桃源干部"])
    garden = town.households["花园村"]
    town.teams.assign(town.pair, garden[:3], DAY)
    town.teams.assign(town.pair, garden[3:5], DAY + datetime.timedelta(days=1))
    for hid in garden[:3]:
        enter(town, hid)
    return town


@pytest.fixture
def services(town):
    return AppServices(town.db.engine, user=REVIEWER)


@pytest.fixture
def page(qtbot, services):
    page = QuestionnairesPage(services)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def _cells(model, row: int) -> list[str]:
    return [model.index(row, c).data() for c in range(model.columnCount())]


def _takes_keys(widget) -> bool:
    """True when a clerk could type into the widget."""
    if widget is None or not widget.isEnabled():
        return False
    return not (hasattr(widget, "isReadOnly") and widget.isReadOnly())


def _select(page, household_id):
    assert page.select_household(household_id)


def test_progress_by_village_then_by_pair(page):
    model = page.progress_model
    assert _cells(model, 0) == ["花园村", "5", "3", "0", "0", "0"]
    assert _cells(model, model.rowCount() - 1)[0] == "合计"
    page.by_combo.setCurrentIndex(page.by_combo.findText("按小组"))
    assert _cells(model, 0) == ["花园村第1小组（付县干、桃源干部）", "5", "3", "0", "0", "0"]


def test_a_pairs_list_by_day(page, town):
    assert page.pair_combo.currentText() == "花园村第1小组（付县干、桃源干部）"
    assert "付县干（县扶贫办，县直干部）" in page.pair_info.text()
    assert "桃源干部（桃源村委，桃源村）" in page.pair_info.text()
    days = [page.day_combo.itemText(i) for i in range(page.day_combo.count())]
    assert days == ["全部日期", "04月13日（3户）", "04月14日（2户）"]
    assert page.assignment_model.rowCount() == 5
    page.day_combo.setCurrentIndex(2)
    shown = [page.assignment_model.row_at(r).household_id for r in range(2)]
    assert page.assignment_model.rowCount() == 2 and shown == town.households["花园村"][3:5]
    assert _cells(page.assignment_model, 0)[:7] == [
        "04-14",
        "花园村",
        "",
        "43090" + "0003",
        "花户主3",
        "附件2 非建档立卡户",
        "已分配",
    ]


def test_submit_pass_and_return_from_the_tab(page, town, monkeypatch):
    first, second = town.households["花园村"][:2]
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("付县干", True))
    _select(page, first)
    assert page.submit_button.isEnabled() and not page.pass_button.isEnabled()
    page.submit_button.click()
    assert page.current_row().state_label == "审核中"
    assert page.current_row().signed_by == "付县干"
    assert page.pass_button.isEnabled() and not page.submit_button.isEnabled()
    page.pass_button.click()
    assert page.current_row().state_label == "已通过"

    _select(page, second)
    page.submit_button.click()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("第9题与实际不符", True))
    page.return_button.click()
    row = page.current_row()
    assert (row.state_label, row.return_reason) == ("已退回", "第9题与实际不符")
    assert _cells(page.progress_model, 0) == ["花园村", "5", "3", "0", "1", "1"]


def test_a_refused_step_says_why_and_changes_nothing(page, town, monkeypatch):
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: said.append(text))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("付县干", True))
    not_entered = town.households["花园村"][3]
    _select(page, not_entered)
    page.submit_button.click()
    assert said == ["问卷还未录入，不能提交审核"]
    assert page.current_row().state_label == "已分配"


def test_a_clerk_may_not_pass(qtbot, town, monkeypatch):
    page = QuestionnairesPage(AppServices(town.db.engine, user=CLERK))
    qtbot.addWidget(page)
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: said.append(text))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("桃源干部", True))
    _select(page, town.households["花园村"][0])
    page.submit_button.click()
    page.pass_button.click()
    assert "无权审核调查问卷" in said[0]
    assert page.current_row().state_label == "审核中"


@pytest.mark.parametrize("passed", [False, True])
def test_under_review_or_passed_opens_read_only(qtbot, services, town, passed, monkeypatch):
    hid = town.households["花园村"][0]
    row = town.teams.assignments()[0]
    town.teams.submit(row.id, CLERK)
    if passed:
        town.teams.pass_review(row.id, REVIEWER)
    # The household's form screen opens the same dialog (MainWindow._open_form).
    dialog = FormDialog(services, hid, row.form_code)
    qtbot.addWidget(dialog)
    assert dialog.read_only
    assert not dialog.save_button.isEnabled() and not dialog.complete_button.isEnabled()
    assert ("已审核通过" if passed else "已提交审核") in dialog.state_label.text()
    assert not any(_takes_keys(e.focus_widget()) for e in dialog.view.editors.values())
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text: said.append(text))
    assert dialog.save(complete=False) is False
    assert said and ("已审核通过" if passed else "已提交审核") in said[0]


def test_a_returned_questionnaire_opens_for_correction(qtbot, services, town):
    hid = town.households["花园村"][0]
    row = town.teams.assignments()[0]
    town.teams.submit(row.id, CLERK)
    town.teams.return_review(row.id, "第2题请再核实", REVIEWER)
    dialog = FormDialog(services, hid, row.form_code)
    qtbot.addWidget(dialog)
    assert not dialog.read_only
    assert dialog.save_button.isEnabled()
    assert any(_takes_keys(e.focus_widget()) for e in dialog.view.editors.values())


def test_the_daily_list_prints_from_the_tab(page, tmp_path):
    page.day_combo.setCurrentIndex(1)
    assert page.print_button.isEnabled()
    out = tmp_path / "list.pdf"
    assert page.print_daily_list(page.pair_combo.currentData(), DAY, out)
    text = PdfReader(out).pages[0].extract_text()
    assert "花户主0" in text and "花户主2" in text and "花户主3" not in text


def test_a_long_line_of_error_rates_wraps_instead_of_widening_the_tab(page):
    """Ten clerks' rates (the demo has as many) stay inside a 1366-pixel window."""
    page.rates_label.setText(
        "二次录入差错率：" + "；".join(f"录入员{n} 4/251（1.6%）" for n in range(10))
    )
    assert page.minimumSizeHint().width() < 1366
