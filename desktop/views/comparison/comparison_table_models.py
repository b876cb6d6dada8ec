"""Table models of the comparison page: the department lists, the 疑点 and the cases."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.services.comparison.departments import STAGE_LABELS

_HIT_STATUS = {"open": "未处理", "in_case": "核实中", "superseded": "已被新名单取代"}


class _RowsTableModel(QAbstractTableModel):
    """A read-only table over a list of dataclass rows; each subclass says its columns."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list = []

    def set_rows(self, rows: list) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        """Return the row shown at a row number."""
        return self._rows[row]

    def rows(self) -> list:
        """Return the rows shown."""
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Return the number of rows."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Return the number of columns."""
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        """Return the Chinese column headers."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        """Return a cell's text (and the whole text as its tooltip)."""
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
        ):  # fmt: skip
            return None
        return self.cell(self._rows[index.row()], index.column())

    def cell(self, row, column: int) -> str:
        """Return the text of one cell."""
        raise NotImplementedError


class ListTableModel(_RowsTableModel):
    """The department lists imported: who sent them, when, how many rows and hits."""

    COL_DEPARTMENT, COL_RECEIVED, COL_FILE, COL_ROWS, COL_HITS, COL_BY, COL_STATE = range(7)
    headers = ("部门", "收到日期", "文件", "行数", "疑点", "导入人", "状态")

    def cell(self, row, column: int) -> str:
        """Return the text of one cell."""
        values = (
            row.department, f"{row.received_on:%Y-%m-%d}", row.file_name, str(row.rows),
            str(row.hits), row.imported_by, "已被新名单取代" if row.replaced else "在用",
        )  # fmt: skip
        return values[column]


class HitTableModel(_RowsTableModel):
    """The 疑点: member, household, department, what it says, how it matched."""

    COL_CODE, COL_VILLAGE, COL_HEAD, COL_MEMBER, COL_ID = range(5)
    COL_DEPARTMENT, COL_HOW, COL_STATUS, COL_DETAIL = range(5, 9)
    headers = (
        "户编号", "村", "户主", "比中人员", "证件号码", "部门", "比对方式", "状态", "部门信息",
    )  # fmt: skip

    def cell(self, row, column: int) -> str:
        """Return the text of one cell."""
        member = row.member_name + ("（已离户）" if row.left_household else "")
        values = (
            row.household_code, row.village, row.head_name, member, row.id_number,
            row.department, row.match_label, _HIT_STATUS.get(row.status, ""), row.detail_text,
        )  # fmt: skip
        return values[column]


class CaseTableModel(_RowsTableModel):
    """The 清退 and 新增 cases and where each stands."""

    COL_NUMBER, COL_KIND, COL_CODE, COL_VILLAGE, COL_HEAD, COL_SUBJECT = range(6)
    COL_REASON, COL_STAGE, COL_APPROVED = range(6, 9)
    headers = ("编号", "类别", "户编号", "村", "户主", "对象", "原因/认定依据", "进度", "核定")

    def cell(self, row, column: int) -> str:
        """Return the text of one cell."""
        approved = (
            f"{row.approved_on:%Y-%m-%d} {row.approved_by}" if row.approved_on is not None else ""
        )
        values = (
            row.number, row.kind_label, row.household_code, row.village, row.head_name,
            row.subject, row.reason, STAGE_LABELS.get(row.stage, row.stage), approved,
        )  # fmt: skip
        return values[column]
