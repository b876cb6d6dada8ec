"""The one date field: typed as a clerk types dates, Tab leaves, typing over, a Chinese calendar."""

from __future__ import annotations

import datetime

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from desktop.views.date_edit import DateEdit, DateTextError, parse_date

MAY_20 = datetime.date(2024, 5, 20)


@pytest.mark.parametrize(
    "text",
    ["20240520", "2024-05-20", "2024-5-20", "2024.5.20", "2024/5/20", "2024年5月20日",
     " 2024 5 20 ", "２０２４－０５－２０", "2024年05月20日"],
)  # fmt: skip
def test_what_a_clerk_types_is_a_date(text):
    assert parse_date(text) == MAY_20


@pytest.mark.parametrize(
    ("text", "says"),
    [("2024-13-01", "月份"), ("2024-02-30", "2024年2月没有30日"), ("0240520", "不是日期"),
     ("五月二十", "不是日期")],
)  # fmt: skip
def test_wrong_dates_say_why(text, says):
    with pytest.raises(DateTextError, match=says):
        parse_date(text)


def test_blank_is_none():
    assert parse_date("  ") is None


@pytest.fixture
def form(qtbot):
    """A date field between two other fields, as in a dialog."""
    window = QWidget()
    before = QLineEdit(window)
    date = DateEdit(None, window)
    after = QLineEdit(window)
    layout = QVBoxLayout(window)
    for widget in (before, date, after):
        layout.addWidget(widget)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, before, date, after


def _focus(qtbot, widget):
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    QApplication.processEvents()


@pytest.mark.parametrize("typed", ["2024-05-20", "20240520", "2024.5.20", "2024年5月20日"])
def test_typing_then_tab_gives_the_date_and_leaves(qtbot, form, typed):
    _window, _before, date, after = form
    seen = []
    date.valueChanged.connect(seen.append)
    _focus(qtbot, date)
    if typed.isascii():
        qtbot.keyClicks(QApplication.focusWidget(), typed)
    else:  # 年月日 come from the input method as committed text, not as key presses
        QApplication.focusWidget().insert(typed)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert date.value() == MAY_20
    assert date.text() == "2024-05-20"
    assert QApplication.focusWidget() is after
    assert seen == [MAY_20]


def test_a_wrong_date_is_marked_and_tab_still_leaves(qtbot, form):
    _window, _before, date, after = form
    _focus(qtbot, date)
    qtbot.keyClicks(QApplication.focusWidget(), "2024-02-30")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is after
    assert date.value() is None
    assert "2024年2月没有30日" in date.error()
    assert date.text() == "2024-02-30"  # nothing typed is lost
    assert "2024年2月没有30日" in date.line_edit.toolTip()


def test_typing_over_a_set_date_replaces_it(qtbot, form):
    _window, before, date, _after = form
    date.set_value(datetime.date(2023, 1, 2))
    _focus(qtbot, before)
    qtbot.keyClick(before, Qt.Key.Key_Tab)  # Tab into the date field selects its text
    qtbot.wait(20)
    assert QApplication.focusWidget() is date.line_edit
    qtbot.keyClicks(date.line_edit, "20240520")
    qtbot.keyClick(date.line_edit, Qt.Key.Key_Tab)
    assert date.value() == MAY_20


def test_calendar_opens_at_today_in_chinese(qtbot, form):
    _window, _before, date, _after = form
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    try:
        _focus(qtbot, date)
        qtbot.keyClick(date.line_edit, Qt.Key.Key_F4)
        calendar = date.calendar
        assert calendar is not None and calendar.isVisible()
        today = datetime.date.today()
        assert calendar.selectedDate().toPython() == today
        assert calendar.yearShown() == today.year
        assert calendar.locale().language() == QLocale.Language.Chinese
        calendar.clicked.emit(calendar.selectedDate().addDays(-1))
        assert date.value() == today - datetime.timedelta(days=1)
        assert date.calendar is None
    finally:
        QLocale.setDefault(QLocale.c())


def test_calendar_opens_at_the_fields_date(qtbot, form):
    _window, _before, date, _after = form
    date.set_value(MAY_20)
    date.open_calendar()
    assert date.calendar.selectedDate().toPython() == MAY_20


def test_the_forms_date_cell_takes_a_typed_date_and_tab_leaves(qtbot):
    # 核查时间 on the 入户核查表: typing 2024-05-20 used to give 0240520 and Tab stayed put.
    from tests.views.forms.test_form_view import make_view

    view = make_view(qtbot, "verification")
    editor = view.editors["checked_on"].edit
    assert isinstance(editor, DateEdit)
    editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.line_edit)
    qtbot.keyClicks(editor.line_edit, "2024-05-20")
    qtbot.keyClick(editor.line_edit, Qt.Key.Key_Tab)
    assert view.answers()["checked_on"] == "2024-05-20"
    assert QApplication.focusWidget() is not editor.line_edit
    editor.setFocus()
    qtbot.wait(10)
    qtbot.keyClicks(editor.line_edit, "2024.6.1")  # typing over the date replaces it
    qtbot.keyClick(editor.line_edit, Qt.Key.Key_Tab)
    assert view.answers()["checked_on"] == "2024-06-01"


def test_the_calendar_stays_on_the_screen_under_a_field_at_its_bottom(qtbot, form, monkeypatch):
    # Under Xvfb at 1366×768 核查时间 sits near the screen's foot and the calendar opened below
    # it, its weeks past the edge. It opens above the field when there is no room below.
    from PySide6.QtCore import QRect

    from desktop.views import window_fit

    window, _before, date, _after = form
    window.move(100, 500)  # near the foot of the screen below
    qtbot.waitUntil(lambda: date.mapToGlobal(date.rect().topLeft()).y() > 400)
    bottom = date.mapToGlobal(date.rect().bottomLeft()).y()
    screen = QRect(0, 0, 1366, bottom + 40)  # 40 px left under the field
    monkeypatch.setattr(window_fit, "available_rect", lambda *_a, **_k: QRect(screen))
    date.open_calendar()
    popup = date.calendar.window()
    qtbot.waitUntil(popup.isVisible)
    shown = popup.frameGeometry()
    assert screen.contains(shown), (shown, screen)
    assert shown.bottom() <= date.mapToGlobal(date.rect().topLeft()).y()  # above the field
