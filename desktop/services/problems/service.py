"""ProblemService: problems from finding to close-out, with timeline, extensions and evidence.

The service is put together from one class per job, each in its own module:
- reference.py   ProblemReference: the catalogue, units and people, places;
- ledger.py      ProblemLedger: ledger rows, one problem in full, 整改率, the 整改函 list;
- attachments.py ProblemAttachments: evidence files;
- this module     the changes: create and edit, status, close-out (销号), extension, deletion.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import StaleRecordError
from desktop.models.problem import CatalogueItem, Extension, Person, Problem, ProblemEvent, Unit
from desktop.models.registry import Household, Village
from desktop.models.safety import AuditEntry
from desktop.services.problems import conflicts
from desktop.services.problems.attachments import ProblemAttachments
from desktop.services.problems.conflicts import ProblemConflict
from desktop.services.problems.data import ProblemData
from desktop.services.problems.ledger import NUMBER_PATTERN, ProblemLedger, load_problem
from desktop.services.problems.reference import ProblemReference, person_in_unit
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
    ProblemError,
    check_close,
    check_dates,
    check_extension,
    check_transition,
)
from desktop.services.unit_of_work import Database

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


class StaleProblemError(ProblemError, StaleRecordError):
    """Someone else saved the problem since it was opened."""


def _short(value: object, limit: int = 40) -> str:
    text = "（空）" if value in (None, "") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _load_named(s: Session, batch: list[ProblemData]) -> None:
    """Read the households, villages, units, people and catalogue items a batch names into
    the session, so that checking each problem (`s.get`) asks the database nothing more."""
    from sqlalchemy.orm import load_only

    wanted = (
        (Household, {d.household_id for d in batch if d.household_id}, Household.village_id),
        (Village, {d.village_id for d in batch if d.village_id}, Village.name),
        (Unit, {d.unit_id for d in batch} | {d.scope_unit_id for d in batch}, Unit.name),
        (Person, {d.person_id for d in batch if d.person_id}, Person.unit_id),
        (CatalogueItem, {d.item_id for d in batch if d.item_id}, CatalogueItem.id),
    )
    for model, ids, column in wanted:
        ids = sorted(i for i in ids if i)
        for start in range(0, len(ids), 5000):  # under every driver's limit of parameters
            s.scalars(
                select(model)
                .options(load_only(column))
                .where(model.id.in_(ids[start : start + 5000]))
            ).all()


class ProblemService(ProblemReference, ProblemLedger, ProblemAttachments):
    """Queries and changes of problems; every call opens its own short session."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = Path(data_dir)

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

    def problem_conflict(self, opened: ProblemData, mine: ProblemData) -> ProblemConflict:
        """What differs between a clerk's refused save and the problem as saved since.

        `opened` is the problem as the clerk opened it (or as the last workflow step left
        it), `mine` what the dialog shows.
        """
        theirs = self.get(mine.id)
        with self.db.session() as s:
            # Who saved it last: the audit trail's name (the signed-in user who saved).
            last = s.execute(
                select(AuditEntry.user_name, AuditEntry.at)
                .where(AuditEntry.table_name == "problem", AuditEntry.record_id == mine.id)
                .order_by(AuditEntry.id.desc())
                .limit(1)
            ).first()
            found = conflicts.differences(s, opened, mine, theirs)
        return ProblemConflict(
            number=theirs.number,
            version=theirs.version,
            saved_by=last[0] if last else "",
            saved_at=last[1] if last else None,
            differences=found,
            theirs=theirs,
            merged=conflicts.merge(opened, mine, theirs),
        )

    def save(self, data: ProblemData, user: str) -> int:
        """Create or update a problem in one transaction; return its id.

        A new 立行立改 problem closes at once; deadlines change only through `extend`.
        """
        data = replace(data)  # the caller's copy stays as the user typed it
        with self.db.unit_of_work() as s:
            self._prepare(s, data)
            number = data.number.strip() or self._next_number(s, data.found_date.year)
            clash = s.scalar(
                select(Problem.id).where(Problem.number == number, Problem.id != (data.id or 0))
            )
            if clash:
                raise ProblemError(f"问题编号 {number} 已被使用", "number")
            if data.id is None:
                return self._create(s, data, number, user)
            return self._update(s, data, number, user)

    def create_many(self, batch: list[ProblemData], user: str) -> list[int]:
        """Create new problems in one unit of work (a 点球: thousands); return their ids.

        Each is checked and completed as `save` does; a blank number is the next free one of
        its year (NumberSequence, read once). One refused problem refuses the whole batch.
        The places, units and people they name are read in a few queries, and the problems
        are written in one flush, so the audit trail chains their entries in one go.
        """
        from desktop.services.problems.ledger import NumberSequence

        batch = [replace(d) for d in batch]
        if any(d.id is not None for d in batch):
            raise ProblemError("批量登记只能登记新问题")
        given = [d.number.strip() for d in batch if d.number.strip()]
        with self.db.unit_of_work() as s, s.no_autoflush:
            _load_named(s, batch)
            taken = set(given) & set(
                s.scalars(select(Problem.number).where(Problem.number.in_(given))).all()
                if given
                else ()
            )
            numbers = NumberSequence(s, given)
            problems = []
            for data in batch:
                self._prepare(s, data)
                number = data.number.strip() or numbers.next(data.found_date.year)
                if number in taken:
                    raise ProblemError(f"问题编号 {number} 已被使用", "number")
                taken.add(number)
                problems.append(self._new(data, number, user))
            s.add_all(problems)
            s.flush()
            return [p.id for p in problems]

    def _prepare(self, s: Session, data: ProblemData) -> None:
        """Check a problem and complete what follows from its scope (in place)."""
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

    def _create(self, s: Session, data: ProblemData, number: str, user: str) -> int:
        p = self._new(data, number, user)
        s.add(p)
        s.flush()
        return p.id

    def _new(self, data: ProblemData, number: str, user: str) -> Problem:
        """A new problem with its 登记 event (not yet added to a session)."""
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
        p.events.append(ProblemEvent(who=user, action="登记", detail=detail))
        return p

    def _update(self, s: Session, data: ProblemData, number: str, user: str) -> int:
        p = load_problem(s, data.id, lock=True)
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
        if s.get(Unit, unit_id) is None:
            return None
        return person_in_unit(s, unit_id, name)[0]

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

    def set_status(self, problem_id: int, status: str, user: str, note: str = "") -> None:
        """Move a problem along 待整改 → 整改中 → 已整改待验收 (销号 goes through `close`)."""
        if status == STATUS_CLOSED:
            raise ProblemError("销号请使用“验收销号”，并填写验收意见", "status")
        with self.db.unit_of_work() as s:
            p = load_problem(s, problem_id)
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
            p = load_problem(s, problem_id)
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
            p = load_problem(s, problem_id)
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
            p = load_problem(s, problem_id)
            if p.status == STATUS_CLOSED:
                raise ProblemError("已销号的问题是整改记录的一部分，不能删除")
            paths = [a.path for a in p.attachments]
            s.delete(p)
        for relative in paths:
            with contextlib.suppress(ProblemError, OSError):  # never outside attachments/
                self.attachment_file(relative).unlink(missing_ok=True)
