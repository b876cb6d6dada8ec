"""ProblemLedger: reading problems — the 整改台账 rows, one problem, 整改率, the 整改函 list."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.database import fetch_tuples
from desktop.models.problem import Problem
from desktop.services.problems.data import (
    EventData,
    ExtensionData,
    NoticeProblem,
    ProblemData,
    ProblemRow,
)
from desktop.services.problems.rules import (
    KINDS,
    SCOPES,
    SOURCES,
    STATUS_AWAITING,
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_OPEN,
    ProblemError,
    RateRow,
    rate_rows,
)
from desktop.services.safety import township_scope
from desktop.services.unit_of_work import Database, get_or_raise

NUMBER_PATTERN = re.compile(r"^(\d{4})-(\d{3,})$")


def _top_number(s: Session, year: int, reserved: Iterable[str] = ()) -> int:
    """The highest sequence number used in a year (0 for none), `reserved` numbers included."""
    top = 0
    for n in (
        *s.scalars(select(Problem.number).where(Problem.number.like(f"{year}-%"))),
        *reserved,
    ):
        m = NUMBER_PATTERN.match(n)
        if m and int(m.group(1)) == year:
            top = max(top, int(m.group(2)))
    return top


class NumberSequence:
    """Free problem numbers for a batch written in one transaction (an import, a 点球).

    Each year's numbers are read once, not once a problem: a county's 点球 is 20,000 problems,
    and scanning the year before each one made it quadratic. Numbers the batch brings itself
    (`reserved`) are never handed out.
    """

    def __init__(self, s: Session, reserved: Iterable[str] = ()) -> None:
        self._s = s
        self._reserved = tuple(n for n in reserved if n)
        self._top: dict[int, int] = {}

    def next(self, year: int) -> str:
        """The next free number of `year`, e.g. 2020-016."""
        top = self._top.get(year)
        if top is None:
            top = _top_number(self._s, year, self._reserved)
        self._top[year] = top + 1
        return f"{year}-{top + 1:03d}"


class _Dates(dict):
    """ISO date text → date, parsed once per distinct day (a ledger has a few hundred)."""

    def __missing__(self, text: str | None) -> datetime.date | None:
        value = self[text] = None if text is None else datetime.date.fromisoformat(text)
        return value


def _code_case(column: str, values: tuple[str, ...]) -> str:
    # Low-cardinality texts travel as small integers: SQLite hands those over far faster than
    # it decodes 20,000 strings, and Python maps them back to one shared string each.
    whens = " ".join(f"WHEN '{v}' THEN {n}" for n, v in enumerate(values))
    return f"CASE {column} {whens} ELSE -1 END"


_SOURCES = {n: v for n, v in enumerate(SOURCES)} | {-1: ""}
_SCOPES = {n: v for n, v in enumerate(SCOPES)} | {-1: ""}
_STATUS_ORDER = (STATUS_OPEN, STATUS_IN_PROGRESS, STATUS_AWAITING, STATUS_CLOSED)
_STATUSES = {n: v for n, v in enumerate(_STATUS_ORDER)} | {-1: ""}
KINDS_BY_CODE = {n: v for n, v in enumerate(KINDS)} | {-1: ""}
_LEDGER_SQL = f"""
SELECT p.id, p.number, p.found_date, {_code_case("p.source", SOURCES)}, p.item_id,
       {_code_case("p.scope", SCOPES)}, p.household_id, p.village_id, p.scope_unit_id,
       p.description, p.unit_id, p.person_id, {_code_case("p.kind", KINDS)}, p.deadline,
       p.original_deadline, {_code_case("p.status", _STATUS_ORDER)}, p.closed_on,
       coalesce(e.n, 0), coalesce(a.n, 0)
FROM problem p
LEFT JOIN (SELECT problem_id, count(*) AS n FROM problem_extension GROUP BY problem_id) e
       ON e.problem_id = p.id
LEFT JOIN (SELECT problem_id, count(*) AS n FROM problem_attachment GROUP BY problem_id) a
       ON a.problem_id = p.id
