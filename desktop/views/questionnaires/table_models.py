"""Table models of the 调查问卷 tab: progress by village or pair, and a pair's households.

Each is a column list (header, how to show a row) over the plain rows of TeamService.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.services.questionnaires.team_data import AssignmentRow, ProgressRow
from desktop.views.list_table_model import RowsTableModel

FORM_NAMES = {"hunan_registered": "附件1 建档立卡户", "hunan_unregistered": "附件2 非建档立卡户"}
STATE_COLORS = {
    "已通过": "#1d6b1d",
    "审核中": "#1f4e9c",
    "已退回": "#c0392b",
    "已录入": "#5a5a00",
    "录入中": "#b26a00",
}


class ProgressTableModel(RowsTableModel):
    """One row per village (or pair) and a 合计 row: assigned, entered, in review, passed,
    returned."""

    columns = (
        ("村 / 小组", lambda r: r.label),
        ("已分配", lambda r: str(r.assigned)),
        ("已录入", lambda r: str(r.entered)),
        ("审核中", lambda r: str(r.submitted)),
        ("已通过", lambda r: str(r.passed)),
        ("已退回", lambda r: str(r.returned)),
    )

    def style(self, row: ProgressRow, column: int, role) -> Any:
        """Numbers right-aligned; the 合计 row in bold."""
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.key == 0 and row.label == "合计":
            font = QFont()
            font.setBold(True)
            return font
        return None


class AssignmentTableModel(RowsTableModel):
    """A pair's households by day: where, whom, which questionnaire, how far it got."""

    columns = (
        ("日期", lambda r: f"{r.visit_date:%m-%d}"),
        ("村", lambda r: r.village),
        ("组", lambda r: r.group),
        ("户编号", lambda r: r.household_code),
        ("户主", lambda r: r.head_name),
        ("问卷", lambda r: FORM_NAMES.get(r.form_code, r.form_code)),
        ("状态", lambda r: r.state_label),
        ("复核人员签名", lambda r: r.signed_by),
        ("退回原因", lambda r: r.return_reason),
    )
    STATE_COLUMN = 6

    def style(self, row: AssignmentRow, column: int, role) -> Any:
        """The state in its colour."""
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATE_COLUMN:
            color = STATE_COLORS.get(row.state_label)
            return QBrush(QColor(color)) if color else None
        return None
