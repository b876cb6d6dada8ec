"""Double entry on screen: the second clerk keys a questionnaire blind (only the registry's
header is shown), then each difference is resolved by keeping one of the two values."""

from __future__ import annotations

from collections.abc import Callable
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


class _DoubleEntryDialog(QDialog):
    """What both dialogs share: one household's questionnaire, a save through the double-entry
    service that says in Chinese why it was refused, and run() returning what was saved."""

    title = ""  # of the warnings

    def __init__(self, services, household_id: int, form_code: str, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self.household_id, self.form_code = household_id, form_code
        self.saved: Any = None

    def _save(self, call: Callable[..., Any], values: dict[str, Any]) -> bool:
        """Give the service the values; keep its answer and close, or warn and stay open."""
        try:
            self.saved = call(self.household_id, self.form_code, values, self.services.user)
        except AppError as exc:
            QMessageBox.warning(self, self.title, str(exc))
            return False
        self.accept()
        return True

    @classmethod
    def run(
        cls, services, household_id: int, form_code: str, parent: QWidget | None = None
    ) -> tuple[Any, bool]:
        """Open the dialog; return (what was saved, whether it was). A questionnaire that cannot
        be opened (an AppError) is refused with its message."""
        try:
            dialog = cls(services, household_id, form_code, parent)
        except AppError as exc:
            QMessageBox.warning(parent, cls.title, str(exc))
            return None, False
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.value(), accepted

    def value(self) -> Any:
        """What run() returns: the service's answer to the save (None before one)."""
        return self.saved


class SecondEntryDialog(_DoubleEntryDialog):
    """The questionnaire empty but for its header: the second clerk keys it from the paper.

    run() returns (the differences from the first entry, whether it was saved)."""

    title = "二次录入"

    def __init__(self, services, household_id: int, form_code: str, parent=None) -> None:
        super().__init__(services, household_id, form_code, parent)
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

    @property
    def differences(self) -> list[Difference]:
        """The differences the saved second entry has from the first (none before a save)."""
        return self.saved or []

    def value(self) -> list[Difference]:
        """What run() returns: the differences."""
        return self.differences

    def save(self) -> bool:
        """Keep the second entry; say in Chinese why when it is refused."""
        return self._save(self.services.double_entry.enter_second, self.view.answers())


class ResolveDialog(_DoubleEntryDialog):
    """One row per difference: the question, both values, and which one to keep.

    run() returns (what was kept and cleared, a Resolution, whether it was saved)."""

    title = "核对差异"

    def __init__(self, services, household_id: int, form_code: str, parent=None) -> None:
        super().__init__(services, household_id, form_code, parent)
        self.found = services.double_entry.differences(household_id, form_code)
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
        return self._save(self.services.double_entry.resolve, kept)

    @property
    def resolution(self) -> Resolution | None:
        """What the saved resolution kept and cleared (None before a save)."""
        return self.saved
