"""The 整改台账 as a table: the semi-monthly report (seed 002) and any filtered ledger view,
written as .xlsx (fixed columns, 合计 row, frozen header, A4 landscape, repeated header)."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop.dates import chinese_date
from desktop.services.problems.data import ProblemRow
from desktop.services.problems.rules import (
    RATE_FORMULA,
    STATUSES,
    rate_rows,
    shown_status,
)
from desktop.services.workbooks.sanitise import safe_row


@dataclass(frozen=True)
class ReportColumn:
    """One fixed column of the 整改台账: header, width in the .xlsx (chars) and the PDF (mm)."""

    header: str
    xlsx_width: float
    pdf_mm: float


# The fixed columns, in order; the PDF widths add up to A4 landscape's 277 mm.
REPORT_COLUMNS = (
    ReportColumn("序号", 6, 8),
    ReportColumn("问题编号", 11, 15),
    ReportColumn("发现日期", 11, 15),
    ReportColumn("问题来源", 11, 13),
    ReportColumn("问题类别", 20, 20),
    ReportColumn("问题对象", 20, 22),
    ReportColumn("问题描述", 36, 33),
    ReportColumn("整改措施", 32, 30),
    ReportColumn("责任单位", 16, 18),
    ReportColumn("责任人", 9, 11),
    ReportColumn("整改类型", 10, 11),
    ReportColumn("整改时限", 11, 15),
    ReportColumn("原定时限", 11, 15),
    ReportColumn("整改状态", 14, 15),
    ReportColumn("销号日期", 11, 15),
    ReportColumn("验收意见", 24, 21),
)
HEADERS = tuple(c.header for c in REPORT_COLUMNS)
COL_STATUS = HEADERS.index("整改状态")
TOTAL_LABEL = "合计"


@dataclass
class LedgerTable:
    """The 整改台账 ready to print: title, period, rows of text, the 合计 row and a summary."""

    title: str
    period: str
    rows: list[list[str]]
    total: list[str]
    summary: list[str] = field(default_factory=list)
    overdue_rows: set[int] = field(default_factory=set)  # indexes into rows
    headers: tuple[str, ...] = HEADERS
    columns: tuple[ReportColumn, ...] = REPORT_COLUMNS


def _d(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def period_text(date_from: datetime.date | None, date_to: datetime.date | None) -> str:
    """Return the period as “2020年05月01日至2020年05月15日”, or “全部”."""
    if date_from is None and date_to is None:
        return "全部"
    left = chinese_date(date_from, padded=True) if date_from else "开始"
    right = chinese_date(date_to, padded=True) if date_to else "至今"
    return f"{left}至{right}"


def build_ledger_table(
    rows: Sequence[ProblemRow],
    *,
    title: str,
    period: str,
    as_of: datetime.date,
) -> LedgerTable:
    """Turn ledger rows into the report's fixed columns with a 合计 row and 整改率."""
    table_rows: list[list[str]] = []
    overdue: set[int] = set()
    for n, r in enumerate(rows, 1):
        extended = r.extension_count > 0
        table_rows.append(
            [
                str(n),
                r.number,
                _d(r.found_date),
                r.source,
                r.item_text,
                r.target,
                r.description,
                r.measures,
                r.unit_name,
                r.person_name,
                r.kind,
                _d(r.deadline),
                _d(r.original_deadline) if extended else "",
                shown_status(r.status, r.deadline, as_of),
                _d(r.closed_on),
                r.verification_opinion,
            ]
        )
        if r.overdue(as_of):
            overdue.add(n - 1)
    counts = Counter(r.status for r in rows)
    rate = rate_rows(
        rows,
        lambda _r: "全部",
        as_of,
        status=lambda r: r.status,
        deadline=lambda r: r.deadline,
        extended=lambda r: r.extension_count > 0,
        closed_on=lambda r: r.closed_on,
    )
    n_extended = sum(1 for r in rows if r.extension_count)
    status_text = "，".join(f"{s}{counts.get(s, 0)}" for s in STATUSES)
    total = [""] * len(HEADERS)
    total[0] = TOTAL_LABEL
    total[1] = f"{len(rows)}个"
    total[COL_STATUS] = f"逾期{len(overdue)}"
    total[HEADERS.index("原定时限")] = f"延期{n_extended}"
    total[HEADERS.index("问题描述")] = status_text
    rate_text = rate[0].rate_text if rate else "—"
    due = rate[0].due if rate else 0
    closed = rate[0].closed if rate else 0
    summary = [
        f"共 {len(rows)} 个问题：{status_text}；逾期 {len(overdue)}，延期 {n_extended}。",
        f"整改率 {rate_text}（已销号 {closed} ÷ 应整改 {due}，截至 {as_of:%Y-%m-%d}）。",
        RATE_FORMULA,
    ]
    return LedgerTable(title, period, table_rows, total, summary, overdue)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"-?(0|[1-9]\d{0,8})(\.\d+)?")  # short: never a 户编号 or a phone number


def cell_value(value):
    """A ledger cell as Excel should hold it: days as dates, counts and days left as numbers."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _ISO_DAY.fullmatch(text):
        return datetime.date.fromisoformat(text)
    if _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return value


def write_ledger_xlsx(table: LedgerTable, path: Path | str) -> Path:
    """Write the 整改台账 as .xlsx: title, period, frozen header, 合计 row, A4 landscape."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    width = len(table.headers)
    last = get_column_letter(width)
    ws.append([table.title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="黑体", size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append([f"报送时段：{table.period}"])
    ws.merge_cells(f"A2:{last}2")
    ws.append(list(table.headers))
    header_row = 3
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDE5F0")
    late_fill = PatternFill("solid", fgColor="F8D7D3")
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.border = border
        cell.alignment = centre
    for index, values in enumerate(table.rows):
        ws.append(safe_row(ws, [cell_value(v) for v in values]))
        row = ws[ws.max_row]
        for cell in row:
            cell.border = border
            cell.alignment = wrap
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
        if index in table.overdue_rows:
            row[COL_STATUS].fill = late_fill
    ws.append(list(table.total))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.border = border
        cell.alignment = wrap
    ws.append([])
    for line in table.summary:
        ws.append([line])
    for n, column in enumerate(table.columns, 1):
        ws.column_dimensions[get_column_letter(n)].width = column.xlsx_width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    # Excel's filter arrows on the header, over the problems (not the 合计 row).
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + len(table.rows)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
