"""Table models of the 调查问卷 tab: progress by village or pair, and a pair's households.

Each is a column list (header, how to show a row) over the plain rows of TeamService.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop.services.questionnaires.double_entry import DrawnRow
from desktop.services.questionnaires.team_data import (
    COUNTY_SHARE_WANTED,
    AssignmentRow,
    ProgressRow,
    ReviewerData,
    TeamRow,
)
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


class TeamTableModel(RowsTableModel):
    """One row per village: its 排查组, 组长, how many pairs, and the 县直干部 share."""

    columns = (
        ("村", lambda r: r.village),
        ("排查组", lambda r: "已建立" if r.team_id else "未建立"),
        ("组长", lambda r: r.leader),
        ("小组数", lambda r: str(r.pairs)),
        ("县直干部占比", lambda r: r.share_text),
    )
    SHARE_COLUMN = 4

    def style(self, row: TeamRow, column: int, role) -> Any:
        """A share below the seed's half in orange, a village without a team in grey."""
        if role != Qt.ItemDataRole.ForegroundRole:
            return None
        if row.team_id is None:
            return QBrush(QColor("#8a8a8a"))
        share = row.share
        if column == self.SHARE_COLUMN and share is not None and share < COUNTY_SHARE_WANTED:
            return QBrush(QColor("#b26a00"))
        return None


def _who(person: ReviewerData) -> str:
    origin = "县直干部" if person.is_county_cadre else person.home_village
    return f"{person.name}（{origin}）"


class PairTableModel(RowsTableModel):
    """A team's pairs: number and the two members with where they come from."""

    columns = (
        ("小组", lambda r: f"第{r.seq}小组"),
        ("成员一", lambda r: _who(r.first)),
        ("成员二", lambda r: _who(r.second)),
    )


class ReviewerTableModel(RowsTableModel):
    """Everyone who reviews: name, unit, 县直干部 or the village they come from."""

    columns = (
        ("姓名", lambda r: r.name),
        ("单位", lambda r: r.unit),
        ("身份", lambda r: "县直干部" if r.is_county_cadre else "镇村干部"),
        ("所在村", lambda r: r.home_village or "—"),
    )


class DrawTableModel(RowsTableModel):
    """The recorded draws: when, who, by what rule, how many of how many."""

    columns = (
        ("抽取时间", lambda r: r.drawn_at),
        ("抽取人", lambda r: r.drawn_by),
        ("方式", lambda r: r.rule),
        ("抽中", lambda r: f"{len(r.items)} / {r.available} 份"),
        ("随机种子", lambda r: str(r.seed)),
    )


class DrawnTableModel(RowsTableModel):
    """The questionnaires of one draw and whether each has been keyed again."""

    columns = (
        ("户编号", lambda r: r.household_code),
        ("户主", lambda r: r.head_name),
        ("村", lambda r: r.village),
        ("问卷", lambda r: FORM_NAMES.get(r.form_code, r.form_code)),
        ("二次录入", lambda r: "已录入" if r.keyed else "待录入"),
    )

    def style(self, row: DrawnRow, column: int, role) -> Any:
        """待录入 in orange."""
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and not row.keyed:
            return QBrush(QColor("#b26a00"))
        return None


def table_view(model, stretch_last: bool = True, parent: QWidget | None = None) -> QTableView:
    """A read-only table of whole rows, one selected at a time, sized to its contents."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    return view
