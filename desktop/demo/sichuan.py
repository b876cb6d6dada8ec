"""The Sichuan demo: a township of 青神县 with a 2017 回头看 campaign (seed 001).

Exited households (2014–2016) carry the income inputs and 一超六有 values a village team
collects; the exited poor villages carry their 一低六有; the county departments of seed 001's
责任分工 are units with the leaders its 附件1 names, so that 点球 has someone to send to.
"""

from __future__ import annotations

import datetime
import random

from sqlalchemy import Connection, Engine, insert, select, update

from desktop.models.campaign import FORMULA_NET_PER_CAPITA, Campaign
from desktop.models.problem import Person, Unit
from desktop.models.registry import County, Household, Township, Village
from desktop.models.standards import HouseholdIndicator
from desktop.services.problems.catalogue import seed_reference_data
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import make_id
from desktop.services.registry.writer import write_households
from desktop.services.unit_of_work import Database

COUNTY = "青神县"
PROVINCE = "四川省"
CITY = "眉山市"
TOWNSHIP = "西龙镇"
REGION = "511425"  # 青神县
VILLAGES = (
    ("西龙村", None), ("柳沟村", 2016), ("复兴村", None), ("松林村", 2016),
    ("瑞丰村", 2015), ("永丰村", None), ("石板村", 2016), ("杨山村", None),
)  # fmt: skip
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "周", "吴", "徐", "罗", "邓", "彭", "曾")
GIVEN = (
    "德华", "秀英", "光明", "淑芬", "建平", "玉兰", "国强", "桂芳", "志刚", "素珍",
    "长春", "明亮", "小兵", "春燕", "海军", "红梅", "永福", "家琴", "正才", "翠华",
)  # fmt: skip

# 附件1 青神县脱贫攻坚“回头看”“回头帮”核查小组: the department heads that 点球 goes to.
DEPARTMENT_HEADS = (
    ("县委农工办", "余成昆", "主任"), ("县发改局", "陈冬梅", "局长"),
    ("县经信局", "贾靖宇", "局长"), ("县住建局", "刘建林", "局长"),
    ("县交通运输局", "杨传华", "局长"), ("县教体局", "杨宏", "局长"),
    ("县统计局", "彭燕循", "局长"), ("县人社局", "徐炳全", "局长"),
    ("县水务局", "黄志伟", "局长"), ("县农牧局", "何为民", "局长"),
    ("县扶贫移民局", "王超", "局长"), ("县卫计局", "张苗", "局长"),
    ("县文广新局", "徐洪刚", "局长"), ("县广电台", "刘迎春", "台长"),
    ("县电力公司", "陈义刚", "总经理"),
)  # fmt: skip
# 县民政局 is in seed 001's 责任分工 but not in its 附件1; a demo leader stands in.
OTHER_HEADS = (("县民政局", "周永康", "局长"), ("挂联帮扶部门", "李华", "联络员"))

CAMPAIGN_NAME = "青神县2017年脱贫攻坚“回头看”“回头帮”"


def household_values(rng: random.Random, size: int) -> dict:
    """Income inputs and 一超六有 values of one exited household, a few short of the line."""
    per_head = rng.uniform(2600, 9000) if rng.random() < 0.1 else rng.uniform(3300, 12000)
    expense = round(rng.uniform(300, 3000) * size, 2)
    return {
        "total_income": round(per_head * size + expense, 2),
        "operating_expense": expense,
        "food_clothing": rng.random() > 0.01,
        "compulsory_education": 1 if rng.random() < 0.02 else 0,
        "basic_medical": rng.choice((1, 2)) if rng.random() < 0.03 else 0,
        "housing_safe": rng.random() > 0.05,
        "safe_water": rng.random() > 0.04,
        "electricity": rng.random() > 0.01,
        "broadcast_tv": rng.random() > 0.03,
    }


def village_values(rng: random.Random) -> dict:
    """一低六有 of one exited poor village, some of them still short."""
    return {
        "poverty_rate": round(rng.uniform(0.5, 2.9) if rng.random() > 0.2 else 3.4, 1),
        "leading_industry": rng.random() > 0.2,
        "collective_income": rng.random() > 0.35,
        "hardened_road": rng.random() > 0.2,
        "clinic": rng.random() > 0.15,
        "culture_room": rng.random() > 0.3,
        "network": rng.random() > 0.15,
    }


def fill_indicator_values(conn: Connection, county_id: int, seed: int) -> int:
    """Give every exited household of a county indicator values; return how many."""
    rng = random.Random(seed)
    rows = conn.execute(
        select(Household.id, Household.count_actual, Household.member_count)
        .join(Village, Village.id == Household.village_id)
        .join(Township, Township.id == Village.township_id)
        .where(Township.county_id == county_id, Household.exit_year.is_not(None))
        .order_by(Household.id)
    ).all()
    payload = [
        {"household_id": h, "values": household_values(rng, a or m or 1), "updated_by": "演示数据"}
        for h, a, m in rows
    ]
    for start in range(0, len(payload), 20000):
        conn.execute(insert(HouseholdIndicator), payload[start : start + 20000])
    for (village_id,) in conn.execute(
        select(Village.id)
        .join(Township, Township.id == Village.township_id)
        .where(Township.county_id == county_id, Village.is_poor_village.is_(True))
    ).all():
        conn.execute(
            update(Village).where(Village.id == village_id).values(indicators=village_values(rng))
        )
    return len(payload)


