"""AuditTableModel: the audit log viewer's table, one AuditViewRow a line, headers as data."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.services.safety.audit_view import VIEW_HEADERS
from desktop.views.list_table_model import RowsTableModel

COL_AT, COL_USER, COL_SOURCE, COL_ACTION, COL_TABLE, COL_RECORD = range(6)
COL_FIELD, COL_OLD, COL_NEW, COL_NOTE = range(6, 10)


class AuditTableModel(RowsTableModel):
    """The rows the viewer's filter returned (AuditViewRow), newest first."""

    columns = tuple(
        (header, lambda row, column=column: row.cells()[column])
        for column, header in enumerate(VIEW_HEADERS)
    )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        """The cell's text; long values show whole in the tooltip (no id, no colours)."""
        if not index.isValid():
            return None
        text = self._rows[index.row()].cells()[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole and len(text) > 20:
            return text
        return None
