"""IndicatorBox: one row per indicator of a set (是 / 否 / 未录入, counts, rates), as data."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QWidget,
)

from desktop.services.standards.standard import KIND_BOOL, KIND_COUNT, KIND_INCOME, KIND_RATE

UNSET = "未录入"
YES, NO = "是", "否"


class IndicatorBox(QGroupBox):
    """Edits the values of an indicator set; `values()` returns only what was entered."""

    def __init__(self, title: str, indicators, values: dict, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        for indicator in indicators:
            if indicator.kind == KIND_INCOME:
                continue
            value = values.get(indicator.code)
            if indicator.kind == KIND_BOOL:
                editor = QComboBox()
                editor.addItems([UNSET, YES, NO])
                editor.setCurrentIndex(0 if value is None else (1 if value else 2))
            elif indicator.kind == KIND_COUNT:
                editor = QSpinBox()
                editor.setRange(-1, 99)
                editor.setSpecialValueText(UNSET)
                editor.setValue(-1 if value is None else int(value))
            else:  # KIND_RATE
                editor = QDoubleSpinBox()
                editor.setRange(-0.1, 100)
                editor.setDecimals(1)
                editor.setSuffix(" %")
                editor.setSpecialValueText(UNSET)
                editor.setValue(-0.1 if value is None else float(value))
            editor.setToolTip(indicator.definition)
            editor.setObjectName(indicator.code)
            label = indicator.count_label if indicator.kind == KIND_COUNT else indicator.label
            if indicator.kind == KIND_RATE:
                label = f"{indicator.label}（贫困发生率，低于 {indicator.below_percent:g}%）"
            form.addRow(label, editor)
            self.editors[indicator.code] = editor

    def values(self) -> dict:
        """The entered values by indicator code (未录入 ones left out)."""
        out: dict = {}
        for code, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                if editor.currentIndex():
                    out[code] = editor.currentIndex() == 1
            elif isinstance(editor, QSpinBox):
                if editor.value() >= 0:
                    out[code] = editor.value()
            elif editor.value() >= 0:
                out[code] = round(editor.value(), 1)
        return out
