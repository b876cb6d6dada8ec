"""Double entry on screen: the second clerk keys a questionnaire blind (only the registry's
header is shown), then each difference is resolved by keeping one of the two values."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.questionnaires.double_entry import Difference, Resolution
from desktop.views.dialogs import dialog_buttons
from desktop.views.forms.form_view import FormView

HEADER_SECTION = "head"  # the registry's part of a questionnaire, shown to the second clerk


def _text(value: Any) -> str:
    if value is None or value == "":
        return "（未填）"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


class SecondEntryDialog(QDialog):
    """The questionnaire empty but for its header: the second clerk keys it from the paper."""

    def __init__(self, services, household_id: int, form_code: str, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self.household_id, self.form_code = household_id, form_code
        self.differences: list[Difference] = []
        state = services.forms.open_form(household_id, form_code)
        form = state.description
        head = {c.field for c in form.section(HEADER_SECTION).inputs}
        self.setWindowTitle(f"二次录入 — {form.title}")
        self.view = FormView(
            form, evaluator=services.forms.evaluator(form), subject=state.household
        )
        self.view.set_answers({k: v for k, v in state.answers.items() if k in head})
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.view)
        note = QLabel(
            "请对照纸质问卷重新录入（看不到第一次录入的内容），保存后列出两次的差异。", self
        )
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(scroll, 1)
        layout.addWidget(dialog_buttons(self, "保存二次录入", on_accept=self.save))

    def save(self) -> bool:
        """Keep the second entry; say in Chinese why when it is refused."""
        try:
            self.differences = self.services.double_entry.enter_second(
                self.household_id, self.form_code, self.view.answers(), self.services.user
            )
        except AppError as exc:
            QMessageBox.warning(self, "二次录入", str(exc))
            return False
        self.accept()
        return True

    @classmethod
    def run(
        cls, services, household_id: int, form_code: str, parent=None
    ) -> tuple[list[Difference], bool]:
        """Key a questionnaire again; return (its differences, whether it was saved)."""
        dialog = cls(services, household_id, form_code, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.differences, accepted


class ResolveDialog(QDialog):
    """One row per difference: the question, both values, and which one to keep."""

    def __init__(self, services, household_id: int, form_code: str, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self.household_id, self.form_code = household_id, form_code
        self.found = services.double_entry.differences(household_id, form_code)
        self.resolution: Resolution | None = None
        self.setWindowTitle("核对两次录入的差异")
        self.table = QTableWidget(len(self.found), 5, self)
        self.table.setHorizontalHeaderLabels(["题目", "项目", "第一次", "第二次", "采用"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.choices: dict[str, QComboBox] = {}
        for row, d in enumerate(self.found):
            for col, text in enumerate((d.question, d.label, _text(d.first), _text(d.second))):
                self.table.setItem(row, col, QTableWidgetItem(text))
            pick = QComboBox(self.table)
            if d.decided_by:  # asked under one entry's skip answer only: it follows that answer
                leader = next(x.question for x in self.found if x.field == d.decided_by)
                pick.addItem(f"随{leader}（跳过则清空）", None)
            else:
                pick.addItem("请选择", None)
            pick.addItem(f"第一次：{_text(d.first)}", "first")
            pick.addItem(f"第二次：{_text(d.second)}", "second")
            self.table.setCellWidget(row, 4, pick)
            self.choices[d.field] = pick
        summary = QLabel(f"共 {len(self.found)} 处不同" if self.found else "两次录入完全一致", self)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(dialog_buttons(self, "保存", on_accept=self.save))
        self.resize(760, 420)

    def pick(self, field: str, side: str) -> None:
        """Keep the first or second value of a field (what a click in its row does)."""
        combo = self.choices[field]
        combo.setCurrentIndex(combo.findData(side))

    def save(self) -> bool:
        """Write the kept values; say in Chinese what is missing or refused."""
        kept = {}
        for d in self.found:
            side = self.choices[d.field].currentData()
            if side is not None:
                kept[d.field] = d.first if side == "first" else d.second
        try:
            self.resolution = self.services.double_entry.resolve(
                self.household_id, self.form_code, kept, self.services.user
            )
        except AppError as exc:
            QMessageBox.warning(self, "核对差异", str(exc))
            return False
        self.accept()
        return True

    @classmethod
    def run(
        cls, services, household_id: int, form_code: str, parent: QWidget | None = None
    ) -> tuple[Resolution | None, bool]:
        """Resolve a questionnaire's differences; return (what was kept and cleared, whether
        it was saved)."""
        try:
            dialog = cls(services, household_id, form_code, parent)
        except AppError as exc:
            QMessageBox.warning(parent, "核对差异", str(exc))
            return None, False
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.resolution, accepted
