"""ProblemTableModel without widgets: headers, text, colours, filters and sort."""

from __future__ import annotations

import datetime

from PySide6.QtCore import Qt

from desktop.services.problems.query import STATUS_NOT_CLOSED, ProblemFilter
from desktop.services.problems.rules import SCOPE_VILLAGE, STATUS_AWAITING
from desktop.views.problems.problem_table_model import (
    COL_DAYS_LEFT,
    COL_DEADLINE,
    COL_NUMBER,
    COL_STATUS,
    DUE_SOON_BRUSH,
    HEADERS,
    OVERDUE_BRUSH,
    ROW_ID_ROLE,
    ProblemTableModel,
)
from tests.problem_fixtures import FOUND, problem, service

TODAY = datetime.date(2020, 6, 5)


def _ledger(demo_engine, data_dir):
    ps = service(demo_engine, data_dir)
    late = ps.save(problem(ps, demo_engine), "刘芳")  # due 5-31: overdue on 6-5
    soon = ps.save(problem(ps, demo_engine, deadline=datetime.date(2020, 6, 9)), "刘芳")
    village_id = ps.villages()[1][0]
    far = ps.save(
        problem(ps, demo_engine, scope=SCOPE_VILLAGE, household_id=None, village_id=village_id,
                source="督查组", found_date=datetime.date(2020, 5, 20),
                deadline=datetime.date(2020, 8, 1)),
        "刘芳",
    )  # fmt: skip
    ps.set_status(far, STATUS_AWAITING, "刘芳")
    model = ProblemTableModel(today=TODAY)
    model.set_rows(ps.rows())
    return ps, model, late, soon, far, village_id


def _row(model, problem_id):
    return model.row_of(problem_id)


def test_headers_text_and_colours(qapp, demo_engine, data_dir):
    _ps, model, late, soon, far, _v = _ledger(demo_engine, data_dir)
    assert model.rowCount() == 3
    assert model.headerData(COL_STATUS, Qt.Orientation.Horizontal) == "状态"
    assert HEADERS[COL_NUMBER] == "问题编号"
    r = _row(model, late)
    assert model.data(model.index(r, COL_STATUS)) == "待整改\n（逾期）"  # two lines, whole at 1366
    assert model.data(model.index(r, COL_DAYS_LEFT)) == "逾期\n5天"
    assert model.data(model.index(r, COL_NUMBER), Qt.ItemDataRole.BackgroundRole) == OVERDUE_BRUSH
    r = _row(model, soon)
    assert model.data(model.index(r, COL_DAYS_LEFT)) == "4"
    assert model.data(model.index(r, 0), Qt.ItemDataRole.BackgroundRole) == DUE_SOON_BRUSH
    r = _row(model, far)
    assert model.data(model.index(r, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(r, 0), ROW_ID_ROLE) == far


def test_filters(qapp, demo_engine, data_dir):
    ps, model, late, soon, far, village_id = _ledger(demo_engine, data_dir)

    def ids(**kw):
        model.set_filter(ProblemFilter(**kw))
        return {model.data(model.index(n, 0), ROW_ID_ROLE) for n in range(model.rowCount())}

    assert ids(status="逾期") == {late}
    assert ids(overdue_only=True) == {late}
    assert ids(status=STATUS_AWAITING) == {far}
    assert ids(status=STATUS_NOT_CLOSED) == {late, soon, far}
    assert ids(due_within_days=7) == {soon}
    assert ids(source="督查组") == {far}
    assert ids(village_id=village_id) == {far}
    assert ids(villages=frozenset({village_id, None})) == {far}  # the tree's scope
    assert ids(villages=frozenset()) == set()
    assert ids(area_id=ps.areas()[0][0]) == {late, soon, far}
    assert ids(area_id=ps.areas()[1][0]) == set()
    assert ids(unit_id=ps.unit_id_by_name("扶贫工作站")) == {late, soon, far}
    assert ids(found_from=datetime.date(2020, 5, 10)) == {far}
    assert ids(found_to=FOUND) == {late, soon}
    assert ids(text="2020-002") == {soon}
    assert ids() == {late, soon, far}


def test_sort_and_extension_mark(qapp, demo_engine, data_dir):
    ps, model, late, soon, far, _v = _ledger(demo_engine, data_dir)
    ps.extend(late, datetime.date(2020, 7, 1), "雨季", "刘芳")
    model.set_rows(ps.rows())
    model.sort(COL_DEADLINE, Qt.SortOrder.AscendingOrder)
    order = [model.data(model.index(n, 0), ROW_ID_ROLE) for n in range(3)]
    assert order == [soon, late, far]
    r = _row(model, late)
    assert model.data(model.index(r, COL_DEADLINE)) == "2020-07-01\n（延）"
    tip = model.data(model.index(r, COL_DEADLINE), Qt.ItemDataRole.ToolTipRole)
    assert "原定时限 2020-05-31" in tip
