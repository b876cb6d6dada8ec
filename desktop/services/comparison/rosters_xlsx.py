"""The two rosters as .xlsx, set up to print (plain data in: no session)."""

from __future__ import annotations

from pathlib import Path

from desktop.services.comparison.documents import SIGNATURES, RosterTable
from desktop.services.workbooks.sanitise import safe_row


def write_roster_xlsx(table: RosterTable, path: Path | str) -> Path:
    """Write a roster as .xlsx set up to print: A4 landscape, one page wide, header repeated."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31]
    width = len(table.columns)
    last = get_column_letter(width)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([table.title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="黑体", size=16, bold=True)
    ws["A1"].alignment = centre
    ws.row_dimensions[1].height = 30
    ws.append(safe_row(ws, [f"填报单位：{table.scope}", *[""] * 6, table.period]))
    ws.merge_cells("A2:G2")
    ws.merge_cells(f"H2:{last}2")
    ws.append(table.headers)
    for cell in ws[3]:
        cell.font = Font(name="宋体", size=10, bold=True)
        cell.alignment, cell.border = centre, box
    for values in table.rows:
        ws.append(safe_row(ws, values))  # names and 认定依据 as typed: text, never a formula
        for cell in ws[ws.max_row]:
            cell.font = Font(name="宋体", size=10)
            cell.alignment, cell.border = wrap, box
    ws.append([table.total])
    ws.merge_cells(f"A{ws.max_row}:{last}{ws.max_row}")
    ws.append([])
    ws.append([SIGNATURES[0], "", "", "", SIGNATURES[1], "", "", SIGNATURES[2], SIGNATURES[3]])
    for i, column in enumerate(table.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.xlsx_width
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = "A4"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
