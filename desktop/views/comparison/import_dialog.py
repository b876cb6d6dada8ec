"""Import a department's list: choose the file, see a preview, map the key columns, import."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.comparison.departments import (
    DEPARTMENTS,
    ROLE_BIRTH,
    ROLE_ID,
    ROLE_LABELS,
    ROLE_NAME,
)
from desktop.services.comparison.importer import write_error_report
from desktop.services.comparison.reader import DepartmentSheet, read_department_file
from desktop.views.date_edit import DateEdit, refuse_bad_dates
from desktop.views.signals import hub

NOT_MAPPED = "（无此列）"
FILE_FILTER = "部门名单 (*.xlsx *.xls *.csv);;所有文件 (*)"


class ImportListDialog(QDialog):
    """One department list in: file, 部门, 收到日期, header row, key columns, preview, result."""

    @classmethod
    def run(
        cls, services, parent: QWidget | None = None, path: Path | None = None
    ) -> tuple[Any, bool]:
        """Open the dialog; return (the import's result or None, accepted)."""
        dialog = cls(services, parent)
        if path is not None:
            dialog.open_file(path)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.result_, accepted

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.sheet: DepartmentSheet | None = None
        self.result_ = None
        self.setWindowTitle("导入部门比对名单")
        self.resize(1000, 680)
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        browse = QPushButton("选择文件…")
        browse.clicked.connect(self._on_browse_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        self.department = QComboBox()
        self.department.setEditable(True)
        self.department.addItems(DEPARTMENTS)
        self.department.currentTextChanged.connect(self._on_department_changed)
        self.received = DateEdit(datetime.date.today(), allow_blank=False)
        self.header_row = QSpinBox()
        self.header_row.setRange(1, 10)
        self.header_row.valueChanged.connect(self._on_header_row_changed)
        self.role_boxes = {role: QComboBox() for role in (ROLE_ID, ROLE_NAME, ROLE_BIRTH)}
        self.replace_open = QCheckBox("取代该部门旧名单中尚未处理的疑点")
        form = QFormLayout()
        form.addRow("文件", file_row)
        form.addRow("提供部门", self.department)
        form.addRow("收到日期", self.received)
        form.addRow("表头在第几行", self.header_row)
        for role, box in self.role_boxes.items():
            form.addRow(f"{ROLE_LABELS[role]}所在列", box)
        form.addRow("", self.replace_open)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.message = QLabel("请选择部门提供的名单文件（.xlsx、.xls 或 .csv）")
        self.message.setWordWrap(True)
        self.issues = QTableWidget(0, 4)
        self.issues.setHorizontalHeaderLabels(["行", "列", "值", "原因"])
        self.issues.horizontalHeader().setStretchLastSection(True)
        self.issues.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.issues.hide()
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "导入并比对", QDialogButtonBox.ButtonRole.ApplyRole
        )
        self.report_button = self.buttons.addButton(
            "保存错误报告…", QDialogButtonBox.ButtonRole.ActionRole
        )
        close = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.setEnabled(False)
        self.report_button.hide()
        self.import_button.clicked.connect(self._on_import_clicked)
        self.report_button.clicked.connect(self._on_report_clicked)
        close.clicked.connect(self._on_close_clicked)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("预览（表头以下前30行）"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.issues, 1)
        layout.addWidget(self.buttons)

    # --- reading ------------------------------------------------------------------------

    def open_file(self, path: Path) -> None:
        """Read a file and show its preview and the mapping to use."""
        try:
            self.sheet = read_department_file(path)
        except AppError as exc:
            self.sheet = None
            self._show_message(str(exc), error=True)
            self.import_button.setEnabled(False)
            return
        self.file_edit.setText(str(path))
        self.header_row.blockSignals(True)
        self.header_row.setRange(1, max(1, min(10, len(self.sheet.all_rows))))
        self.header_row.setValue(self.sheet.header_row + 1)
        self.header_row.blockSignals(False)
        self._show_sheet()

    def _show_sheet(self) -> None:
        sheet = self.sheet
        self.preview.clear()
        self.preview.setColumnCount(len(sheet.headers))
        self.preview.setRowCount(len(sheet.preview))
        self.preview.setHorizontalHeaderLabels(sheet.headers)
        for r, row in enumerate(sheet.preview):
            for c, text in enumerate(row[: len(sheet.headers)]):
                self.preview.setItem(r, c, QTableWidgetItem(text))
        self.preview.resizeColumnsToContents()
        self._fill_mapping()
        encoding = f"，编码 {sheet.encoding}" if sheet.encoding else ""
        self._show_message(
            f"工作表“{sheet.sheet_name}”{encoding}：表头在第{sheet.header_row + 1}行，"
            f"以下 {sheet.data_rows} 行。请核对各关键列后导入。"
        )
        self.import_button.setEnabled(True)

    def _fill_mapping(self) -> None:
        mapping = self.services.comparison.mapping_for(self.sheet, self.department.currentText())
        for role, box in self.role_boxes.items():
            box.blockSignals(True)
            box.clear()
            box.addItem(NOT_MAPPED)
            box.addItems([h for h in self.sheet.headers if h])
            chosen = mapping.get(role)
            box.setCurrentText(chosen if chosen else NOT_MAPPED)
            box.blockSignals(False)

    def mapping(self) -> dict[str, str]:
        """Return role → header as chosen in the boxes."""
        return {
            role: box.currentText()
            for role, box in self.role_boxes.items()
            if box.currentText() and box.currentText() != NOT_MAPPED
        }

    # --- slots --------------------------------------------------------------------------

    def _on_browse_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择部门名单", "", FILE_FILTER)
        if name:
            self.open_file(Path(name))

    def _on_department_changed(self, _text: str) -> None:
        if self.sheet is not None:
            self._fill_mapping()

    def _on_header_row_changed(self, value: int) -> None:
        if self.sheet is not None:
            self.sheet = self.sheet.with_header_row(value - 1)
            self._show_sheet()

    def _on_import_clicked(self) -> None:
        if self.sheet is None or refuse_bad_dates(self, "不能导入"):
            return
        try:
            result = self.services.comparison.import_list(
                self.sheet,
                self.department.currentText(),
                received_on=self.received.value() or datetime.date.today(),
                who=self.services.user.name,
                mapping=self.mapping(),
                replace_open=self.replace_open.isChecked(),
            )
        except AppError as exc:
            self._show_message(str(exc), error=True)
            return
        self.result_ = result
        lines = result.summary_lines(limit=5)
        self._show_message("\n".join(lines[:3]), error=not result.ok)
        self._show_issues(result.errors + result.warnings)
        if result.ok:
            self.import_button.setEnabled(False)
            hub().comparison_changed.emit()
            hub().status_message.emit(lines[0])

    def _on_report_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "保存错误报告", "部门名单错误报告.xlsx", "Excel 文件 (*.xlsx)"
        )
        if name and self.result_ is not None:
            try:
                write_error_report(self.result_, name)
            except OSError as exc:
                self._show_message(f"无法写出 {name}：{exc.strerror or exc}", error=True)

    def _on_close_clicked(self) -> None:
        if self.result_ is not None and self.result_.ok:
            self.accept()
        else:
            self.reject()

    # --- showing ------------------------------------------------------------------------

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "")

    def _show_issues(self, issues: list) -> None:
        self.issues.setVisible(bool(issues))
        self.report_button.setVisible(bool(issues) or bool(self.result_ and self.result_.fatal))
        self.issues.setRowCount(len(issues))
        for r, issue in enumerate(issues):
            column = (
                f"{issue.column_letter}（{issue.field}）" if issue.field else issue.column_letter
            )
            for c, text in enumerate((str(issue.row or ""), column, issue.value, issue.message)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.issues.setItem(r, c, item)
        self.issues.resizeColumnsToContents()
        self.issues.horizontalHeader().setStretchLastSection(True)