def _household(rng: random.Random, code: str, village_id: int, issued: set[str]) -> HouseholdData:
    surname = rng.choice(SURNAMES)
    size = rng.choices((1, 2, 3, 4, 5, 6), weights=(12, 22, 26, 22, 12, 6))[0]
    head_age = rng.randint(30, 80)
    members = []
    for i in range(size):
        age = (
            head_age
            if i == 0
            else (head_age + rng.randint(-4, 4) if i == 1 else rng.randint(2, 40))
        )
        age = max(1, min(age, head_age - 18)) if i >= 2 else age
        sex = ("男" if rng.random() < 0.85 else "女") if i == 0 else rng.choice(("男", "女"))
        if i == 1:
            sex = "女" if members[0].sex == "男" else "男"
        birth = datetime.date(2017 - age, rng.randint(1, 12), rng.randint(1, 28))
        seq = rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
        number = make_id(REGION, birth, seq)
        while number in issued:
            seq = (seq + 2) % 1000
            number = make_id(REGION, birth, seq)
        issued.add(number)
        relation = ("户主", "配偶")[i] if i < 2 else ("之子" if sex == "男" else "之女")
        members.append(
            MemberData(
                name=(surname if i != 1 else rng.choice(SURNAMES)) + rng.choice(GIVEN),
                id_number=number,
                sex=sex,
                relation=relation,
                birth_date=birth,
                ethnicity="汉族",
                political_status="群众",
                ins_resident_medical=True,
            )
        )
    registered = rng.random() < 0.45
    exit_year = (
        rng.choices((2014, 2015, 2016, None), weights=(25, 30, 35, 10))[0] if registered else None
    )
    return HouseholdData(
        code=code,
        village_id=village_id,
        group_name=f"{rng.randint(1, 8)}组",
        poverty_kind=rng.choice(("一般贫困户", "低保贫困户")) if registered else "",
        is_registered=registered,
        exit_year=exit_year,
        count_hukou=size,
        count_card=size if registered else None,
        count_actual=size,
        members=members,
    )


def demo_size(households: int) -> int:
    """Households of the Sichuan township next to a Hunan demo of `households`."""
    return min(600, max(160, households // 5))


def add_sichuan_demo(engine: Engine, seed: int, households: int = 600) -> int:
    """Write the 青神县 township, its campaign and their indicator values; return the county id."""
    rng = random.Random(seed + 17)
    issued: set[str] = set()
    with engine.begin() as conn:
        county_id = conn.execute(
            insert(County).values(name=COUNTY, province=PROVINCE, city=CITY)
        ).inserted_primary_key[0]
        township_id = conn.execute(
            insert(Township).values(county_id=county_id, name=TOWNSHIP)
        ).inserted_primary_key[0]
        # Not current: the Hunan campaign stays the one the household forms are filled for.
        conn.execute(
            insert(Campaign).values(
                name=CAMPAIGN_NAME,
                province_profile="sichuan",
                standard_year=2017,
                income_threshold=3100.0,
                income_formula=FORMULA_NET_PER_CAPITA,
                start_date=datetime.date(2017, 6, 2),
                end_date=datetime.date(2017, 11, 30),
                is_current=False,
                county_id=county_id,
                thresholds={},
                standard_revision=1,
            )
        )
        data: list[HouseholdData] = []
        per_village = max(1, households // len(VILLAGES))
        for index, (name, exit_year) in enumerate(VILLAGES, 1):
            code = f"{REGION}105{200 + index:03d}"
            village_id = conn.execute(
                insert(Village).values(
                    township_id=township_id,
                    name=name,
                    code=code,
                    is_poor_village=exit_year is not None,
                    exit_year=exit_year,
                    indicators={},
                    note="",
                )
            ).inserted_primary_key[0]
            for n in range(1, per_village + 1):
                data.append(_household(rng, f"{code}{n:04d}", village_id, issued))
        write_households(conn, data)
        fill_indicator_values(conn, county_id, seed)
    with Database(engine).unit_of_work() as s:
        seed_reference_data(s)
        units = {u.name: u for u in s.scalars(select(Unit))}
        for name, leader, position in DEPARTMENT_HEADS + OTHER_HEADS:
            unit = units.get(name)
            if unit is None:
                unit = Unit(name=name, kind="县直部门", phone="", note="")
                s.add(unit)
                s.flush()
            s.add(Person(unit_id=unit.id, name=leader, position=position, phone=""))
    return county_id
