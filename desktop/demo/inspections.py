"""Demo inspection rounds: seed 004's groups, one of them covering the demo county, with
rounds in the last months (a 回头看 among them), their samples, findings, extensions,
evidence, and 整改函 sent on time, late, and not yet."""

from __future__ import annotations

import datetime
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select, update

from desktop.demo.problems import _png
from desktop.models.inspection import InspectionGroup
from desktop.models.registry import County, Household, Village
from desktop.services.inspections.data import FindingData, RoundData
from desktop.services.inspections.service import InspectionService
from desktop.services.problems.rules import SCOPE_HOUSEHOLD, SCOPE_VILLAGE, STATUS_AWAITING
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database

DEMO_GROUP = "第三组"
DEMO_LIAISON = "罗志明"
AID_UNITS = (
    "县农业农村局", "县交通运输局", "县教育局", "县卫生健康局", "县住房和城乡建设局",
    "县水利局", "县人力资源和社会保障局", "县民政局", "县财政局", "县自然资源局",
)  # fmt: skip
CHECKER = "李进强"
USER = "督查第三组"

# (category seq, scope, description, 整改要求): what inspectors write down, by 督查内容.
FINDINGS = (
    (
        1,
        SCOPE_VILLAGE,
        "第一书记本月在村工作不足 20 天，驻村考勤记录不全",
        "落实驻村工作制度，补全考勤记录",
    ),
    (2, SCOPE_HOUSEHOLD, "户内在校生未享受教育补助，台账与实际不符", "核实学籍，补发教育补助"),
    (2, SCOPE_HOUSEHOLD, "户主患慢性病，未办理门诊特殊病种待遇", "协助办理门诊特殊病种认定"),
    (
        3,
        SCOPE_HOUSEHOLD,
        "预脱贫户“八有”佐证材料不全（安全饮水、稳定收入无佐证）",
        "补齐“八有”佐证材料",
    ),
    (
        3,
        SCOPE_HOUSEHOLD,
        "家庭成员信息与系统不一致，实际人数比系统少 1 人",
        "核实人口变化，按程序更新系统",
    ),
    (4, SCOPE_HOUSEHOLD, "帮扶措施与致贫原因不对应，未因户施策", "重新制定针对性帮扶措施"),
    (
        4,
        SCOPE_HOUSEHOLD,
        "帮扶责任人本季度未入户，群众不认识帮扶干部",
        "帮扶责任人每月至少入户一次",
    ),
    (5, SCOPE_HOUSEHOLD, "预脱贫户年人均收入测算偏高，务工收入无佐证", "重新测算收入并补充佐证"),
    (6, SCOPE_VILLAGE, "村道硬化项目未按时间节点推进", "倒排工期，按节点完成"),
    (7, SCOPE_VILLAGE, "扶贫项目资金拨付滞后，有资金滞留", "加快资金拨付，说明滞留原因"),
    (
        8,
        SCOPE_VILLAGE,
        "“户有卡、村有册”档案未更新，帮扶手册记录空白",
        "更新帮扶档案，逐户填写帮扶手册",
    ),
)


@dataclass(frozen=True)
class DemoRoundsResult:
    """What the demo round builder wrote."""

    rounds: int
    findings: int


def _weekday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _mark_pre_exit(db: Database, rng: random.Random, years: set[int]) -> None:
    """Plan about six in ten of the not-exited households to exit, spread over the years."""
    with db.unit_of_work() as s:
        ids = list(
            s.scalars(
                select(Household.id)
                .where(Household.is_registered, Household.exit_year.is_(None))
                .order_by(Household.code)
            )
        )
        ordered = sorted(years)
        for household_id in ids:
            if rng.random() < 0.6:
                s.execute(
                    update(Household)
                    .where(Household.id == household_id)
                    .values(planned_exit_year=rng.choice(ordered))
                )
        for village_id in s.scalars(select(Village.id).order_by(Village.code)):
            s.execute(
                update(Village)
                .where(Village.id == village_id)
                .values(aid_unit=rng.choice(AID_UNITS))
            )


