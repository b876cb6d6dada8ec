"""Exporting the roster: the template with one row per member, ID numbers masked by default."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import select

from desktop.models.registry import County, Group, Household, Member, Township, Village
from desktop.services.registry import codes
from desktop.services.registry.idcard import mask_id
from desktop.services.roster.sheet import ProgressFn, RosterCancelled, RosterError
from desktop.services.roster.template import HEADERS, SHEET_TITLE
from desktop.services.unit_of_work import Database
from desktop.services.workbooks.sanitise import safe_row


def roster_rows(db: Database, full_ids: bool = False, household_ids=None) -> Iterator[list]:
    """Yield template rows, one per member, household columns repeated; IDs masked by default."""
    query = (
        select(
            County.name,
            Township.name,
            Village.name,
            Group.name,
            Household.code,
            Household.head_name,
            Member.name,
            Member.sex,
            Member.id_number,
            Member.relation,
            Member.ethnicity,
            Member.education,
            Member.schooling,
            Member.health,
            Member.labour_ability,
            Member.work_status,
            Household.poverty_kind,
            Household.special_kind,
            Household.is_registered,
            Household.exit_year,
            Household.phone,
            Household.income_per_capita,
        )
        .select_from(Member)
        .join(Household, Household.id == Member.household_id)
        .join(Village, Village.id == Household.village_id)
        .join(Township, Township.id == Village.township_id)
        .join(County, County.id == Township.county_id)
        .outerjoin(Group, Group.id == Household.group_id)
        .order_by(
            County.name, Township.name, Village.code, Village.name, Household.code, Member.seq
        )
    )
    ids = None if household_ids is None else set(household_ids)
    if ids is not None:
        query = query.add_columns(Household.id)
    with db.connection() as conn:
        for r in conn.execute(query).yield_per(5000):
            if ids is not None and r[-1] not in ids:
                continue
            number = r[8] if full_ids else mask_id(r[8])
            kind = codes.household_kind(r[16], r[17])
            # A registered household without a year has not exited; others have no year at all.
            exit_year = str(r[19]) if r[19] is not None else (codes.NOT_EXITED if r[18] else "")
            yield [
                r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6], r[7], number, r[9], r[10],
                r[11], r[12], r[13], r[14], r[15], kind, "是" if r[18] else "否", exit_year,
                r[20], r[21],
            ]  # fmt: skip


def count_export_rows(db: Database, household_ids=None) -> int:
    """Return how many member rows an export writes."""
    from sqlalchemy import func

    query = select(func.count(Member.id))
    if household_ids is not None:
        ids = list(household_ids)
        if not ids:
            return 0
        query = query.where(Member.household_id.in_(ids)) if len(ids) < 30000 else query
    with db.connection() as conn:
        return int(conn.execute(query).scalar() or 0)


def export_roster(
    db: Database,
    out_path: Path | str,
    full_ids: bool = False,
    household_ids=None,
    progress: ProgressFn | None = None,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Write the roster template with one row per member; returns the rows written.

    The file appears only when complete (written beside it, then renamed), so a cancelled or
    failed export leaves no half file behind.
    """
    from openpyxl import Workbook

    from desktop.services.roster.template import CODES_SHEET_TITLE, setup_sheet

    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise RosterError(f"文件夹不存在：{out_path.parent}，请先建立文件夹或另选位置")
    total = max(1, count_export_rows(db, household_ids))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    setup_sheet(ws, wb.create_sheet(CODES_SHEET_TITLE))
    ws.append(list(HEADERS))
    count = 0
    for row in roster_rows(db, full_ids, household_ids):
        ws.append(safe_row(ws, row))
        count += 1
        if count % 5000 == 0:
            if cancel is not None and cancel():
                raise RosterCancelled()
            if progress is not None:
                progress(min(95, 95 * count // total), f"已导出 {count} 行…")
    if progress is not None:
        progress(96, "正在保存文件…")
    temp = out_path.with_name(out_path.name + ".part")
    try:
        wb.save(temp)
        if cancel is not None and cancel():
            raise RosterCancelled()
        temp.replace(out_path)
    finally:
        temp.unlink(missing_ok=True)
    if progress is not None:
        progress(100, "导出完成")
    return count
