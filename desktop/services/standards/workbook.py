"""Seed 001's tables as .xlsx: the paper's header with its spans, repeated on every printed
page, A4 landscape fitted to the width, 合计 / 乡镇小计, signature lines and notes.

Written with XlsxWriter: a county's 附件3 (336 villages, 180,000 cells) took openpyxl 12 s and
more, most of it building and serialising cell objects; XlsxWriter writes each cell's XML
from a format made once per kind. Every text goes through the workbook sanitiser's rules:
characters an .xlsx cannot hold are removed and formula-like text stays text.
"""

from __future__ import annotations

import re
from pathlib import Path

import xlsxwriter

from desktop.services.standards.sheet_data import Check, Sheet
from desktop.services.workbooks.sanitise import looks_like_formula, safe_text

FONT = "宋体"
MM_PER_WIDTH_UNIT = 1.9  # one Excel column-width unit (a '0' of 11 pt) is about 1.9 mm
NOTE_CHARS_PER_LINE = 110
PAPER_A4 = 9  # Excel's paper size code
MARGINS_INCH = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.5}
FOOTER = "&C第 &P 页，共 &N 页"
_BAD_TITLE = re.compile(r"[\\/*?:\[\]]")

_BOX = {"border": 1}
_CENTRE = {"align": "center", "valign": "vcenter", "text_wrap": True}
_LEFT = {"align": "left", "valign": "vcenter", "text_wrap": True}
# kind → the cell format of that kind (font, alignment, border, number format)
STYLES: dict[str, dict] = {
    "title": {"font_size": 16, "bold": True, **_CENTRE},
    "line": {"font_size": 10},
    "head": {"font_size": 10, "bold": True, **_CENTRE, **_BOX},
    "centre": {"font_size": 10, **_CENTRE, **_BOX},
    "left": {"font_size": 10, **_LEFT, **_BOX},
    "money": {"font_size": 10, **_CENTRE, **_BOX, "num_format": "0.00"},
    "note": {"font_size": 9, **_LEFT, "valign": "top"},
}


def cell_value(value):
    """What a sheet cell holds in Excel: numbers stay numbers, check boxes become text."""
    if isinstance(value, Check):
        return value.text()
    return value


class _Formats:
    """The workbook's formats by kind, each made once (and its quote-prefixed twin on need)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.made: dict[tuple[str, bool], object] = {}

    def __call__(self, kind: str, quoted: bool = False):
        key = (kind, quoted)
        found = self.made.get(key)
        if found is None:
            spec = {"font_name": FONT, **STYLES[kind]}
            if quoted:
                spec["quote_prefix"] = True
            found = self.made[key] = self.wb.add_format(spec)
        return found


def _title(sheet: Sheet, used: set[str]) -> str:
    """A worksheet name (≤ 31 characters, unique): 附件3 and the village or township."""
    base = _BAD_TITLE.sub("", f"{sheet.attachment}-{sheet.scope_name}")[:28]
    name, n = base, 1
    while name.lower() in used:  # Excel compares sheet names without case
        n += 1
        name = f"{base[:26]}-{n}"
    used.add(name.lower())
    return name


def _put(ws, fmt: _Formats, row: int, col: int, value, kind: str) -> None:
    """Write one cell (0-based) of `kind`: text as text, numbers as numbers, blanks boxed."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt(kind))
    elif isinstance(value, str):
        text = safe_text(value)
        ws.write_string(row, col, text, fmt(kind, looks_like_formula(text)))
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt(kind))
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt("money" if isinstance(value, float) else kind))
    else:
        _put(ws, fmt, row, col, str(cell_value(value)), kind)


def _merged(ws, fmt: _Formats, row: int, width: int, text: str, kind: str) -> None:
    """A line across the whole sheet (title, header line, signatures, notes)."""
    text = safe_text(text)
    if width > 1:
        ws.merge_range(row, 0, row, width - 1, "", fmt(kind))
    ws.write_string(row, 0, text, fmt(kind, looks_like_formula(text)))


def _write(ws, sheet: Sheet, fmt: _Formats) -> None:
    width = len(sheet.columns)
    row = 0
    _merged(ws, fmt, row, width, sheet.title, "title")
    ws.set_row(row, 30)
    for line in sheet.header_lines:
        row += 1
        _merged(ws, fmt, row, width, "　　".join(line), "line")
    head_top = row + 1
    head = fmt("head")
    for r in range(head_top, head_top + sheet.header_rows):
        ws.set_row(r, 30)
        for c in range(width):
            ws.write_blank(r, c, None, head)
    for cell in sheet.header:
        r, c = head_top + cell.row, cell.col
        text = safe_text(cell.text)
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_range(r, c, r + cell.rowspan - 1, c + cell.colspan - 1, "", head)
        ws.write_string(r, c, text, head)
    row = head_top + sheet.header_rows - 1
    kinds = ["left" if col.key == "remark" else "centre" for col in sheet.columns]
    for values in sheet.body():
        row += 1
        for c, value in enumerate(values):
            _put(ws, fmt, row, c, cell_value(value), kinds[c])
    row += 1
    for line in sheet.signatures:
        row += 1
        _merged(ws, fmt, row, width, "　　　　".join(line), "line")
    row += 2
    # The notes in one merged cell, a line each: a merge per note cost a third of a county's time.
    lines = [f"注：{n}" if i == 0 else n for i, n in enumerate(sheet.notes)]
    lines.append(sheet.standard_note)
    _merged(ws, fmt, row, width, "\n".join(lines), "note")
    ws.set_row(row, 12 * sum(1 + len(t) // NOTE_CHARS_PER_LINE for t in lines))
    for c, col in enumerate(sheet.columns):
        ws.set_column(c, c, round(col.width_mm / MM_PER_WIDTH_UNIT, 1))
    ws.repeat_rows(head_top, head_top + sheet.header_rows - 1)
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as the rows need
    ws.center_horizontally()
    ws.set_margins(**MARGINS_INCH)
    ws.set_footer(FOOTER)
    ws.freeze_panes(head_top + sheet.header_rows, 0)


def write_sheets_xlsx(sheets: list[Sheet], path: Path) -> Path:
    """Write one worksheet per sheet (a village's 附件3, a township's 附件5 …) to `path`."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    # in_memory: the parts are zipped from memory, not from temporary files in %TEMP%.
    wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False})
    try:
        fmt = _Formats(wb)
        used: set[str] = set()
        for sheet in sheets:
            _write(wb.add_worksheet(_title(sheet, used)), sheet, fmt)
        if not sheets:
            wb.add_worksheet()  # an .xlsx needs one sheet to open
        wb.close()  # nothing is on disk before this
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)  # a failed save leaves no half-written workbook under the real name
    return path
