"""AuditLogDialog: the audit log in the window, filtered, in Chinese; exports what it shows."""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.safety.audit_view import ACTION_CHOICES, KIND_TABLES, AuditQuery
from desktop.services.safety.auth import EXPORT_AUDIT, can
from desktop.views.date_edit import DateEdit, refuse_bad_dates
from desktop.views.safety.audit_table_model import (
    COL_AT,
    AuditTableModel,
)
from desktop.views.tables import fit_columns

ANY = "全部"
LONG_TEXT_PX = 200  # a value wider than this is elided, whole in its tooltip


class AuditLogDialog(QDialog):
    """Who changed what and when: filter by person, period, household, object and action."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.view_service = services.audit_view
        self.allowed = can(services.user, EXPORT_AUDIT)
        self.setWindowTitle("操作日志")
        self.resize(1240, 700)
        today = datetime.date.today()
        self.start_edit = DateEdit(today.replace(day=1))
        self.end_edit = DateEdit(today)
        self.user_combo = QComboBox()
        self.user_combo.addItem(ANY, "")
        self.household_edit = QLineEdit()
        self.household_edit.setPlaceholderText("户编号（可输入末几位）")
        self.household_edit.setClearButtonEnabled(True)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(ANY, "")
        for kind in KIND_TABLES:
            self.kind_combo.addItem(kind, kind)
        self.action_combo = QComboBox()
        self.action_combo.addItem(ANY, "")
        for code, label in ACTION_CHOICES.items():
            self.action_combo.addItem(label, code)
        self.search_button = QPushButton("查询")
        self.search_button.setDefault(True)
        self.clear_button = QPushButton("清除筛选")

        dates = QHBoxLayout()
        dates.addWidget(self.start_edit)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.end_edit)
        filters = QGridLayout()
        placed = (
            ("日期", dates), ("操作人", self.user_combo), ("户编号", self.household_edit),
            ("对象", self.kind_combo), ("操作", self.action_combo),
        )  # fmt: skip
        for number, (label, item) in enumerate(placed):
            row, column = divmod(number, 3)
            filters.addWidget(QLabel(label), row, column * 2)
            if isinstance(item, QHBoxLayout):
                filters.addLayout(item, row, column * 2 + 1)
            else:
                filters.addWidget(item, row, column * 2 + 1)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.search_button)
        buttons_row.addWidget(self.clear_button)
        filters.addLayout(buttons_row, 1, 5)

        self.model = AuditTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)

        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.export_button = QPushButton("导出当前视图…")
        self.export_button.setToolTip("把表中显示的记录（按当前筛选）导出为 Excel")
        self.close_button = QPushButton("关闭")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.search_button.clicked.connect(self.refresh)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.household_edit.returnPressed.connect(self.refresh)
        for combo in (self.user_combo, self.kind_combo, self.action_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.start_edit.valueChanged.connect(self.refresh)
        self.end_edit.valueChanged.connect(self.refresh)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.close_button.clicked.connect(self.reject)

        if not self.allowed:
            for widget in (self.table, self.export_button, self.search_button):
                widget.setEnabled(False)
            self.count_label.setText("只有管理员可以查看和导出操作日志。")
            return
        for name in self.view_service.user_names():
            self.user_combo.addItem(name, name)
        self.refresh()

    def query(self) -> AuditQuery:
        """The filter on screen."""
        return AuditQuery(
            start=self.start_edit.value(),
            end=self.end_edit.value(),
            user_name=self.user_combo.currentData() or "",
            household_code=self.household_edit.text().strip(),
            kind=self.kind_combo.currentData() or "",
            action=self.action_combo.currentData() or "",
        )

    def refresh(self, *_args) -> None:
        """Read the log again with the filter on screen."""
        if not self.allowed or refuse_bad_dates(self, "日期有误"):
            return
        query = self.query()
        rows = self.view_service.rows(query)
        self.model.set_rows(rows)
        # The time read whole, to the second; other columns as wide as their content up to
        # LONG_TEXT_PX (the rest in the tooltip), so a 1366-pixel screen shows every column.
        fit_columns(self.table, (COL_AT,), widest_px=LONG_TEXT_PX)
        if rows:
            more = (
                f"（只显示最新 {query.limit} 条）"
                if query.limit and len(rows) >= query.limit
                else ""
            )
            self.count_label.setText(f"共 {len(rows)} 条{more}，筛选：{query.describe()}")
        else:
            self.count_label.setText(f"没有符合条件的记录。筛选：{query.describe()}")
        self.export_button.setEnabled(bool(rows))

    def _on_clear_button_clicked(self) -> None:
        for combo in (self.user_combo, self.kind_combo, self.action_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.household_edit.clear()
        self.start_edit.set_value(None)
        self.end_edit.set_value(None)
        self.refresh()

    def export_to(self, path: Path) -> int | None:
        """Export the rows shown to an .xlsx; return the count, None after an error."""
        try:
            count = self.view_service.export_xlsx(
                path, self.query(), self.model.rows(), self.services.user
            )
        except Exception as exc:  # no permission, a locked file: say why, keep the view
            QMessageBox.warning(self, "未能导出", f"未能导出操作日志：{exc}")
            return None
        self.count_label.setText(f"已导出 {count} 条到 {path}。{self.services.audit.head_text()}")
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return count

    def _on_export_button_clicked(self) -> None:
        name = f"操作日志{datetime.date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出操作日志", name, "Excel 工作簿 (*.xlsx)")
        if path:
            self.export_to(Path(path if path.lower().endswith(".xlsx") else path + ".xlsx"))

    @classmethod
    def run(cls, services, parent: QWidget | None = None) -> tuple[None, bool]:
        """Show the log (menu 工具 → 操作日志…)."""
        cls(services, parent).exec()
        return None, True
