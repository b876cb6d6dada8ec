"""补短清单 and 点球 (seed 001): every 未达标项 with the county department that fixes it, and
sending each department its shortfalls as problems of the 整改台账, with a deadline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from desktop.services.problems.data import ProblemData
from desktop.services.problems.rules import KIND_DEADLINE, SCOPE_HOUSEHOLD, SCOPE_VILLAGE
from desktop.services.problems.service import ProblemService
from desktop.services.standards.evaluate import HouseholdResult
from desktop.services.standards.service import (
    Evaluation,
    Fix,
    SheetContext,
    StandardError,
)
from desktop.services.standards.standard import KIND_COUNT, KIND_INCOME, KIND_RATE, Indicator

SOURCE = "回头看排查"
NO_DEPARTMENT = "（未指定责任部门）"


@dataclass(frozen=True)
class Shortfall:
    """One line of the 补短清单: who or what is short of which indicator, and who fixes it."""

    scope: str  # 户 or 村
    village_id: int
    village_name: str
    township_name: str
    household_id: int | None
    head_name: str
    indicator: str
    indicator_label: str
    detail: str
    departments: tuple[str, ...]
    fix: Fix | None

    @property
    def lead_department(self) -> str:
        """The department a 点球 goes to: the first one listed in the 责任分工."""
        return self.departments[0] if self.departments else NO_DEPARTMENT

    @property
    def target(self) -> str:
        """“柳沟村 刘长春户” or “柳沟村”."""
        if self.scope == SCOPE_HOUSEHOLD:
            return f"{self.village_name} {self.head_name}户"
        return self.village_name

    @property
    def state(self) -> str:
        """未点球, or the problem's number and status."""
        return "未点球" if self.fix is None else f"{self.fix.number} {self.fix.status}"


def _household_detail(indicator: Indicator, r: HouseholdResult) -> str:
    if indicator.kind == KIND_INCOME:
        return (
            f"家庭年人均收入 {r.income:.2f} 元，未超过 {r.threshold.year} 年标准 "
            f"{r.threshold.amount:g} 元"
        )
    if indicator.kind == KIND_COUNT:
        return f"{indicator.count_label} {r.values.get(indicator.code)} 人"
    return indicator.definition.split("：", 1)[0] + "：否"


def _village_detail(indicator: Indicator, values: dict) -> str:
    if indicator.kind == KIND_RATE:
        return f"贫困发生率 {values.get(indicator.code):g}%，未低于 {indicator.below_percent:g}%"
    return f"{indicator.label}：否"


def shortfall_list(
    evaluation: Evaluation, context: SheetContext, departments: dict[str, tuple[str, ...]]
) -> list[Shortfall]:
    """Every 未达标项 of the evaluated households and villages, in village and paper order."""
    out: list[Shortfall] = []
    standard = evaluation.standard
    for r in evaluation.households:
        if not r.shortfalls:
            continue
        village = context.villages.get(r.village_id)
        info = context.households.get(r.household_id)
        for code in r.shortfalls:
            indicator = standard.household_set.get(code)
            out.append(
                Shortfall(
                    scope=SCOPE_HOUSEHOLD,
                    village_id=r.village_id,
                    village_name=village.name if village else "",
                    township_name=village.township_name if village else "",
                    household_id=r.household_id,
                    head_name=info.head_name if info else "",
                    indicator=code,
                    indicator_label=indicator.label,
                    detail=_household_detail(indicator, r),
                    departments=departments.get(indicator.responsibility or "", ()),
                    fix=evaluation.household_fixes.get((r.household_id, code)),
                )
            )
    for v in evaluation.villages:
        village = context.villages.get(v.village_id)
        for code in v.shortfalls:
            indicator = standard.village_set.get(code)
            out.append(
                Shortfall(
                    scope=SCOPE_VILLAGE,
                    village_id=v.village_id,
                    village_name=village.name if village else "",
                    township_name=village.township_name if village else "",
                    household_id=None,
                    head_name="",
                    indicator=code,
                    indicator_label=indicator.label,
                    detail=_village_detail(indicator, dict(v.values)),
                    departments=departments.get(indicator.responsibility or "", ()),
                    fix=evaluation.village_fixes.get((v.village_id, code)),
                )
            )
    order = {vid: n for n, vid in enumerate(context.villages)}
    out.sort(key=lambda s: (order.get(s.village_id, 0), s.scope != SCOPE_HOUSEHOLD))
    return out


@dataclass(frozen=True)
class AssignResult:
    """What a 点球 sent: problems by department, and what was already sent before."""

    created: dict[str, int]
    already: int


def assign_shortfalls(
    problems: ProblemService,
    shortfalls: list[Shortfall],
    *,
    deadline: datetime.date,
    found_date: datetime.date,
    user: str,
) -> AssignResult:
    """点球: each shortfall not yet sent becomes a 限时整改 problem of its lead department, with
    the deadline, the indicator and the other departments named; all of them or none."""
    if deadline < found_date:
        raise StandardError("整改时限不能早于点球日期", "deadline")
    pending = [s for s in shortfalls if s.fix is None]
    missing = sorted({s.indicator_label for s in pending if not s.departments})
    if missing:
        raise StandardError(
            f"这些指标还没有责任部门：{'、'.join(missing)}；请先在“责任分工”中填写", "departments"
        )
    # One unit of work: the departments' units, every problem and their audit entries commit
    # together, or none does (a refused problem leaves the ledger as it was).
    with problems.db.unit_of_work():
        units = {u.name: u.id for u in problems.units()}
        people: dict[str, int] = {}
        for name in sorted({s.lead_department for s in pending}):
            if name not in units:
                units[name] = problems.add_unit(name, kind="县直部门")
            staff = problems.people(units[name])
            if not staff:
                raise StandardError(f"“{name}”还没有责任人；请先在责任单位中添加负责人", "person")
            people[name] = staff[0].id
        batch = []
        for s in pending:
            others = "、".join(s.departments[1:])
            note = f"点球：{s.lead_department}牵头" + (f"，{others}配合" if others else "")
            batch.append(
                ProblemData(
                    description=f"{s.target}“{s.indicator_label}”未达标：{s.detail}",
                    found_date=found_date,
                    source=SOURCE,
                    scope=s.scope,
                    household_id=s.household_id,
                    village_id=s.village_id,
                    unit_id=units[s.lead_department],
                    person_id=people[s.lead_department],
                    kind=KIND_DEADLINE,
                    deadline=deadline,
                    note=note,
                    indicator=s.indicator,
                )
            )
        problems.create_many(batch, user)  # numbered in one go, the year's numbers read once
    created: dict[str, int] = {}
    for s in pending:
        created[s.lead_department] = created.get(s.lead_department, 0) + 1
    return AssignResult(created, len(shortfalls) - len(pending))
