"""The two rosters seed 000 reports upward: 建档立卡贫困户清退人员花名册 and 新增贫困人口花名册.

One row per person of every case approved (县 核定) in the period, for one township or the whole
county, in township → village → household order. ID numbers are masked unless asked otherwise
(an export with full numbers is logged).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from desktop.models.comparison import CASE_ADDITION, CASE_REMOVAL, STAGE_APPROVED, Case
from desktop.models.registry import County, Household, Township, Village
from desktop.services.comparison.documents import (
    ADDITIONS,
    REMOVALS,
    SIGNATURES,
    TITLES,
    RosterTable,
    columns,
)
from desktop.services.registry.idcard import mask_id
from desktop.services.unit_of_work import Database

KINDS = {REMOVALS: CASE_REMOVAL, ADDITIONS: CASE_ADDITION}


def roster_table(
    db: Database,
    which: str,
    start: date,
    end: date,
    *,
    township: str | None = None,
    full_ids: bool = False,
) -> RosterTable:
    """Return the roster of the cases approved between two dates (inclusive)."""
    if which not in KINDS:
        raise ValueError(which)
    stmt = (
        select(Case, Household.code, Household.head_name, County.name, Township.name, Village.name)
        .join(Household, Household.id == Case.household_id)
        .join(Village, Village.id == Household.village_id)
        .join(Township, Township.id == Village.township_id)
        .join(County, County.id == Township.county_id)
        .where(
            Case.kind == KINDS[which],
            Case.stage == STAGE_APPROVED,
            Case.approved_on >= start,
            Case.approved_on <= end,
        )
        .order_by(Township.name, Village.code, Village.name, Household.code, Case.id)
    )
    if township:
        stmt = stmt.where(Township.name == township)
    with db.session() as s:
        found = s.execute(stmt).all()
        counties = s.scalars(select(County.name).order_by(County.id)).all()
    county = found[0][3] if found else (counties[0] if counties else "")
    table = RosterTable(
        which=which,
        title=TITLES[which],
        scope=f"{county}{township or ''}",
        period=f"核定日期：{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}",
        columns=columns(which),
    )
    households: set[str] = set()
    for case, code, head, county_name, township_name, village in found:
        households.add(code)
        for person in case.persons or []:
            number = person.get("id_number", "")
            table.rows.append(
                [
                    str(len(table.rows) + 1),
                    county_name,
                    township_name,
                    village,
                    head,
                    person.get("name", ""),
                    person.get("relation", ""),
                    number if full_ids else mask_id(number),
                    case.reason,
                    f"{case.approved_on:%Y-%m-%d}",
                    case.approved_by,
                    case.number,
                ]
            )
    table.households = len(households)
    return table


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
    ws.append([f"填报单位：{table.scope}", *[""] * 6, table.period])
    ws.merge_cells("A2:G2")
    ws.merge_cells(f"H2:{last}2")
    ws.append(table.headers)
    for cell in ws[3]:
        cell.font = Font(name="宋体", size=10, bold=True)
        cell.alignment, cell.border = centre, box
    for values in table.rows:
        ws.append(values)
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


def write_roster(
    db: Database,
    which: str,
    start: date,
    end: date,
    path: Path | str,
    *,
    township: str | None = None,
    full_ids: bool = False,
) -> int:
    """Write a roster as .xlsx or .pdf (by the file's suffix); return how many people it lists.

    An export with full ID numbers is logged, as every such export is.
    """
    path = Path(path)
    table = roster_table(db, which, start, end, township=township, full_ids=full_ids)
    if path.suffix.lower() == ".pdf":
        from desktop.printing.comparison_roster import render_roster_pdf

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_roster_pdf(table))
    else:
        write_roster_xlsx(table, path)
    from desktop.services.safety.audit import AuditService

    AuditService(db).log_export("comparison_case", len(table.rows), path, full_ids=full_ids)
    return len(table.rows)
