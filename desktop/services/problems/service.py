"""ProblemService: problems from finding to close-out, with timeline, extensions and evidence."""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import StaleRecordError
from desktop.models.database import fetch_tuples
from desktop.models.problem import (
    Attachment,
    CatalogueArea,
    CatalogueItem,
    Extension,
    IndicatorDepartment,
    InspectionCategory,
    Person,
    Problem,
    ProblemEvent,
    Unit,
)
from desktop.models.registry import Household, Township, Village
from desktop.services.problems.catalogue import SeedResult, seed_reference_data
from desktop.services.problems.data import (
    AttachmentData,
    EventData,
    ExtensionData,
    ItemData,
    NoticeProblem,
    PersonData,
    ProblemData,
    ProblemRow,
    UnitData,
)
from desktop.services.problems.rules import (
    IMMEDIATE_OPINION,
    KIND_DEADLINE,
    KIND_IMMEDIATE,
    KINDS,
    SCOPE_HOUSEHOLD,
    SCOPE_UNIT,
    SCOPE_VILLAGE,
    SCOPES,
    SOURCES,
    STATUS_AWAITING,
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_OPEN,
    UNIT_KINDS,
    ProblemError,
    RateRow,
    check_close,
    check_dates,
    check_extension,
    check_transition,
    rate_rows,
)
from desktop.services.unit_of_work import Database

ATTACHMENTS_DIR = "attachments"
ATTACHMENT_OK = "正常"
ATTACHMENT_MISSING = "文件缺失"
ATTACHMENT_CHANGED = "文件已改动"

# Labels of the fields whose changes the timeline records, in the dialog's order.
FIELD_LABELS = {
    "found_date": "发现日期",
    "source": "问题来源",
    "item_id": "问题类别",
    "scope": "问题对象",
    "household_id": "农户",
    "village_id": "村",
    "scope_unit_id": "单位",
    "description": "问题描述",
    "cause": "原因分析",
    "measures": "整改措施",
    "unit_id": "责任单位",
    "person_id": "责任人",
    "note": "备注",
}
NUMBER_PATTERN = re.compile(r"^(\d{4})-(\d{3,})$")


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


class StaleProblemError(ProblemError, StaleRecordError):
    """Someone else saved the problem since it was opened."""


