"""DateEdit: the one date field of the window, typed as a clerk types dates, with a calendar.

A clerk types 20240520, 2024-05-20, 2024-5-20, 2024.5.20, 2024/5/20 or 2024年5月20日 and gets
2024-05-20; Tab leaves the field whatever was typed (a wrong date is marked red and said why,
nothing is lost); entering the field selects its text, so typing replaces it, as in Excel; the
calendar (▾, F4 or Alt+↓) opens at the field's date, or at today, in Chinese.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QLocale, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.views import window_fit

DISPLAY_FORMAT = "%Y-%m-%d"
PLACEHOLDER = "年-月-日，如 20240520"
INVALID_STYLE = "QLineEdit { border: 1px solid #c62828; background: #fdecea; }"

_DIGITS_ONLY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Year, month, day separated by - . / 、 spaces, or written 2024年5月20日.
_SEPARATED = re.compile(r"^(\d{4})\s*[-./、\s年]\s*(\d{1,2})\s*[-./、\s月]\s*(\d{1,2})\s*日?$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－．／　", "0123456789-./ ")


class DateTextError(ValueError):
    """Typed text that is not a date; the message says why, in Chinese."""


def parse_date(text: str) -> datetime.date | None:
    """Return the date a clerk typed (None for an empty field); DateTextError when it is none."""
    cleaned = text.strip().translate(_FULL_WIDTH)
    if not cleaned:
        return None
    match = _DIGITS_ONLY.match(cleaned) or _SEPARATED.match(cleaned)
    if match is None:
        raise DateTextError(
            f"“{text.strip()}”不是日期，请按 年-月-日 输入，如 20240520 或 2024-5-20"
        )
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise DateTextError(f"“{text.strip()}”：月份应为 1–12，不是 {month}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateTextError(f"“{text.strip()}”：{year}年{month}月没有{day}日") from None


def format_date(day: datetime.date | None) -> str:
    """The field's text for a date: 2024-05-20 (empty for None)."""
    return "" if day is None else day.strftime(DISPLAY_FORMAT)


class _TypeOverLineEdit(QLineEdit):
    """A line edit whose text is selected whenever the keyboard enters it (typing replaces it)."""

    def focusInEvent(self, event) -> None:
        """Select everything, unless a click put the cursor somewhere on purpose."""
        super().focusInEvent(event)
        if event.reason() != Qt.FocusReason.MouseFocusReason:
            self.selectAll()
            QTimer.singleShot(0, self.selectAll)  # after Qt's own cursor placement


