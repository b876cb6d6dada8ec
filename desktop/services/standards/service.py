"""StandardsService: each campaign's standard, the indicator values, and their evaluation."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import orjson
from sqlalchemy import Text, cast, select

from desktop.errors import AppError
from desktop.models.campaign import Campaign
from desktop.models.database import fetch_tuples
from desktop.models.problem import IndicatorDepartment, Problem
from desktop.models.registry import County, Household, Township, Village
from desktop.models.safety import AuditEntry
from desktop.models.standards import HouseholdIndicator
from desktop.services.problems.rules import SCOPE_HOUSEHOLD, SCOPE_VILLAGE, STATUS_CLOSED
from desktop.services.registry.writer import collector_paused
from desktop.services.safety import audit_chain, township_scope
from desktop.services.standards.evaluate import (
    HouseholdResult,
    VillageResult,
    evaluate_households,
    evaluate_villages,
)
from desktop.services.standards.standard import (
    KIND_BOOL,
    KIND_COUNT,
    KIND_INCOME,
    KIND_RATE,
    SUBJECTS_ALL_REGISTERED,
    SUBJECTS_EXITED,
    Standard,
    StandardFileError,
    load_standard,
    standard_code,
)
from desktop.services.unit_of_work import Database


class StandardError(AppError):
    """A change refused by the standards service; the message names the field, in Chinese."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CampaignInfo:
    """A campaign with the standard it is checked against."""

    id: int
    name: str
    county_id: int | None
    county_name: str
    province_profile: str
    standard_year: int
    standard_code: str
    standard_revision: int
    thresholds: dict[int, float | None]


@dataclass(frozen=True)
class Fix:
    """A 点球 problem on one indicator of one household or village, as the ledger holds it."""

    problem_id: int
    number: str
    status: str
    closed_on: datetime.date | None
    unit_name: str
    deadline: datetime.date | None

    @property
    def closed(self) -> bool:
        """True once the problem is 销号."""
        return self.status == STATUS_CLOSED


@dataclass
class Evaluation:
    """A campaign's results: every household and village, and the fixes the ledger holds."""

    campaign: CampaignInfo
    standard: Standard
    households: list[HouseholdResult]
    villages: list[VillageResult]
    # (household_id, indicator) and (village_id, indicator) → the 点球 problem
    household_fixes: dict[tuple[int, str], Fix] = field(default_factory=dict)
    village_fixes: dict[tuple[int, str], Fix] = field(default_factory=dict)

    def households_of(self, village_id: int) -> list[HouseholdResult]:
        """The results of one village's households, in 户编号 order (indexed once)."""
        index = self.__dict__.get("_by_village")
        if index is None:
            index = {}
            for r in self.households:
                index.setdefault(r.village_id, []).append(r)
            self.__dict__["_by_village"] = index
        return index.get(village_id, [])

    def household_fixed(self, result: HouseholdResult) -> tuple[str, ...]:
        """The household's shortfalls that the ledger closed (回头帮 达标)."""
        fixes = self.household_fixes
        return tuple(
            c
            for c in result.shortfalls
            if (f := fixes.get((result.household_id, c))) is not None and f.closed
        )

    def village_fixed(self, result: VillageResult) -> tuple[str, ...]:
        """The village's shortfalls that the ledger closed (回头帮 达标)."""
        fixes = self.village_fixes
        return tuple(
            c
            for c in result.shortfalls
            if (f := fixes.get((result.village_id, c))) is not None and f.closed
        )


def _literal_sql(conn, stmt) -> str:
    """A query of ids and flags as plain SQL for `fetch_tuples` (its values are ints),
    narrowed to the acting user's townships like every query on the engine."""
    stmt = township_scope.narrowed(stmt, township_scope.granted(conn))
    return str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def _campaign_info(c: Campaign, county_name: str) -> CampaignInfo:
    return CampaignInfo(
        id=c.id,
        name=c.name,
        county_id=c.county_id,
        county_name=county_name,
        province_profile=c.province_profile,
        standard_year=c.standard_year,
        standard_code=standard_code(c.province_profile, c.standard_year),
        standard_revision=c.standard_revision,
        thresholds={int(k): v for k, v in (c.thresholds or {}).items()},
    )


