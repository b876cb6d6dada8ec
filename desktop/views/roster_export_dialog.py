"""导出花名册: choose the file and whether IDs are complete, export off the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.roster_io import RosterCancelled, export_roster
from desktop.views.signals import hub


class ExportWorker(QObject):
    """Runs export_roster on a worker thread."""

    progressed = Signal(int, str)
    finished = Signal(object, str)  # rows written (None when cancelled or failed), error text

    def __init__(self, engine, path: Path, full_ids: bool, household_ids) -> None:
        super().__init__()
        self._engine = engine
        self._path = path
        self._full_ids = full_ids
        self._household_ids = household_ids
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the export to stop; no file is left behind."""
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        """Export, then emit `finished`."""
        try:
            rows = export_roster(
                self._engine,
                self._path,
                full_ids=self._full_ids,
                household_ids=self._household_ids,
                progress=self.progressed.emit,
                cancel=self._cancel.is_set,
            )
        except RosterCancelled:
            self.finished.emit(None, "")
        except OSError as exc:
            self.finished.emit(None, f"无法写出文件 {self._path}：{exc}")
        else:
            self.finished.emit(rows, "")


class RosterExportDialog(QDialog):
    """Ask where to export and whether to include full ID numbers (masked by default)."""

    def __init__(self, services, parent: QWidget | None = None, household_ids=None) -> None:
        super().__init__(parent)
        self.services = services
        self.household_ids = None if household_ids is None else list(household_ids)
        self.rows_written: int | None = None
        self.error_text = ""
        self._thread: QThread | None = None
        self._worker: ExportWorker | None = None
        self._progress: QProgressDialog | None = None
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
        if self._thread is not None:
            return
        path = Path(text)
        if self.full_ids.isChecked():
            from desktop.services.auth_service import PermissionDeniedError
            from desktop.services.privacy import check_full_export

            try:
                check_full_export(self.services.user)
            except PermissionDeniedError as exc:
                QMessageBox.warning(self, "导出花名册", str(exc))
                return
        self._full_ids_used = self.full_ids.isChecked()
        self.export_button.setEnabled(False)
        self._worker = ExportWorker(
            self.services.engine, path, self.full_ids.isChecked(), self.household_ids
        )
        self._thread = QThread(self)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._on_worker_progressed)
        self._worker.finished.connect(self._on_worker_finished)
        self._progress = QProgressDialog("正在导出…", "取消", 0, 100, self)
        self._progress.setWindowTitle("导出花名册")
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(300)
        self._progress.setAutoClose(False)
        self._progress.setAutoReset(False)
        self._progress.canceled.connect(self.cancel_export)
        self._thread.start()

    def is_running(self) -> bool:
        """True while an export is under way."""
        return self._thread is not None

    @Slot()
    def cancel_export(self) -> None:
        """Cancel the running export; no file is written."""
        if self._worker is not None:
            self._worker.cancel()

    @Slot(int, str)
    def _on_worker_progressed(self, percent: int, text: str) -> None:
        progress = self._progress
        if progress is None or progress.wasCanceled():
            return
        # A modal QProgressDialog processes events inside setValue(), where `finished` may
        # arrive and drop self._progress: keep working on the local reference.
        progress.setLabelText(text)
        progress.setValue(percent)

    @Slot(object, str)
    def _on_worker_finished(self, rows, error: str) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread.deleteLater()
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread = None
        self._worker = None
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
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

    def reject(self) -> None:
        """Close, unless an export is still running (cancel it first)."""
        if self._thread is not None:
            self.cancel_export()
            return
        super().reject()


def export_roster_interactive(
    services, parent: QWidget | None = None, household_ids=None
) -> tuple[int | None, bool]:
    """Ask for the file and the ID option, export off the GUI thread; return (rows, accepted)."""
    dialog = RosterExportDialog(services, parent, household_ids)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.rows_written, accepted and dialog.rows_written is not None
