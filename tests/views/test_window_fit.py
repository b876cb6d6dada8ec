"""Every window fits a 1366×768 laptop and scrolls inside; one key per action; keys on buttons."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QPushButton

from desktop.services.context import AppServices
from desktop.views import window_fit
from desktop.views.window_fit import fitted_geometry, install_screen_fitter

LAPTOP = QRect(0, 0, 1366, 728)  # 1366×768 less a 40-pixel taskbar


def test_a_tall_window_is_shrunk_and_moved_inside():
    client = QRect(100, 50, 1280, 800)
    fitted = fitted_geometry(client, client, LAPTOP)
    assert fitted.height() == 728 - 32 - 8 and fitted.width() == 1280
    assert fitted.top() - 32 >= 0 and fitted.bottom() + 8 <= LAPTOP.bottom()
    assert fitted.right() + 8 <= LAPTOP.right()


def test_a_window_that_fits_keeps_its_size():
    client = QRect(200, 100, 600, 400)
    frame = client.adjusted(-8, -32, 8, 8)
    assert fitted_geometry(client, frame, LAPTOP) == client


@pytest.fixture
def laptop(qapp, monkeypatch):
    """A 1366×768 screen, with the fitter installed as at start."""
    monkeypatch.setattr(window_fit, "available_rect", lambda *_args: QRect(LAPTOP))
    fitter = install_screen_fitter(qapp)
    yield
    qapp.removeEventFilter(fitter)
    fitter.deleteLater()


@pytest.fixture
def services(demo_engine, tmp_path):
    return AppServices(demo_engine, db_path=tmp_path / "demo.sqlite3")


def _household_id(services):
    return next(r.id for r in services.registry.household_rows() if r.member_count >= 3)


def _windows(services):
    from desktop.views.forms.form_dialog import FormDialog
    from desktop.views.forms.print_preview import PrintPreviewDialog
    from desktop.views.main_window import MainWindow
    from desktop.views.problems.problem_dialog import ProblemDialog
    from desktop.views.registry.household_dialog import HouseholdDialog
    from desktop.views.safety.backup_dialog import BackupDialog
    from desktop.views.safety.users_dialog import UsersDialog
    from tests.views.forms.test_print_preview import make_pdf

    household = _household_id(services)
    return {
        "主窗口": lambda: MainWindow(services),
        "入户核查表": lambda: FormDialog(services, household, "verification"),
        "农户信息采集表": lambda: FormDialog(services, household, "collection"),
        "户": lambda: HouseholdDialog(services, household),
        "问题": lambda: ProblemDialog(services, None, household_id=household),
        "打印预览": lambda: PrintPreviewDialog(make_pdf(2), "核查表"),
        "备份": lambda: BackupDialog(services),
        "用户": lambda: UsersDialog(services),
    }


@pytest.mark.parametrize(
    "name", ["主窗口", "入户核查表", "农户信息采集表", "户", "问题", "打印预览", "备份", "用户"]
)
def test_every_window_fits_the_laptop_screen(qtbot, laptop, services, monkeypatch, name):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    window = _windows(services)[name]()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # Room for the content inside a Windows title bar and borders: it must be able to shrink.
    room = LAPTOP.adjusted(8, 32, -8, -8)
    # Windows' fonts run up to 15 % wider than this machine's (the main window needed 1358 px
    # there when it needed 1176 here): on other systems leave that much room.
    slack = 1.0 if sys.platform == "win32" else 1.15
    assert window.minimumSizeHint().height() <= room.height(), "content cannot shrink: scroll"
    assert window.minimumSizeHint().width() * slack <= room.width()
    assert LAPTOP.contains(window.frameGeometry()), window.frameGeometry()
    # What the clerk presses is on screen: every visible button lies inside the window.
    for button in window.findChildren(QPushButton):
        if button.isVisibleTo(window):
            top_left = button.mapTo(window, button.rect().topLeft())
            bottom_right = button.mapTo(window, button.rect().bottomRight())
            assert window.rect().contains(top_left) and window.rect().contains(bottom_right), (
                button.text()
            )


def _bound_keys(window) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys.setdefault(sequence.toString(), []).append(action.text())
    for shortcut in window.findChildren(QShortcut):
        keys.setdefault(shortcut.key().toString(), []).append(shortcut.objectName() or "快捷键")
    keys.pop("", None)
    return keys


def test_one_action_per_key_in_the_main_window(qtbot, services):
    from desktop.views.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    clashes = {key: names for key, names in _bound_keys(window).items() if len(names) > 1}
    assert not clashes, clashes


def test_f5_refreshes(qtbot, services):
    from desktop.views.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    QApplication.setActiveWindow(window)
    with qtbot.waitSignal(window.action_reload.triggered, timeout=1000):
        qtbot.keyClick(window.households_page.table, Qt.Key.Key_F5)


@pytest.mark.parametrize("code", ["verification", "collection"])
def test_form_buttons_show_their_keys_and_the_keys_press_them(qtbot, services, code):
    from desktop.views.forms.form_dialog import FormDialog

    dialog = FormDialog(services, _household_id(services), code)
    qtbot.addWidget(dialog)
    assert "Ctrl+S" in dialog.save_button.text()
    assert "Ctrl+Enter" in dialog.complete_button.text()
    keys = _bound_keys(dialog)
    assert QKeySequence(QKeySequence.StandardKey.Save).toString() in keys
    assert "Ctrl+Return" in keys


# --- the main window's place and size, remembered between runs ----------------------------

FULL_HD = QRect(0, 0, 1920, 1040)


def test_the_first_start_fills_a_laptop_and_centres_on_a_large_screen():
    from PySide6.QtCore import QSize

    from desktop.views.window_fit import opening_geometry

    default = QSize(1280, 800)
    on_laptop = opening_geometry(None, LAPTOP, default)
    assert on_laptop == LAPTOP.adjusted(8, 32, -8, -8)  # every pixel, frame inside the screen
    on_large = opening_geometry(None, FULL_HD, default)
    assert on_large.size() == default and on_large.center() == FULL_HD.center()


def test_a_remembered_place_is_kept_and_clamped_to_the_screen_now():
    from PySide6.QtCore import QSize

    from desktop.views.window_fit import opening_geometry

    default = QSize(1280, 800)
    saved = {"x": 100, "y": 80, "width": 1000, "height": 600}
    assert opening_geometry(saved, FULL_HD, default) == QRect(100, 80, 1000, 600)
    # Last time on a large screen, a second monitor to the right: today only the laptop.
    far = {"x": 2200, "y": 300, "width": 1600, "height": 900}
    fitted = opening_geometry(far, LAPTOP, default)
    frame = fitted.adjusted(-8, -32, 8, 8)
    assert LAPTOP.contains(frame) and fitted.width() == 1366 - 16
    for nonsense in ({"x": "a"}, {"width": 0, "height": 0, "x": 0, "y": 0}, [1, 2], "x"):
        assert opening_geometry(nonsense, FULL_HD, default).size() == default


def test_the_main_window_opens_where_it_was_closed(qtbot, laptop, services):
    from desktop.views.main_window import MainWindow

    first = MainWindow(services)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    assert LAPTOP.contains(first.frameGeometry()), first.frameGeometry()
    assert first.width() >= 1366 - 16 - 2  # a laptop's width all for the tables
    first.setGeometry(QRect(60, 70, 1100, 600))
    first.close()

    again = MainWindow(services)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.size() == first.size() == again.geometry().size()
    assert abs(again.geometry().x() - 60) <= 8 and abs(again.geometry().y() - 70) <= 32


def test_a_maximized_window_opens_maximized(qtbot, laptop, services):
    from desktop.services.settings import load_settings
    from desktop.views.main_window import GEOMETRY_KEY, MainWindow

    first = MainWindow(services)
    qtbot.addWidget(first)
    first.showMaximized()
    qtbot.waitExposed(first)
    first.close()
    assert load_settings()[GEOMETRY_KEY]["maximized"] is True
    again = MainWindow(services)
    qtbot.addWidget(again)
    assert again.windowState() & Qt.WindowState.WindowMaximized


def test_the_members_grid_fits_the_laptop_without_scrolling_sideways(qtbot, laptop, services):
    """At 1366×768 every member column shows at once: no horizontal scroll bar in the grid."""
    from desktop.views.registry.household_dialog import HouseholdDialog

    dialog = HouseholdDialog(services, _household_id(services))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(LAPTOP.adjusted(8, 32, -8, -8).size())
    qtbot.wait(50)
    table = dialog.members_table
    assert table.horizontalScrollBar().maximum() == 0
    # Windows' fonts run up to 15 % wider than this machine's (see above): leave that room.
    slack = 1.0 if sys.platform == "win32" else 1.15
    columns = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert columns * slack <= table.viewport().width(), (columns, table.viewport().width())
    # Names and ID numbers, what tells members apart, are never elided.
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):
        for col in (0, 2):
            text = table.item(row, col).text()
            assert table.columnWidth(col) >= metrics.horizontalAdvance(text), text


def test_the_problem_ledger_fits_beside_the_tree_on_the_laptop(qtbot, laptop, services):
    """At 1366×768 the ledger's columns, but the stretched 问题描述, fit without sideways scroll."""
    from desktop.views.main_window import MainWindow
    from desktop.views.problems.problem_table_model import COL_DESCRIPTION

    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentIndex(2)  # 整改台账, built when first shown
    qtbot.waitUntil(lambda: window.problem_ledger.table.model().rowCount() > 0, timeout=5000)
    table = window.problem_ledger.table
    assert table.horizontalScrollBar().maximum() == 0
    # The other widths are fixed pixels (not font-sized): leave 问题描述 at least 100 of them.
    fixed = sum(table.columnWidth(c) for c in range(table.model().columnCount()))
    fixed -= table.columnWidth(COL_DESCRIPTION)
    assert fixed + 100 <= table.viewport().width(), (fixed, table.viewport().width())


