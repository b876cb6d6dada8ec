"""保存冲突: someone else saved the household or form since this clerk opened it; the clerk
chooses.

Shows the differences field by field (打开时 / 您的填写 / 已保存的, who changed each, and what
saving one's own would give), and offers three ways on: save the clerk's entries over the
other's where the clerk changed a field (the other's changes elsewhere stay; the log shows it),
take the saved household (the clerk's entries are dropped), or go back to editing with every
entry still on screen. Never a silent overwrite.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.conflicts import FieldDifference

KEEP_MINE, TAKE_THEIRS, BACK = "mine", "theirs", "back"
HEADERS = ("项目", "打开时", "您的填写", "已保存的", "改动方", "以我的为准保存后")
BOTH_COLOR = QColor("#fff1c2")  # both clerks changed it: look here first


class Conflict(Protocol):
    """A refused save as the services describe it (HouseholdConflict, FormConflict)."""

    summary: str
    differences: tuple[FieldDifference, ...]


class ConflictDialog(QDialog):
    """The field-by-field comparison of a refused save, and the clerk's choice."""

    def __init__(self, conflict: Conflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("保存冲突 — 回头看工作台")
        self.choice = BACK
        summary = QLabel(conflict.summary + "请逐项核对后选择：", self)
        summary.setWordWrap(True)
        self.table = QTableWidget(len(conflict.differences), len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        for row, d in enumerate(conflict.differences):
            texts = (d.label, d.opened or "（空）", d.mine or "（空）", d.theirs or "（空）")
            for column, text in enumerate((*texts, d.changed_by, d.merged or "（空）")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if d.changed_by == "双方":
                    item.setBackground(BOTH_COLOR)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        # Rows as tall as their wrapped text at the widths the columns get, not before.
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())

        self.mine_button = QPushButton("以我的填写为准保存", self)
        self.mine_button.setToolTip(
            "您改过的项按您的填写保存，只有对方改过的项保留对方的；操作日志会记下这次保存"
        )
        self.theirs_button = QPushButton("采用已保存的（放弃我的填写）", self)
        self.back_button = QPushButton("返回继续编辑", self)
        self.back_button.setDefault(True)  # Enter and Esc both leave the entries on screen
        self.mine_button.clicked.connect(lambda: self._choose(KEEP_MINE))
        self.theirs_button.clicked.connect(lambda: self._choose(TAKE_THEIRS))
        self.back_button.clicked.connect(lambda: self._choose(BACK))
        buttons = QHBoxLayout()
        buttons.addWidget(self.mine_button)
        buttons.addWidget(self.theirs_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)

        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(900, 480)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == BACK:
            self.reject()
        else:
            self.accept()

    @classmethod
    def run(cls, conflict: Conflict, parent: QWidget | None = None) -> tuple[str, bool]:
        """Show the conflict; return (KEEP_MINE / TAKE_THEIRS / BACK, chosen to go on)."""
        dialog = cls(conflict, parent)
        dialog.exec()
        return dialog.choice, dialog.choice != BACK
