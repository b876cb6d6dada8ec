"""UnitRolesDialog: which of the township's own units stands for each unit of the catalogue.

Seed 002's catalogue names the units of its own township (干汊河中心校…). They are a template
here: each township says which of its units fills each role, and the problem dialog suggests
those units for a catalogue item.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.views.dialogs import EditingDialog, dialog_buttons

COLUMNS = ("问题目录中的单位（种子文件原文）", "职责", "本镇的责任单位")
COL_PRINTED, COL_ROLE, COL_UNIT = range(3)
NO_UNIT = "（未对照）"


class UnitRolesDialog(EditingDialog):
    """A table of the template's units and, for each, a choice of the township's units."""

    unsaved_question = "责任单位对照有未保存的修改，是否保存？"

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problems = services.problems
        self.problems.ensure_reference_data()
        self.setWindowTitle("责任单位对照")
        intro = QLabel(
            "问题目录（种子文件）列出的责任单位是原乡镇的单位名称，这里作为模板。"
            "请为每一项选定本乡镇负责的单位；登记问题时按问题类别推荐这些单位。"
        )
        intro.setWordWrap(True)
        self.township_combo = QComboBox()
        for township_id, name in self.problems.townships():
            self.township_combo.addItem(name, township_id)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_PRINTED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ROLE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_UNIT, QHeaderView.ResizeMode.Stretch)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        buttons = dialog_buttons(self, "保存", "关闭", on_accept=self._on_buttons_accepted)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        top = QFormLayout()
        top.addRow("乡镇", self.township_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(760, 560)
        self._township_id = None
        self._saved: dict[str, int | None] = {}
        self.township_combo.currentIndexChanged.connect(self._on_township_combo_changed)
        self._load()

    def _load(self) -> None:
        self._township_id = self.township_combo.currentData()
        if self._township_id is None:
            self.error_label.setText("数据库中还没有乡镇")
            return
        units = self.problems.units()
        roles = self.problems.unit_roles(self._township_id)
        self.table.setRowCount(len(roles))
        self._roles = [r.role for r in roles]
        for row, r in enumerate(roles):
            self.table.setItem(row, COL_PRINTED, QTableWidgetItem(r.printed))
            self.table.setItem(row, COL_ROLE, QTableWidgetItem(r.role))
            for col in (COL_PRINTED, COL_ROLE):
                self.table.item(row, col).setFlags(
                    self.table.item(row, col).flags() & ~Qt.ItemFlag.ItemIsEditable
                )
            combo = QComboBox()
            combo.addItem(NO_UNIT, None)
            for u in units:
                combo.addItem(u.name, u.id)
            combo.setCurrentIndex(max(0, combo.findData(r.unit_id)))
            self.table.setCellWidget(row, COL_UNIT, combo)
        self._saved = self.chosen()

    def chosen(self) -> dict[str, int | None]:
        """Return role → unit id as the table shows it."""
        return {
            role: self.table.cellWidget(row, COL_UNIT).currentData()
            for row, role in enumerate(getattr(self, "_roles", []))
        }

    def set_unit(self, role: str, unit_name: str) -> None:
        """Choose a unit for a role by its name (as a clerk picks it from the list)."""
        combo = self.table.cellWidget(self._roles.index(role), COL_UNIT)
        combo.setCurrentIndex(combo.findText(unit_name))

    def has_unsaved_changes(self) -> bool:
        """True when a choice differs from what was saved."""
        return self._township_id is not None and self.chosen() != self._saved

    def save_changes(self) -> bool:
        """Save the choices; errors show in the dialog and keep them on screen."""
        try:
            self.problems.set_unit_roles(self._township_id, self.chosen())
        except AppError as exc:
            self.error_label.setText(str(exc))
            return False
        self._saved = self.chosen()
        self.error_label.setText("")
        return True

    def _on_buttons_accepted(self) -> None:
        if self.save_changes():
            self.accept()

    def _on_township_combo_changed(self, *_args) -> None:
        if self.has_unsaved_changes() and not self.save_changes():
            self.township_combo.blockSignals(True)  # stay on the township whose edits failed
            self.township_combo.setCurrentIndex(self.township_combo.findData(self._township_id))
            self.township_combo.blockSignals(False)
            return
        self._load()

    @classmethod
    def run(cls, services, parent: QWidget | None = None) -> tuple[None, bool]:
        """Open the dialog (工具 → 责任单位对照…); return (None, saved)."""
        dialog = cls(services, parent)
        return None, dialog.exec() == QDialog.DialogCode.Accepted
