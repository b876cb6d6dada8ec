"""HouseholdTableModel: the households table, filtered and sorted in plain Python."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.services.registry.data import HouseholdRow
from desktop.services.registry.query import HouseholdFilter, filter_rows, sort_rows
from desktop.services.registry.rules import flag_text
from desktop.views.list_table_model import ListTableModel

COL_CODE = 0
COL_VILLAGE = 1
COL_GROUP = 2
COL_HEAD = 3
COL_MEMBERS = 4
COL_KIND = 5
COL_REGISTERED = 6
COL_EXIT_YEAR = 7
COL_INCOME = 8
COL_PHONE = 9
COL_FORM_STATE = 10
COL_FLAGS = 11

# (header, sort key of desktop.services.registry.query.SORT_KEYS)
COLUMNS = (
    ("户编号", "code"),
    ("村", "village"),
    ("组", "group"),
    ("户主姓名", "head"),
    ("人数", "members"),
    ("贫困户属性/特殊群体", "kind"),
    ("建档立卡", "registered"),
    ("脱贫年度", "exit_year"),
    ("人均纯收入（元）", "income"),
    ("联系电话", "phone"),
    ("核查表", "form_state"),
    ("提示", "flags"),
)

# Long headers drawn on two lines, so that at 1366 pixels every column shows without scrolling
# sideways; copied and exported as one line.
HEADER_LINES = {
    COL_KIND: "贫困户属性/\n特殊群体",
    COL_REGISTERED: "建档\n立卡",
    COL_EXIT_YEAR: "脱贫\n年度",
    COL_INCOME: "人均纯收入\n（元）",
}
# Texts that may be elided in a narrow column: their tooltip shows them whole.
LONG_TEXT_COLUMNS = (COL_VILLAGE, COL_KIND, COL_FLAGS)

FORM_STATE_TEXT = {"": "未填", "draft": "草稿", "complete": "已完成", "signed": "已签字"}
FLAGGED_BRUSH = QBrush(QColor("#fff4e0"))
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class HouseholdTableModel(ListTableModel):
    """Shows household rows, loaded in 户编号 order."""

    columns = COLUMNS
    header_lines = HEADER_LINES
    natural_sort = (COL_CODE, Qt.SortOrder.AscendingOrder)

    def __init__(self, parent=None) -> None:
        super().__init__(HouseholdFilter(), parent)

    def _filtered(self, rows: list, row_filter: HouseholdFilter) -> list:
        return filter_rows(rows, row_filter)

    def _sorted(self, rows: list, key: str, descending: bool) -> list:
        return sort_rows(rows, key, descending)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        """Return what a cell shows."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == ROW_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_MEMBERS, COL_INCOME):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and row.flags:
            return FLAGGED_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole and col in LONG_TEXT_COLUMNS:
            return self._display(row, col) or None
        return None

    @staticmethod
    def _display(row: HouseholdRow, col: int):
        if col == COL_CODE:
            return row.code
        if col == COL_VILLAGE:
            return row.village_name
        if col == COL_GROUP:
            return row.group_name
        if col == COL_HEAD:
            return row.head_name
        if col == COL_MEMBERS:
            return row.member_count
        if col == COL_KIND:
            return row.kind
        if col == COL_REGISTERED:
            return "是" if row.is_registered else "否"
        if col == COL_EXIT_YEAR:
            if row.exit_year:
                return str(row.exit_year)
            return "未脱贫" if row.is_registered else ""
        if col == COL_INCOME:
            return "" if row.income_per_capita is None else f"{row.income_per_capita:,.2f}"
        if col == COL_PHONE:
            return row.phone
        if col == COL_FORM_STATE:
            return FORM_STATE_TEXT.get(row.form_state, row.form_state)
        if col == COL_FLAGS:
            return flag_text(row.flags)
        return None

    def visible_ids(self) -> list[int]:
        """Return the ids of the visible households in display order."""
        return [r.id for r in self._rows]

    def visible_people(self) -> int:
        """Return how many members the visible households have."""
        return sum(r.member_count for r in self._rows)