@dataclass(frozen=True)
class RateSummary:
    """整改率 overall and by area, unit and village, with counts by status."""

    as_of: datetime.date
    overall: RateRow
    by_area: list[RateRow]
    by_unit: list[RateRow]
    by_village: list[RateRow]
    by_status: dict[str, int]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _short(value: object, limit: int = 40) -> str:
    text = "（空）" if value in (None, "") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ProblemService:
    """Queries and changes of problems; every call opens its own short session."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = Path(data_dir)

    # --- reference data -----------------------------------------------------------------

    def ensure_reference_data(self) -> SeedResult:
        """Copy the shipped catalogue into the database when it has none; add village units."""
        with self.db.unit_of_work() as s:
            return seed_reference_data(s)

    def items(self) -> list[ItemData]:
        """Return the 34 catalogue items (or the clerk's edited list) with their areas."""
        with self.db.session() as s:
            rows = s.execute(
                select(CatalogueItem, CatalogueArea)
                .join(CatalogueItem.area)
                .order_by(CatalogueArea.seq, CatalogueItem.number)
            ).all()
            return [
                ItemData(
                    i.id,
                    i.number,
                    i.title,
                    i.description,
                    a.id,
                    a.seq,
                    a.name,
                    a.responsible_units,
                )
                for i, a in rows
            ]

    def areas(self) -> list[tuple[int, str]]:
        """Return (id, name) of the catalogue areas in order."""
        with self.db.session() as s:
            return [
                (r.id, r.name)
                for r in s.execute(
                    select(CatalogueArea.id, CatalogueArea.name).order_by(CatalogueArea.seq)
                )
            ]

    def inspection_categories(self) -> list[tuple[str, str, str]]:
        """Return (name, content, method) of seed 004's 督查内容及形式 categories."""
        with self.db.session() as s:
            return [
                (c.name, c.content, c.method)
                for c in s.scalars(select(InspectionCategory).order_by(InspectionCategory.seq))
            ]

    def indicator_departments(self) -> list[tuple[str, str]]:
        """Return (indicator, departments) of seed 001's 责任分工."""
        with self.db.session() as s:
            return [
                (d.indicator, d.departments)
                for d in s.scalars(select(IndicatorDepartment).order_by(IndicatorDepartment.seq))
            ]

    def units(self) -> list[UnitData]:
        """Return every responsible unit, township offices first, villages last."""
        order = {kind: n for n, kind in enumerate(UNIT_KINDS)}
        with self.db.session() as s:
            units = [UnitData(u.id, u.name, u.kind, u.phone) for u in s.scalars(select(Unit))]
        return sorted(units, key=lambda u: (order.get(u.kind, 99), u.id))

    def people(self, unit_id: int | None = None) -> list[PersonData]:
        """Return the responsible people, of one unit when given."""
        stmt = select(Person).order_by(Person.name)
        if unit_id is not None:
            stmt = stmt.where(Person.unit_id == unit_id)
        with self.db.session() as s:
            return [
                PersonData(p.id, p.name, p.unit_id, p.position, p.phone) for p in s.scalars(stmt)
            ]

    def add_unit(self, name: str, kind: str = "镇直单位", phone: str = "") -> int:
        """Add a responsible unit; return its id (refused when the name is empty or taken)."""
        name = name.strip()
        if not name:
            raise ProblemError("单位名称不能为空", "unit")
        with self.db.unit_of_work() as s:
            if s.scalar(select(Unit.id).where(Unit.name == name)):
                raise ProblemError(f"已有名为“{name}”的单位", "unit")
            unit = Unit(name=name, kind=kind, phone=phone.strip(), note="")
            s.add(unit)
            s.flush()
            return unit.id

    def add_person(self, name: str, unit_id: int, position: str = "", phone: str = "") -> int:
        """Add a responsible person to a unit; return the person's id."""
        name = name.strip()
        if not name:
            raise ProblemError("责任人姓名不能为空", "person")
        with self.db.unit_of_work() as s:
            if s.get(Unit, unit_id) is None:
                raise ProblemError("所选责任单位不存在", "unit")
            clash = s.scalar(
                select(Person.id).where(Person.unit_id == unit_id, Person.name == name)
            )
            if clash:
                return clash
            person = Person(unit_id=unit_id, name=name, position=position, phone=phone)
            s.add(person)
            s.flush()
            return person.id

    def unit_id_by_name(self, name: str) -> int | None:
        """Return the id of the unit with this exact name, or None."""
        with self.db.session() as s:
            return s.scalar(select(Unit.id).where(Unit.name == name.strip()))

    def villages(self) -> list[tuple[int, str]]:
        """Return (id, name) of every village, for the scope and filter lists."""
        with self.db.session() as s:
            return [
                (r.id, r.name)
                for r in s.execute(select(Village.id, Village.name).order_by(Village.code))
            ]

    def households_of_village(self, village_id: int) -> list[tuple[int, str]]:
        """Return (id, “户主 (户编号)”) of a village's households."""
        with self.db.session() as s:
            return [
                (r.id, f"{r.head_name}（{r.code}）")
                for r in s.execute(
                    select(Household.id, Household.head_name, Household.code)
                    .where(Household.village_id == village_id)
                    .order_by(Household.code)
                )
            ]

    def household_info(self, household_id: int) -> tuple[int, str] | None:
        """Return (village id, “村 户主（户编号）”) of a household, or None."""
        with self.db.session() as s:
            row = s.execute(
                select(Household.village_id, Village.name, Household.head_name, Household.code)
                .join(Village, Village.id == Household.village_id)
                .where(Household.id == household_id)
            ).first()
        if row is None:
            return None
        return row[0], f"{row[1]} {row[2]}（{row[3]}）"

    def issuer_default(self) -> str:
        """The office a 整改函 is issued by when none is named: the township's 扶贫工作站."""
        with self.db.session() as s:
            name = s.scalar(select(Township.name).order_by(Township.id).limit(1))
        return f"{name or ''}扶贫工作站"

    # --- reading ------------------------------------------------------------------------

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
            p = s.get(Problem, problem_id)
            if p is None:
                raise ProblemError("该问题已不存在（可能已被删除）")
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

    def _attachment_data(self, a: Attachment) -> AttachmentData:
        return AttachmentData(
            a.id,
            a.original_name,
            a.path,
            a.sha256,
            a.size,
            a.added_by,
            a.added_at,
            self.attachment_state(a.path, a.sha256, a.size),
        )

    def attachment_file(self, relative: str) -> Path:
        """Return where an attachment lives on disk (it may be missing)."""
        return self.data_dir / Path(*relative.split("/"))

    def attachment_state(self, relative: str, sha256: str, size: int) -> str:
        """Check an attachment on disk: 正常, 文件缺失 or 文件已改动; never raises."""
        path = self.attachment_file(relative)
        try:
            if not path.is_file():
                return ATTACHMENT_MISSING
            if path.stat().st_size != size:
                return ATTACHMENT_CHANGED
            return ATTACHMENT_OK if _sha256(path.read_bytes()) == sha256 else ATTACHMENT_CHANGED
        except OSError:
            return ATTACHMENT_MISSING

    def next_number(self, year: int) -> str:
        """Return the next free number of a year, e.g. 2020-016."""
        with self.db.session() as s:
            return self._next_number(s, year)

    @staticmethod
    def _next_number(s: Session, year: int) -> str:
        numbers = s.scalars(select(Problem.number).where(Problem.number.like(f"{year}-%")))
        top = 0
        for n in numbers:
            m = NUMBER_PATTERN.match(n)
            if m:
                top = max(top, int(m.group(2)))
        return f"{year}-{top + 1:03d}"

    # --- writing ------------------------------------------------------------------------

    def validate(self, data: ProblemData, s: Session) -> None:
        """Refuse a problem that breaks a rule; the message names the field, in Chinese."""
        if not data.description.strip():
            raise ProblemError("请填写问题描述", "description")
        if data.source not in SOURCES:
            raise ProblemError(f"问题来源应为：{'、'.join(SOURCES)}", "source")
        if data.kind not in KINDS:
            raise ProblemError(f"整改类型应为：{'、'.join(KINDS)}", "kind")
        if data.scope not in SCOPES:
            raise ProblemError(f"问题对象应为：{'、'.join(SCOPES)}", "scope")
        if data.scope == SCOPE_HOUSEHOLD:
            if not data.household_id or s.get(Household, data.household_id) is None:
                raise ProblemError("问题对象为“户”时请选择农户", "household_id")
        elif data.scope == SCOPE_VILLAGE:
            if not data.village_id or s.get(Village, data.village_id) is None:
                raise ProblemError("问题对象为“村”时请选择村", "village_id")
        elif not data.scope_unit_id or s.get(Unit, data.scope_unit_id) is None:
            raise ProblemError("问题对象为“单位”时请选择单位", "scope_unit_id")
        if data.item_id is not None and s.get(CatalogueItem, data.item_id) is None:
            raise ProblemError("所选问题类别不存在", "item_id")
        check_dates(data.found_date, data.deadline, data.kind)
        if data.kind == KIND_DEADLINE:
            if not data.unit_id:
                raise ProblemError("限时整改的问题必须指定责任单位", "unit_id")
            if not data.person_id:
                raise ProblemError("限时整改的问题必须指定责任人", "person_id")
        else:
            if not data.measures.strip():
                raise ProblemError("立行立改的问题请填写整改措施（当场如何整改）", "measures")
        if data.unit_id and s.get(Unit, data.unit_id) is None:
            raise ProblemError("所选责任单位不存在", "unit_id")
        if data.person_id:
            person = s.get(Person, data.person_id)
            if person is None:
                raise ProblemError("所选责任人不存在", "person_id")
            if data.unit_id and person.unit_id != data.unit_id:
                raise ProblemError(f"责任人“{person.name}”不属于所选责任单位", "person_id")
        if data.number and not NUMBER_PATTERN.match(data.number.strip()):
            raise ProblemError("问题编号应为“年份-序号”，如 2020-015", "number")

    def save(self, data: ProblemData, user: str) -> int:
        """Create or update a problem in one transaction; return its id.

        A new 立行立改 problem closes at once; deadlines change only through `extend`.
        """
        data = replace(data)  # the caller's copy stays as the user typed it
        with self.db.unit_of_work() as s:
            if data.person_id is None and data.person_name.strip() and data.unit_id:
                data.person_id = self._person_for(s, data.unit_id, data.person_name.strip())
            self.validate(data, s)
            if data.scope == SCOPE_HOUSEHOLD:
                data.village_id = s.get(Household, data.household_id).village_id
            if data.scope != SCOPE_HOUSEHOLD:
                data.household_id = None
            if data.scope != SCOPE_UNIT:
                data.scope_unit_id = None
            if data.scope == SCOPE_UNIT:
                data.village_id = None
            number = data.number.strip() or self._next_number(s, data.found_date.year)
            clash = s.scalar(
                select(Problem.id).where(Problem.number == number, Problem.id != (data.id or 0))
            )
            if clash:
                raise ProblemError(f"问题编号 {number} 已被使用", "number")
            if data.id is None:
                return self._create(s, data, number, user)
            return self._update(s, data, number, user)

    def _create(self, s: Session, data: ProblemData, number: str, user: str) -> int:
        p = Problem(number=number, created_by=user, version=1, **self._values(data))
        p.original_deadline = data.deadline
        p.status = STATUS_OPEN
        detail = f"登记问题 {number}（{data.kind}）"
        if data.kind == KIND_IMMEDIATE:
            p.status = STATUS_CLOSED
            p.closed_on = p.verified_on = data.found_date
            p.verified_by = user
            p.verification_opinion = data.verification_opinion.strip() or IMMEDIATE_OPINION
            detail += "，立行立改当即销号"
        s.add(p)
        s.flush()
        s.add(ProblemEvent(problem_id=p.id, who=user, action="登记", detail=detail))
        return p.id

    def _update(self, s: Session, data: ProblemData, number: str, user: str) -> int:
        p = s.get(Problem, data.id)
        if p is None:
            raise ProblemError("该问题已不存在（可能已被删除）")
        if data.version and p.version != data.version:
            raise StaleProblemError("此问题已被他人修改，请关闭后重新打开再改")
        if p.status == STATUS_CLOSED:
            raise ProblemError("问题已销号，不能再修改", "status")
        if data.kind != p.kind:
            raise ProblemError("整改类型登记后不能更改", "kind")
        if data.deadline != p.deadline:
            raise ProblemError("整改时限已确定；如需调整，请办理延期并说明原因", "deadline")
        values = self._values(data)
        changes = []
        for name, label in FIELD_LABELS.items():
            old, new = getattr(p, name), values[name]
            if old != new:
                changes.append(f"{label}：{_short(old)} → {_short(new)}")
                setattr(p, name, new)
        if number != p.number:
            changes.append(f"问题编号：{p.number} → {number}")
            p.number = number
        if changes:
            p.version += 1
            s.add(ProblemEvent(problem_id=p.id, who=user, action="修改", detail="；".join(changes)))
        return p.id

    @staticmethod
    def _person_for(s: Session, unit_id: int, name: str) -> int | None:
        # Find or add the person inside the caller's transaction, so a refused save keeps nothing.
        if s.get(Unit, unit_id) is None:
            return None
        found = s.scalar(select(Person.id).where(Person.unit_id == unit_id, Person.name == name))
        if found:
            return found
        person = Person(unit_id=unit_id, name=name, position="", phone="")
        s.add(person)
        s.flush()
        return person.id

    @staticmethod
    def _values(data: ProblemData) -> dict:
        return {
            "found_date": data.found_date,
            "source": data.source,
            "item_id": data.item_id,
            "scope": data.scope,
            "household_id": data.household_id,
            "village_id": data.village_id,
            "scope_unit_id": data.scope_unit_id,
            "description": data.description.strip(),
            "cause": data.cause.strip(),
            "measures": data.measures.strip(),
            "unit_id": data.unit_id,
            "person_id": data.person_id,
            "kind": data.kind,
            "deadline": data.deadline,
            "note": data.note.strip(),
            "indicator": data.indicator,
        }

    def _load_open(self, s: Session, problem_id: int) -> Problem:
        p = s.get(Problem, problem_id)
        if p is None:
            raise ProblemError("该问题已不存在（可能已被删除）")
        return p

    def set_status(self, problem_id: int, status: str, user: str, note: str = "") -> None:
        """Move a problem along 待整改 → 整改中 → 已整改待验收 (销号 goes through `close`)."""
        if status == STATUS_CLOSED:
            raise ProblemError("销号请使用“验收销号”，并填写验收意见", "status")
        with self.db.unit_of_work() as s:
            p = self._load_open(s, problem_id)
            check_transition(p.status, status)
            if p.status == status:
                return
            if p.status == STATUS_AWAITING and status == STATUS_IN_PROGRESS and not note.strip():
                raise ProblemError("退回整改必须说明验收不通过的原因", "note")
            detail = f"{p.status} → {status}"
            if note.strip():
                detail += f"：{note.strip()}"
            p.status = status
            p.version += 1
            s.add(ProblemEvent(problem_id=p.id, who=user, action="状态", detail=detail))

    def close(
        self,
        problem_id: int,
        *,
        verified_by: str,
        verified_on: datetime.date | None,
        opinion: str,
        user: str,
    ) -> None:
        """Close out (销号) a problem awaiting verification; an opinion is required."""
        with self.db.unit_of_work() as s:
            p = self._load_open(s, problem_id)
            check_transition(p.status, STATUS_CLOSED)
            check_close(opinion, verified_by, verified_on)
            if verified_on < p.found_date:
                raise ProblemError("验收日期不能早于发现日期", "verified_on")
            p.status = STATUS_CLOSED
            p.verified_by, p.verified_on = verified_by.strip(), verified_on
            p.verification_opinion = opinion.strip()
            p.closed_on = verified_on
            p.version += 1
            s.add(
                ProblemEvent(
                    problem_id=p.id,
                    who=user,
                    action="销号",
                    detail=(
                        f"验收人 {p.verified_by}，{verified_on:%Y-%m-%d}：{p.verification_opinion}"
                    ),
                )
            )

    def extend(
        self, problem_id: int, new_deadline: datetime.date | None, reason: str, user: str
    ) -> None:
        """Extend a deadline (延期) with a stated reason; the original deadline stays on record."""
        with self.db.unit_of_work() as s:
            p = self._load_open(s, problem_id)
            if p.status == STATUS_CLOSED:
                raise ProblemError("问题已销号，不能延期", "status")
            if p.kind != KIND_DEADLINE:
                raise ProblemError("只有限时整改的问题才能延期", "kind")
            check_extension(p.deadline, new_deadline, reason)
            s.add(
                Extension(
                    problem_id=p.id,
                    old_deadline=p.deadline,
                    new_deadline=new_deadline,
                    reason=reason.strip(),
                    who=user,
                )
            )
            s.add(
                ProblemEvent(
                    problem_id=p.id,
                    who=user,
                    action="延期",
                    detail=f"{p.deadline:%Y-%m-%d} → {new_deadline:%Y-%m-%d}：{reason.strip()}",
                )
            )
            p.deadline = new_deadline
            p.version += 1

    def delete(self, problem_id: int, user: str) -> None:
        """Delete a problem that has not been closed (a closed one is part of the record)."""
        with self.db.unit_of_work() as s:
            p = self._load_open(s, problem_id)
            if p.status == STATUS_CLOSED:
                raise ProblemError("已销号的问题是整改记录的一部分，不能删除")
            paths = [a.path for a in p.attachments]
            s.delete(p)
        for relative in paths:
            self.attachment_file(relative).unlink(missing_ok=True)

    # --- attachments --------------------------------------------------------------------

    def add_attachment(self, problem_id: int, source: Path | str, user: str) -> int:
        """Copy an evidence file into the data folder and record it with its checksum."""
        source = Path(source)
        try:
            payload = source.read_bytes()
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            raise ProblemError(f"无法读取附件“{source}”：{reason}", "attachment") from exc
        digest = _sha256(payload)
        with self.db.unit_of_work() as s:
            p = self._load_open(s, problem_id)
            folder = f"{ATTACHMENTS_DIR}/{p.number}"
            relative = f"{folder}/{digest[:12]}-{source.name}"
            target = self.attachment_file(relative)
            created = not target.exists()
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if created:
                    target.write_bytes(payload)
                a = Attachment(
                    problem_id=p.id,
                    path=relative,
                    original_name=source.name,
                    sha256=digest,
                    size=len(payload),
                    added_by=user,
                )
                s.add(a)
                s.add(
                    ProblemEvent(
                        problem_id=p.id, who=user, action="附件", detail=f"添加 {source.name}"
                    )
                )
                s.flush()
            except OSError as exc:
                if created:
                    target.unlink(missing_ok=True)
                raise ProblemError(f"无法保存附件“{source.name}”：{exc.strerror}") from exc
            except Exception:
                if created:
                    target.unlink(missing_ok=True)
                raise
            return a.id

    def remove_attachment(self, attachment_id: int, user: str) -> None:
        """Remove an attachment from its problem and its file from the data folder."""
        with self.db.unit_of_work() as s:
            a = s.get(Attachment, attachment_id)
            if a is None:
                return
            relative, name = a.path, a.original_name
            s.add(
                ProblemEvent(
                    problem_id=a.problem_id, who=user, action="附件", detail=f"删除 {name}"
                )
            )
            s.delete(a)
            s.flush()
            still_used = s.scalar(
                select(func.count(Attachment.id)).where(Attachment.path == relative)
            )
        if not still_used:
            self.attachment_file(relative).unlink(missing_ok=True)

    # --- figures ------------------------------------------------------------------------

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

    def copy_attachment_out(self, attachment_id: int, target: Path) -> Path:
        """Copy an attachment's file to a place the user chose (refused when it is missing)."""
        with self.db.session() as s:
            a = s.get(Attachment, attachment_id)
            if a is None:
                raise ProblemError("附件已不存在")
            path = self.attachment_file(a.path)
        if not path.is_file():
            raise ProblemError(f"附件文件缺失：{path}")
        shutil.copyfile(path, target)
        return target
