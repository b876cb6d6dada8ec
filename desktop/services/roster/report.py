"""The error report of a roster import: the input copied with an 错误说明 column, bad cells
coloured, and a summary sheet.
"""

from __future__ import annotations

from pathlib import Path

from desktop.errors import column_letter
from desktop.services.roster.importer import RosterImportResult
from desktop.services.roster.sheet import (
    RosterError,
    RosterSheet,
    iter_filled,
    open_sheet,
    read_roster,
)
from desktop.services.roster.template import SHEET_TITLE
from desktop.services.workbooks.report import append_issue_summary
from desktop.services.workbooks.sanitise import safe_cell

ERROR_COLUMN_HEADER = "错误说明"
SUMMARY_SHEET_TITLE = "错误汇总"


def write_error_report(
    result: RosterImportResult, source: Path | str, out_path: Path | str
) -> Path:
    """Write an .xlsx copy of the input with an 错误说明 column, bad cells red, and a summary."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    source = Path(source)
    out_path = Path(out_path)
    sheet = (
        read_roster(source) if not result.sheet_name else _sheet_named(source, result.sheet_name)
    )
    red = PatternFill("solid", fgColor="FFC7CE")
    yellow = PatternFill("solid", fgColor="FFEB9C")
    bold = Font(bold=True)
    by_cell: dict[tuple[int, int], str] = {}
    by_row: dict[int, list[str]] = {}
    for kind, issues in (("错误", result.errors), ("提示", result.warnings)):
        for i in issues:
            if i.row <= 0:
                continue
            if i.column >= 0 and (kind == "错误" or (i.row, i.column) not in by_cell):
                by_cell[(i.row, i.column)] = kind
            where = f"{i.column_letter}列" + (f"（{i.field}）" if i.field else "")
            by_row.setdefault(i.row, []).append(f"{kind}：{where}{i.message}")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet.sheet_name[:31] or SHEET_TITLE)
    width = sheet.width
    ws.column_dimensions[column_letter(width)].width = 60
    workbook_sheet = open_sheet(source, sheet.sheet_name)
    for index, row in iter_filled(workbook_sheet, sheet.merged, sheet.column_offset, 0):
        excel_row = index + 1
        cells = []
        for c in range(width):
            value = row[c] if c < len(row) else ""
            cell = safe_cell(ws, None if value == "" else value)
            kind = by_cell.get((excel_row, c))
            if kind is not None:
                cell.fill = red if kind == "错误" else yellow
            if index == sheet.header_row:
                cell.font = bold
            cells.append(cell)
        if index == sheet.header_row:
            note = WriteOnlyCell(ws, value=ERROR_COLUMN_HEADER)
            note.font = bold
        else:
            note = safe_cell(ws, "；".join(by_row.get(excel_row, [])) or None)
        cells.append(note)
        ws.append(cells)
    summary = wb.create_sheet(SUMMARY_SHEET_TITLE)
    append_issue_summary(summary, result, result.fatal)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out_path)
    return out_path


def _sheet_named(path: Path, name: str) -> RosterSheet:
    sheet = read_roster(path)
    if sheet.sheet_name == name:
        return sheet
    raise RosterError(f"文件 {path.name} 中找不到工作表“{name}”")
