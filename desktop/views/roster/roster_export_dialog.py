"""导出花名册: choose the file and whether IDs are complete, export off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError, CancelledError
from desktop.views.background import JobDialog, ProgressJob
from desktop.views.signals import hub


def _export(roster, path: Path, full_ids: bool, household_ids, progress, cancelled):
    """Export; return (rows written, or None when cancelled or failed; error text)."""
    try:
        rows = roster.export_file(
            path,
            full_ids=full_ids,
            household_ids=household_ids,
            progress=progress,
            cancel=cancelled,
        )
    except CancelledError:
        return None, ""
    except OSError as exc:
        return None, f"无法写出文件 {path}：{exc}"
    except AppError as exc:
        return None, str(exc)
    return rows, ""


class RosterExportDialog(JobDialog):
    """Ask where to export and whether to include full ID numbers (masked by default)."""

    def __init__(self, services, parent: QWidget | None = None, household_ids=None) -> None:
        super().__init__(parent)
        self.services = services
        self.household_ids = None if household_ids is None else list(household_ids)
        self.rows_written: int | None = None
        self.error_text = ""
        self.setWindowTitle("导出花名册")
        layout = QVBoxLayout(self)
        scope = "全部户" if self.household_ids is None else f"选中的 {len(self.household_ids)} 户"
        layout.addWidget(QLabel(f"导出范围：{scope}，每名成员一行，与花名册模板相同"))
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("选择保存位置（.xlsx）")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._on_browse_clicked)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.full_ids = QCheckBox("包含完整证件号码（默认打码，只保留前6位和后4位）")
        self.full_ids.toggled.connect(self._on_full_ids_toggled)
        layout.addWidget(self.full_ids)
        self.warning = QLabel("完整证件号码属于个人信息，请妥善保管导出的文件。")
        self.warning.setStyleSheet("color: #b00020;")
        self.warning.hide()
        layout.addWidget(self.warning)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("导出", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(self.start_export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 160)

    @Slot()
    def _on_browse_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "导出花名册", "花名册.xlsx", "Excel (*.xlsx)")
        if name:
            self.path_edit.setText(name if name.lower().endswith(".xlsx") else name + ".xlsx")

    @Slot(bool)
    def _on_full_ids_toggled(self, checked: bool) -> None:
        self.warning.setVisible(checked)

    @Slot()
    def start_export(self) -> None:
        """Start the export on a worker thread, with a progress dialog that can cancel it."""
        text = self.path_edit.text().strip()
        if not text:
            QMessageBox.information(self, "导出花名册", "请先选择保存位置。")
            return
        if self.is_running():
            return
        path = Path(text)
        if self.full_ids.isChecked():
            from desktop.services.safety.privacy import check_full_export

            try:
                check_full_export(self.services.user)
            except AppError as exc:
                QMessageBox.warning(self, "导出花名册", str(exc))
                return
        self._full_ids_used = self.full_ids.isChecked()
        self.export_button.setEnabled(False)
        roster, full_ids, ids = self.services.roster, self._full_ids_used, self.household_ids
        self.job = ProgressJob(
            self,
            "导出花名册",
            "正在导出…",
            lambda progress, cancelled: _export(roster, path, full_ids, ids, progress, cancelled),
            self._on_export_finished,
            self._on_export_failed,
        )
        self.job.start()

    def _on_export_failed(self, message: str) -> None:
        self._on_export_finished((None, f"导出失败：{message}"))

    def _on_export_finished(self, outcome: tuple[int | None, str]) -> None:
        rows, error = outcome
        self.export_button.setEnabled(True)
        self.rows_written = rows
        self.error_text = error
        if error:
            QMessageBox.warning(self, "导出花名册", error)
            return
        if rows is None:
            hub().status_message.emit("导出已取消")
            return
        # Every export of personal data is logged; one with full ID numbers says so.
        self.services.audit.log_export(
            "household", rows, self.path_edit.text(), full_ids=self._full_ids_used
        )
        hub().status_message.emit(f"已导出 {rows} 人到 {self.path_edit.text()}")
        self.accept()

    @classmethod
    def run(
        cls, services, parent: QWidget | None = None, household_ids=None
    ) -> tuple[int | None, bool]:
        """Ask for the file and the ID option, export off the GUI thread; return (rows, done)."""
        dialog = cls(services, parent, household_ids)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.rows_written, accepted and dialog.rows_written is not None
