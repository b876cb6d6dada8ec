"""The households tab on a 1366×768 laptop: every column, 核查表 included, without scrolling."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QRect, Qt

from desktop.services.context import AppServices
from desktop.views import window_fit
from desktop.views.registry.household_table_model import (
    COL_CODE,
    COL_FLAGS,
    COL_FORM_STATE,
    COL_KIND,
    COLUMNS,
)
from desktop.views.startup import apply_style
from desktop.views.window_fit import install_screen_fitter

LAPTOP = QRect(0, 0, 1366, 728)  # 1366×768 less a 40-pixel taskbar


@pytest.fixture
def laptop_window(qtbot, qapp, demo_engine, tmp_path, monkeypatch):
    """The main window as it opens on the laptop, under the app's style sheet."""
    from desktop.views.main_window import MainWindow

    monkeypatch.setattr(window_fit, "available_rect", lambda *_args: QRect(LAPTOP))
    before = qapp.styleSheet()
    apply_style(qapp)
    fitter = install_screen_fitter(qapp)
    window = MainWindow(AppServices(demo_engine, db_path=tmp_path / "demo.sqlite3"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    qapp.removeEventFilter(fitter)
    qapp.setStyleSheet(before)


def test_the_form_state_column_is_in_view_at_1366(laptop_window, qtbot):
    window = laptop_window
    assert window.frameGeometry().width() <= LAPTOP.width()
    page = window.households_page
    window.tabs.setCurrentWidget(page)
    table = page.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    header = table.horizontalHeader()
    right = header.sectionViewportPosition(COL_FORM_STATE) + header.sectionSize(COL_FORM_STATE)
    # Windows' fonts run up to 15 % wider than this machine's: leave that much room elsewhere.
    slack = 1.0 if sys.platform == "win32" else 1.15
    assert right * slack <= table.viewport().width(), (right, table.viewport().width())
    assert table.horizontalScrollBar().maximum() == 0  # no sideways scrolling at all
    # and nothing is bought by cutting what tells households apart
    metrics = table.fontMetrics()
    longest = max(
        metrics.horizontalAdvance(table.model().index(r, COL_CODE).data()) for r in range(50)
    )
    assert table.columnWidth(COL_CODE) >= longest + 12
    for column in range(len(COLUMNS)):
        for line in table.model().headerData(column, Qt.Orientation.Horizontal).splitlines():
            assert table.columnWidth(column) >= header.fontMetrics().horizontalAdvance(line), line


def test_an_elided_text_is_whole_in_its_tooltip(laptop_window):
    model = laptop_window.households_page.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).flags)
    for column in (COL_KIND, COL_FLAGS):
        index = model.index(row, column)
        assert index.data(Qt.ItemDataRole.ToolTipRole) == index.data()
    title = model.headerData(COL_KIND, Qt.Orientation.Horizontal)
    assert title == "贫困户属性/\n特殊群体"  # drawn on two lines
    assert model.headerData(COL_KIND, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "贫困户属性/特殊群体"
    )


@pytest.mark.parametrize("key", [Qt.Key.Key_Down, Qt.Key.Key_Return])
def test_from_the_search_box_to_the_household_by_keyboard(laptop_window, qtbot, key):
    # Under Xvfb: Ctrl+F, a name, ↓ left the focus in the box and no row chosen, so Ctrl+E and
    # Enter did nothing; a clerk searches, steps down to the row and opens it with Enter.
    page = laptop_window.households_page
    page.household_activated.disconnect()  # the window would open the dialog modally
    laptop_window.tabs.setCurrentWidget(page)
    page.search_edit.setFocus()
    name = page.model.row_at(3).head_name
    page.search_edit.setText(name)
    qtbot.keyClick(page.search_edit, key)
    assert page.table.hasFocus()
    assert page.current_id() == page.model.row_at(0).id
    assert page.model.row_at(0).head_name == name
    with qtbot.waitSignal(page.household_activated) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [page.model.row_at(0).id]
