"""HouseholdTableModel: the households table, filtered and sorted in plain Python."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.services.household_query import HouseholdFilter, filter_rows, sort_rows
from desktop.services.registry_data import HouseholdRow
from desktop.services.registry_rules import flag_text

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

# (header, sort key of desktop.services.household_query.SORT_KEYS)
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

FORM_STATE_TEXT = {"": "未填", "draft": "草稿", "complete": "已完成", "signed": "已签字"}
FLAGGED_BRUSH = QBrush(QColor("#fff4e0"))
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class HouseholdTableModel(QAbstractTableModel):
    """Shows household rows; the filter and sort run over a plain list, then reset."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list[HouseholdRow] = []
        self._rows: list[HouseholdRow] = []
        self._filter = HouseholdFilter()
        self._sort_column = COL_CODE
        self._sort_order = Qt.SortOrder.AscendingOrder

    # --- data in ---------------------------------------------------------------------

    def set_rows(self, rows: list[HouseholdRow]) -> None:
        """Replace every row (after a load), keeping the filter and the sort."""
        self._all = rows
        self._apply()

    def set_filter(self, household_filter: HouseholdFilter) -> None:
        """Show only the rows that match the filter."""
        self._filter = household_filter
        self._apply()

    def household_filter(self) -> HouseholdFilter:
        """Return the filter in force."""
        return self._filter

    def _apply(self) -> None:
        rows = filter_rows(self._all, self._filter)
        if self._sort_column != COL_CODE or self._sort_order != Qt.SortOrder.AscendingOrder:
            rows = sort_rows(
                rows,
                COLUMNS[self._sort_column][1],
                self._sort_order == Qt.SortOrder.DescendingOrder,
            )
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    # --- Qt model --------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        """Return the number of visible rows."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        """Return the number of columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        """Return the Chinese column headers."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

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
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_FLAGS and row.flags:
            return flag_text(row.flags)
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

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort every visible row by a column."""
        self._sort_column, self._sort_order = column, order
        self._apply()

    # --- lookups ---------------------------------------------------------------------

    def row_at(self, row: int) -> HouseholdRow:
        """Return the household row shown at a row number."""
        return self._rows[row]

    def row_of(self, household_id: int) -> int:
        """Return the row number showing a household, or -1."""
        for i, r in enumerate(self._rows):
            if r.id == household_id:
                return i
        return -1

    def visible_ids(self) -> list[int]:
        """Return the ids of the visible households in display order."""
        return [r.id for r in self._rows]

    def visible_people(self) -> int:
        """Return how many members the visible households have."""
        return sum(r.member_count for r in self._rows)

    def total_count(self) -> int:
        """Return how many households are loaded before filtering."""
        return len(self._all)