def test_the_ledger_never_cuts_its_key_texts_on_the_laptop(qtbot, qapp, laptop, services):
    """状态, 剩余天数 and the dates show whole (two lines at most); 问题描述 gets two lines."""
    # Under Xvfb at 1366: 状态 read 待整改…, 剩余天数 逾期…, 整改时限 2026-10-…, and 问题描述
    # one elided line of about ten characters.
    from desktop.views.main_window import MainWindow
    from desktop.views.problems.problem_table_model import (
        COL_DAYS_LEFT,
        COL_DEADLINE,
        COL_DESCRIPTION,
        COL_FOUND,
        COL_ITEM,
        COL_NUMBER,
        COL_PERSON,
        COL_SOURCE,
        COL_STATUS,
        COL_TARGET,
        COL_UNIT,
    )
    from desktop.views.startup import apply_style
    from desktop.views.tables import TEXT_MARGIN_PX, line_height

    before = qapp.styleSheet()
    apply_style(qapp)  # the app's 10.5-point font, as the clerk sees it
    try:
        window = MainWindow(services)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.tabs.setCurrentIndex(2)
        table = window.problem_ledger.table
        model = table.model()
        qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=5000)
        assert table.horizontalScrollBar().maximum() == 0
        assert table.wordWrap()
        metrics = table.fontMetrics()
        height = table.verticalHeader().defaultSectionSize()
        assert height >= 2 * line_height(metrics)  # two lines a row
        for col in (COL_NUMBER, COL_FOUND, COL_DEADLINE, COL_DAYS_LEFT, COL_STATUS):
            room = table.columnWidth(col) - 2 * TEXT_MARGIN_PX
            for row in range(model.rowCount()):
                # each line whole, none broken by the wrap where a reader would not (逾期6 / 天)
                lines = model.index(row, col).data().splitlines()
                assert len(lines) <= 2, lines
                for line in lines:
                    assert metrics.horizontalAdvance(line) <= room, (col, line, room)
        # 问题描述: two lines of ten characters or more; every shortened text whole in its tooltip
        room = table.columnWidth(COL_DESCRIPTION) - 2 * TEXT_MARGIN_PX
        assert room >= 10 * metrics.horizontalAdvance("问"), room
        for col in (COL_SOURCE, COL_ITEM, COL_TARGET, COL_DESCRIPTION, COL_UNIT, COL_PERSON):
            index = model.index(0, col)
            assert (index.data(Qt.ItemDataRole.ToolTipRole) or "") == index.data(), col
    finally:
        qapp.setStyleSheet(before)
