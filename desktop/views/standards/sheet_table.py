"""SheetTableWidget: a filled 附件 on screen as on paper, the header rows with their spans."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from desktop.services.standards.sheet_data import Check, Sheet

HEAD_BRUSH = QBrush(QColor(232, 236, 242))
TOTAL_BRUSH = QBrush(QColor(245, 245, 235))
PX_PER_MM = 4.2  # a column as wide, relative to the others, as on the printed sheet


def cell_text(value) -> str:
    """A sheet cell as the screen shows it (check boxes as ☑有 □无, money with two places)."""
    if value is None:
        return ""
    if isinstance(value, Check):
        return value.text()
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


class SheetTableWidget(QTableWidget):
    """Shows one Sheet read-only: header grid, rows, and the 合计 / 乡镇小计 row."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.sheet: Sheet | None = None
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.setWordWrap(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def show_sheet(self, sheet: Sheet) -> None:
        """Fill the table from `sheet`."""
        self.sheet = sheet
        self.clearSpans()
        self.clear()
        body = sheet.body()
        self.setColumnCount(len(sheet.columns))
        self.setRowCount(sheet.header_rows + len(body))
        bold = QFont(self.font())
        bold.setBold(True)
        for cell in sheet.header:
            item = QTableWidgetItem(cell.text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setFont(bold)
            item.setBackground(HEAD_BRUSH)
            self.setItem(cell.row, cell.col, item)
            if cell.rowspan > 1 or cell.colspan > 1:
                self.setSpan(cell.row, cell.col, cell.rowspan, cell.colspan)
        total_row = None
        if sheet.total is not None:
            total_row = sheet.header_rows + (0 if sheet.total_first else len(body) - 1)
        for r, values in enumerate(body, sheet.header_rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(cell_text(value))
                left = sheet.columns[c].key == "remark"
                item.setTextAlignment(
                    (Qt.AlignmentFlag.AlignLeft if left else Qt.AlignmentFlag.AlignHCenter)
                    | Qt.AlignmentFlag.AlignVCenter
                )
                if r == total_row:
                    item.setFont(bold)
                    item.setBackground(TOTAL_BRUSH)
                self.setItem(r, c, item)
        for c, col in enumerate(sheet.columns):
            self.setColumnWidth(c, int(col.width_mm * PX_PER_MM))
        self.resizeRowsToContents()

    def row_id(self, table_row: int) -> int | None:
        """The household or village of a table row (None for header and total rows)."""
        if self.sheet is None:
            return None
        index = table_row - self.sheet.header_rows
        if self.sheet.total is not None and self.sheet.total_first:
            index -= 1
        if 0 <= index < len(self.sheet.row_ids):
            return self.sheet.row_ids[index]
        return None
