"""Reading a roster workbook: the pre-check, calamine, the sheet and its header row, merged cells.

calamine (python-calamine) reads .xlsx and .xls alike, about ten times faster than openpyxl's
read-only mode; a workbook reaches it only after `services.workbooks.precheck` has passed it.
The errors and the progress callback every later step shares live here too.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from desktop.errors import BadFileError, CancelledError
from desktop.services.roster.template import COLUMNS, template_header_for
from desktop.services.workbooks.precheck import WorkbookFacts, WorkbookRefused, check_workbook

HEADER_SCAN_ROWS = 10  # a header sits under a title row or two; look no further than this
MIN_HEADER_MATCHES = 3
PREVIEW_ROWS = 50
REQUIRED_HEADERS = tuple(c.header for c in COLUMNS if c.required)

ProgressFn = Callable[[int, str], None]  # (percent, text)


class RosterError(BadFileError):
    """A roster file cannot be read at all; the message says why, in Chinese."""


class RosterCancelled(CancelledError):
    """The user cancelled an import or export; nothing was written."""


@dataclass
class ColumnMapping:
    """Which source column (0-based) fills each template column."""

    columns: dict[str, int] = field(default_factory=dict)

    def missing_required(self) -> list[str]:
        """Return the required template headers that no source column fills."""
        return [h for h in REQUIRED_HEADERS if h not in self.columns]

    def source_of(self, header: str) -> int | None:
        """Return the source column of a template header, or None."""
        return self.columns.get(header)


@dataclass
class RosterSheet:
    """A roster worksheet: where its header row is, its header texts and a preview."""

    path: Path
    sheet_name: str
    header_row: int  # 0-based row index; the row number Excel shows is header_row + 1
    headers: list[str]
    preview: list[list[str]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    column_offset: int = 0
    row_count: int = 0  # rows in the sheet, title and header rows included
    # (0-based row, column) of formula cells saved without their value, from the pre-check
    uncached: frozenset = frozenset()
    # calamine parses a whole sheet when it is opened; keep it for the import that follows.
    _sheet: object = field(default=None, repr=False, compare=False)

    @property
    def width(self) -> int:
        """Return the number of source columns."""
        return max([len(self.headers), *(len(r) for r in self.preview)], default=0)

    def auto_mapping(self) -> ColumnMapping:
        """Map template columns to source columns by header name (first match wins)."""
        mapping: dict[str, int] = {}
        for index, text in enumerate(self.headers):
            header = template_header_for(text)
            if header is not None and header not in mapping:
                mapping[header] = index
        return ColumnMapping(mapping)

    def is_standard(self) -> bool:
        """True when every required column is found by its header name."""
        return not self.auto_mapping().missing_required()

    def iter_rows(self) -> Iterator[tuple[int, list]]:
        """Return (0-based row index, cells) of every row below the header, merged cells filled."""
        sheet, self._sheet = self._sheet, None  # one pass; a second one opens the file again
        if sheet is None:
            sheet = open_sheet(self.path, self.sheet_name)
        return iter_filled(sheet, self.merged, self.column_offset, self.header_row + 1)


def open_workbook(path: Path, facts: list | None = None):
    """Open a workbook with calamine once the pre-check has passed it (its facts → `facts`)."""
    from python_calamine import CalamineWorkbook

    try:
        checked = check_workbook(path)
    except WorkbookRefused as exc:
        raise RosterError(str(exc)) from exc
    if facts is not None:
        facts.append(checked)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error classes, in English
        if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
            raise RosterError(f"文件 {path.name} 设有密码，请先在Excel中取消密码再导入") from exc
        raise RosterError(f"无法读取文件 {path.name}：文件已损坏或不是Excel文件") from exc


def open_sheet(path: Path, name: str):
    workbook = open_workbook(path)
    try:
        return workbook.get_sheet_by_name(name)
    except Exception as exc:
        raise RosterError(f"无法读取工作表“{name}”：工作表已损坏") from exc


def _merged_ranges(sheet, path: Path, name: str) -> list:
    ranges = None
    try:
        ranges = sheet.merged_cell_ranges
    except Exception:  # older calamine or a format without merge records
        ranges = None
    if ranges is None and path.suffix.lower() in (".xlsx", ".xlsm"):
        ranges = _openpyxl_merged_ranges(path, name)
    return sorted(ranges or [])


def _openpyxl_merged_ranges(path: Path, name: str) -> list:
    # Read-only worksheets do not expose merged cells, so this loads the sheet fully; it is
    # only reached when calamine reports no merge information at all.
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    try:
        ws = wb[name]
        return [
            ((r.min_row - 1, r.min_col - 1), (r.max_row - 1, r.max_col - 1))
            for r in ws.merged_cells.ranges
        ]
    finally:
        wb.close()


def iter_filled(sheet, merged: list, offset: int, first_row: int) -> Iterator[tuple[int, list]]:
    """Return (row index, cells) pairs from first_row on; merged ranges repeat their top left."""
    if not merged and not offset:  # the common case: calamine's rows as they come, in C
        return islice(enumerate(sheet.iter_rows()), first_row, None)
    return _iter_merged(sheet, merged, offset, first_row)


def _iter_merged(sheet, merged: list, offset: int, first_row: int) -> Iterator[tuple[int, list]]:
    pad = [""] * offset
    pending = list(merged)  # sorted by top row
    active: list[tuple[int, int, int, object]] = []  # (last row, first col, last col, value)
    next_range = 0
    for index, row in enumerate(sheet.iter_rows()):
        if offset:
            row = pad + row
        while next_range < len(pending) and pending[next_range][0][0] == index:
            (_r0, c0), (r1, c1) = pending[next_range]
            value = row[c0] if c0 < len(row) else ""
            active.append((r1, c0, c1, value))
            next_range += 1
        if active:
            for _r1, c0, c1, value in active:
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    row[c] = value
            active = [a for a in active if a[0] > index]
        if index >= first_row:
            yield index, row


def _score_header(row: Sequence) -> int:
    return len({h for h in (template_header_for(v) for v in row if v != "") if h})


def read_roster(path: Path | str) -> RosterSheet:
    """Open a roster file and find its sheet and header row (under up to a few title rows)."""
    path = Path(path)
    found: list[WorkbookFacts] = []
    workbook = open_workbook(path, found)
    uncached = {s.name: s.uncached_formulas for s in found[0].sheets}
    candidates = []
    for meta in workbook.sheets_metadata:
        if str(getattr(meta, "visible", "")).endswith("Visible") and "WorkSheet" in str(meta.typ):
            candidates.append(meta.name)
    if not candidates:
        candidates = list(workbook.sheet_names)
    if not candidates:
        raise RosterError(f"文件 {path.name} 中没有工作表")
    fallback: RosterSheet | None = None
    for name in candidates:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except Exception as exc:
            raise RosterError(f"无法读取工作表“{name}”：工作表已损坏") from exc
        merged = _merged_ranges(sheet, path, name)
        offset = sheet.start[1] if sheet.start else 0
        head: list[list] = []
        for _index, row in iter_filled(sheet, merged, offset, 0):
            head.append(row)
            if len(head) >= HEADER_SCAN_ROWS + PREVIEW_ROWS:
                break
        scores = [_score_header(r) for r in head[:HEADER_SCAN_ROWS]]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i), default=-1)
        formulas = frozenset(uncached.get(name, ()))
        if best >= 0 and scores[best] >= MIN_HEADER_MATCHES:
            return _make_sheet(path, name, best, head, merged, offset, sheet, formulas)
        if fallback is None:
            first = next((i for i, r in enumerate(head) if any(v != "" for v in r)), 0)
            fallback = _make_sheet(path, name, first, head, merged, offset, sheet, formulas)
    return fallback


def _row_count(sheet) -> int:
    end = sheet.end
    return end[0] + 1 if end else 0


def _make_sheet(path, name, header_row, head, merged, offset, sheet, formulas) -> RosterSheet:
    headers = [display_text(v) for v in head[header_row]] if header_row < len(head) else []
    preview = [[display_text(v) for v in r] for r in head[header_row + 1 :]][:PREVIEW_ROWS]
    # The pre-check counts from A1; calamine's rows start at the sheet's first used row.
    top = sheet.start[0] if sheet.start else 0
    cells = frozenset((r - 1 - top, c - 1) for r, c in formulas)
    return RosterSheet(
        path, name, header_row, headers, preview, merged, offset, _row_count(sheet), cells, sheet
    )


def display_text(value: object) -> str:
    """Return a cell value as the text a preview shows (12.0 → 12)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value) if abs(value) >= 1e15 else str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)
