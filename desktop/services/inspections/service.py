"""InspectionService: groups, rounds, their sample and findings, the 整改函 clock, 整改率."""

from __future__ import annotations

import datetime
import json
import random
import secrets
from collections.abc import Iterable
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.dates import chinese_date, chinese_month_day
from desktop.models.base import count_where, utcnow
from desktop.models.inspection import (
    InspectionCoverage,
    InspectionFinding,
    InspectionGroup,
    InspectionRound,
    InspectionRoundUnit,
    InspectionSampleEntry,
)
from desktop.models.problem import Extension, InspectionCategory, Problem, Unit
from desktop.models.registry import County, Household, Township, Village, outerjoin_place
from desktop.paths import resources_dir
from desktop.services.inspections.data import (
    CategoryData,
    CoverageData,
    ExtensionLine,
    FindingData,
    FindingRow,
    FollowUp,
    GroupData,
    RoundData,
    RoundNotice,
    RoundRow,
    SampleEntryData,
    SampleSheet,
    VisitSheet,
)
from desktop.services.inspections.rules import (
    HOUSEHOLD_KINDS,
    HOUSEHOLD_OTHER,
    KIND_FOLLOW_UP,
    MIN_HOUSEHOLDS,
    MIN_VILLAGES,
    ROUND_KINDS,
    SAMPLE_RULE,
    SOURCE_INSPECTION,
    VILLAGE_KINDS,
    InspectionError,
    check_round_dates,
    copy_to,
    household_kind,
    notice_clock,
    notice_due,
    village_kind,
)
from desktop.services.inspections.sampling import (
    HouseholdCandidate,
    SampleProposal,
    TownshipCandidate,
    VillageCandidate,
    draw_households,
    propose_sample,
    village_seed,
)
from desktop.services.problems.data import NoticeProblem, ProblemData, ProblemRow
from desktop.services.problems.rules import (
    KIND_DEADLINE,
    SCOPE_HOUSEHOLD,
    SCOPE_UNIT,
    SCOPE_VILLAGE,
    STATUS_CLOSED,
    ProblemError,
    RateRow,
    rate_rows,
)
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database, get_or_raise

GROUPS_FILE = "inspections/groups.json"
SEED_LIMIT = 1_000_000  # seeds a clerk can read out and type again


@cache
def load_groups() -> dict:
    """Return seed 004's groups as shipped in resources/inspections/."""
    with open(resources_dir() / GROUPS_FILE, encoding="utf-8") as f:
        return json.load(f)


def _rates_sorted(rows: list[RateRow]) -> list[RateRow]:
    return sorted(rows, key=lambda r: (r.name == "（未指定）", r.name))