class HouseholdInfo(NamedTuple):
    """What a sheet prints of a household besides its result (a tuple: a county has 100,000)."""

    head_name: str
    counts: tuple[int | None, int | None, int | None, int | None]  # 户口簿 明白卡 系统 实际

    def count_mismatch(self) -> str:
        """Seed 001 note 2: the four counts must agree; the 备注 says so when they do not."""
        given = [c for c in self.counts if c is not None]
        if len(set(given)) <= 1:
            return ""
        labels = ("户口簿", "明白卡", "系统", "实际")
        shown = "、".join(
            f"{label}{'—' if c is None else c}人"
            for label, c in zip(labels, self.counts, strict=True)
        )
        return f"{shown}，人数不一致"


@dataclass(frozen=True)
class VillageInfo:
    """A village with the names its sheets' titles need."""

    name: str
    code: str
    township_id: int
    township_name: str
    county_name: str


@dataclass(frozen=True)
class TownshipInfo:
    """A township with the counts of 附件5/6's header."""

    name: str
    county_name: str
    counts: dict


@dataclass
class SheetContext:
    """Names and header counts of the villages and townships that sheets are filled for."""

    villages: dict[int, VillageInfo]
    townships: dict[int, TownshipInfo]
    households: dict[int, HouseholdInfo]
    village_counts: dict[int, dict]


KEPT_EVALUATIONS = 8  # a county, its townships and villages as a user goes through them
# The tables an evaluation's rows are read from: a change in any of them means reading again.
ROW_TABLES = frozenset(
    {"county", "township", "village", "village_group", "household", "member", "household_indicator"}
)


class _Kept(NamedTuple):
    """An evaluation kept with what it was computed from."""

    head: tuple[int, str]  # the audit chain's head when its rows were read
    standard: Standard  # the standard file's object (a new one when the file changes)
    rows: tuple[list, list]  # household and village rows, decoded
    evaluation: Evaluation


def _rows_unchanged(conn, kept: tuple[int, str], head: tuple[int, str]) -> bool:
    """True when the chain grew from `kept` to `head` without touching ROW_TABLES.

    The chain is append-only, so the entries after the kept head are every change since; a
    head that went back or whose entry differs (a restored backup) counts as changed.
    """
    if head[0] < kept[0]:
        return False
    if (
        kept[0]
        and conn.scalar(select(AuditEntry.chain_hash).where(AuditEntry.id == kept[0])) != kept[1]
    ):
        return False
    touched = conn.scalars(
        select(AuditEntry.table_name)
        .where(AuditEntry.id > kept[0], AuditEntry.id <= head[0])
        .distinct()
    ).all()
    return ROW_TABLES.isdisjoint(touched)