def add_demo_rounds(
    engine: Engine,
    seed: int = 2020,
    *,
    today: datetime.date | None = None,
    data_dir: Path | None = None,
) -> DemoRoundsResult:
    """Write demo rounds into a database that holds the demo township (after its problems)."""
    from desktop.paths import data_dir as default_data_dir

    rng = random.Random(seed + 4)
    today = today or datetime.date.today()
    db = Database(engine)
    problems = ProblemService(db, Path(data_dir) if data_dir else default_data_dir())
    service = InspectionService(db, problems)
    service.ensure_reference_data()
    with db.session() as s:
        county = s.scalar(select(County.name).order_by(County.id))
    group = next(g for g in service.groups() if g.name == DEMO_GROUP)
    service.add_coverage(group.id, county, DEMO_LIAISON)
    with db.unit_of_work() as s:
        s.get(InspectionGroup, group.id).note = f"演示数据：另负责演示乡镇所在的{county}"
    # (days before today it starts, days, 整改函 sent this many days after the end or None)
    plan = [(120, 2, 2), (80, 1, 3), (22, 2, 1), (6, 2, None), (1, 2, None)]
    starts = [_weekday(today - datetime.timedelta(days=ago)) for ago, _, _ in plan]
    _mark_pre_exit(db, rng, {d.year for d in starts} | {today.year})
    townships = service.townships(county)
    categories = {c.seq: c.id for c in service.categories()}
    township_unit = service.problems.unit_id_by_name(
        f"{townships[0][1]}人民政府"
    ) or service.problems.add_unit(f"{townships[0][1]}人民政府", "镇直单位")
    rounds = findings = 0
    first_round = None
    with tempfile.TemporaryDirectory() as folder:
        for n, ((_ago, days, sent_after), start) in enumerate(zip(plan, starts, strict=True)):
            end = min(start + datetime.timedelta(days=days - 1), today)
            township_id, _name = townships[n % len(townships)]
            round_id = service.save_round(
                RoundData(group_id=group.id, county_name=county, start_date=start, end_date=end,
                          unit_ids=[township_unit]),
                USER,
            )  # fmt: skip
            service.draw_sample(round_id, township_id, seed * 10 + n, USER)
            _visited(service, round_id, township_unit)
            rounds += 1
            if end < today:
                findings += _findings(service, rng, round_id, categories, end, today, folder)
            if sent_after is not None and end + datetime.timedelta(days=sent_after) <= today:
                sent = end + datetime.timedelta(days=sent_after)
                service.record_notice(round_id, sent, f"督查函〔{sent.year}〕{n + 1}号", USER)
            if first_round is None:
                first_round = round_id
        # A 回头看 of the first round, fifty days ago, its 整改函 sent four days late.
        back_start = _weekday(today - datetime.timedelta(days=50))
        back = service.order_follow_up(first_round, back_start, back_start, USER)
        findings += _findings(service, rng, back, categories, back_start, today, folder, cap=1)
        service.record_notice(
            back, back_start + datetime.timedelta(days=7), "督查函（回头看）", USER
        )
        rounds += 1
    return DemoRoundsResult(rounds, findings)


def _visited(service: InspectionService, round_id: int, township_unit: int) -> None:
    """The units visited: the township and the sampled villages."""
    data = service.get_round(round_id)
    names = [e.village_name for e in service.sample(round_id) if not e.is_household]
    ids = [service.problems.unit_id_by_name(name) for name in names]
    data.unit_ids = [township_unit, *[i for i in ids if i]]
    service.save_round(data, USER)


def _findings(
    service: InspectionService,
    rng: random.Random,
    round_id: int,
    categories: dict[int, int],
    found: datetime.date,
    today: datetime.date,
    folder: str,
    cap: int = 4,
) -> int:
    """Enter a few findings against the sampled households and villages, and move them on."""
    entries = [e for e in service.sample(round_id) if not e.dropped]
    count = 0
    for template in rng.sample(FINDINGS, k=min(cap, rng.randint(2, 4))):
        seq, scope, description, measures = template
        pool = [e for e in entries if e.is_household == (scope == SCOPE_HOUSEHOLD)]
        if not pool:
            continue
        target = rng.choice(pool)
        unit = service.problems.unit_id_by_name(target.village_name)
        deadline = found + datetime.timedelta(days=rng.choice((15, 30, 30, 45)))
        problem_id = service.add_finding(
            FindingData(
                round_id=round_id, category_id=categories.get(seq), description=description,
                scope=scope, household_id=target.household_id, village_id=target.village_id,
                unit_id=unit, person_name=f"{target.village_name}党支部书记", measures=measures,
                deadline=deadline, found_date=found,
            ),
            USER,
        )  # fmt: skip
        count += 1
        _progress(service.problems, rng, problem_id, found, deadline, today, folder)
    return count


def _progress(problems, rng, problem_id, found, deadline, today, folder) -> None:
    """Older findings are further along: closed with evidence, extended, or still open."""
    age = (today - found).days
    roll = rng.random()
    if age > 40 and roll < 0.6:
        problems.set_status(problem_id, STATUS_AWAITING, USER)
        path = Path(folder) / f"整改照片{problem_id}.png"
        path.write_bytes(_png(rng))
        problems.add_attachment(problem_id, path, USER)
        problems.close(
            problem_id, verified_by=CHECKER,
            verified_on=min(today, deadline - datetime.timedelta(days=rng.randint(0, 5))),
            opinion="经回访核实，整改到位，同意销号", user=USER,
        )  # fmt: skip
    elif age > 20 and roll < 0.8:
        new = deadline + datetime.timedelta(days=rng.choice((15, 30)))
        problems.extend(problem_id, new, "涉及县直部门审批，需延长整改时限", USER)
