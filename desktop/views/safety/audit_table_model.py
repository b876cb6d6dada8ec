"""AuditTableModel: the audit log viewer's table, one AuditViewRow a line, headers as data."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.services.safety.audit_view import VIEW_HEADERS, AuditViewRow

COL_AT, COL_USER, COL_SOURCE, COL_ACTION, COL_TABLE, COL_RECORD = range(6)
COL_FIELD, COL_OLD, COL_NEW, COL_NOTE = range(6, 10)


class AuditTableModel(QAbstractTableModel):
    """The rows the viewer's filter returned, newest first."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AuditViewRow] = []

    def set_rows(self, rows: list[AuditViewRow]) -> None:
        """Show these rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[AuditViewRow]:
        """The rows shown (what the export writes)."""
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Return the number of rows shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Return the number of columns."""
        return 0 if parent.isValid() else len(VIEW_HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        """The cell's text; long values show whole in the tooltip."""
        if not index.isValid():
            return None
        text = self._rows[index.row()].cells()[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole and len(text) > 20:
            return text
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        """Column headers from VIEW_HEADERS."""
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return VIEW_HEADERS[section]
        return None
