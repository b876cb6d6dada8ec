"""ListTableModel: a table over a plain list of rows, filtered and sorted in Python, then reset.

QSortFilterProxyModel takes seconds to sort 100,000 rows; Python's sorted() over the row tuples
and one model reset take tens of milliseconds. The households table and the 整改台账 share this
bookkeeping; each says how to filter, sort and show its own rows. RowsTableModel is the read-only
kind (the 督查 and 部门比对 lists): rows shown as the service returns them, each column a header
and how a row reads in it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

# The role that gives a row's record id (for a view that opens the record behind a row).
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ListTableModel(QAbstractTableModel):
    """All rows, the rows shown (filtered, then sorted), and the Qt model over those."""

    # (header, sort key) per column; set by each table.
    columns: tuple[tuple[str, str], ...] = ()
    # The (column, order) the loaded rows already come in: sorting by it is skipped.
    natural_sort: tuple[int, Qt.SortOrder] | None = None
    # Headers drawn on several lines by column, so that a table fits a 1366-pixel laptop
    # without scrolling sideways; the tooltip (and a copy, tables.header_text) reads one line.
    header_lines: ClassVar[Mapping[int, str]] = {}

    def __init__(self, row_filter: Any, parent=None) -> None:
        super().__init__(parent)
        self._all: list = []
        self._rows: list = []
        self._filter = row_filter
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- for each table ----------------------------------------------------------------

    def _filtered(self, rows: list, row_filter: Any) -> list:
        """Return the rows that match the filter."""
        raise NotImplementedError

    def _sorted(self, rows: list, key: str, descending: bool) -> list:
        """Return the rows sorted by a sort key."""
        raise NotImplementedError

    # --- data in -----------------------------------------------------------------------

    def set_rows(self, rows: list) -> None:
        """Replace every row (after a load), keeping the filter and the sort."""
        self._all = rows
        self._apply()

    def set_filter(self, row_filter: Any) -> None:
        """Show only the rows that match the filter."""
        self._filter = row_filter
        self._apply()

    def row_filter(self) -> Any:
        """Return the filter in force."""
        return self._filter

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort the shown rows by a column."""
        self._sort = (column, order)
        self._apply()

    def _apply(self) -> None:
        rows = self._filtered(self._all, self._filter)
        if self._sort is not None and self._sort != self.natural_sort:
            column, order = self._sort
            rows = self._sorted(
                rows, self.columns[column][1], order == Qt.SortOrder.DescendingOrder
            )
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    # --- data out ----------------------------------------------------------------------

    def rows(self) -> list:
        """Return the rows shown, in their order (what an export of this view writes)."""
        return list(self._rows)

    def total_count(self) -> int:
        """Return the number of rows before filtering."""
        return len(self._all)

    def row_at(self, row: int):
        """Return the row shown at a row number."""
        return self._rows[row]

    def row_of(self, row_id: int) -> int | None:
        """Return the row number showing the record with this id, or None when not shown."""
        for n, r in enumerate(self._rows):
            if r.id == row_id:
                return n
        return None

    # --- Qt model ----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Return the number of rows shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Return the number of columns."""
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        """Return the Chinese column headers, the long ones on several lines (tooltip: one)."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header_lines.get(section, self.columns[section][0])
        if role == Qt.ItemDataRole.ToolTipRole and self.header_lines:
            return self.columns[section][0]
        return None


class RowsTableModel(ListTableModel):
    """A read-only table over rows in the order given; each subclass lists its columns."""

    # (header, the text of a row in that column) per column.
    columns: tuple[tuple[str, Callable[[Any], str]], ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(None, parent)

    def _filtered(self, rows: list, row_filter: Any) -> list:
        """Return every row: these tables do not filter."""
        return list(rows)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Keep the service's order: these tables do not sort."""

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        """Return a cell's text (and the whole text as its tooltip), its id or its colours."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()][1](row)
        if role == ROW_ID_ROLE:
            return getattr(row, "id", None)
        return self.style(row, index.column(), role)

    def style(self, row, column: int, role) -> Any:
        """Return a cell's colours or alignment for a role (none by default)."""
        return None