class DateEdit(QWidget):
    """A typed date with a calendar; `value()` is a datetime.date or None (blank)."""

    valueChanged = Signal(object)  # the new datetime.date or None, once typing is finished

    def __init__(
        self,
        value: datetime.date | None = None,
        parent: QWidget | None = None,
        *,
        allow_blank: bool = True,
        display: Callable[[datetime.date], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.allow_blank = allow_blank
        self._display = display
        self._value: datetime.date | None = None
        self._error = ""
        self.line_edit = _TypeOverLineEdit(self)
        self.line_edit.setPlaceholderText(PLACEHOLDER)
        self.line_edit.setClearButtonEnabled(False)
        self.line_edit.setMinimumWidth(
            self.line_edit.fontMetrics().horizontalAdvance("2024-05-20 ") + 16
        )
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("▾")
        self.calendar_button.setToolTip("打开日历（F4）")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.calendar_button)
        self.setFocusProxy(self.line_edit)
        self.line_edit.editingFinished.connect(self._on_line_edit_editing_finished)
        self.line_edit.installEventFilter(self)
        self.calendar_button.clicked.connect(self.open_calendar)
        self._popup: QWidget | None = None
        self.calendar: QCalendarWidget | None = None
        self.set_value(value)

    # --- value ----------------------------------------------------------------------------

    def value(self) -> datetime.date | None:
        """The date shown (None when blank or when the typed text is not a date)."""
        return self._value

    def set_value(self, value: datetime.date | None) -> None:
        """Show a date (None: blank) without emitting valueChanged."""
        if isinstance(value, datetime.datetime):
            value = value.date()
        self._value = value
        self.line_edit.setText(self._shown(value))
        self._set_error("")

    def _shown(self, day: datetime.date | None) -> str:
        if day is None or self._display is None:
            return format_date(day)
        return self._display(day)

    def error(self) -> str:
        """Why the typed text is not an acceptable date ("" when it is)."""
        return self._error

    def is_valid(self) -> bool:
        """True when the field holds a date, or is blank where blank is allowed."""
        return not self._error

    def setReadOnly(self, read_only: bool) -> None:
        """Show the date without letting it change."""
        self.line_edit.setReadOnly(read_only)
        self.calendar_button.setEnabled(not read_only)

    def isReadOnly(self) -> bool:
        """True when the date cannot be changed."""
        return self.line_edit.isReadOnly()

    def text(self) -> str:
        """The text in the field, as typed."""
        return self.line_edit.text()

    def _set_error(self, message: str) -> None:
        self._error = message
        self.line_edit.setStyleSheet(INVALID_STYLE if message else "")
        self.line_edit.setToolTip(message)

    def _commit_text(self) -> None:
        text = self.line_edit.text()
        try:
            day = parse_date(text)
        except DateTextError as exc:
            self._set_error(str(exc))
            if self._value is not None:
                self._value = None
                self.valueChanged.emit(None)
            return
        if day is None and not self.allow_blank:
            self._set_error("请填写日期")
        else:
            self._set_error("")
        if day is not None:
            self.line_edit.setText(self._shown(day))
        if day != self._value:
            self._value = day
            self.valueChanged.emit(day)

    def _on_line_edit_editing_finished(self) -> None:
        self._commit_text()

    # --- typing over and the calendar -------------------------------------------------------

    def eventFilter(self, obj, event) -> bool:
        """F4 or Alt+↓ opens the calendar."""
        if obj is self.line_edit and event.type() == QEvent.Type.KeyPress:
            alt_down = (
                event.key() == Qt.Key.Key_Down
                and event.modifiers() & Qt.KeyboardModifier.AltModifier
            )
            if event.key() == Qt.Key.Key_F4 or alt_down:
                self.open_calendar()
                return True
        return super().eventFilter(obj, event)

    def open_calendar(self) -> None:
        """Open the calendar under the field, at the field's date or at today."""
        if self.isReadOnly():
            return
        self._commit_text()
        popup = QWidget(self, Qt.WindowType.Popup)
        calendar = QCalendarWidget(popup)
        calendar.setLocale(QLocale())
        calendar.setGridVisible(True)
        calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        day = self._value or datetime.date.today()
        calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        layout = QVBoxLayout(popup)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(calendar)
        calendar.clicked.connect(self._on_calendar_clicked)
        calendar.activated.connect(self._on_calendar_clicked)
        popup.adjustSize()
        popup.move(self._calendar_place(popup.size()))
        popup.show()
        popup.move(self._calendar_place(popup.frameGeometry().size()))  # its size once shown
        calendar.setFocus()
        self._popup, self.calendar = popup, calendar

    def _calendar_place(self, size: QSize) -> QPoint:
        """Under the field, or above it when the screen ends first; never past its sides."""
        # At 1366×768 核查时间 is near the screen's foot: below it the weeks ran off the screen.
        screen = window_fit.available_rect(self, self.mapToGlobal(self.rect().center()))
        place = self.mapToGlobal(self.rect().bottomLeft())
        if place.y() + size.height() > screen.bottom():
            place.setY(self.mapToGlobal(self.rect().topLeft()).y() - size.height())
        place.setX(max(screen.left(), min(place.x(), screen.right() - size.width())))
        place.setY(max(screen.top(), place.y()))
        return place

    def _on_calendar_clicked(self, date: QDate) -> None:
        day = datetime.date(date.year(), date.month(), date.day())
        if self._popup is not None:
            self._popup.close()
            self._popup.deleteLater()
            self._popup, self.calendar = None, None
        self.line_edit.setText(self._shown(day))
        self._commit_text()
        self.line_edit.setFocus()


def date_errors(widget: QWidget) -> list[tuple[DateEdit, str]]:
    """Every date field under `widget` that is in use and holds text that is not a date."""
    return [
        (edit, edit.error())
        for edit in widget.findChildren(DateEdit)
        if edit.isEnabled() and not edit.isReadOnly() and edit.error()
    ]


def refuse_bad_dates(widget: QWidget, title: str = "日期有误") -> bool:
    """Say which date is wrong and put the cursor there; True when one was (do not save)."""
    from PySide6.QtWidgets import QMessageBox

    errors = date_errors(widget)
    if not errors:
        return False
    edit, message = errors[0]
    edit.setFocus()
    QMessageBox.warning(widget, title, message)
    return True
