"""VillageDialog: add or edit a village."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.context import AppServices
from desktop.services.registry.data import VillageInfo
from desktop.views.dialogs import EditingDialog, dialog_buttons
from desktop.views.standards.indicator_box import IndicatorBox

NO_YEAR = 0


class VillageDialog(EditingDialog):
    """Edits a village's name, code, 贫困村 flag and exit year."""

    def __init__(
        self,
        services: AppServices,
        township_id: int,
        village: VillageInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.township_id = township_id
        self.village = village
        self.saved_id: int | None = None
        self.setWindowTitle("编辑村" if village else "新增村")
        self.name_edit = QLineEdit(village.name if village else "")
        self.code_edit = QLineEdit(village.code if village else "")
        self.poor_check = QCheckBox("贫困村")
        self.poor_check.setChecked(bool(village and village.is_poor_village))
        self.exit_spin = QSpinBox()
        self.exit_spin.setRange(NO_YEAR, 2100)
        self.exit_spin.setSpecialValueText("未退出")
        self.exit_spin.setValue((village.exit_year or NO_YEAR) if village else NO_YEAR)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("村名", self.name_edit)
        form.addRow("村代码", self.code_edit)
        form.addRow("", self.poor_check)
        form.addRow("退出年份", self.exit_spin)
        buttons = dialog_buttons(self, "保存", on_accept=self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        # The village's 一低六有, when its campaign's standard has a village set.
        self.indicator_box: IndicatorBox | None = None
        village_set = village and services.standards.village_indicator_set(village.id)
        if village_set:
            self.indicator_box = IndicatorBox(
                f"村级指标（{village_set.name}）",
                village_set.indicators,
                services.standards.village_values(village.id),
            )
            layout.addWidget(self.indicator_box)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.poor_check.toggled.connect(self.exit_spin.setEnabled)
        self.exit_spin.setEnabled(self.poor_check.isChecked())
        self._saved_entries = self._entries()

    def _entries(self) -> tuple:
        return (
            self.name_edit.text(),
            self.code_edit.text(),
            self.poor_check.isChecked(),
            self.exit_spin.value(),
            self.indicator_box.values() if self.indicator_box is not None else None,
        )

    def has_unsaved_changes(self) -> bool:
        """True when a field differs from what the dialog opened with."""
        return self.saved_id is None and self._entries() != self._saved_entries

    def save_changes(self) -> bool:
        """Save the village; False (the reason shown) when it cannot be."""
        self._on_buttons_accepted()
        return self.saved_id is not None

    def _on_buttons_accepted(self) -> None:
        year = self.exit_spin.value() if self.poor_check.isChecked() else NO_YEAR
        try:
            self.saved_id = self.services.registry.save_village(
                township_id=self.township_id,
                name=self.name_edit.text(),
                code=self.code_edit.text(),
                is_poor_village=self.poor_check.isChecked(),
                exit_year=year or None,
                village_id=self.village.id if self.village else None,
            )
            if self.indicator_box is not None:
                self.services.standards.save_village_values(
                    self.saved_id, self.indicator_box.values()
                )
        except AppError as exc:
            self.error_label.setText(str(exc))  # the entries stay on screen
            return
        self.accept()

    @classmethod
    def run(
        cls,
        services: AppServices,
        township_id: int,
        village: VillageInfo | None,
        parent: QWidget | None = None,
    ) -> tuple[int | None, bool]:
        """Open the dialog; return (village id, accepted)."""
        dialog = cls(services, township_id, village, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.saved_id, accepted
