"""ProblemTableModel: the 整改台账 table, filtered and sorted in plain Python."""

from __future__ import annotations

import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.services.problems.data import ProblemRow
from desktop.services.problems.query import ProblemFilter, filter_rows, sort_rows
from desktop.services.problems.rules import DUE_SOON_DAYS, STATUS_CLOSED, shown_status
from desktop.views.list_table_model import ListTableModel

COL_NUMBER = 0
COL_FOUND = 1
COL_SOURCE = 2
COL_ITEM = 3
COL_TARGET = 4
COL_DESCRIPTION = 5
COL_UNIT = 6
COL_PERSON = 7
COL_KIND = 8
COL_DEADLINE = 9
COL_DAYS_LEFT = 10
COL_STATUS = 11
COL_EXTENSIONS = 12
COL_ATTACHMENTS = 13

# (header, sort key of desktop.services.problems.query.SORT_KEYS)
COLUMNS = (
    ("问题编号", "number"),
    ("发现日期", "found"),
    ("问题来源", "source"),
    ("问题类别", "area"),
    ("问题对象", "target"),
    ("问题描述", "description"),
    ("责任单位", "unit"),
    ("责任人", "person"),
    ("整改类型", "kind"),
    ("整改时限", "deadline"),
    ("剩余天数", "deadline"),
    ("状态", "status"),
    ("延期", "extensions"),
    ("附件", "attachments"),
)
HEADERS = tuple(h for h, _ in COLUMNS)
# Short headers on two lines: on one line the ledger's 14 columns did not fit beside the tree
# at 1366 pixels (seen under Xvfb: 整改类型 cut, the rest behind a sideways scroll bar).
HEADER_LINES = {
    COL_SOURCE: "问题\n来源",
    COL_KIND: "整改\n类型",
    COL_DEADLINE: "整改\n时限",
    COL_DAYS_LEFT: "剩余\n天数",
}

OVERDUE_BRUSH = QBrush(QColor("#f8d7d3"))
DUE_SOON_BRUSH = QBrush(QColor("#fff1c2"))
CLOSED_TEXT_BRUSH = QBrush(QColor("#5b6b5b"))
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemTableModel(ListTableModel):
    """Shows ledger rows; 逾期 and days left are counted from `today`."""

    columns = COLUMNS
    header_lines = HEADER_LINES

    def __init__(self, parent=None, today: datetime.date | None = None) -> None:
        super().__init__(ProblemFilter(), parent)
        self._today = today or datetime.date.today()

    def set_rows(self, rows: list[ProblemRow], today: datetime.date | None = None) -> None:
        """Replace every row (after a load), keeping the filter and the sort."""
        if today is not None:
            self._today = today
        super().set_rows(rows)

    def today(self) -> datetime.date:
        """The day that overdue and days left are counted from."""
        return self._today

    def _filtered(self, rows: list, row_filter: ProblemFilter) -> list:
        return filter_rows(rows, row_filter, self._today)

    def _sorted(self, rows: list, key: str, descending: bool) -> list:
        return sort_rows(rows, key, descending)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        """Chinese column headers, some on two lines (tooltip: one); row numbers down the side."""
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        """Cell text, colours for overdue and due-soon rows, the problem id."""
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.overdue(self._today):
                return OVERDUE_BRUSH
            if r.due_soon(self._today, DUE_SOON_DAYS):
                return DUE_SOON_BRUSH
            return None
        if role == Qt.ItemDataRole.ForegroundRole and r.status == STATUS_CLOSED:
            return CLOSED_TEXT_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_DEADLINE and r.extension_count:
                return f"原定时限 {r.original_deadline:%Y-%m-%d}，已延期 {r.extension_count} 次"
            if col in (COL_SOURCE, COL_ITEM, COL_TARGET, COL_DESCRIPTION, COL_UNIT, COL_PERSON):
                return self._text(r, col) or None  # shortened in the cell, whole here
            if col == COL_STATUS:
                return shown_status(r.status, r.deadline, self._today)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (
            COL_DAYS_LEFT,
            COL_EXTENSIONS,
            COL_ATTACHMENTS,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == ROW_ID_ROLE:
            return r.id
        return None

    def _text(self, r: ProblemRow, col: int) -> str:
        if col == COL_NUMBER:
            return r.number
        if col == COL_FOUND:
            return f"{r.found_date:%Y-%m-%d}"
        if col == COL_SOURCE:
            return r.source
        if col == COL_ITEM:
            return r.item_text
        if col == COL_TARGET:
            return r.target
        if col == COL_DESCRIPTION:
            return r.description
        if col == COL_UNIT:
            return r.unit_name
        if col == COL_PERSON:
            return r.person_name
        if col == COL_KIND:
            return r.kind
        if col == COL_DEADLINE:
            if r.deadline is None:
                return ""
            text = f"{r.deadline:%Y-%m-%d}"
            # Two lines, broken where a clerk reads them: a wrap chose 逾期6 / 天, 待整改（逾 / 期）
            return f"{text}\n（延）" if r.extension_count else text
        if col == COL_DAYS_LEFT:
            if r.deadline is None or r.status == STATUS_CLOSED:
                return ""
            left = (r.deadline - self._today).days
            return f"逾期\n{-left}天" if left < 0 else str(left)
        if col == COL_STATUS:
            return shown_status(r.status, r.deadline, self._today).replace("（", "\n（")
        if col == COL_EXTENSIONS:
            return str(r.extension_count) if r.extension_count else ""
        if col == COL_ATTACHMENTS:
            return str(r.attachment_count) if r.attachment_count else ""
        return ""
