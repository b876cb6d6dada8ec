"""Demo department lists and cases: hits of every kind, cases at each level, rosters to print.

Seven departments send their lists; a few rows name registered people by ID, by the old
15-digit ID, by name and birth date (民政 gives no IDs) and a son who has left his household.
Cases stand at each of the three levels, one was sent back, one rejected, and approved removals
and additions fill the two rosters. Dates are relative to the real today, as the demo problems'.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from desktop.models.comparison import (
    DECISION_AGREE,
    DECISION_DISAGREE,
    DECISION_SEND_BACK,
)
from desktop.models.registry import Household, Member, Township, Village
from desktop.services.actor import CurrentUser
from desktop.services.comparison.cases import CaseService, Decision
from desktop.services.comparison.importer import import_department_list
from desktop.services.comparison.reader import DepartmentSheet
from desktop.services.comparison.service import ComparisonService
from desktop.services.registry.idcard import make_id
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database

TEAM = CurrentUser("驻村工作队 李明", "clerk")
TOWNSHIP_CLERK = CurrentUser("镇扶贫工作站 王芳", "reviewer")
COUNTY = CurrentUser("县扶贫办 赵刚", "admin")


@dataclass
class DemoComparisonResult:
    """What the demo wrote: lists, hits and cases."""

    lists: int
    hits: int
    cases: int


def _people(db: Database, limit: int) -> list[tuple]:
    """Members of registered households in the first township: (member, household, ...)."""
    with db.session() as s:
        township = s.scalar(select(Township.id).order_by(Township.id))
        rows = s.execute(
            select(
                Member.id, Member.household_id, Member.name, Member.id_number,
                Member.birth_date, Member.relation,
            )
            .join(Household, Household.id == Member.household_id)
            .join(Village, Village.id == Household.village_id)
            .where(
                Village.township_id == township,
                Household.is_registered.is_(True),
                Member.id_number != "",
            )
            .order_by(Household.code, Member.seq)
            .limit(limit)
        ).all()  # fmt: skip
    return [tuple(r) for r in rows]


def _unregistered(db: Database, limit: int) -> list[int]:
    with db.session() as s:
        return list(
            s.scalars(
                select(Household.id)
                .where(Household.is_registered.is_(False))
                .order_by(Household.code)
                .limit(limit)
            )
        )


def _sheet(name: str, rows: list[list]) -> DepartmentSheet:
    headers = [str(h) for h in rows[0]]
    return DepartmentSheet(Path(name), "Sheet1", 0, headers, [], rows)


def _strangers(rng: random.Random, count: int, with_id: bool) -> list[tuple[str, str]]:
    names = ["陈伟", "林芳", "黄敏", "吴强", "郑静", "蔡军", "刘洋", "张勇", "李艳", "王杰"]
    out = []
    for _ in range(count):
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20000))
        key = make_id("441502", birth, rng.randrange(1000)) if with_id else birth.isoformat()
        out.append((rng.choice(names), key))
    return out


def add_demo_comparison(
    engine: Engine,
    seed: int = 2020,
    *,
    today: datetime.date | None = None,
    data_dir: Path | None = None,
) -> DemoComparisonResult:
    """Write demo department lists, their hits and cases into the demo township."""
    from desktop.paths import data_dir as default_data_dir

    rng = random.Random(seed + 16)
    today = today or datetime.date.today()
    db = Database(engine)
    people = _people(db, 400)
    if len(people) < 60:
        return DemoComparisonResult(0, 0, 0)
    by_household: dict[int, list[tuple]] = {}
    for p in people:
        by_household.setdefault(p[1], []).append(p)
    households = [h for h, members in by_household.items() if len(members) >= 2]
    rng.shuffle(households)
    picked = iter(households)

    # A son leaves his household after registration: kept as a former member.
    registry = RegistryService(db)
    left_household = next(picked)
    data = registry.get_household(left_household)
    leaver = next(m for m in reversed(data.members) if m.relation != "户主")
    data.members = [m for m in data.members if m is not leaver]
    registry.save_household(data)

    def head_of(household_id: int) -> tuple:
        return by_household[household_id][0]

    cars_by_id = [head_of(next(picked)) for _ in range(6)]
    old_id = head_of(next(picked))  # the 车管所 still writes the old 15-digit number
    tax = [head_of(next(picked)) for _ in range(3)]
    business = [by_household[next(picked)][1] for _ in range(2)]
    housing = [head_of(next(picked)) for _ in range(2)]
    fund = [head_of(next(picked))]
    payroll = [head_of(next(picked))]
    welfare = [head_of(next(picked))]  # 民政: name and birth date only

    def id_rows(header, persons, detail, strangers=30):
        rows = [header]
        for n, p in enumerate(persons, 1):
            rows.append([n, p[2], p[3], *detail(n)])
        for n, (name, number) in enumerate(_strangers(rng, strangers, True), len(rows)):
            rows.append([n, name, number, *detail(n)])
        return rows

    received = today - datetime.timedelta(days=40)
    cars = id_rows(
        ["序号", "机动车所有人", "身份证明号码", "号牌号码", "车辆类型", "初次登记日期"],
        cars_by_id,
        lambda n: [f"粤N{10000 + n * 37:05d}", "小型轿车", f"20{15 + n % 4}-0{1 + n % 8}-15"],
    )
    cars.append([len(cars), old_id[2], old_id[3][:6] + old_id[3][8:17], "粤N8A123", "小型轿车",
                 "2016-09-01"])  # fmt: skip
    cars.append([len(cars), leaver.name, leaver.id_number, "粤N6B456", "轻型货车", "2019-03-20"])
    lists = [
        ("公安（车管所）", "车管所机动车登记.xlsx", cars),
        ("地税（个人所得税）", "个税缴纳名单.xlsx", id_rows(
            ["序号", "纳税人姓名", "身份证件号码", "纳税年度", "应纳税额", "扣缴单位"], tax,
            lambda n: ["2017", f"{600 + n * 130}", "汕尾某建筑公司"],
        )),
        ("工商（企业法人、股东）", "市场主体登记.xlsx", id_rows(
            ["序号", "姓名", "证件号码", "企业名称", "统一社会信用代码", "担任职务"], business,
            lambda n: [f"海丰县{'兴盛'[n % 2]}商行", f"91441521MA5{n:06d}", "股东"],
        )),
        ("住建（房管）", "商品房备案.xlsx", id_rows(
            ["序号", "买受人", "身份证号", "房屋坐落", "建筑面积", "备案日期"], housing,
            lambda n: [f"海城镇二环路{n}号", f"{88 + n}.5", "2017-11-02"],
        )),
        ("公积金", "公积金缴存.xlsx", id_rows(
            ["序号", "缴存人姓名", "身份证号码", "单位名称", "个人账号", "月缴存额"], fund,
            lambda n: ["某物流公司", f"0044{n:08d}", "386"],
        )),
        ("财政（财政供养人员）", "财政供养人员.xlsx", id_rows(
            ["序号", "姓名", "公民身份号码", "供养单位", "职务", "入编时间"], payroll,
            lambda n: ["某镇中心小学", "教师", "2012-09"],
        )),
    ]  # fmt: skip
    welfare_rows = [["序号", "姓名", "出生日期", "救助类别", "救助金额", "发放月份"]]
    for p in welfare:
        welfare_rows.append([1, p[2], p[4].isoformat(), "特困供养（城市）", "980", "2018-04"])
    for n, (name, birth) in enumerate(_strangers(rng, 20, False), 2):
        welfare_rows.append([n, name, birth, "临时救助", "500", "2018-04"])
    lists.append(("民政", "民政救助对象.xlsx", welfare_rows))
    hits = 0
    for department, file_name, rows in lists:
        result = import_department_list(
            db, _sheet(file_name, rows), department, received_on=received, who=TEAM.name
        )
        if not result.ok:  # the demo's own data: a failure here is a bug
            raise RuntimeError("；".join(result.summary_lines()))
        hits += result.hits
    comparison = ComparisonService(db)
    cases = CaseService(db, Path(data_dir) if data_dir else default_data_dir())
    open_hits = comparison.hits(status="open")

    def hits_of(person) -> list[int]:
        return [h.id for h in open_hits if h.household_id == person[1] and h.status == "open"]

    def step(case_id, user, decision, day, reason="", finding="", **kw):
        version = cases.case(case_id).version
        cases.decide(user, case_id, version, Decision(decision, day, reason, finding, **kw))

    def days_ago(n: int) -> datetime.date:
        return today - datetime.timedelta(days=n)

    made = 0
    # 1. Waiting for the work team.
    cases.open_removal(TEAM, hits_of(cars_by_id[0]), "户主名下登记有小型轿车")
    # 2. Verified, waiting for the township.
    c = cases.open_removal(TEAM, hits_of(tax[0]), "户主有工资薪金个人所得税缴纳记录")
    step(
        c,
        TEAM,
        DECISION_AGREE,
        days_ago(20),
        finding="入户核实：户主在县城建筑公司务工，月薪6000元以上",
    )
    # 3. Reviewed, waiting for the county.
    c = cases.open_removal(TEAM, hits_of(housing[0]), "户主在县城购买商品房")
    step(
        c,
        TEAM,
        DECISION_AGREE,
        days_ago(25),
        finding="入户核实：已购商品房一套，购房合同复印件附后",
    )
    step(c, TOWNSHIP_CLERK, DECISION_AGREE, days_ago(18), reason="情况属实，同意清退，报县核定")
    # 4. Sent back by the township, verified again, waiting for the township.
    c = cases.open_removal(TEAM, hits_of(business[0]), "家庭成员为企业股东")
    step(c, TEAM, DECISION_AGREE, days_ago(30), finding="入户核实：儿子为商行股东")
    step(c, TOWNSHIP_CLERK, DECISION_SEND_BACK, days_ago(26), reason="请补充商行经营收入情况")
    step(c, TEAM, DECISION_AGREE, days_ago(21), finding="补充核实：商行年经营收入约8万元")
    # 5. Rejected at the township: the car belongs to someone of the same household name.
    c = cases.open_removal(TEAM, hits_of(cars_by_id[1]), "户主名下登记有小型轿车")
    step(c, TEAM, DECISION_AGREE, days_ago(28), finding="入户核实：车辆已于2017年报废，有注销证明")
    step(c, TOWNSHIP_CLERK, DECISION_DISAGREE, days_ago(24), reason="车辆已注销，不影响贫困户认定")
    made += 5
    # 6–8. Approved removals (one of one person only, one signed on paper).
    for person, reason, whole, paper in (
        (cars_by_id[2], "户主名下登记有小型轿车两辆，家庭经营运输", True, ""),
        (payroll[0], "本人为财政供养人员（教师）", False, "县扶贫办 陈局长"),
        (fund[0], "户主连续缴存住房公积金，有稳定工资收入", True, ""),
    ):
        c = cases.open_removal(TEAM, hits_of(person), reason, whole_household=whole)
        step(c, TEAM, DECISION_AGREE, days_ago(35), finding="入户核实：情况属实")
        step(c, TOWNSHIP_CLERK, DECISION_AGREE, days_ago(30), reason="同意清退")
        step(c, COUNTY, DECISION_AGREE, days_ago(22), reason="核定清退",
             on_paper=bool(paper), signed_by=paper)  # fmt: skip
        made += 1
    # 9–11. Additions: two approved, one waiting for the township.
    for n, household_id in enumerate(_unregistered(db, 3)):
        c = cases.open_addition(
            TEAM, household_id, "一般贫困户", "家庭年人均可支配收入低于4000元，因病致贫"
        )
        step(c, TEAM, DECISION_AGREE, days_ago(33), finding="入户核实：户主重病，无劳动力")
        if n < 2:
            step(c, TOWNSHIP_CLERK, DECISION_AGREE, days_ago(29), reason="经公示无异议，同意纳入")
            step(c, COUNTY, DECISION_AGREE, days_ago(20), reason="核定纳入建档立卡")
        made += 1
    return DemoComparisonResult(len(lists), hits, made)
