"""The 整改看板: the figures on screen equal the service's, with the formula and the edge cases."""

from __future__ import annotations

import datetime

import pytest

from desktop.services.context import AppServices
from desktop.services.problems.rules import RATE_FORMULA, STATUS_CLOSED
from desktop.views.problems.problem_dashboard import ProblemDashboardWidget
from desktop.views.signals import hub
from tests.problem_fixtures import clear_problems, problem


@pytest.fixture
def services(demo_engine):
    return AppServices(engine=demo_engine)


def _widget(qtbot, services):
    widget = ProblemDashboardWidget(services)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    return widget


def test_numbers_match_the_ledger(qtbot, services):
    widget = _widget(qtbot, services)
    today = datetime.date.today()
    rows = services.problems.rows()
    summary = services.problems.rates(today)
    assert widget.rate_card.value_label.text() == summary.overall.rate_text
    assert RATE_FORMULA in widget.formula_label.text()
    closed = sum(r.status == STATUS_CLOSED for r in rows)
    assert widget.cards[STATUS_CLOSED].value_label.text() == str(closed)
    assert f"已销号 {summary.overall.closed} ÷ 应整改 {summary.overall.due}" in (
        widget.rate_detail.text()
    )
    overdue = sum(r.overdue(today) for r in rows)
    assert widget.overdue_table.rowCount() == overdue
    assert widget.cards["逾期"].value_label.text() == str(overdue)
    assert widget.due_table.rowCount() == sum(r.due_soon(today) for r in rows)
    assert widget.area_table.rowCount() == len(summary.by_area)
    assert widget.village_table.rowCount() == len(summary.by_village)
    first = summary.by_unit[0]
    assert widget.unit_table.item(0, 0).text() == first.name
    assert widget.unit_table.item(0, 6).text() == first.rate_text
    assert widget.status_chart.chart().series()[0].count() >= 3
    assert widget.area_chart.chart().series()[0].count() == 1


def test_nothing_due_shows_a_dash_and_reloads_on_change(qtbot, services, demo_engine):
    clear_problems(demo_engine)
    widget = _widget(qtbot, services)
    assert widget.rate_card.value_label.text() == "—"
    today = datetime.date.today()
    services.problems.save(
        problem(services.problems, demo_engine, found_date=today,
                deadline=today + datetime.timedelta(days=3)),
        "刘芳",
    )  # fmt: skip
    hub().problems_changed.emit()
    assert widget.rate_card.value_label.text() == "—"  # not due yet
    assert "尚无到期问题" in widget.rate_detail.text()
    assert widget.due_table.rowCount() == 1
    assert "还有3天" in widget.due_table.item(0, 6).text()