class StandardsService:
    """Standards of the campaigns, household and village indicator values, evaluation."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._kept: dict[tuple, _Kept] = {}  # (campaign, village, township) → last evaluation

    # --- campaigns and their standards ---------------------------------------------------

    def campaigns(self) -> list[CampaignInfo]:
        """Every campaign, newest first, with its county."""
        with self.db.session() as s:
            rows = s.execute(
                select(Campaign, County.name)
                .outerjoin(County, County.id == Campaign.county_id)
                .order_by(Campaign.is_current.desc(), Campaign.id.desc())
            ).all()
            return [_campaign_info(c, name or "") for c, name in rows]

    def campaign(self, campaign_id: int) -> CampaignInfo:
        """One campaign, or StandardError if it is gone."""
        for info in self.campaigns():
            if info.id == campaign_id:
                return info
        raise StandardError("该“回头看”活动已不存在")

    def campaign_for_village(self, village_id: int) -> CampaignInfo | None:
        """The campaign that checks this village's county (current ones first)."""
        with self.db.session() as s:
            county_id = s.scalar(
                select(Township.county_id)
                .join(Village, Village.township_id == Township.id)
                .where(Village.id == village_id)
            )
        return self.campaign_for_county(county_id)

    def campaign_for_township(self, township_id: int) -> CampaignInfo | None:
        """The campaign that checks this township's county."""
        with self.db.session() as s:
            county_id = s.scalar(select(Township.county_id).where(Township.id == township_id))
        return self.campaign_for_county(county_id)

    def campaign_of_place(self, village_id: int | None, township_id: int | None) -> CampaignInfo:
        """The campaign a village (else a township) is checked under; StandardError if none."""
        campaign = (
            self.campaign_for_village(village_id)
            if village_id is not None
            else self.campaign_for_township(township_id)
        )
        if campaign is None:
            raise StandardError("该地没有“回头看”活动，无法确定标准")
        return campaign

    def campaign_for_county(self, county_id: int | None) -> CampaignInfo | None:
        """The campaign of a county; a campaign without a county covers every county."""
        found = [c for c in self.campaigns() if c.county_id == county_id]
        found = found or [c for c in self.campaigns() if c.county_id is None]
        return found[0] if found else None

    def standard(self, campaign_id: int) -> Standard:
        """The standard a campaign is checked against (StandardFileError if its file is bad)."""
        return load_standard(self.campaign(campaign_id).standard_code)

    def set_threshold(self, campaign_id: int, year: int, amount: float | None) -> None:
        """Set the campaign's provincial standard of `year` (None: back to the file's figure).

        Results computed from now on use it; results kept with completed or signed sheets
        keep the figure they were computed under and show that the standard changed since.
        """
        standard = self.standard(campaign_id)
        if year not in standard.income.standards_by_year:
            years = "、".join(str(y) for y in standard.income.standards_by_year)
            raise StandardError(f"标准文件中没有 {year} 年的标准（可设：{years}）", "year")
        if amount is not None and not amount > 0:
            raise StandardError("标准金额应大于 0 元", "amount")
        with self.db.unit_of_work() as s:
            c = s.get(Campaign, campaign_id)
            thresholds = dict(c.thresholds or {})
            if amount is None:
                thresholds.pop(str(year), None)
            else:
                thresholds[str(year)] = float(amount)
            if thresholds != (c.thresholds or {}):
                c.thresholds = thresholds
                c.standard_revision += 1

    # --- indicator values ----------------------------------------------------------------

    def household_values(self, household_id: int) -> dict:
        """The indicator values recorded for a household (empty when none)."""
        with self.db.session() as s:
            row = s.get(HouseholdIndicator, household_id)
            return dict(row.values) if row else {}

    def check_household_values(self, standard: Standard, values: Mapping) -> dict:
        """Return the values a standard knows, checked; StandardError names a bad field."""
        clean: dict = {}
        labels = dict(standard.income.inputs)
        for name in labels:
            v = values.get(name)
            if v is None or v == "":
                continue
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise StandardError(f"“{labels[name]}”应为金额（元）", name)
            if v < 0:
                raise StandardError(f"“{labels[name]}”不能为负数", name)
            clean[name] = float(v)
        for indicator in standard.household_set.indicators:
            v = values.get(indicator.code)
            if indicator.kind == KIND_INCOME or v is None or v == "":
                continue
            if indicator.kind == KIND_BOOL and not isinstance(v, bool):
                raise StandardError(f"“{indicator.label}”应为是或否", indicator.code)
            if indicator.kind == KIND_COUNT and (
                isinstance(v, bool) or not isinstance(v, int) or v < 0
            ):
                raise StandardError(
                    f"“{indicator.count_label or indicator.label}”应为不小于 0 的人数",
                    indicator.code,
                )
            clean[indicator.code] = v
        unknown = sorted(
            set(values) - set(labels) - {i.code for i in standard.household_set.indicators}
        )
        if unknown:
            raise StandardError(f"标准中没有这些指标：{'、'.join(unknown)}", unknown[0])
        return clean

    def save_household_values(self, household_id: int, values: Mapping, user: str) -> None:
        """Record a household's indicator values, checked against its campaign's standard."""
        with self.db.session() as s:
            household = s.get(Household, household_id)
            if household is None:
                raise StandardError("该户已不存在（可能已被删除）")
            village_id = household.village_id
        campaign = self.campaign_for_village(village_id)
        if campaign is None:
            raise StandardError("该户所在县没有“回头看”活动，无法确定标准")
        clean = self.check_household_values(self.standard(campaign.id), values)
        with self.db.unit_of_work() as s:
            row = s.get(HouseholdIndicator, household_id)
            if row is None:
                s.add(HouseholdIndicator(household_id=household_id, values=clean, updated_by=user))
            else:
                row.values = clean
                row.updated_by = user

    def village_values(self, village_id: int) -> dict:
        """The village indicators recorded for a village."""
        with self.db.session() as s:
            village = s.get(Village, village_id)
            return dict(village.indicators or {}) if village else {}

    def check_village_values(self, standard: Standard, values: Mapping) -> dict:
        """Return village values checked against the standard's village set."""
        if standard.village_set is None:
            raise StandardError(f"{standard.title} 没有村级指标")
        clean: dict = {}
        for indicator in standard.village_set.indicators:
            v = values.get(indicator.code)
            if v is None or v == "":
                continue
            if indicator.kind == KIND_RATE:
                if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100:
                    raise StandardError(f"“{indicator.label}”应为 0–100 的百分数", indicator.code)
                v = float(v)
            elif not isinstance(v, bool):
                raise StandardError(f"“{indicator.label}”应为是或否", indicator.code)
            clean[indicator.code] = v
        unknown = sorted(set(values) - {i.code for i in standard.village_set.indicators})
        if unknown:
            raise StandardError(f"标准中没有这些村级指标：{'、'.join(unknown)}", unknown[0])
        return clean

    def village_indicator_set(self, village_id: int):
        """The village set (一低六有) that applies to a village, or None."""
        campaign = self.campaign_for_village(village_id)
        if campaign is None:
            return None
        try:
            return self.standard(campaign.id).village_set
        except StandardFileError:
            return None

    def save_village_values(self, village_id: int, values: Mapping) -> None:
        """Record a village's indicators (一低六有), checked against its campaign's standard."""
        campaign = self.campaign_for_village(village_id)
        if campaign is None:
            raise StandardError("该村所在县没有“回头看”活动，无法确定标准")
        clean = self.check_village_values(self.standard(campaign.id), values)
        with self.db.unit_of_work() as s:
            village = s.get(Village, village_id)
            if village is None:
                raise StandardError("该村已不存在（可能已被删除）")
            village.indicators = clean

    # --- evaluation ----------------------------------------------------------------------

    def evaluate(
        self,
        campaign_id: int,
        *,
        village_id: int | None = None,
        township_id: int | None = None,
    ) -> Evaluation:
        """Evaluate every household and village of a campaign (or of one village/township).

        The result is kept and given again (the same object: read it, do not change it) while
        nothing it was computed from has changed. What changed is read from the audit chain,
        which every change of the app goes through: the head moved over entries of the
        registry or the indicator values → read again; over other tables only (a campaign's
        standard, the ledger) → evaluate the rows already read; the head where it was and the
        same standard file → the kept result. Inside a unit of work nothing is kept or reused
        (its changes may still roll back).
        """
        info = self.campaign(campaign_id)
        standard = self.standard(campaign_id)
        key = (campaign_id, village_id, township_id, township_scope.granted(self.db.engine))
        keep = not self.db.in_unit_of_work
        with self.db.connection() as conn, collector_paused():
            head = audit_chain.head_of(conn) if keep else None
            kept = self._kept.get(key) if keep else None
            if kept is not None and kept.standard is standard:
                if kept.head == head and kept.evaluation.campaign == info:
                    return kept.evaluation
                rows = kept.rows if _rows_unchanged(conn, kept.head, head) else None
            else:
                rows = None
            if rows is None:
                rows = self._read_rows(conn, info, standard, village_id, township_id)
            households = evaluate_households(standard, rows[0], info.thresholds)
            villages = []
            if standard.village_set is not None:
                villages = evaluate_villages(standard.village_set, rows[1])
            evaluation = Evaluation(info, standard, households, villages)
            self._load_fixes(conn, evaluation, info, village_id, township_id)
        if keep:
            self._kept.pop(key, None)
            while len(self._kept) >= KEPT_EVALUATIONS:
                self._kept.pop(next(iter(self._kept)))  # the oldest
            self._kept[key] = _Kept(head, standard, rows, evaluation)
        return evaluation

    def _read_rows(self, conn, info, standard, village_id, township_id) -> tuple[list, list]:
        """The rows an evaluation reads: (household rows, village rows), decoded."""
        size = Household.count_actual.label("size")
        stmt = (
            select(
                Household.id,
                Household.village_id,
                Household.exit_year,
                size,
                Household.member_count,
                # Text on every dialect (a driver may decode JSON itself), decoded below with
                # orjson: json.loads was half the time of a county.
                cast(HouseholdIndicator.values, Text),
            )
            .join(Village, Village.id == Household.village_id)
            .join(Township, Township.id == Village.township_id)
            .outerjoin(HouseholdIndicator, HouseholdIndicator.household_id == Household.id)
            .order_by(Household.code)
        )
        if standard.subjects == SUBJECTS_EXITED:
            stmt = stmt.where(Household.exit_year.is_not(None))
        elif standard.subjects == SUBJECTS_ALL_REGISTERED:
            stmt = stmt.where(Household.is_registered.is_(True))
        else:
            stmt = stmt.where(Household.is_registered.is_(True), Household.exit_year.is_(None))
        village_stmt = (
            select(Village.id, Village.exit_year, Village.indicators)
            .join(Township, Township.id == Village.township_id)
            .where(Village.is_poor_village.is_(True), Village.exit_year.is_not(None))
            .order_by(Village.code, Village.id)
        )
        for where in self._scope(info, village_id, township_id):
            stmt = stmt.where(where)
            village_stmt = village_stmt.where(where)
        loads = orjson.loads
        # A county is 75,000 rows, dicts and results: the caller pauses the collector, which
        # scanned them all again and again (half the time); none of them holds a cycle.
        # 家庭人口数: 以实际人数为准 (seed 001, note 2); the member list when not counted.
        households = [
            (h, v, e, a if a is not None else m, loads(x) if x else None)
            for h, v, e, a, m, x in fetch_tuples(conn, _literal_sql(conn, stmt))
        ]
        villages = [tuple(r) for r in conn.execute(village_stmt)] if standard.village_set else []
        return households, villages

    @staticmethod
    def _scope(info: CampaignInfo, village_id: int | None, township_id: int | None) -> list:
        wheres = []
        if info.county_id is not None:
            wheres.append(Township.county_id == info.county_id)
        if village_id is not None:
            wheres.append(Village.id == village_id)
        if township_id is not None:
            wheres.append(Township.id == township_id)
        return wheres

    def _load_fixes(self, conn, evaluation: Evaluation, info, village_id, township_id) -> None:
        from desktop.models.problem import Unit

        stmt = (
            select(
                Problem.id,
                Problem.number,
                Problem.status,
                Problem.closed_on,
                Problem.scope,
                Problem.household_id,
                Problem.village_id,
                Problem.indicator,
                Unit.name,
                Problem.deadline,
            )
            .outerjoin(Unit, Unit.id == Problem.unit_id)
            .join(Village, Village.id == Problem.village_id)
            .join(Township, Township.id == Village.township_id)
            .where(Problem.indicator != "")
            .order_by(Problem.id)
        )
        for where in self._scope(info, village_id, township_id):
            stmt = stmt.where(where)
        for pid, number, status, closed_on, scope, hid, vid, code, unit, deadline in conn.execute(
            stmt
        ):
            fix = Fix(pid, number, status, closed_on, unit or "", deadline)
            if scope == SCOPE_HOUSEHOLD and hid is not None:
                evaluation.household_fixes[(hid, code)] = fix
            elif scope == SCOPE_VILLAGE:
                evaluation.village_fixes[(vid, code)] = fix

    def sheet_context(
        self,
        *,
        village_ids: list[int] | None = None,
        township_id: int | None = None,
        county_id: int | None = None,
    ) -> SheetContext:
        """Names and header counts for sheets of these villages, or of one township."""
        village_stmt = (
            select(
                Village.id,
                Village.name,
                Village.code,
                Village.township_id,
                Township.name,
                County.name,
                Village.is_poor_village,
                Village.exit_year,
            )
            .join(Township, Township.id == Village.township_id)
            .join(County, County.id == Township.county_id)
            .order_by(Township.id, Village.code, Village.id)
        )
        if township_id is not None:
            village_stmt = village_stmt.where(Village.township_id == township_id)
        elif county_id is not None:
            village_stmt = village_stmt.where(Township.county_id == county_id)
        elif village_ids is not None:
            village_stmt = village_stmt.where(Village.id.in_(village_ids))
        villages: dict[int, VillageInfo] = {}
        townships: dict[int, TownshipInfo] = {}
        households: dict[int, HouseholdInfo] = {}
        village_counts: dict[int, dict] = {}
        with self.db.connection() as conn, collector_paused():
            for vid, name, code, tid, tname, cname, poor, exit_year in conn.execute(village_stmt):
                villages[vid] = VillageInfo(name, code, tid, tname, cname)
                if tid not in townships:
                    townships[tid] = TownshipInfo(
                        tname, cname, {"villages": 0, "poor_villages": 0, "exited_2016": 0}
                    )
                counts = townships[tid].counts
                counts["villages"] += 1
                counts["poor_villages"] += bool(poor)
                counts["exited_2016"] += bool(poor) and exit_year == 2016
            if township_id is not None or county_id is not None:
                return SheetContext(villages, townships, households, village_counts)
            empty = {"households": 0, "people": 0}
            for year in (2014, 2015, 2016):
                empty[f"households_{year}"] = empty[f"people_{year}"] = 0
            for vid in villages:
                village_counts[vid] = dict(empty)
            stmt = select(
                Household.id,
                Household.village_id,
                Household.head_name,
                Household.count_hukou,
                Household.count_card,
                Household.count_system,
                Household.count_actual,
                Household.member_count,
                Household.is_registered,
                Household.exit_year,
            ).where(Household.village_id.in_(list(villages)))
            # A county's 100,000 households as plain tuples: row objects cost more than the query.
            rows = fetch_tuples(conn, _literal_sql(conn, stmt))
            for hid, vid, head, hukou, card, system, actual, members, registered, year in rows:
                households[hid] = HouseholdInfo(head, (hukou, card, system, actual))
                if not registered:
                    continue
                size = actual if actual is not None else members
                c = village_counts[vid]
                c["households"] += 1
                c["people"] += size
                if year in (2014, 2015, 2016):
                    c[f"households_{year}"] += 1
                    c[f"people_{year}"] += size
        return SheetContext(villages, townships, households, village_counts)

    def township_of(self, name: str | None, county_id: int | None = None) -> int:
        """The id of a township by name (or the only one of a county)."""
        with self.db.session() as s:
            stmt = select(Township.id, Township.name)
            if county_id is not None:
                stmt = stmt.where(Township.county_id == county_id)
            if name:
                stmt = stmt.where(Township.name == name)
            found = s.execute(stmt).all()
        if len(found) == 1:
            return found[0][0]
        if not found:
            raise StandardError(
                f"没有名为“{name}”的乡镇" if name else "数据库中没有乡镇", "township"
            )
        names = "、".join(n for _, n in found)
        raise StandardError(f"有多个乡镇（{names}），请写明乡镇名称", "township")

    def county_of(self, name: str) -> int:
        """The id of a county by name."""
        with self.db.session() as s:
            found = s.scalars(select(County.id).where(County.name == name.strip())).all()
        if len(found) != 1:
            raise StandardError(f"没有名为“{name}”的县", "county")
        return found[0]

    def village_of(self, name: str) -> int:
        """The id of a village by name; “乡镇名村名” or “乡镇名/村名” when the name repeats."""
        with self.db.session() as s:
            rows = s.execute(
                select(Village.id, Village.name, Township.name).join(
                    Township, Township.id == Village.township_id
                )
            ).all()
        wanted = name.replace("/", "").strip()
        found = [(v, f"{t}{n}") for v, n, t in rows if wanted in (n, f"{t}{n}")]
        if len(found) == 1:
            return found[0][0]
        if not found:
            raise StandardError(f"没有名为“{name}”的村", "village")
        names = "、".join(full for _, full in found)
        raise StandardError(f"有多个“{name}”（{names}），请写成“乡镇名/村名”", "village")

    # --- responsibility ------------------------------------------------------------------

    def departments(self) -> dict[str, tuple[str, ...]]:
        """The county's 责任分工: responsibility entry → departments, the lead one first."""
        from desktop.services.problems.catalogue import split_units

        with self.db.session() as s:
            return {
                d.indicator: tuple(split_units(d.departments))
                for d in s.scalars(select(IndicatorDepartment).order_by(IndicatorDepartment.seq))
            }

    def set_departments(self, responsibility: str, departments: str) -> None:
        """Change which county departments fix an indicator (a county edits seed 001's list)."""
        from desktop.services.problems.catalogue import split_units

        names = split_units(departments)
        if not names:
            raise StandardError("请至少填写一个责任部门", "departments")
        with self.db.unit_of_work() as s:
            row = s.scalar(
                select(IndicatorDepartment).where(IndicatorDepartment.indicator == responsibility)
            )
            if row is None:
                seq = len(s.scalars(select(IndicatorDepartment.id)).all()) + 1
                s.add(
                    IndicatorDepartment(
                        seq=seq, indicator=responsibility, departments="、".join(names)
                    )
                )
            else:
                row.departments = "、".join(names)