"""


@dataclass(frozen=True)
class RateSummary:
    """整改率 overall and by area, unit and village, with counts by status."""

    as_of: datetime.date
    overall: RateRow
    by_area: list[RateRow]
    by_unit: list[RateRow]
    by_village: list[RateRow]
    by_status: dict[str, int]


def load_problem(s: Session, problem_id: int, *, lock: bool = False) -> Problem:
    """Return a problem, or raise ProblemError when it no longer exists; `lock` holds its row
    for the version check until the commit (PostgreSQL; SQLite has one writer anyway)."""
    gone = ProblemError("该问题已不存在（可能已被删除）")
    return get_or_raise(s, Problem, problem_id, gone, lock=lock)


class ProblemLedger:
    """Reading problems: ledger rows (fast at 20,000), one problem in full, the figures."""

    db: Database

    def rows(self, detail: bool = False) -> list[ProblemRow]:
        """Return every problem as a ledger row, newest first.

        Fast at 20,000 problems: one narrow query over the problem table, names looked up in
        small dictionaries, and the long texts (cause, measures, verification) only with
        `detail` (reports need them; the table and the dashboard do not).
        """
        with self.db.connection() as conn:
            items = {
                r[0]: r[1:]
                for r in fetch_tuples(
                    conn,
                    "SELECT i.id, i.number, i.title, a.id, a.name FROM catalogue_item i "
                    "JOIN catalogue_area a ON a.id = i.area_id",
                )
            }
            units = dict(fetch_tuples(conn, "SELECT id, name FROM unit"))
            people = dict(fetch_tuples(conn, "SELECT id, name FROM person"))
            villages = dict(fetch_tuples(conn, "SELECT id, name FROM village"))
            households = {
                r[0]: (r[1], r[2])
                for r in fetch_tuples(
                    conn,
                    "SELECT id, code, head_name FROM household WHERE id IN "
                    "(SELECT household_id FROM problem WHERE household_id IS NOT NULL)",
                )
            }
            raw = fetch_tuples(conn, _LEDGER_SQL)
            # A clerk granted some townships sees their problems only (plain SQL is not
            # narrowed by the engine's rule: its ids are).
            visible = township_scope.visible_ids(conn, Problem)
            if visible is not None:
                raw = [r for r in raw if r[0] in visible]
            details = (
                {
                    r[0]: r[1:]
                    for r in fetch_tuples(
                        conn,
                        "SELECT id, cause, measures, verified_by, verification_opinion"
                        " FROM problem",
                    )
                }
                if detail
                else {}
            )
        # Plain subscripts in the loop below (no calls): every lookup table answers None too.
        dates = _Dates()
        items[None] = (None, "", None, "")
        households[None] = ("", "")
        for names in (units, people, villages):
            names[None] = ""
        no_detail = ("", "", "", "")
        make = tuple.__new__
        rows = [
            make(
                ProblemRow,
                (
                    pid, number, dates[found], _SOURCES[source],
                    items[item_id][2], items[item_id][3], items[item_id][0], items[item_id][1],
                    _SCOPES[scope], household_id, households[household_id][0],
                    households[household_id][1], village_id, villages[village_id],
                    units[scope_unit_id], description,
                    *(details.get(pid, no_detail)[:2] if detail else no_detail[:2]),
                    unit_id, units[unit_id], people[person_id], KINDS_BY_CODE[kind],
                    dates[deadline], dates[original], _STATUSES[status], dates[closed],
                    *(details.get(pid, no_detail)[2:] if detail else no_detail[2:]),
                    extensions, attachments,
                ),
            )
            for (pid, number, found, source, item_id, scope, household_id, village_id,
                 scope_unit_id, description, unit_id, person_id, kind, deadline, original,
                 status, closed, extensions, attachments) in raw
        ]  # fmt: skip
        # Two stable sorts: newest found date first, and within a day the highest number.
        rows.sort(key=attrgetter("number"), reverse=True)
        rows.sort(key=attrgetter("found_date"), reverse=True)
        return rows

    def rows_by_ids(self, ids: list[int]) -> list[ProblemRow]:
        """Return full rows (with the detail texts) of the given problems, in that order."""
        by_id = {r.id: r for r in self.rows(detail=True)}
        return [by_id[i] for i in ids if i in by_id]

    def report_rows(
        self, date_from: datetime.date | None = None, date_to: datetime.date | None = None
    ) -> list[ProblemRow]:
        """Rows of the 整改台账 for a period: found by its end and not closed before its start."""
        rows = [
            r
            for r in self.rows(detail=True)
            if (date_to is None or r.found_date <= date_to)
            and (date_from is None or r.closed_on is None or r.closed_on >= date_from)
        ]
        return sorted(rows, key=lambda r: (r.found_date, r.number))

    def count(self) -> int:
        """Return the number of problems."""
        with self.db.session() as s:
            return s.scalar(select(func.count(Problem.id))) or 0

    def get(self, problem_id: int) -> ProblemData:
        """Return one problem with its timeline, extensions and attachments."""
        with self.db.session() as s:
            p = load_problem(s, problem_id)
            data = ProblemData(
                description=p.description,
                found_date=p.found_date,
                source=p.source,
                item_id=p.item_id,
                scope=p.scope,
                household_id=p.household_id,
                village_id=p.village_id,
                scope_unit_id=p.scope_unit_id,
                cause=p.cause,
                measures=p.measures,
                unit_id=p.unit_id,
                person_id=p.person_id,
                kind=p.kind,
                deadline=p.deadline,
                note=p.note,
                indicator=p.indicator,
                number=p.number,
                id=p.id,
                version=p.version,
                status=p.status,
                original_deadline=p.original_deadline,
                verified_by=p.verified_by,
                verified_on=p.verified_on,
                verification_opinion=p.verification_opinion,
                closed_on=p.closed_on,
                created_by=p.created_by,
                events=[EventData(e.at, e.who, e.action, e.detail) for e in p.events],
                extensions=[
                    ExtensionData(e.old_deadline, e.new_deadline, e.reason, e.who, e.at)
                    for e in p.extensions
                ],
                attachments=[self._attachment_data(a) for a in p.attachments],
            )
        if data.household_id:
            info = self.household_info(data.household_id)
            data.household_text = info[1] if info else ""
        return data

    def next_number(self, year: int) -> str:
        """Return the next free number of a year, e.g. 2020-016."""
        with self.db.session() as s:
            return self._next_number(s, year)

    @staticmethod
    def _next_number(s: Session, year: int) -> str:
        return f"{year}-{_top_number(s, year) + 1:03d}"

    def rates(
        self, as_of: datetime.date | None = None, rows: list[ProblemRow] | None = None
    ) -> RateSummary:
        """Return 整改率 overall and by area, unit and village as of a date (default today)."""
        as_of = as_of or datetime.date.today()
        rows = self.rows() if rows is None else rows
        fields = {
            "status": lambda r: r.status,
            "deadline": lambda r: r.deadline,
            "extended": lambda r: r.extension_count > 0,
            "closed_on": lambda r: r.closed_on,
        }
        overall = rate_rows(rows, lambda r: "全部", as_of, **fields)
        by_status = {st: 0 for st in (STATUS_OPEN, STATUS_IN_PROGRESS, STATUS_AWAITING)}
        by_status[STATUS_CLOSED] = 0
        for r in rows:
            by_status[r.status] = by_status.get(r.status, 0) + 1
        area_order = {name: n for n, (_id, name) in enumerate(self.areas())}
        by_area = rate_rows(rows, lambda r: r.area_name, as_of, **fields)
        by_area.sort(key=lambda a: area_order.get(a.name, len(area_order)))
        by_unit = rate_rows(rows, lambda r: r.unit_name, as_of, **fields)
        by_unit.sort(key=lambda u: (-u.total, u.name))
        villages = [r for r in rows if r.village_name]
        by_village = rate_rows(villages, lambda r: r.village_name, as_of, **fields)
        by_village.sort(key=lambda v: v.name)
        return RateSummary(
            as_of=as_of,
            overall=overall[0] if overall else RateRow("全部", 0, 0, 0, 0, 0),
            by_area=by_area,
            by_unit=by_unit,
            by_village=by_village,
            by_status=by_status,
        )

    def notice_problems(self, unit_name: str) -> list[NoticeProblem]:
        """Return the open problems of one responsible unit for its 整改函, oldest first."""
        unit_id = self.unit_id_by_name(unit_name)
        if unit_id is None:
            raise ProblemError(f"没有名为“{unit_name}”的责任单位")
        rows = [
            r for r in self.rows(detail=True) if r.unit_id == unit_id and r.status != STATUS_CLOSED
        ]
        rows.sort(key=lambda r: (r.found_date, r.number))
        return [
            NoticeProblem(r.number, r.target, r.description, r.measures, r.deadline, r.person_name)
            for r in rows
        ]
