"""HistoryDialog: a record's history from the audit trail (who, when, which field, old → new)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.context import AppServices
from desktop.services.safety.audit import AuditRow

COLUMNS = ("时间", "操作人", "操作", "对象", "记录", "字段", "原值", "新值", "说明")


def _cells(r: AuditRow) -> tuple[str, ...]:
    return (
        f"{r.at:%Y-%m-%d %H:%M:%S}",
        r.user_name + ("（命令行）" if r.source == "cli" else ""),
        r.action_label,
        r.table_label,
        r.record_label,
        r.field_label,
        r.old_value or "",
        r.new_value or "",
        r.note,
    )


class HistoryDialog(QDialog):
    """Lists a record's changes, newest first; a household's includes members and forms."""

    def __init__(
        self, services: AppServices, table: str, record_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.rows = services.audit.history(table, record_id)
        self.setWindowTitle("修改记录")
        count = len(self.rows)
        summary = QLabel(f"共 {count} 条修改记录（最新的在上）" if count else "暂无修改记录")
        self.table = QTableWidget(len(self.rows), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        for row, entry in enumerate(self.rows):
            for col, value in enumerate(_cells(entry)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(980, 480)

    @classmethod
    def run(
        cls, services: AppServices, table: str, record_id: int, parent: QWidget | None = None
    ) -> tuple[None, bool]:
        """Show the history of one record (e.g. ("household", id)); modal."""
        dialog = cls(services, table, record_id, parent)
        dialog.exec()
        return None, True
