"""Every table copies as Excel expects (TSV with headers); key columns are never cut."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from desktop.services.context import AppServices
from desktop.views.registry.household_table_model import COL_CODE, COLUMNS
from desktop.views.tables import install_table_copier


@pytest.fixture
def copier(qapp):
    """The application-wide Ctrl+C of tables, as installed at start."""
    installed = install_table_copier(qapp)
    QGuiApplication.clipboard().clear()
    yield
    qapp.removeEventFilter(installed)
    installed.deleteLater()


@pytest.fixture
def window(qtbot, demo_engine, tmp_path):
    from desktop.views.main_window import MainWindow

    services = AppServices(demo_engine, db_path=tmp_path / "demo.sqlite3")
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.wait_for_rows()
    return window


def _select_rows(table, rows):
    selection = table.selectionModel()
    for row in rows:
        selection.select(
            table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def test_ctrl_c_copies_selected_households_with_headers(qtbot, copier, window):
    table = window.households_page.table
    table.setFocus()
    _select_rows(table, [0, 1, 2])
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == [header for header, _key in COLUMNS]
    assert len(lines) == 4
    model = table.model()
    for number, line in enumerate(lines[1:]):
        cells = line.split("\t")
        assert len(cells) == len(COLUMNS)
        assert cells[COL_CODE] == model.index(number, COL_CODE).data()


def test_one_cell_copies_as_its_text(qtbot, copier, window):
    table = window.households_page.table
    table.setFocus()
    index = table.model().index(0, COL_CODE)
    table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == index.data()


def test_the_ledger_copies_as_a_block(qtbot, copier, window):
    from desktop.views.problems.problem_table_model import HEADERS

    table = window.problem_ledger.table
    if table.model().rowCount() < 2:
        pytest.skip("the demo has fewer than two problems")
    window.tabs.setCurrentWidget(window.problem_ledger)
    table.setFocus()
    _select_rows(table, [0, 1])
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == list(HEADERS)
    assert len(lines) == 3


def test_a_table_widget_copies_too_and_cells_stay_whole(qtbot, copier):
    table = QTableWidget(2, 2)
    qtbot.addWidget(table)
    table.setHorizontalHeaderLabels(["姓名", "备注"])
    for row, (name, note) in enumerate([("张三", "第一行\n第二行"), ("李四", "含\t制表符")]):
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(note))
    table.show()
    table.selectAll()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert (
        QGuiApplication.clipboard().text()
        == "姓名\t备注\r\n张三\t第一行 第二行\r\n李四\t含 制表符\r\n"
    )


def test_the_household_code_is_never_cut_and_headers_fit(window):
    table = window.households_page.table
    model = table.model()
    metrics = table.fontMetrics()
    longest = max(metrics.horizontalAdvance(model.index(r, COL_CODE).data()) for r in range(50))
    assert table.columnWidth(COL_CODE) >= longest + 12
    header = table.horizontalHeader()
    for column in range(model.columnCount() - 1):  # the last column stretches
        for line in model.headerData(column, Qt.Orientation.Horizontal).splitlines():
            assert table.columnWidth(column) >= header.fontMetrics().horizontalAdvance(line), line
