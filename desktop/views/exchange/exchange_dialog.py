"""ExchangeDialog: export a package, import one, and resolve the conflicts imports left.

The conflicts are listed one per record; the selected one shows field by field (本机 / 对方),
and 保留本机 or 采用对方 settles it (logged; a kept copy goes back in the next package). The
county exports for a township chosen in the list of those that sent it packages.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.views.exchange.conflict_table_model import ExchangeConflictTableModel
from desktop.views.tables import fit_columns

DIFF_HEADERS = ("项目", "本机", "对方")
RECORD_COLUMNS = (1, 3)  # 记录 and 发现时间: shown whole
LONG_TEXT_PX = 240
FILTER = "交换包 (*.htkx)"


class ExchangeDialog(QDialog):
    """Export, import and resolve, on the services' ExchangeService."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("交换包 — 回头看工作台")
        self.exchange = services.exchange
        self.user_name = services.user.name
        self.changed = False
        self.key_label = QLabel()
        self.key_label.setWordWrap(True)
        self.township_combo = QComboBox()
        self.export_button = QPushButton("导出交换包…")
        self.import_button = QPushButton("导入交换包…")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.model = ExchangeConflictTableModel(self)
        self.conflict_view = QTableView()
        self.conflict_view.setModel(self.model)
        self.conflict_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.conflict_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.conflict_view.verticalHeader().hide()
        self.conflict_view.horizontalHeader().setStretchLastSection(True)
        self.diff_table = QTableWidget(0, len(DIFF_HEADERS))
        self.diff_table.setHorizontalHeaderLabels(DIFF_HEADERS)
        self.diff_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.diff_table.verticalHeader().hide()
        self.diff_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.keep_button = QPushButton("保留本机")
        self.keep_button.setToolTip("保留本机的这条记录；下次交换时发给对方")
        self.take_button = QPushButton("采用对方")
        self.close_button = QPushButton("关闭")

        top = QHBoxLayout()
        top.addWidget(QLabel("发给乡镇（县里导出时）"))
        top.addWidget(self.township_combo, 1)
        top.addWidget(self.export_button)
        top.addWidget(self.import_button)
        choose = QHBoxLayout()
        choose.addWidget(self.keep_button)
        choose.addWidget(self.take_button)
        choose.addStretch(1)
        choose.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.key_label)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("待处理的冲突（双方都改过的记录，未自动采用）"))
        layout.addWidget(self.conflict_view, 1)
        layout.addWidget(self.diff_table, 1)
        layout.addLayout(choose)
        self.resize(860, 600)

        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.keep_button.clicked.connect(lambda: self.resolve(take_theirs=False))
        self.take_button.clicked.connect(lambda: self.resolve(take_theirs=True))
        self.close_button.clicked.connect(self.accept)
        self.conflict_view.selectionModel().selectionChanged.connect(
            self._on_conflict_view_selection_changed
        )
        self.reload()

    def reload(self) -> None:
        """Show the key, the townships the county can send to, and the open conflicts."""
        key = self.exchange.key()
        here = self.exchange.pc_id()
        if key is None:
            self.key_label.setText("尚未设置交换密钥：请用命令 huitoukan exchange key 设置")
        elif key.county_pc == here:
            self.key_label.setText("本机是县里的电脑：导入各乡镇的交换包，也可发回给乡镇")
        else:
            self.key_label.setText("本机是乡镇的电脑：交换包发往县里")
        self.township_combo.clear()
        for name in self.exchange.townships_heard_from():
            self.township_combo.addItem(name)
        self.township_combo.setEnabled(key is not None and key.county_pc == here)
        self.model.set_rows(self.exchange.conflicts())
        # The record (户 4309…（户主）) and the time whole; a long list of fields elided, whole in
        # its tooltip. Were fixed widths: 户 … and 2026-12-0… at 1366×768.
        fit_columns(self.conflict_view, RECORD_COLUMNS, widest_px=LONG_TEXT_PX)
        self._show_differences()

    def selected(self):
        """The conflict selected in the list, or None."""
        rows = self.conflict_view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _show_differences(self) -> None:
        conflict = self.selected()
        differences = conflict.differences if conflict else ()
        self.diff_table.setRowCount(len(differences))
        for row, d in enumerate(differences):
            for column, text in enumerate((d.label, d.ours or "（空）", d.theirs or "（空）")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.diff_table.setItem(row, column, item)
        self.keep_button.setEnabled(conflict is not None)
        self.take_button.setEnabled(conflict is not None)

    def _on_conflict_view_selection_changed(self, *_args) -> None:
        self._show_differences()

    def export_to(self, path: Path) -> bool:
        """Export a package to `path`; say what it holds (or why not)."""
        township = self.township_combo.currentText() if self.township_combo.isEnabled() else None
        try:
            result = self.exchange.export(path, township or None)
        except AppError as exc:
            self.message.setText(str(exc))
            return False
        lost = f"；{len(result.missing_files)} 个附件文件缺失" if result.missing_files else ""
        self.message.setText(
            f"已导出 {result.township} 第 {result.sequence} 号交换包：{Path(path).name}{lost}"
        )
        return True

    def import_from(self, path: Path) -> bool:
        """Import a package from `path`; say what it did (or why not)."""
        try:
            result = self.exchange.import_package(path)
        except AppError as exc:
            self.message.setText(str(exc))
            return False
        c = result.counts
        self.message.setText(
            f"已导入 {result.township} 第 {result.sequence} 号交换包：新增 "
            f"{sum(c.inserted.values())} 条，更新 {sum(c.updated.values())} 条，删除 "
            f"{sum(c.deleted.values())} 条，冲突 {c.conflicts} 条"
        )
        self.changed = True
        self.reload()
        return True

    def resolve(self, *, take_theirs: bool) -> None:
        """Settle the selected conflict."""
        conflict = self.selected()
        if conflict is None:
            return
        try:
            self.exchange.resolve(conflict.id, take_theirs=take_theirs, user_name=self.user_name)
        except AppError as exc:
            self.message.setText(str(exc))
            return
        choice = "采用对方" if take_theirs else "保留本机"
        self.message.setText(f"冲突 {conflict.id}（{conflict.what}）已处理：{choice}")
        self.changed = True
        self.reload()

    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出交换包", "", FILTER)
        if path:
            self.export_to(Path(path))

    def _on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入交换包", "", FILTER)
        if path:
            self.import_from(Path(path))

    @classmethod
    def run(cls, services, parent: QWidget | None = None) -> tuple[None, bool]:
        """Show the dialog; (None, True) when an import or a resolution changed data."""
        dialog = cls(services, parent)
        dialog.exec()
        return None, dialog.changed
