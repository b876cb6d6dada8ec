"""ComparisonService: department lists, matching and hits, as the window and commands use them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from desktop.models.base import count_where
from desktop.models.comparison import HIT_OPEN, DepartmentList, DepartmentRow, Hit
from desktop.models.registry import HOUSEHOLD_PLACE, Household, Township, Village, outerjoin_place
from desktop.services.comparison.departments import MATCH_LABELS
from desktop.services.comparison.documents import RosterTable
from desktop.services.comparison.importer import (
    DETAIL_SEPARATOR,
    ListImportResult,
    import_department_list,
    mapping_for,
)
from desktop.services.comparison.matching import run_matching
from desktop.services.comparison.reader import DepartmentSheet
from desktop.services.comparison.rosters import log_roster_export, roster_table
from desktop.services.registry.idcard import mask_id
from desktop.services.unit_of_work import Database


@dataclass(frozen=True)
class HitCount:
    """How many hits one department's lists gave, and how many are still open."""

    department: str
    hits: int
    open: int


@dataclass(frozen=True)
class ListInfo:
    """One imported department list, as the lists table shows it."""

    id: int
    department: str
    received_on: date
    imported_by: str
    imported_at: datetime
    file_name: str
    rows: int
    hits: int
    replaced: bool


@dataclass(frozen=True)
class HitInfo:
    """One 疑点: who, which household, which department, what the department says, how."""

    id: int
    department: str
    received_on: date
    household_id: int | None
    household_code: str
    head_name: str
    township: str
    village: str
    member_name: str
    id_number: str  # masked unless asked otherwise
    left_household: bool
    match_kind: str
    detail: tuple[tuple[str, str], ...]
    status: str
    case_id: int | None

    @property
    def match_label(self) -> str:
        """Return how the hit matched, in Chinese."""
        return MATCH_LABELS.get(self.match_kind, self.match_kind)

    @property
    def detail_text(self) -> str:
        """Return the department's detail as one line: 号牌号码：粤N12345；登记日期：…"""
        return "；".join(f"{h}：{v}" for h, v in self.detail if v)


class ComparisonService:
    """Department lists, matching, hits; every call opens its own short session."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def run_matching(self) -> int:
        """Match every list in force against the registry again; return how many hits are new."""
        with self.db.unit_of_work() as s:
            return run_matching(s.connection())

    def hit_counts(self, *, village_ids: Collection[int] | None = None) -> list[HitCount]:
        """Return the hits of each department that has sent a list (of these villages' households
        only, when given; a department with none there still shows, with 0)."""
        on = Hit.list_id == DepartmentList.id
        if village_ids is not None:
            on &= Hit.household_id.in_(
                select(Household.id).where(Household.village_id.in_(list(village_ids)))
            )
        with self.db.session() as s:
            rows = s.execute(
                select(
                    DepartmentList.department,
                    func.count(Hit.id),
                    count_where(Hit.status == HIT_OPEN),
                )
                .outerjoin(Hit, on)
                .group_by(DepartmentList.department)
                .order_by(DepartmentList.department)
            ).all()
        return [HitCount(d, n, o) for d, n, o in rows]

    def lists(self) -> list[ListInfo]:
        """Return every imported list, newest first."""
        hits = select(Hit.list_id, func.count(Hit.id).label("n")).group_by(Hit.list_id).subquery()
        with self.db.session() as s:
            rows = s.execute(
                select(DepartmentList, func.coalesce(hits.c.n, 0))
                .outerjoin(hits, hits.c.list_id == DepartmentList.id)
                .order_by(DepartmentList.id.desc())
            ).all()
            return [
                ListInfo(
                    d.id,
                    d.department,
                    d.received_on,
                    d.imported_by,
                    d.imported_at,
                    d.file_name,
                    d.row_count,
                    n,
                    d.replaced,
                )
                for d, n in rows
            ]

    def hits(
        self,
        *,
        status: str | None = None,
        household_id: int | None = None,
        case_id: int | None = None,
        village_ids: Collection[int] | None = None,
        full_ids: bool = False,
    ) -> list[HitInfo]:
        """Return hits (all, or of one status, household, case or set of villages), by
        household code."""
        stmt = (
            select(
                Hit,
                DepartmentList.department,
                DepartmentList.received_on,
                DepartmentList.detail_headers,
                DepartmentRow.detail,
                *HOUSEHOLD_PLACE,
            )
            .join(DepartmentList, DepartmentList.id == Hit.list_id)
            .join(DepartmentRow, DepartmentRow.id == Hit.row_id)
        )
        stmt = outerjoin_place(stmt, household=Hit.household_id).order_by(Household.code, Hit.id)
        if status is not None:
            stmt = stmt.where(Hit.status == status)
        if household_id is not None:
            stmt = stmt.where(Hit.household_id == household_id)
        if case_id is not None:
            stmt = stmt.where(Hit.case_id == case_id)
        if village_ids is not None:
            stmt = stmt.where(Household.village_id.in_(list(village_ids)))
        with self.db.session() as s:
            return [
                HitInfo(
                    id=h.id,
                    department=dept,
                    received_on=received,
                    household_id=h.household_id,
                    household_code=code or "",
                    head_name=head or "",
                    township=township or "",
                    village=village or "",
                    member_name=h.member_name,
                    id_number=h.member_id_number if full_ids else mask_id(h.member_id_number),
                    left_household=h.former_member_id is not None,
                    match_kind=h.match_kind,
                    detail=tuple(zip(headers, detail.split(DETAIL_SEPARATOR), strict=False)),
                    status=h.status,
                    case_id=h.case_id,
                )
                for h, dept, received, headers, detail, code, head, township, village in s.execute(
                    stmt
                )
            ]

    # --- for the window: import, rosters, proposals --------------------------------------

    def mapping_for(self, sheet: DepartmentSheet, department: str) -> dict[str, str]:
        """Return the mapping to offer: the department's remembered one, else a guess."""
        return mapping_for(self.db, sheet, department)

    def import_list(
        self,
        sheet: DepartmentSheet,
        department: str,
        *,
        received_on: date,
        who: str,
        mapping: dict[str, str],
        replace_open: bool = False,
    ) -> ListImportResult:
        """Import a department list and match it, all or nothing (see importer)."""
        return import_department_list(
            self.db, sheet, department, received_on=received_on, who=who, mapping=mapping,
            replace_open=replace_open,
        )  # fmt: skip

    def roster(
        self,
        which: str,
        start: date,
        end: date,
        *,
        township: str | None = None,
        full_ids: bool = False,
    ) -> RosterTable:
        """Return the 清退 or 新增 roster of the cases approved in a period."""
        return roster_table(self.db, which, start, end, township=township, full_ids=full_ids)

    def log_roster_export(self, table: RosterTable, path: Path, *, full_ids: bool) -> None:
        """Log that a roster was written (call after writing it)."""
        log_roster_export(self.db, table, path, full_ids=full_ids)

    def township_names(self) -> list[str]:
        """Return every township's name, for the rosters' scope."""
        with self.db.session() as s:
            return list(s.scalars(select(Township.name).order_by(Township.id)))

    def proposable_households(self) -> list[tuple[int, str, str, str]]:
        """Return (id, 户编号, 户主, 村) of the households not registered: who may be proposed."""
        with self.db.session() as s:
            rows = s.execute(
                select(Household.id, Household.code, Household.head_name, Village.name)
                .join(Village, Village.id == Household.village_id)
                .where(Household.is_registered.is_(False))
                .order_by(Household.code)
            ).all()
        return [tuple(r) for r in rows]