class InspectionService:
    """Queries and changes of inspection rounds; every call opens its own short session.

    Findings become problems through the ProblemService, so the 整改台账's rules (deadlines,
    extensions with a reason, close-out with an opinion) hold for them unchanged.
    """

    def __init__(self, db: Database, problems: ProblemService) -> None:
        self.db = db
        self.problems = problems

    # --- reference data -----------------------------------------------------------------

    def ensure_reference_data(self) -> int:
        """Load the catalogue and seed 004's groups when the database has none; return the
        number of groups added."""
        self.problems.ensure_reference_data()
        with self.db.unit_of_work() as s:
            if s.scalar(select(func.count(InspectionGroup.id))):
                return 0
            groups = load_groups()["groups"]
            for seq, g in enumerate(groups, 1):
                group = InspectionGroup(
                    seq=seq, name=g["name"], leader=g["leader"], members=g["members"], note=""
                )
                for n, c in enumerate(g["coverage"], 1):
                    group.coverage.append(
                        InspectionCoverage(seq=n, county_name=c["county"], liaison=c["liaison"])
                    )
                s.add(group)
            return len(groups)

    def groups(self) -> list[GroupData]:
        """Return the groups in their order, with the counties they cover."""
        with self.db.session() as s:
            return [
                GroupData(
                    g.id,
                    g.name,
                    g.leader,
                    g.members,
                    tuple(CoverageData(c.county_name, c.liaison) for c in g.coverage),
                )
                for g in s.scalars(select(InspectionGroup).order_by(InspectionGroup.seq))
            ]

    def add_coverage(self, group_id: int, county_name: str, liaison: str) -> None:
        """Give a group one more county to cover, with its 联络员."""
        county_name = county_name.strip()
        if not county_name:
            raise InspectionError("请填写县（区）名称", "county_name")
        with self.db.unit_of_work() as s:
            group = get_or_raise(
                s, InspectionGroup, group_id, InspectionError("所选督查组不存在", "group_id")
            )
            if county_name in {c.county_name for c in group.coverage}:
                return
            group.coverage.append(
                InspectionCoverage(
                    seq=len(group.coverage) + 1, county_name=county_name, liaison=liaison.strip()
                )
            )

    def categories(self) -> list[CategoryData]:
        """Return the 督查内容及形式 table (seed 004) as loaded into the database."""
        with self.db.session() as s:
            return [
                CategoryData(c.id, c.seq, c.name, c.content, c.method)
                for c in s.scalars(select(InspectionCategory).order_by(InspectionCategory.seq))
            ]

    def counties(self) -> list[str]:
        """The counties of the registry (those a sample can be drawn in)."""
        with self.db.session() as s:
            return list(s.scalars(select(County.name).order_by(County.name)))

    def townships(self, county_name: str | None = None) -> list[tuple[int, str]]:
        """(id, name) of the townships, of one county when given."""
        stmt = select(Township.id, Township.name).join(County).order_by(Township.name)
        if county_name:
            stmt = stmt.where(County.name == county_name)
        with self.db.session() as s:
            return [(r.id, r.name) for r in s.execute(stmt)]

    def township_id_by_name(self, name: str) -> int | None:
        """The id of the township with this name, or None."""
        with self.db.session() as s:
            return s.scalar(select(Township.id).where(Township.name == name.strip()))

    # --- 预脱贫 and 帮扶单位 in the registry -------------------------------------------------

    def set_planned_exit(self, household_id: int, year: int | None) -> None:
        """Record (or clear) the year a household is planned to exit (预脱贫)."""
        with self.db.unit_of_work() as s:
            h = get_or_raise(
                s, Household, household_id, InspectionError("该农户已不存在", "household_id")
            )
            if year is not None and not h.is_registered:
                raise InspectionError(f"{h.head_name}户不是建档立卡户，不能标为预脱贫户", "year")
            if year is not None and h.exit_year is not None:
                raise InspectionError(
                    f"{h.head_name}户已于 {h.exit_year} 年脱贫，不能再标为预脱贫户", "year"
                )
            h.planned_exit_year = year

    def set_aid_unit(self, village_id: int, aid_unit: str) -> None:
        """Record a village's 帮扶单位 (整改率 is reported by it)."""
        with self.db.unit_of_work() as s:
            v = get_or_raise(s, Village, village_id, InspectionError("该村已不存在", "village_id"))
            v.aid_unit = aid_unit.strip()

    # --- the sample ---------------------------------------------------------------------

    def candidates(self, year: int, township_id: int | None = None) -> list[TownshipCandidate]:
        """Read the registry into sampling candidates for `year` (one township when given)."""
        with self.db.session() as s:
            return self._candidates(s, year, township_id)

    @staticmethod
    def _candidates(s: Session, year: int, township_id: int | None) -> list[TownshipCandidate]:
        tstmt = select(Township.id, Township.name)
        if township_id is not None:
            tstmt = tstmt.where(Township.id == township_id)
        townships = s.execute(tstmt).all()
        ids = [t.id for t in townships]
        villages = s.execute(
            select(
                Village.id,
                Village.township_id,
                Village.name,
                Village.code,
                Village.is_poor_village,
            ).where(Village.township_id.in_(ids))
        ).all()
        households: dict[int, list[HouseholdCandidate]] = {}
        rows = s.execute(
            select(
                Household.id,
                Household.village_id,
                Household.code,
                Household.head_name,
                Household.is_registered,
                Household.exit_year,
                Household.planned_exit_year,
            ).where(Household.village_id.in_([v.id for v in villages]))
        )
        for r in rows:
            kind = household_kind(r.is_registered, r.exit_year, r.planned_exit_year, year)
            households.setdefault(r.village_id, []).append(
                HouseholdCandidate(r.id, r.code, r.head_name, kind)
            )
        by_township: dict[int, list[VillageCandidate]] = {}
        for v in villages:
            by_township.setdefault(v.township_id, []).append(
                VillageCandidate(
                    v.id, v.name, v.code, v.is_poor_village, tuple(households.get(v.id, ()))
                )
            )
        return [
            TownshipCandidate(t.id, t.name, tuple(by_township.get(t.id, ()))) for t in townships
        ]

    def propose(self, township_id: int, seed: int, year: int) -> SampleProposal:
        """Propose a sample in one township from a seed (nothing is stored)."""
        return propose_sample(self.candidates(year, township_id), seed, year, township_id)

    @staticmethod
    def new_seed() -> int:
        """A fresh seed for a round whose group did not name one; it is recorded."""
        return secrets.randbelow(SEED_LIMIT)

    def draw_sample(
        self, round_id: int, township_id: int, seed: int | None, user: str
    ) -> SampleProposal:
        """Draw the round's sample and store it with its seed (refused once it has findings)."""
        with self.db.session() as s:
            r = self._round(s, round_id)
            year = r.start_date.year
        seed = self.new_seed() if seed is None else int(seed)
        if not 0 <= seed < 2**31:
            raise InspectionError("随机种子应为 0 到 2147483647 之间的整数", "seed")
        proposal = self.propose(township_id, seed, year)
        with self.db.unit_of_work() as s:
            r = self._round(s, round_id)
            if r.findings:
                raise InspectionError("本轮督查已登记问题，不能重新抽样；请逐项调整并说明原因")
            r.sample.clear()
            s.flush()
            for seq, line in enumerate(proposal.lines, 1):
                r.sample.append(
                    InspectionSampleEntry(
                        seq=seq,
                        township_id=line.township_id,
                        village_id=line.village_id,
                        household_id=line.household_id,
                        kind=line.kind,
                        proposed=True,
                        dropped=False,
                        reason="",
                        changed_by=user,
                    )
                )
            r.sample_seed, r.sample_year = seed, year
            note = "\n".join(proposal.notes + proposal.shortfalls)
            if note:
                r.note = (r.note + "\n" if r.note else "") + f"抽样（种子 {seed}）：{note}"
        return proposal

    def sample(self, round_id: int) -> list[SampleEntryData]:
        """The round's sample in order, dropped entries included (marked)."""
        with self.db.session() as s:
            self._round(s, round_id)
            entry = InspectionSampleEntry
            stmt = select(entry, Township.name, Village.name, Household.code, Household.head_name)
            stmt = outerjoin_place(
                stmt,
                household=entry.household_id,
                village=entry.village_id,  # a village's own entry has no household
                township=entry.township_id,
            )
            rows = s.execute(stmt.where(entry.round_id == round_id).order_by(entry.seq)).all()
            return [
                SampleEntryData(
                    e.id,
                    e.seq,
                    e.kind,
                    tname or "",
                    e.village_id,
                    vname or "",
                    e.household_id,
                    code or "",
                    head or "",
                    e.proposed,
                    e.dropped,
                    e.reason,
                    e.changed_by,
                )
                for e, tname, vname, code, head in rows
            ]

    def sample_shortfalls(self, round_id: int) -> list[str]:
        """What the round's current sample lacks against the plan's minimums (Chinese)."""
        entries = [e for e in self.sample(round_id) if not e.dropped]
        out = []
        villages = [e for e in entries if not e.is_household]
        if not villages:
            return ["尚未抽样"]
        for kind in VILLAGE_KINDS:
            have = sum(1 for e in villages if e.kind == kind)
            if have < MIN_VILLAGES[kind]:
                out.append(f"缺少{kind}：至少应抽查 {MIN_VILLAGES[kind]} 个{kind}")
        for v in villages:
            for kind in HOUSEHOLD_KINDS:
                have = sum(
                    1
                    for e in entries
                    if e.is_household and e.village_id == v.village_id and e.kind == kind
                )
                need = MIN_HOUSEHOLDS[kind]
                if have < need:
                    out.append(
                        f"{v.village_name}（{v.kind}）抽查{kind} {have} 户，少于要求的 {need} 户"
                    )
        return out

    def replace_sample_entry(
        self,
        entry_id: int,
        *,
        reason: str,
        user: str,
        village_id: int | None = None,
        household_id: int | None = None,
    ) -> list[str]:
        """Change one entry of the sample, with a reason; return what the sample now lacks.

        A household is replaced by another household; a village by another village of the same
        township, whose households are then drawn from the round's seed (the old village's
        households are dropped with it). Nothing is deleted: the old entries stay, marked.
        """
        reason = reason.strip()
        if not reason:
            raise InspectionError("调整抽查对象必须说明原因", "reason")
        with self.db.unit_of_work() as s:
            e = s.get(InspectionSampleEntry, entry_id)
            if e is None or e.dropped:
                raise InspectionError("该抽查对象已不在样本中")
            r = e.round
            year = r.sample_year or r.start_date.year
            live = [x for x in r.sample if not x.dropped]
            now = utcnow()
            if e.household_id is not None:
                if household_id is None:
                    raise InspectionError("请选择替换的农户", "household_id")
                h = get_or_raise(
                    s, Household, household_id, InspectionError("所选农户不存在", "household_id")
                )
                if any(x.household_id == household_id for x in live):
                    raise InspectionError(f"{h.head_name}户已在样本中", "household_id")
                kind = household_kind(h.is_registered, h.exit_year, h.planned_exit_year, year)
                new = [
                    InspectionSampleEntry(
                        township_id=h.village.township_id,
                        village_id=h.village_id,
                        household_id=h.id,
                        kind=kind or HOUSEHOLD_OTHER,
                    )
                ]
                dropped = [e]
            else:
                if village_id is None:
                    raise InspectionError("请选择替换的村", "village_id")
                new = self._village_entries(s, r, village_id, year, live)
                dropped = [x for x in live if x.village_id == e.village_id]
            for x in dropped:
                x.dropped, x.reason, x.changed_by, x.changed_at = True, reason, user, now
            top = max((x.seq for x in r.sample), default=0)
            for n, x in enumerate(new, 1):
                x.seq, x.proposed, x.dropped = top + n, False, False
                x.reason, x.changed_by, x.changed_at = reason, user, now
                r.sample.append(x)
            round_id = r.id
        return self.sample_shortfalls(round_id)

    def _village_entries(
        self, s: Session, r: InspectionRound, village_id: int, year: int, live: list
    ) -> list[InspectionSampleEntry]:
        """A village for the sample and its households drawn from the round's seed."""
        v = get_or_raise(s, Village, village_id, InspectionError("所选村不存在", "village_id"))
        if any(x.village_id == village_id and x.household_id is None for x in live):
            raise InspectionError(f"{v.name}已在样本中", "village_id")
        township = self._candidates(s, year, v.township_id)[0]
        village = next(c for c in township.villages if c.id == v.id)
        rng = random.Random(village_seed(r.sample_seed or 0, v.id))
        return [
            InspectionSampleEntry(
                township_id=v.township_id, village_id=v.id, kind=village_kind(v.is_poor_village)
            )
        ] + [
            InspectionSampleEntry(
                township_id=line.township_id,
                village_id=line.village_id,
                household_id=line.household_id,
                kind=line.kind,
            )
            for line in draw_households(village, township, rng)
        ]

    def add_sample_village(
        self, round_id: int, village_id: int, *, reason: str, user: str
    ) -> list[str]:
        """Add one more village (of any township: the plan asks for at least one) with its
        households drawn from the round's seed; a reason is required. Returns what the sample
        still lacks."""
        reason = reason.strip()
        if not reason:
            raise InspectionError("增加抽查村必须说明原因", "reason")
        with self.db.unit_of_work() as s:
            r = self._round(s, round_id)
            live = [x for x in r.sample if not x.dropped]
            year = r.sample_year or r.start_date.year
            new = self._village_entries(s, r, village_id, year, live)
            top = max((x.seq for x in r.sample), default=0)
            now = utcnow()
            for n, x in enumerate(new, 1):
                x.seq, x.proposed, x.dropped = top + n, False, False
                x.reason, x.changed_by, x.changed_at = reason, user, now
                r.sample.append(x)
            if r.sample_year is None:
                r.sample_year = year
        return self.sample_shortfalls(round_id)

    def add_sample_household(
        self, round_id: int, household_id: int, *, reason: str, user: str
    ) -> None:
        """Add one more household to the sample (the plan asks for at least 3), with a reason."""
        reason = reason.strip()
        if not reason:
            raise InspectionError("增加抽查农户必须说明原因", "reason")
        with self.db.unit_of_work() as s:
            r = self._round(s, round_id)
            h = get_or_raise(
                s, Household, household_id, InspectionError("所选农户不存在", "household_id")
            )
            if any(x.household_id == household_id and not x.dropped for x in r.sample):
                raise InspectionError(f"{h.head_name}户已在样本中", "household_id")
            year = r.sample_year or r.start_date.year
            kind = household_kind(h.is_registered, h.exit_year, h.planned_exit_year, year)
            r.sample.append(
                InspectionSampleEntry(
                    seq=max((x.seq for x in r.sample), default=0) + 1,
                    township_id=h.village.township_id,
                    village_id=h.village_id,
                    household_id=h.id,
                    kind=kind or HOUSEHOLD_OTHER,
                    proposed=False,
                    dropped=False,
                    reason=reason,
                    changed_by=user,
                    changed_at=utcnow(),
                )
            )

    # --- rounds -------------------------------------------------------------------------

    @staticmethod
    def _round(s: Session, round_id: int) -> InspectionRound:
        r = get_or_raise(s, InspectionRound, round_id, InspectionError("该轮督查已不存在"))
        return r

    def save_round(self, data: RoundData, user: str) -> int:
        """Create or update a round (group, county, dates, units visited); return its id."""
        check_round_dates(data.start_date, data.end_date)
        if data.kind not in ROUND_KINDS:
            raise InspectionError(f"督查类型应为：{'、'.join(ROUND_KINDS)}", "kind")
        with self.db.unit_of_work() as s:
            group = s.get(InspectionGroup, data.group_id) if data.group_id else None
            if group is None:
                raise InspectionError("请选择督查组", "group_id")
            counties = [c.county_name for c in group.coverage]
            if data.county_name not in counties:
                raise InspectionError(
                    f"{group.name}负责{'、'.join(counties) or '（未设县区）'}，"
                    f"不负责“{data.county_name or '（空）'}”",
                    "county_name",
                )
            for unit_id in data.unit_ids:
                if s.get(Unit, unit_id) is None:
                    raise InspectionError("所选被督查单位不存在", "unit_ids")
            if data.id is None:
                year = data.start_date.year
                prefix = f"{year}-{group.name}-"
                taken = s.scalars(
                    select(InspectionRound.number).where(InspectionRound.number.like(f"{prefix}%"))
                )
                top = max(
                    (int(n.rsplit("-", 1)[1]) for n in taken if n.rsplit("-", 1)[1].isdigit()),
                    default=0,
                )
                r = InspectionRound(
                    number=data.number.strip() or f"{prefix}{top + 1:02d}",
                    group_id=group.id,
                    notice_number="",
                    created_by=user,
                )
                s.add(r)
            else:
                r = self._round(s, data.id)
                if r.findings and (data.end_date != r.end_date):
                    raise InspectionError(
                        "已登记问题的督查不能更改结束日期（整改函时限由它起算）", "end_date"
                    )
                if r.sample and r.start_date.year != data.start_date.year:
                    raise InspectionError("已抽样的督查不能改到另一年（预脱贫户按年份抽取）")
            r.kind, r.follows_round_id = data.kind, data.follows_round_id
            r.county_name, r.start_date, r.end_date = (
                data.county_name,
                data.start_date,
                data.end_date,
            )
            r.note = data.note.strip()
            r.units.clear()
            s.flush()
            for seq, unit_id in enumerate(dict.fromkeys(data.unit_ids), 1):
                r.units.append(InspectionRoundUnit(unit_id=unit_id, seq=seq))
            s.flush()
            return r.id

    def get_round(self, round_id: int) -> RoundData:
        """The round as the dialog edits it."""
        with self.db.session() as s:
            r = self._round(s, round_id)
            return RoundData(
                group_id=r.group_id,
                county_name=r.county_name,
                start_date=r.start_date,
                end_date=r.end_date,
                unit_ids=[u.unit_id for u in r.units],
                kind=r.kind,
                follows_round_id=r.follows_round_id,
                note=r.note,
                number=r.number,
                id=r.id,
            )

    def rounds(
        self,
        today: datetime.date | None = None,
        date_from: datetime.date | None = None,
        date_to: datetime.date | None = None,
    ) -> list[RoundRow]:
        """Every round (of a period when given), newest first, with its 整改函 clock."""
        today = today or datetime.date.today()
        with self.db.session() as s:
            stmt = select(InspectionRound).order_by(
                InspectionRound.start_date.desc(), InspectionRound.id.desc()
            )
            if date_from is not None:
                stmt = stmt.where(InspectionRound.end_date >= date_from)
            if date_to is not None:
                stmt = stmt.where(InspectionRound.start_date <= date_to)
            units = dict(s.execute(select(Unit.id, Unit.name)).all())
            counts = {
                row.round_id: (row.total, row.closed or 0, row.overdue or 0)
                for row in s.execute(
                    select(
                        InspectionFinding.round_id,
                        func.count(Problem.id).label("total"),
                        count_where(Problem.status == STATUS_CLOSED).label("closed"),
                        count_where(
                            (Problem.status != STATUS_CLOSED) & (Problem.deadline < today)
                        ).label("overdue"),
                    )
                    .join(Problem, Problem.id == InspectionFinding.problem_id)
                    .group_by(InspectionFinding.round_id)
                )
            }
            out = []
            for r in s.scalars(stmt):
                total, closed, overdue = counts.get(r.id, (0, 0, 0))
                out.append(
                    RoundRow(
                        id=r.id,
                        number=r.number,
                        kind=r.kind,
                        group_id=r.group_id,
                        group_name=r.group.name,
                        leader=r.group.leader,
                        liaison=next(
                            (c.liaison for c in r.group.coverage if c.county_name == r.county_name),
                            "",
                        ),
                        county_name=r.county_name,
                        start_date=r.start_date,
                        end_date=r.end_date,
                        units=tuple(units.get(u.unit_id, "") for u in r.units),
                        sample_seed=r.sample_seed,
                        sample_year=r.sample_year,
                        notice_number=r.notice_number,
                        clock=notice_clock(r.end_date, r.notice_date, today),
                        findings=total,
                        closed=closed,
                        overdue=overdue,
                        follows_number=r.follows.number if r.follows else "",
                    )
                )
            return out

    def round_row(self, round_id: int, today: datetime.date | None = None) -> RoundRow:
        """One round's row."""
        for row in self.rounds(today):
            if row.id == round_id:
                return row
        raise InspectionError("该轮督查已不存在")

    def delete_round(self, round_id: int) -> None:
        """Delete a round that has no findings yet (one with findings is part of the record)."""
        with self.db.unit_of_work() as s:
            r = self._round(s, round_id)
            if r.findings:
                raise InspectionError("本轮督查已登记问题，不能删除")
            s.delete(r)

    def record_notice(self, round_id: int, sent_on: datetime.date, number: str, user: str) -> None:
        """Record that the round's 整改函 went out (the three-day clock stops)."""
        del user  # recorded by the audit trail
        with self.db.unit_of_work() as s:
            r = self._round(s, round_id)
            if sent_on < r.end_date:
                raise InspectionError(
                    "整改函应在督查结束后发出，发函日期不能早于结束日期", "sent_on"
                )
            r.notice_date, r.notice_number = sent_on, number.strip()

    def order_follow_up(
        self,
        round_id: int,
        start_date: datetime.date,
        end_date: datetime.date,
        user: str,
        unit_ids: Iterable[int] | None = None,
    ) -> int:
        """Order a 回头看 visit: a new round of the same group to the same county, whose sample
        is what the earlier round's open findings are about."""
        with self.db.session() as s:
            r = self._round(s, round_id)
            data = RoundData(
                group_id=r.group_id,
                county_name=r.county_name,
                start_date=start_date,
                end_date=end_date,
                kind=KIND_FOLLOW_UP,
                follows_round_id=r.id,
                unit_ids=list(unit_ids) if unit_ids is not None else [u.unit_id for u in r.units],
                note=f"对 {r.number} 发现问题整改情况的“回头看”",
            )
        new_id = self.save_round(data, user)
        with self.db.unit_of_work() as s:
            new = self._round(s, new_id)
            open_problems = s.scalars(
                select(Problem)
                .join(InspectionFinding, InspectionFinding.problem_id == Problem.id)
                .where(InspectionFinding.round_id == round_id, Problem.status != STATUS_CLOSED)
                .order_by(Problem.number)
            ).all()
            seen: set[tuple] = set()
            seq = 0
            for p in open_problems:
                key = (p.village_id, p.household_id)
                if p.village_id is None or key in seen:
                    continue
                seen.add(key)
                village = s.get(Village, p.village_id)
                if p.household_id is not None and (p.village_id, None) not in seen:
                    seen.add((p.village_id, None))
                    seq += 1
                    new.sample.append(self._follow_entry(seq, village, None, start_date.year, user))
                seq += 1
                h = s.get(Household, p.household_id) if p.household_id else None
                new.sample.append(self._follow_entry(seq, village, h, start_date.year, user))
            new.sample_year = start_date.year
        return new_id

    @staticmethod
    def _follow_entry(seq, village, household, year, user) -> InspectionSampleEntry:
        if household is None:
            kind = village_kind(village.is_poor_village)
        else:
            kind = (
                household_kind(
                    household.is_registered, household.exit_year, household.planned_exit_year, year
                )
                or HOUSEHOLD_OTHER
            )
        return InspectionSampleEntry(
            seq=seq,
            township_id=village.township_id,
            village_id=village.id,
            household_id=household.id if household else None,
            kind=kind,
            proposed=False,
            dropped=False,
            reason="回头看：复查上次督查未销号问题所涉对象",
            changed_by=user,
            changed_at=utcnow(),
        )

    # --- findings -----------------------------------------------------------------------

    def add_finding(self, data: FindingData, user: str) -> int:
        """Enter a finding: a problem of the 整改台账 with source 督查组, linked to the round.

        Returns the problem's id. The problem is checked by the tracker's rules first.
        """
        with self.db.session() as s:
            r = self._round(s, data.round_id)
            if data.category_id is None or s.get(InspectionCategory, data.category_id) is None:
                raise InspectionError("请选择督查内容类别", "category_id")
            found = data.found_date or r.end_date
            if not r.start_date <= found <= r.end_date:
                raise InspectionError(
                    f"发现日期应在督查期间（{r.start_date:%Y-%m-%d} 至 {r.end_date:%Y-%m-%d}）",
                    "found_date",
                )
            number = r.number
        problem = ProblemData(
            description=data.description,
            found_date=found,
            source=SOURCE_INSPECTION,
            scope=data.scope,
            household_id=data.household_id if data.scope == SCOPE_HOUSEHOLD else None,
            village_id=data.village_id if data.scope == SCOPE_VILLAGE else None,
            scope_unit_id=data.scope_unit_id if data.scope == SCOPE_UNIT else None,
            measures=data.measures,
            unit_id=data.unit_id,
            person_name=data.person_name,
            kind=data.kind,
            deadline=data.deadline,
            note=f"督查 {number}",
        )
        try:
            # One transaction: the problem, its link to the round and their audit entries.
            with self.db.unit_of_work() as s:
                problem_id = self.problems.save(problem, user)
                s.add(
                    InspectionFinding(
                        round_id=data.round_id, problem_id=problem_id, category_id=data.category_id
                    )
                )
        except ProblemError as exc:
            raise InspectionError(str(exc), exc.field) from exc
        return problem_id

    def _finding_problems(self, round_ids: Iterable[int]) -> list[tuple[int, int, str]]:
        """(round id, problem id, category name) of the findings of some rounds."""
        ids = list(round_ids)
        with self.db.session() as s:
            return [
                (r.round_id, r.problem_id, r.name or "")
                for r in s.execute(
                    select(
                        InspectionFinding.round_id,
                        InspectionFinding.problem_id,
                        InspectionCategory.name,
                    )
                    .outerjoin(
                        InspectionCategory, InspectionCategory.id == InspectionFinding.category_id
                    )
                    .where(InspectionFinding.round_id.in_(ids))
                    .order_by(InspectionFinding.id)
                )
            ]

    def findings(self, round_id: int, today: datetime.date | None = None) -> list[FindingRow]:
        """The round's findings as their problems stand in the ledger, in entry order."""
        today = today or datetime.date.today()
        links = self._finding_problems([round_id])
        rows = {r.id: r for r in self.problems.rows_by_ids([pid for _, pid, _ in links])}
        return [
            self._finding_row(rows[pid], category, today)
            for _, pid, category in links
            if pid in rows
        ]

    def finding_problem_rows(self, round_ids: Iterable[int]) -> list[ProblemRow]:
        """The ledger rows of the findings of some rounds (for the ledger export)."""
        links = self._finding_problems(round_ids)
        return self.problems.rows_by_ids([pid for _, pid, _ in links])

    @staticmethod
    def _finding_row(r: ProblemRow, category: str, today: datetime.date) -> FindingRow:
        return FindingRow(
            problem_id=r.id,
            number=r.number,
            category_name=category,
            village_id=r.village_id,
            household_id=r.household_id,
            target=r.target,
            description=r.description,
            measures=r.measures,
            unit_name=r.unit_name,
            person_name=r.person_name,
            kind=r.kind,
            deadline=r.deadline,
            original_deadline=r.original_deadline,
            status=r.status,
            closed_on=r.closed_on,
            overdue=r.overdue(today),
            extension_count=r.extension_count,
            attachment_count=r.attachment_count,
        )

    def extensions(self, round_id: int) -> list[ExtensionLine]:
        """Every extension of the round's findings: reason and new date, oldest first."""
        links = self._finding_problems([round_id])
        rows = {r.id: r for r in self.problems.rows_by_ids([pid for _, pid, _ in links])}
        with self.db.session() as s:
            exts = s.scalars(
                select(Extension)
                .where(Extension.problem_id.in_(list(rows)))
                .order_by(Extension.at, Extension.id)
            ).all()
            return [
                ExtensionLine(
                    rows[e.problem_id].number,
                    rows[e.problem_id].target,
                    e.old_deadline,
                    e.new_deadline,
                    e.reason,
                    e.who,
                    e.at,
                )
                for e in exts
            ]

    def follow_up(self, round_id: int, today: datetime.date | None = None) -> FollowUp:
        """Closed, open and overdue findings of a round, and the open ones."""
        today = today or datetime.date.today()
        rows = self.findings(round_id, today)
        open_rows = tuple(r for r in rows if r.status != STATUS_CLOSED)
        return FollowUp(
            round_id=round_id,
            total=len(rows),
            closed=len(rows) - len(open_rows),
            open=len(open_rows),
            overdue=sum(1 for r in open_rows if r.overdue),
            open_rows=open_rows,
        )

    # --- 整改率 (seed 004, 六) -------------------------------------------------------------

    def rates(self, year: int, today: datetime.date | None = None) -> dict[str, list[RateRow]]:
        """整改率 of the findings of a year's rounds per 县区, per 帮扶单位 and per 镇村.

        As of the year's end, or today while the year runs.
        """
        today = today or datetime.date.today()
        as_of = min(today, datetime.date(year, 12, 31))
        with self.db.session() as s:
            links = s.execute(
                select(InspectionFinding.problem_id, InspectionRound.county_name)
                .join(InspectionRound, InspectionRound.id == InspectionFinding.round_id)
                .where(
                    InspectionRound.start_date >= datetime.date(year, 1, 1),
                    InspectionRound.start_date < datetime.date(year + 1, 1, 1),
                )
            ).all()
            villages = {
                v.id: (v.tname, v.name, v.aid_unit)
                for v in s.execute(
                    select(
                        Village.id, Village.name, Village.aid_unit, Township.name.label("tname")
                    ).join(Township)
                )
            }
        county_of = dict(links)
        rows = self.problems.rows_by_ids(list(county_of))
        fields = {
            "status": lambda r: r.status,
            "deadline": lambda r: r.deadline,
            "extended": lambda r: r.extension_count > 0,
            "closed_on": lambda r: r.closed_on,
        }

        def village(r: ProblemRow) -> tuple[str, str, str]:
            return villages.get(r.village_id, ("", "", ""))

        def place(r: ProblemRow) -> str:
            township, name, _ = village(r)
            return f"{township} {name}".strip() or r.scope_unit_name

        return {
            "县区": _rates_sorted(rate_rows(rows, lambda r: county_of[r.id], as_of, **fields)),
            "帮扶单位": _rates_sorted(rate_rows(rows, lambda r: village(r)[2], as_of, **fields)),
            "镇村": _rates_sorted(rate_rows(rows, place, as_of, **fields)),
        }

    def years(self) -> list[int]:
        """The years that have rounds, newest first."""
        with self.db.session() as s:
            return sorted(
                {d.year for d in s.scalars(select(InspectionRound.start_date))}, reverse=True
            )

    # --- papers: the sample list, visit sheets, the 整改函 --------------------------------

    def sample_sheet(self, round_id: int, today: datetime.date | None = None) -> SampleSheet:
        """The round's sample as printed (抽查名单)."""
        return SampleSheet(
            round=self.round_row(round_id, today),
            entries=tuple(self.sample(round_id)),
            shortfalls=tuple(self.sample_shortfalls(round_id)),
            rule=SAMPLE_RULE,
        )

    def visit_sheets(
        self, round_id: int, *, with_findings: bool = False
    ) -> tuple[list[VisitSheet], list[VisitSheet]]:
        """Visit sheets of the sampled villages and households (in sample order).

        Each carries the 督查内容 categories and their 督查形式 from the database; with
        `with_findings` (the archive) the categories with findings are ticked and the findings
        written in, as the group recorded them.
        """
        categories = self.categories()
        if len(categories) > VISIT_SHEET_ROWS:
            raise InspectionError(
                f"督查内容类别有 {len(categories)} 项，走访记录表只有 {VISIT_SHEET_ROWS} 行；"
                "请合并类别或修改表单说明"
            )
        row = self.round_row(round_id)
        found: dict[tuple[int | None, int | None, str], list[str]] = {}
        if with_findings:
            for f in self.findings(round_id):
                key = (f.village_id, f.household_id, f.category_name)
                found.setdefault(key, []).append(f.description)
        with self.db.session() as s:
            aid = dict(s.execute(select(Village.id, Village.aid_unit)).all())
        villages, households = [], []
        for e in self.sample(round_id):
            if e.dropped:
                continue
            answers = {
                "round": row.number,
                "county": row.county_name,
                "township": e.township_name,
                "village": e.village_name,
                "kind": e.kind,
            }
            for n, c in enumerate(categories, 1):
                answers[f"cat{n}_no"] = str(c.seq)
                answers[f"cat{n}_name"] = c.name
                answers[f"cat{n}_method"] = c.method
                notes = found.get((e.village_id, e.household_id, c.name))
                if notes:
                    answers[f"cat{n}_result"] = FOUND_RESULT
                    answers[f"cat{n}_finding"] = "；".join(notes)
            if e.is_household:
                answers["head_name"], answers["code"] = e.head_name, e.household_code
                households.append(VisitSheet(HOUSEHOLD_SHEET, answers, e.household_code, 0))
            else:
                answers["aid_unit"] = aid.get(e.village_id, "")
                villages.append(VisitSheet(VILLAGE_SHEET, answers))
        return villages, households

    def notices(
        self,
        round_id: int,
        *,
        date: datetime.date | None = None,
        issuer: str = "",
        doc_number: str | None = None,
    ) -> list[RoundNotice]:
        """The round's 整改函, one per responsible unit, each with its 问题清单.

        Every problem carries the deadline the letter set (its first one; extensions are
        listed on the round), and every letter is copied to the county's 党委 and 政府.
        """
        row = self.round_row(round_id)
        with self.db.session() as s:
            city = s.scalar(select(County.city).where(County.name == row.county_name)) or ""
        issuer = issuer.strip() or f"{city}脱贫攻坚督查{row.group_name}"
        day = date or self._notice_date(round_id) or datetime.date.today()
        by_unit: dict[str, list[NoticeProblem]] = {}
        for f in self.findings(round_id):
            if f.kind != KIND_DEADLINE:
                continue  # 立行立改: put right on the spot, nothing to write to
            by_unit.setdefault(f.unit_name or "（未指定责任单位）", []).append(
                NoticeProblem(
                    f.number,
                    f.target,
                    f.description,
                    f.measures,
                    f.original_deadline,
                    f.person_name,
                )
            )
        basis = f"{row.group_name}于{_span(row)}对你单位脱贫攻坚工作进行了督查"
        out = []
        for unit, problems in by_unit.items():
            deadlines = [p.deadline for p in problems if p.deadline]
            out.append(
                RoundNotice(
                    round_number=row.number,
                    unit_name=unit,
                    issuer=issuer,
                    date=day,
                    deadline=max(deadlines) if deadlines else day,
                    problems=tuple(problems),
                    doc_number=row.notice_number if doc_number is None else doc_number,
                    basis=basis,
                    copy_to=copy_to(row.county_name),
                    due=notice_due(row.end_date),
                )
            )
        return out

    def _notice_date(self, round_id: int) -> datetime.date | None:
        with self.db.session() as s:
            return self._round(s, round_id).notice_date


VISIT_SHEET_ROWS = 8  # rows of the categories grid in resources/forms/inspection_*.json
HOUSEHOLD_SHEET = "inspection_household"
VILLAGE_SHEET = "inspection_village"
FOUND_RESULT = "发现问题"


def _span(row: RoundRow) -> str:
    """“2026年7月8日至9日”, “2026年7月31日至8月1日”, or one day."""
    start, end = row.start_date, row.end_date
    if start == end:
        return chinese_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{chinese_date(start)}至{end.day}日"
    if start.year == end.year:
        return f"{chinese_date(start)}至{chinese_month_day(end)}"
    return f"{chinese_date(start)}至{chinese_date(end)}"
