"""导入花名册: preview, column mapping, import off the GUI thread, summary and error report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError, column_letter
from desktop.services.roster.importer import RosterImportResult
from desktop.services.roster.report import write_error_report
from desktop.services.roster.sheet import ColumnMapping, RosterSheet, read_roster
from desktop.services.roster.template import COLUMNS
from desktop.views.background import JobDialog, ProgressJob, call_keeping_window_alive
from desktop.views.signals import hub

FILE_FILTER = "花名册 (*.xlsx *.xls *.xlsm *.ods);;所有文件 (*)"
NOT_IMPORTED = "（不导入）"
PREVIEW_SHOWN = 20
ERRORS_SHOWN = 2000  # the report file holds them all; the table stays light


class RosterImportDialog(JobDialog):
    """Import one roster file; construct with the file path, or use `run()` to ask for it."""

    def __init__(self, services, path: Path | str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.path = Path(path)
        self.result_data: RosterImportResult | None = None
        self.sheet: RosterSheet | None = None
        self._combos: dict[str, QComboBox] = {}
        self.setWindowTitle("导入花名册")
        self.resize(980, 720)
        self._build()
        self._load()

    # --- construction ------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.file_label)

        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setMinimumHeight(160)
        self.preview_label = QLabel(f"预览（前 {PREVIEW_SHOWN} 行，左侧为Excel行号）：")
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview, 2)

        self.mapping_box = QGroupBox("列对应：为每一项选择文件中的列（带 * 的必须选择）")
        grid = QGridLayout(self.mapping_box)
        for index, column in enumerate(COLUMNS):
            label = QLabel(column.header + (" *" if column.required else ""))
            combo = QComboBox()
            combo.currentIndexChanged.connect(self._on_mapping_changed)
            self._combos[column.header] = combo
            row, col = divmod(index, 3)
            grid.addWidget(label, row, col * 2)
            grid.addWidget(combo, row, col * 2 + 1)
        layout.addWidget(self.mapping_box)
        self.mapping_note = QLabel()
        self.mapping_note.setWordWrap(True)
        layout.addWidget(self.mapping_note)

        options = QHBoxLayout()
        self.skip_invalid = QCheckBox(
            "跳过有错误的户，只导入无误的户（默认：有任何错误则全部不导入）"
        )
        options.addWidget(self.skip_invalid)
        # Shown once an import found members the file leaves out: removing people is a choice.
        self.remove_missing = QCheckBox("删除文件中没有的成员")
        self.remove_missing.hide()
        options.addWidget(self.remove_missing)
        options.addStretch(1)
        self.show_mapping_button = QPushButton("调整列对应…")
        self.show_mapping_button.clicked.connect(self._on_show_mapping_clicked)
        options.addWidget(self.show_mapping_button)
        layout.addLayout(options)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.hide()
        layout.addWidget(self.summary)
        self.errors_table = QTableWidget(0, 5)
        self.errors_table.setHorizontalHeaderLabels(["行", "列", "值", "原因", "级别"])
        self.errors_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.errors_table.horizontalHeader().setStretchLastSection(False)
        # The reason takes what width is left; long ones stay readable in a tooltip.
        self.errors_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.errors_table.verticalHeader().hide()  # the 行 column is the Excel row
        self.errors_table.hide()
        layout.addWidget(self.errors_table, 3)

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.report_button = buttons.addButton(
            "保存错误报告…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.report_button.hide()
        self.import_button.clicked.connect(self._on_import_clicked)
        self.report_button.clicked.connect(self._on_report_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)
        layout.addWidget(buttons)

    def _load(self) -> None:
        self.file_label.setText(f"文件：{self.path}")
        try:
            self.sheet = call_keeping_window_alive(
                self.parentWidget(), f"正在读取 {self.path.name}…", lambda: read_roster(self.path)
            )
        except AppError as exc:
            self.sheet = None
            self.mapping_box.hide()
            self.show_mapping_button.hide()
            self.import_button.setEnabled(False)
            self.mapping_note.setText(str(exc))
            self.mapping_note.setStyleSheet("color: #b00020;")
            return
        sheet = self.sheet
        self.file_label.setText(
            f"文件：{self.path}　工作表：{sheet.sheet_name}　表头在第 {sheet.header_row + 1} 行"
        )
        width = sheet.width
        self.preview.setColumnCount(width)
        self.preview.setHorizontalHeaderLabels(
            [f"{column_letter(c)} {self._header(c)}".strip() for c in range(width)]
        )
        rows = sheet.preview[:PREVIEW_SHOWN]
        self.preview.setRowCount(len(rows))
        self.preview.setVerticalHeaderLabels(
            [str(sheet.header_row + 2 + i) for i in range(len(rows))]
        )
        for r, row in enumerate(rows):
            for c, text in enumerate(row[:width]):
                self.preview.setItem(r, c, QTableWidgetItem(text))
        self.preview.resizeColumnsToContents()
        choices = [NOT_IMPORTED] + [
            f"{column_letter(c)}列：{self._header(c) or '（无表头）'}" for c in range(width)
        ]
        auto = sheet.auto_mapping()
        for header, combo in self._combos.items():
            combo.blockSignals(True)
            combo.addItems(choices)
            source = auto.source_of(header)
            combo.setCurrentIndex(0 if source is None else source + 1)
            combo.blockSignals(False)
        standard = sheet.is_standard()
        self.mapping_box.setVisible(not standard)
        self.show_mapping_button.setVisible(standard)
        self._on_mapping_changed()

    def _header(self, column: int) -> str:
        headers = self.sheet.headers if self.sheet else []
        return headers[column] if column < len(headers) else ""

    # --- mapping -----------------------------------------------------------------------------

    def mapping(self) -> ColumnMapping:
        """Return the column mapping the combos show."""
        columns = {}
        for header, combo in self._combos.items():
            if combo.currentIndex() > 0:
                columns[header] = combo.currentIndex() - 1
        return ColumnMapping(columns)

    def set_source_column(self, header: str, column: int | None) -> None:
        """Choose the source column (0-based, None for none) of a template column."""
        self._combos[header].setCurrentIndex(0 if column is None else column + 1)

    @Slot()
    def _on_mapping_changed(self) -> None:
        if self.sheet is None:
            return
        missing = self.mapping().missing_required()
        if missing:
            self.mapping_note.setText("还需要指定这些列：" + "、".join(missing))
            self.mapping_note.setStyleSheet("color: #b00020;")
        else:
            self.mapping_note.setText("")
            self.mapping_note.setStyleSheet("")
        self.import_button.setEnabled(not missing and not self.is_running())

    @Slot()
    def _on_show_mapping_clicked(self) -> None:
        self.mapping_box.show()
        self.show_mapping_button.hide()

    # --- importing ---------------------------------------------------------------------------

    def start_import(self) -> None:
        """Start the import off the GUI thread with a progress dialog that can cancel it."""
        if self.sheet is None or self.is_running():
            return
        # The sheet's cached cells are consumed by one import; a second one reads the file
        # again, on the worker thread.
        sheet = self.sheet if self.result_data is None else None
        self.import_button.setEnabled(False)
        roster, path, mapping = self.services.roster, self.path, self.mapping()
        skip_invalid = self.skip_invalid.isChecked()
        remove_missing = self.remove_missing.isVisible() and self.remove_missing.isChecked()
        self.job = ProgressJob(
            self,
            "导入花名册",
            "正在导入…",
            lambda progress, cancelled: roster.import_file(
                path,
                skip_invalid=skip_invalid,
                mapping=mapping,
                progress=progress,
                cancel=cancelled,
                sheet=sheet,
                remove_missing=remove_missing,
            ),
            self._on_import_finished,
            self._on_import_failed,
        )
        self.job.start()

    def _on_import_finished(self, result: RosterImportResult) -> None:
        self.result_data = result
        self._show_result(result)
        if result.written:
            hub().registry_changed.emit()
            hub().status_message.emit(
                f"花名册已导入：{result.created + result.updated} 户，{result.members} 人"
            )

    def _on_import_failed(self, message: str) -> None:
        # import_roster reports what it expects in its result; anything else lands here, and
        # its transaction has rolled back.
        self.import_button.setEnabled(True)
        QMessageBox.warning(self, "导入花名册", f"导入失败，数据库没有任何改动：{message}")

    def _show_result(self, result: RosterImportResult) -> None:
        self.preview.hide()
        self.preview_label.hide()
        self.mapping_box.hide()
        # After a rejected import the user may fix the mapping and import again.
        self.show_mapping_button.setVisible(not result.written)
        lines = []
        for line in result.summary_lines(limit=0):
            if line.startswith(("错误 ", "提示 ")):
                break
            lines.append(line)
        if result.errors or result.warnings:
            lines.append(f"错误 {result.error_count} 处，提示 {result.warning_count} 处，见下表。")
        self.summary.setText("\n".join(lines))
        color = "#1b5e20" if result.written else "#b00020"
        self.summary.setStyleSheet(f"color: {color}; font-weight: bold;")
        self.summary.show()
        issues = [("错误", i) for i in result.errors] + [("提示", i) for i in result.warnings]
        self.errors_table.setRowCount(min(len(issues), ERRORS_SHOWN))
        red = QBrush(QColor("#ffc7ce"))
        for r, (kind, issue) in enumerate(issues[:ERRORS_SHOWN]):
            column = f"{issue.column_letter}（{issue.field}）" if issue.field else ""
            values = [str(issue.row or ""), column, issue.value, issue.message, kind]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if kind == "错误" and c == 4:
                    item.setBackground(red)
                if c == 3:
                    item.setToolTip(text)
                self.errors_table.setItem(r, c, item)
        self.errors_table.resizeColumnsToContents()
        self.errors_table.setVisible(bool(issues))
        self.report_button.setVisible(bool(issues or result.fatal))
        self.import_button.setVisible(not result.written)
        self.import_button.setText("重新导入")
        self.import_button.setEnabled(not result.written)
        if not result.written and not result.cancelled:
            self.skip_invalid.setEnabled(True)
        if result.removed and not result.written:
            self.remove_missing.setText(
                f"删除文件中没有的成员（共 {len(result.removed)} 人，见下表；默认不删除）"
            )
            self.remove_missing.setChecked(False)
            self.remove_missing.show()

    def save_report(self, out_path: Path | str) -> Path:
        """Write the error report of the last import to an .xlsx file."""
        return write_error_report(self.result_data, self.path, out_path)

    @Slot()
    def _on_import_clicked(self) -> None:
        self.start_import()

    @Slot()
    def _on_report_clicked(self) -> None:
        if self.result_data is None:
            return
        default = self.path.with_name(self.path.stem + "-错误报告.xlsx")
        name, _ = QFileDialog.getSaveFileName(self, "保存错误报告", str(default), "Excel (*.xlsx)")
        if not name:
            return
        try:
            call_keeping_window_alive(self, "正在保存错误报告…", lambda: self.save_report(name))
        except (OSError, AppError) as exc:
            QMessageBox.warning(self, "保存错误报告", f"无法保存错误报告：{exc}")
            return
        hub().status_message.emit(f"错误报告已保存：{name}")

    @Slot()
    def _on_close_clicked(self) -> None:
        if self.is_running():
            return  # the progress dialog's 取消 stops a running import
        if self.result_data is not None and self.result_data.written:
            self.accept()
        else:
            self.reject()

    @classmethod
    def run(cls, services, parent: QWidget | None = None) -> tuple[RosterImportResult | None, bool]:
        """Ask for a roster file and import it; return (result, whether anything was written)."""
        name, _ = QFileDialog.getOpenFileName(parent, "导入花名册", "", FILE_FILTER)
        if not name:
            return None, False
        dialog = cls(services, name, parent)
        dialog.exec()
        result = dialog.result_data
        return result, bool(result and result.written)
