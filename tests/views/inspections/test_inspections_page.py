"""The 督查 tab: rounds with the 整改函 clock (red when late), the sample and its changes,
findings entered into the ledger, follow-up, 整改率 — as the user sees them."""

from __future__ import annotations

import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop.services.context import AppServices
from desktop.views.inspections.dialogs import (
    FindingDialog,
    RoundDialog,
    SampleChangeDialog,
)
from desktop.views.inspections.inspections_page import InspectionsPage
from desktop.views.inspections.table_models import (
    COL_ROUND_CLOCK,
    LATE_BRUSH,
    RoundTableModel,
)


@pytest.fixture
def services(demo_engine):
    return AppServices(engine=demo_engine)


@pytest.fixture(autouse=True)
def quiet_boxes(monkeypatch):
    """Message boxes answer at once and are remembered."""
    said = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, _n=name: said.append((_n, a[2])))
    return said


def _page(qtbot, services) -> InspectionsPage:
    page = InspectionsPage(services)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def _save(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_the_rounds_list_shows_the_clock_red_when_late(qtbot, services):
    page = _page(qtbot, services)
    model = page.rounds_model
    rows = model.rows()
    assert model.rowCount() == 6
    late = next(n for n, r in enumerate(rows) if r.clock.late and r.clock.sent_on is None)
    cell = model.index(late, COL_ROUND_CLOCK)
    assert model.data(cell).startswith("逾期")
    assert model.data(cell, Qt.ItemDataRole.ForegroundRole) == LATE_BRUSH
    waiting = next(n for n, r in enumerate(rows) if not r.clock.late and r.clock.sent_on is None)
    cell = model.index(waiting, COL_ROUND_CLOCK)
    assert model.data(cell).startswith(("还剩", "今天到期"))
    assert model.data(cell, Qt.ItemDataRole.ForegroundRole) is None


def test_selecting_a_round_shows_its_sample_findings_and_follow_up(qtbot, services):
    page = _page(qtbot, services)
    with_findings = next(n for n, r in enumerate(page.rounds_model.rows()) if r.findings)
    page.rounds_view.selectRow(with_findings)
    row = page.rounds_model.row_at(with_findings)
    assert page.sample_model.rowCount() == len(services.inspections.sample(row.id)) > 0
    assert "随机种子" in page.sample_label.text()
    assert page.findings_model.rowCount() == row.findings
    assert page.follow_label.text().startswith(f"{row.number}：共 {row.findings} 个问题")
    assert page.rate_models["县区"].rowCount() >= 1


def test_a_round_is_created_and_a_refused_one_keeps_the_entries(qtbot, services, quiet_boxes):
    dialog = RoundDialog(services, None)
    qtbot.addWidget(dialog)
    third = dialog.group_combo.findText("第三组", Qt.MatchFlag.MatchStartsWith)
    dialog.group_combo.setCurrentIndex(third)
    assert dialog.county_combo.findText("桃江县") >= 0
    dialog.county_combo.setCurrentText("桃江县")
    assert dialog.liaison_label.text() == "罗志明"
    dialog.start_edit.set_value(datetime.date(2026, 12, 10))
    dialog.end_edit.set_value(datetime.date(2026, 12, 9))
    _save(dialog)
    assert "不能早于开始日期" in dialog.message.text()
    assert dialog.start_edit.value() == datetime.date(2026, 12, 10)  # kept
    dialog.end_edit.set_value(datetime.date(2026, 12, 11))
    _save(dialog)
    round_id = dialog.value
    assert services.inspections.round_row(round_id).dates_text == "2026-12-10 至 12-11"


def test_a_sample_change_needs_a_reason(qtbot, services, quiet_boxes):
    round_row = services.inspections.rounds()[0]
    entry = next(e for e in services.inspections.sample(round_row.id) if e.is_household)
    dialog = SampleChangeDialog(services, entry)
    qtbot.addWidget(dialog)
    assert dialog.choice_combo.count() > 1
    dialog.choice_combo.setCurrentIndex(
        next(i for i in range(dialog.choice_combo.count())
             if dialog.choice_combo.itemData(i) != entry.household_id)
    )  # fmt: skip
    _save(dialog)
    assert dialog.message.text() == "调整抽查对象必须说明原因"
    dialog.reason_edit.setPlainText("户主外出务工，家中无人")
    _save(dialog)
    entries = services.inspections.sample(round_row.id)
    dropped = next(e for e in entries if e.id == entry.id)
    assert dropped.dropped and dropped.reason == "户主外出务工，家中无人"


def test_a_finding_entered_on_screen_lands_in_the_ledger(qtbot, services):
    row = next(r for r in services.inspections.rounds() if r.clock.sent_on is None)
    dialog = FindingDialog(services, row.id)
    qtbot.addWidget(dialog)
    assert dialog.target_combo.count() > 0
    assert dialog.method_label.text().startswith("1、查阅党委（组）会议记录")
    dialog.category_combo.setCurrentIndex(3)
    dialog.description_edit.setPlainText("帮扶措施与致贫原因不对应")
    dialog.measures_edit.setPlainText("重新制定帮扶措施")
    dialog.person_edit.setText("王支书")
    dialog.found_edit.set_value(row.end_date)
    before = services.problems.count()
    _save(dialog)
    assert dialog.message.text() == ""
    assert services.problems.count() == before + 1
    problem = services.problems.rows_by_ids([dialog.value])[0]
    assert (problem.source, problem.description) == ("督查组", "帮扶措施与致贫原因不对应")
    assert services.inspections.findings(row.id)[-1].category_name == "帮扶措施落实情况"


def test_round_table_model_without_widgets(services):
    model = RoundTableModel()
    model.set_rows(services.inspections.rounds())
    assert model.columnCount() == 9 and model.headerData(6, Qt.Orientation.Horizontal) == (
        "整改函（3天内）"
    )


def test_the_archive_button_builds_the_quarter_off_the_gui_thread(
    qtbot, services, quiet_boxes, monkeypatch, tmp_path, _demo_template
):
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    from desktop.services.inspections.archive import check_archive
    from desktop.services.problems.service import ProblemService

    # The demo's evidence files sit next to its template database.
    services.problems = ProblemService(services.db, _demo_template.parent / "data")
    services.inspections.problems = services.problems
    page = _page(qtbot, services)
    oldest = min(page.rounds_model.rows(), key=lambda r: r.start_date)
    quarter = f"{oldest.start_date.year}Q{(oldest.start_date.month - 1) // 3 + 1}"
    out = tmp_path / "档案.zip"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (quarter, True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    page.buttons["archive"].click()
    qtbot.waitUntil(lambda: any("督查档案" in text for _kind, text in quiet_boxes), timeout=60000)
    kind, text = quiet_boxes[-1]
    assert kind == "information" and text.startswith(f"已生成 {quarter} 督查档案")
    assert check_archive(out).ok


def test_a_village_added_on_screen_needs_a_reason(qtbot, services):
    from desktop.views.inspections.dialogs import AddVillageDialog

    round_row = services.inspections.rounds()[0]
    before = len(services.inspections.sample(round_row.id))
    dialog = AddVillageDialog(services, round_row.id)
    qtbot.addWidget(dialog)
    assert dialog.village_combo.count() > 0
    _save(dialog)
    assert dialog.message.text() == "增加抽查村必须说明原因"
    dialog.reason_edit.setPlainText("群众反映问题较多")
    _save(dialog)
    after = services.inspections.sample(round_row.id)
    assert len(after) > before and after[before].reason == "群众反映问题较多"


def test_the_units_show_whole_beside_the_tree_on_the_laptop(qtbot, services):
    # Under Xvfb at 1366×768 the rounds list cut 被督查单位 to 桃花江镇人…: the page beside the
    # tree is about 1,110 px wide. Rows take two lines: 督查组 / 组长, 回头看 / （which round）.
    from PySide6.QtCore import QRect

    from desktop.views.inspections.table_models import COL_ROUND_UNITS
    from desktop.views.tables import TEXT_MARGIN_PX

    page = _page(qtbot, services)
    page.resize(1110, 700)
    qtbot.waitUntil(lambda: page.rounds_view.viewport().width() < 1110)
    view, model = page.rounds_view, page.rounds_model
    assert view.horizontalScrollBar().maximum() == 0
    assert view.wordWrap()
    height = view.verticalHeader().defaultSectionSize()
    metrics = view.fontMetrics()
    room = view.columnWidth(COL_ROUND_UNITS) - 2 * TEXT_MARGIN_PX
    for row in range(model.rowCount()):
        text = model.index(row, COL_ROUND_UNITS).data()
        box = metrics.boundingRect(QRect(0, 0, room, 1000), Qt.TextFlag.TextWordWrap, text)
        assert box.height() <= height, (text, room, box.height(), height)
