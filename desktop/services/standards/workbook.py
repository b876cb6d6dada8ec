"""Seed 001's tables as .xlsx: the paper's header with its spans, repeated on every printed
page, A4 landscape fitted to the width, 合计 / 乡镇小计, signature lines and notes."""

from __future__ import annotations

import re
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from desktop.services.standards.sheet_data import Check, Sheet

FONT = "宋体"
TITLE_FONT = Font(name=FONT, size=16, bold=True)
HEAD_FONT = Font(name=FONT, size=10, bold=True)
CELL_FONT = Font(name=FONT, size=10)
NOTE_FONT = Font(name=FONT, size=9)
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
MM_PER_WIDTH_UNIT = 1.9  # one Excel column-width unit (a '0' of 11 pt) is about 1.9 mm
NOTE_CHARS_PER_LINE = 110
_BAD_TITLE = re.compile(r"[\\/*?:\[\]]")


def cell_value(value):
    """What a sheet cell holds in Excel: numbers stay numbers, check boxes become text."""
    if isinstance(value, Check):
        return value.text()
    return value


# kind → (font, alignment, border, number format) of the cells of a sheet
STYLES = {
    "title": (TITLE_FONT, CENTRE, None, None),
    "line": (CELL_FONT, None, None, None),
    "head": (HEAD_FONT, CENTRE, BOX, None),
    "centre": (CELL_FONT, CENTRE, BOX, None),
    "left": (CELL_FONT, LEFT, BOX, None),
    "money": (CELL_FONT, CENTRE, BOX, "0.00"),
    "note": (NOTE_FONT, LEFT, None, None),
}


class _Styler:
    """Styles cells by kind. openpyxl hashes a style on every attribute set, which was 60% of
    writing a county's 附件3; a kind is set once, then its style array is copied."""

    def __init__(self) -> None:
        self.done: dict[str, object] = {}

    def __call__(self, cell, kind: str) -> None:
        template = self.done.get(kind)
        if template is not None:
            cell._style = copy(template)
            return
        font, alignment, border, number_format = STYLES[kind]
        cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        if border is not None:
            cell.border = border
        if number_format is not None:
            cell.number_format = number_format
        self.done[kind] = copy(cell._style)


def _title(sheet: Sheet, used: set[str]) -> str:
    """A worksheet name (≤ 31 characters, unique): 附件3 and the village or township."""
    base = _BAD_TITLE.sub("", f"{sheet.attachment}-{sheet.scope_name}")[:28]
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:26]}-{n}"
    used.add(name)
    return name


def _write(ws, sheet: Sheet, style: _Styler) -> None:
    width = len(sheet.columns)
    row = 1
    style(ws.cell(row, 1, sheet.title), "title")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 30
    for line in sheet.header_lines:
        row += 1
        style(ws.cell(row, 1, "　　".join(line)), "line")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    head_top = row + 1
    for cell in sheet.header:
        r, c = head_top + cell.row, 1 + cell.col
        ws.cell(r, c, cell.text)
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=r,
                start_column=c,
                end_row=r + cell.rowspan - 1,
                end_column=c + cell.colspan - 1,
            )
    for r in range(head_top, head_top + sheet.header_rows):
        ws.row_dimensions[r].height = 30
        for c in range(1, width + 1):
            style(ws.cell(r, c), "head")
    row = head_top + sheet.header_rows - 1
    kinds = ["left" if col.key == "remark" else "centre" for col in sheet.columns]
    for values in sheet.body():
        row += 1
        for c, value in enumerate(values, 1):
            kind = "money" if isinstance(value, float) else kinds[c - 1]
            style(ws.cell(row, c, cell_value(value)), kind)
    row += 1
    for line in sheet.signatures:
        row += 1
        style(ws.cell(row, 1, "　　　　".join(line)), "line")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    row += 2
    # The notes in one merged cell, a line each: a merge per note was a third of a county's time.
    lines = [f"注：{n}" if i == 0 else n for i, n in enumerate(sheet.notes)]
    lines.append(sheet.standard_note)
    style(ws.cell(row, 1, "\n".join(lines)), "note")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 12 * sum(1 + len(t) // NOTE_CHARS_PER_LINE for t in lines)
    for c, col in enumerate(sheet.columns, 1):
        ws.column_dimensions[get_column_letter(c)].width = round(
            col.width_mm / MM_PER_WIDTH_UNIT, 1
        )
    ws.print_title_rows = f"{head_top}:{head_top + sheet.header_rows - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = ws.cell(head_top + sheet.header_rows, 1)


def write_sheets_xlsx(sheets: list[Sheet], path: Path) -> Path:
    """Write one worksheet per sheet (a village's 附件3, a township's 附件5 …) to `path`."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    style = _Styler()
    for sheet in sheets:
        _write(wb.create_sheet(_title(sheet, used)), sheet, style)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)  # a failed save leaves no half-written workbook under the real name
    return path
