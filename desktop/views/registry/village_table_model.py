"""VillageTableModel: the villages of the township with a 合计 row."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont

from desktop.services.registry.data import VillageSummary
from desktop.views.list_table_model import RowsTableModel

COL_NAME = 0
COL_CODE = 1
COL_POOR = 2
COL_EXIT_YEAR = 3
COL_HOUSEHOLDS = 4
COL_PEOPLE = 5
COL_REGISTERED = 6
COL_EXITED = 7
COL_NOT_EXITED = 8
COL_SPECIAL = 9
COL_PROGRESS = 10

HEADERS = (
    "村名",
    "村代码",
    "贫困村",
    "退出年份",
    "户数",
    "人数",
    "建档立卡户",
    "已脱贫户",
    "未脱贫户",
    "边缘户等特殊群体",
    "核查进度",
)
TOTAL_LABEL = "合计"
VILLAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_COUNT_FIELDS = {
    COL_HOUSEHOLDS: "households",
    COL_PEOPLE: "people",
    COL_REGISTERED: "registered_households",
    COL_EXITED: "exited_households",
    COL_NOT_EXITED: "not_exited_households",
    COL_SPECIAL: "special_households",
}


class VillageTableModel(RowsTableModel):
    """One row per village (VillageSummary), then the 合计 row of the villages shown."""

    columns = tuple(
        (header, lambda village, column=column: VillageTableModel._display(village, column))
        for column, header in enumerate(HEADERS)
    )

    def rowCount(self, parent=QModelIndex()) -> int:
        """Return the villages plus the totals row."""
        return 0 if parent.isValid() or not self._rows else len(self._rows) + 1

    def is_total_row(self, row: int) -> bool:
        """True for the 合计 row."""
        return row == len(self._rows)

    def village_at(self, row: int) -> VillageSummary | None:
        """Return the village at a row, None for the totals row."""
        return None if self.is_total_row(row) else self._rows[row]

    def total(self, field: str) -> int:
        """Return the sum of a count over the villages shown."""
        return sum(getattr(v, field) for v in self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        """Return what a cell shows."""
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        village = self.village_at(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._total_display(col) if village is None else self._display(village, col)
        if role == VILLAGE_ID_ROLE:
            return None if village is None else village.id
        if role == Qt.ItemDataRole.FontRole and village is None:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= COL_HOUSEHOLDS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(v: VillageSummary, col: int):
        if col == COL_NAME:
            return v.name
        if col == COL_CODE:
            return v.code
        if col == COL_POOR:
            return "是" if v.is_poor_village else "否"
        if col == COL_EXIT_YEAR:
            return str(v.exit_year) if v.exit_year else ""
        if col in _COUNT_FIELDS:
            return getattr(v, _COUNT_FIELDS[col])
        if col == COL_PROGRESS:
            return f"{v.reviewed_households}/{v.households}（{v.review_progress:.0%}）"
        return None

    def _total_display(self, col: int):
        if col == COL_NAME:
            return TOTAL_LABEL
        if col == COL_POOR:
            return f"{sum(1 for v in self._rows if v.is_poor_village)}个贫困村"
        if col in _COUNT_FIELDS:
            return self.total(_COUNT_FIELDS[col])
        if col == COL_PROGRESS:
            done, total = self.total("reviewed_households"), self.total("households")
            return f"{done}/{total}（{(done / total if total else 0):.0%}）"
        return ""
