"""Table models of the 督查 page: rounds, sample, findings, extensions, 整改率.

Each table is a column list (header, how to show a row) over plain rows from the inspection
service; the rounds table paints the 整改函 clock red when it is late.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from desktop.services.inspections.data import (
    ExtensionLine,
    FindingRow,
    RoundRow,
    SampleEntryData,
)
from desktop.services.problems.rules import RateRow
from desktop.views.list_table_model import ROW_ID_ROLE, RowsTableModel

LATE_BRUSH = QBrush(QColor("#c0392b"))
LATE_BACKGROUND = QBrush(QColor("#f8d7d3"))
DROPPED_BRUSH = QBrush(QColor("#8a8a8a"))


def _d(day) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


COL_ROUND_NUMBER, COL_ROUND_KIND, COL_ROUND_GROUP, COL_ROUND_COUNTY, COL_ROUND_DATES = range(5)
COL_ROUND_UNITS, COL_ROUND_CLOCK, COL_ROUND_FINDINGS, COL_ROUND_OVERDUE = range(5, 9)


class RoundTableModel(RowsTableModel):
    """The rounds list; the 整改函 column turns red when it is late (seed 004: within 3 days)."""

    columns = (
        ("督查编号", lambda r: r.number),
        # On two lines (the rows are two tall), so that 被督查单位 has the width it needs
        ("类型", lambda r: r.kind if not r.follows_number else f"回头看\n（{r.follows_number}）"),
        ("督查组", lambda r: f"{r.group_name}\n组长 {r.leader}"),
        ("县区", lambda r: r.county_name),
        ("督查时间", lambda r: r.dates_text),
        ("被督查单位", lambda r: "、".join(r.units)),
        ("整改函（3天内）", lambda r: r.clock.text),
        ("问题 已销号/共", lambda r: f"{r.closed}/{r.findings}"),
        ("逾期", lambda r: str(r.overdue) if r.overdue else ""),
    )

    def style(self, row: RoundRow, column: int, role) -> Any:
        """Red text (and a pale red cell) for a late 整改函 and for overdue problems."""
        late = (column == COL_ROUND_CLOCK and row.clock.late) or (
            column == COL_ROUND_OVERDUE and row.overdue
        )
        if late and role == Qt.ItemDataRole.ForegroundRole:
            return LATE_BRUSH
        if late and role == Qt.ItemDataRole.BackgroundRole and row.clock.sent_on is None:
            return LATE_BACKGROUND
        return None


class SampleTableModel(RowsTableModel):
    """The round's sample; entries changed out stay visible, greyed, with their reason."""

    columns = (
        ("序号", lambda e: str(e.seq)),
        ("类别", lambda e: e.kind),
        ("镇", lambda e: e.township_name),
        ("村", lambda e: e.village_name),
        ("户主", lambda e: e.head_name if e.is_household else ""),
        ("户编号", lambda e: e.household_code),
        ("状态", lambda e: e.state),
        ("调整原因", lambda e: e.reason),
    )

    def style(self, row: SampleEntryData, column: int, role) -> Any:
        """Grey for entries that were changed out."""
        if row.dropped and role == Qt.ItemDataRole.ForegroundRole:
            return DROPPED_BRUSH
        return None


class FindingTableModel(RowsTableModel):
    """The round's findings as their problems stand in the 整改台账."""

    columns = (
        ("问题编号", lambda f: f.number),
        ("督查内容类别", lambda f: f.category_name),
        ("问题对象", lambda f: f.target),
        ("问题描述", lambda f: f.description),
        ("责任单位", lambda f: f.unit_name),
        ("责任人", lambda f: f.person_name),
        ("整改时限", lambda f: _d(f.deadline)),
        ("状态", lambda f: f.status + ("（逾期）" if f.overdue else "")),
        ("延期", lambda f: str(f.extension_count) if f.extension_count else ""),
    )

    def style(self, row: FindingRow, column: int, role) -> Any:
        """Red status for overdue findings."""
        if row.overdue and column == 7 and role == Qt.ItemDataRole.ForegroundRole:
            return LATE_BRUSH
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        """Cells; the id role gives the problem's id."""
        if index.isValid() and role == ROW_ID_ROLE:
            return self._rows[index.row()].problem_id
        return super().data(index, role)


class ExtensionTableModel(RowsTableModel):
    """Extensions of a round's findings: reason and new date (seed 004, 六)."""

    columns = (
        ("问题编号", lambda e: e.number),
        ("问题对象", lambda e: e.target),
        ("原时限", lambda e: _d(e.old_deadline)),
        ("延长至", lambda e: _d(e.new_deadline)),
        ("延期原因", lambda e: e.reason),
        ("办理人", lambda e: e.who),
    )

    def style(self, row: ExtensionLine, column: int, role) -> Any:
        """No colours."""
        return None


class RateTableModel(RowsTableModel):
    """整改率 by one grouping (县区, 帮扶单位 or 镇村)."""

    def __init__(self, heading: str, parent=None) -> None:
        super().__init__(parent)
        self.columns = (
            (heading, lambda r: r.name),
            ("问题数", lambda r: str(r.total)),
            ("应整改", lambda r: str(r.due)),
            ("已销号", lambda r: str(r.closed)),
            ("逾期", lambda r: str(r.overdue)),
            ("延期", lambda r: str(r.extended)),
            ("整改率", lambda r: r.rate_text),
        )

    def style(self, row: RateRow, column: int, role) -> Any:
        """Numbers right-aligned."""
        if column and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
