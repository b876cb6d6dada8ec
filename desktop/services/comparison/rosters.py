"""The two rosters seed 000 reports upward: 建档立卡贫困户清退人员花名册 and 新增贫困人口花名册.

One row per person of every case approved (县 核定) in the period, for one township or the whole
county, in township → village → household order. ID numbers are masked unless asked otherwise
(an export with full numbers is logged).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from desktop.dates import chinese_date
from desktop.models.comparison import CASE_ADDITION, CASE_REMOVAL, STAGE_APPROVED, Case
from desktop.models.registry import County, Household, Township, Village
from desktop.services.comparison.documents import (
    ADDITIONS,
    REMOVALS,
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
        period=f"核定日期：{chinese_date(start, padded=True)} 至 {chinese_date(end, padded=True)}",
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


def log_roster_export(
    db: Database, table: RosterTable, path: Path | str, *, full_ids: bool
) -> None:
    """Log the export of a roster (with full ID numbers, it says so), after writing it."""
    from desktop.services.safety.audit import AuditService

    AuditService(db).log_export("comparison_case", len(table.rows), path, full_ids=full_ids)
