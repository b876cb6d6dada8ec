"""AuditExportDialog: the administrator exports the log of a period as .xlsx."""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.services.safety.auth import EXPORT_AUDIT, AuthError, can
from desktop.views.date_edit import DateEdit


class AuditExportDialog(QDialog):
    """Pick a period and a file; the export itself is logged."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("导出操作日志")
        today = datetime.date.today()
        self.start_edit = DateEdit(today.replace(day=1), allow_blank=False)
        self.end_edit = DateEdit(today, allow_blank=False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("起始日期", self.start_edit)
        form.addRow("截止日期", self.end_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("导出…")
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)
        if not can(services.user, EXPORT_AUDIT):
            self.save_button.setEnabled(False)
            self.status_label.setText("只有管理员可以导出操作日志。")

    def export_to(self, path: Path) -> int | None:
        """Export the chosen period to a file; return the count, None after an error."""
        start, end = self.start_edit.value(), self.end_edit.value()
        if start is None or end is None:
            self.status_label.setText(
                (self.start_edit.error() or self.end_edit.error()) or "请填写日期"
            )
            return None
        if start > end:
            self.status_label.setText("起始日期晚于截止日期")
            return None
        try:
            count = self.services.audit.export_xlsx(path, start, end)
        except (AuthError, OSError) as exc:
            self.status_label.setText(f"导出失败：{exc}")
            return None
        self.status_label.setText(f"已导出 {count} 条操作日志到 {path}")
        return count

    def _on_buttons_accepted(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "保存操作日志", "操作日志.xlsx", "Excel (*.xlsx)"
        )
        if path:
            self.export_to(Path(path if path.endswith(".xlsx") else path + ".xlsx"))

    @classmethod
    def run(cls, services, parent: QWidget | None = None) -> tuple[None, bool]:
        """Show the dialog (menu 工具 → 导出操作日志)."""
        cls(services, parent).exec()
        return None, True
