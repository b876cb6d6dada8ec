"""The 整改台账 widget: filters from the widgets, double-click opens, export of the view."""

from __future__ import annotations

import datetime

import openpyxl
import pytest
from PySide6.QtCore import Qt

from desktop.services.context import AppServices
from desktop.services.problems.rules import OVERDUE, STATUS_CLOSED
from desktop.views.problems import problem_ledger
from desktop.views.problems.problem_ledger import ProblemLedgerWidget, half_month
from desktop.views.signals import hub


@pytest.fixture
def services(demo_engine):
    return AppServices(engine=demo_engine)


def _widget(qtbot, services):
    widget = ProblemLedgerWidget(services)
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    widget.show()
    return widget


def test_filters_change_what_is_shown(qtbot, services):
    widget = _widget(qtbot, services)
    rows = services.problems.rows()
    today = datetime.date.today()
    assert widget.model.rowCount() == len(rows) >= 20
    assert f"共 {len(rows)} 个问题" in widget.count_label.text()
    widget.status_combo.setCurrentIndex(widget.status_combo.findData(OVERDUE))
    overdue = [r for r in rows if r.overdue(today)]
    assert widget.model.rowCount() == len(overdue)
    widget.status_combo.setCurrentIndex(widget.status_combo.findData(STATUS_CLOSED))
    assert widget.model.rowCount() == sum(r.status == STATUS_CLOSED for r in rows)
    widget.clear_button.click()
    assert widget.model.rowCount() == len(rows)
    village = next(r for r in rows if r.village_id)
    widget.village_combo.setCurrentIndex(widget.village_combo.findData(village.village_id))
    assert widget.model.rowCount() == sum(r.village_id == village.village_id for r in rows)
    widget.clear_button.click()
    widget.due_spin.setValue(7)
    assert widget.model.rowCount() == sum(r.due_soon(today, 7) for r in rows)
    widget.clear_button.click()
    widget.found_check.setChecked(True)
    widget.found_from.line_edit.selectAll()
    qtbot.keyClicks(widget.found_from.line_edit, today.strftime("%Y%m%d"))
    qtbot.keyClick(widget.found_from.line_edit, Qt.Key.Key_Return)
    assert widget.model.rowCount() == sum(r.found_date >= today for r in rows)


def test_double_click_opens_the_problem(qtbot, services, monkeypatch):
    opened = []
    monkeypatch.setattr(
        problem_ledger.ProblemDialog, "run", classmethod(lambda cls, s, pid, p: opened.append(pid))
    )
    widget = _widget(qtbot, services)
    index = widget.model.index(2, 0)
    widget.table.doubleClicked.emit(index)
    assert opened == [widget.model.row_at(2).id]


def test_export_writes_the_filtered_view(qtbot, services, tmp_path):
    widget = _widget(qtbot, services)
    widget.status_combo.setCurrentIndex(widget.status_combo.findData(STATUS_CLOSED))
    shown = widget.model.rows()
    path = widget.export_view(tmp_path / "view.xlsx")
    ws = openpyxl.load_workbook(path).active
    numbers = [ws.cell(row=n, column=2).value for n in range(4, 4 + len(shown))]
    assert numbers == [r.number for r in shown]
    assert ws.cell(row=4 + len(shown), column=1).value == "合计"
    report = widget.write_report(*half_month(datetime.date.today()), tmp_path / "半月报.pdf")
    assert report.read_bytes().startswith(b"%PDF")


def test_reloads_when_problems_change(qtbot, services):
    widget = _widget(qtbot, services)
    before = widget.model.rowCount()
    row = services.problems.rows()[0]
    services.problems.delete(
        next(r.id for r in services.problems.rows() if r.status != STATUS_CLOSED), "刘芳"
    )
    hub().problems_changed.emit()
    assert widget.model.rowCount() == before - 1
    assert row is not None


def test_half_month():
    assert half_month(datetime.date(2020, 5, 9)) == (datetime.date(2020, 5, 1),
                                                     datetime.date(2020, 5, 15))  # fmt: skip
    assert half_month(datetime.date(2020, 2, 20)) == (datetime.date(2020, 2, 16),
                                                      datetime.date(2020, 2, 29))  # fmt: skip
