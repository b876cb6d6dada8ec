"""A plausible demo township (or county) with valid ID numbers; same seed, same data."""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select

from desktop.models.campaign import FORMULA_NET_PER_CAPITA, Campaign
from desktop.models.registry import County, Township, Village
from desktop.models.setting import SETTING_DEMO, DatabaseSetting
from desktop.services.registry import codes
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import make_id
from desktop.services.registry.writer import collector_paused, write_households

COUNTY = "桃江县"
PROVINCE = "湖南省"
CITY = "益阳市"
TOWNSHIPS = (
    "桃花江镇", "修山镇", "三堂街镇", "马迹塘镇", "武潭镇", "大栗港镇", "灰山港镇", "石牛江镇",
    "松木塘镇", "鸬鹚渡镇", "牛田镇", "高桥乡", "浮邱山乡", "沾溪镇", "鲊埠回族乡",
)  # fmt: skip
VILLAGE_WORDS = (
    "花园", "桃花", "青山", "石门", "竹林", "双江", "金盆", "白石", "狮子", "龙口", "杨林",
    "凤凰", "新塘", "高峰", "黄泥", "枫树", "三星", "丰乐", "太平", "长坡", "栗山", "桥头",
    "南冲", "茶园", "大湾", "红旗", "沙田", "马头", "荷叶", "柳林", "清水", "团山",
)  # fmt: skip
SURNAMES = (
    "刘", "李", "王", "张", "陈", "杨", "周", "黄", "曾", "彭", "谢", "胡", "郭", "罗", "文",
    "汤", "莫", "熊", "符", "龚", "蔡", "肖", "贺", "邓", "姚", "夏", "孙", "丁", "欧阳", "司马",
)  # fmt: skip
GIVEN_CHARS = (
    "建国", "志强", "国华", "春梅", "秋菊", "桂英", "德清", "海平", "小红", "伟", "军", "芳",
    "丽", "明", "辉", "艳", "敏", "强", "勇", "娟", "平", "俊", "杰", "霞", "玲", "涛", "斌",
    "华", "燕", "鹏", "婷", "超", "磊", "琴", "镕", "堃", "喆", "淼", "子涵", "雨轩", "浩然",
    "梓萱", "思远", "佳怡", "金生", "福林", "满秀", "冬生", "爱华", "石保",
)  # fmt: skip
REGION_BEFORE_1994 = "432325"  # 桃江县 before the 1994 recoding
REGION_SINCE_1994 = "430922"


@dataclass
class DemoResult:
    """What the demo builder wrote."""

    townships: int
    villages: int
    households: int
    members: int
    sichuan_households: int = 0  # the 青神县 township beside the county


def _name(rng: random.Random, surname: str | None = None) -> str:
    surname = surname or rng.choice(SURNAMES)
    return surname + rng.choice(GIVEN_CHARS)


def _birth(rng: random.Random, age: int, today: datetime.date) -> datetime.date:
    year = today.year - age
    return datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))


def _unique_id(rng: random.Random, birth: datetime.date, sex: str, issued: set[str]) -> str:
    """Return an ID not handed out before in this build: a real ID number is unique."""
    region = REGION_BEFORE_1994 if birth.year < 1994 else REGION_SINCE_1994
    parity = 1 if sex == "男" else 0
    start = rng.randrange(0, 500)
    for step in range(500):
        number = make_id(region, birth, ((start + step) % 500) * 2 + parity)
        if number not in issued:
            issued.add(number)
            return number
    raise ValueError(f"演示数据：{birth} 出生的号码已用完")  # 500 per sex and day: never here


def _member(
    rng: random.Random,
    name: str,
    sex: str,
    relation: str,
    age: int,
    today: datetime.date,
    issued: set[str],
) -> MemberData:
    birth = _birth(rng, age, today)
    if age < 6:
        education, schooling = "学龄前儿童", "学前教育" if age >= 3 else "非在校生"
    elif age < 12:
        education, schooling = "小学", "小学"
    elif age < 15:
        education, schooling = "初中", "初中"
    elif age < 18:
        education, schooling = "初中", rng.choice(("高中", "中职"))
    else:
        education = rng.choices(codes.EDUCATIONS[1:], weights=(8, 30, 40, 12, 5, 3))[0]
        schooling = "非在校生"
    health = rng.choices(codes.HEALTHS, weights=(80, 10, 5, 5))[0]
    if age < 16 or health in ("患有大病",):
        labour = "无劳动力"
    elif age > 65 or health == "残疾":
        labour = rng.choice(("丧失劳动力", "弱劳动力或半劳动力"))
    else:
        labour = rng.choices(("普通劳动力", "技能劳动力"), weights=(85, 15))[0]
    work = "无"
    if labour in ("普通劳动力", "技能劳动力"):
        work = rng.choices(codes.WORK_STATUSES, weights=(30, 15, 15, 15, 20, 5))[0]
    return MemberData(
        name=name,
        id_number=_unique_id(rng, birth, sex, issued),
        sex=sex,
        relation=relation,
        ethnicity="汉族" if rng.random() > 0.02 else "回族",
        political_status="中共党员" if age > 30 and rng.random() < 0.05 else "群众",
        education=education,
        schooling=schooling,
        health=health,
        labour_ability=labour,
        work_status=work,
        work_months=rng.randint(3, 12) if work not in ("无", "其他") else None,
        ins_serious_illness=rng.random() < 0.95,
        ins_resident_medical=rng.random() < 0.97,
        ins_resident_pension=age >= 16 and rng.random() < 0.85,
        birth_date=birth,
    )


def _household(
    rng: random.Random, code: str, group: str, today: datetime.date, issued: set[str]
) -> HouseholdData:
    surname = rng.choice(SURNAMES)
    head_sex = "男" if rng.random() < 0.85 else "女"
    head_age = rng.randint(28, 85)
    members = [_member(rng, _name(rng, surname), head_sex, "户主", head_age, today, issued)]
    size = rng.choices((1, 2, 3, 4, 5, 6, 7), weights=(10, 18, 22, 24, 15, 8, 3))[0]
    if size >= 2:
        spouse_sex = "女" if head_sex == "男" else "男"
        members.append(
            _member(
                rng, _name(rng), spouse_sex, "配偶", head_age + rng.randint(-5, 5), today, issued
            )
        )
    for _ in range(size - len(members)):
        child_sex = rng.choice(codes.SEXES)
        if head_age > 60 and rng.random() < 0.5:
            relation = "之孙子" if child_sex == "男" else "之孙女"
            age = rng.randint(1, 17)
        else:
            relation = "之子" if child_sex == "男" else "之女"
            age = max(0, min(head_age - 20, rng.randint(0, 40)))
        members.append(_member(rng, _name(rng, surname), child_sex, relation, age, today, issued))
    registered = rng.random() < 0.8
    if registered:
        poverty_kind = rng.choices(codes.POVERTY_KINDS, weights=(70, 22, 8))[0]
        special_kind = ""
        exit_year = rng.choices((*codes.EXIT_YEARS, None), weights=(8, 12, 16, 20, 22, 12, 4, 6))[0]
    else:
        poverty_kind = ""
        special_kind = rng.choices((*codes.SPECIAL_KINDS, ""), weights=(40, 25, 8, 12, 10, 5))[0]
        exit_year = None
    n = len(members)
    income = round(rng.uniform(3000, 14000) if exit_year else rng.uniform(2500, 6000), 2)
    causes = rng.sample(codes.POVERTY_CAUSES, k=rng.choice((1, 1, 2))) if registered else []
    phone = "1" + rng.choice("35789") + "".join(rng.choice("0123456789") for _ in range(9))
    if rng.random() < 0.03:
        phone = ""  # a realistic defect: the phone is missing
    counts = [n, n, None, n]
    if rng.random() < 0.02:
        counts[3] = max(1, n + rng.choice((-1, 1)))  # the family changed since registration
    if rng.random() < 0.003:
        members[0].sex = "女" if members[0].sex == "男" else "男"  # a typing slip
    return HouseholdData(
        code=code,
        group_name=group,
        poverty_kind=poverty_kind,
        special_kind=special_kind,
        is_registered=registered,
        exit_year=exit_year,
        income_per_capita=income,
        phone=phone,
        helper_name=_name(rng) if registered else "",
        helper_phone=("139" + "".join(rng.choice("0123456789") for _ in range(8)))
        if registered
        else "",
        poverty_causes=causes,
        count_hukou=counts[0],
        count_card=counts[1] if registered else None,
        count_system=counts[2],
        count_actual=counts[3],
        members=members,
    )


def build_demo(
    engine: Engine,
    households: int = 3000,
    seed: int = 2020,
    progress: Callable[[int, int], bool] | None = None,
    data_dir: Path | None = None,
    sichuan: bool = True,
) -> DemoResult:
    """Write a demo county into an empty (migrated) database, with forms and problems, and
    (unless `sichuan` is false) a township of 青神县 with its 2017 campaign beside it.

    Evidence files of the demo problems go to `data_dir` (default: the user's data folder).
    """
    with collector_paused():  # millions of objects, no cycles: see registry_writer
        result = _build_demo(engine, households, seed, progress, data_dir)
    if sichuan:
        from desktop.demo.sichuan import add_sichuan_demo, demo_size

        # seed 001's tables need a Sichuan township beside the Hunan one
        result.sichuan_households = demo_size(households)
        add_sichuan_demo(engine, seed, result.sichuan_households)
    return result


def _build_demo(
    engine: Engine,
    households: int,
    seed: int,
    progress: Callable[[int, int], bool] | None,
    data_dir: Path | None,
) -> DemoResult:
    rng = random.Random(seed)
    issued: set[str] = set()
    today = datetime.date(2020, 4, 1)  # the campaign's date, so that ages do not drift yearly
    per_township = 3000 if households <= 7000 else 7000
    township_count = min(len(TOWNSHIPS), max(1, math.ceil(households / per_township)))
    with engine.begin() as conn:
        if conn.execute(select(County.id)).first() is not None:
            raise ValueError("数据库中已有数据，演示数据只能写入空数据库")
        # Marked in the same transaction as its first row: a demo file always says so.
        conn.execute(
            insert(DatabaseSetting).values(key=SETTING_DEMO, value=f"{COUNTY} seed={seed}")
        )
        county_id = conn.execute(
            insert(County).values(name=COUNTY, province=PROVINCE, city=CITY)
        ).inserted_primary_key[0]
        conn.execute(
            insert(Campaign).values(
                name="2020年脱贫质量“回头看”",
                province_profile="hunan",
                standard_year=2020,
                income_threshold=4000.0,
                income_formula=FORMULA_NET_PER_CAPITA,
                start_date=datetime.date(2020, 4, 1),
                end_date=datetime.date(2020, 6, 15),
                is_current=True,
                county_id=county_id,
            )
        )
        all_households: list[HouseholdData] = []
        village_total = 0
        remaining = households
        for t_index in range(township_count):
            share = remaining // (township_count - t_index)
            remaining -= share
            township_id = conn.execute(
                insert(Township).values(county_id=county_id, name=TOWNSHIPS[t_index])
            ).inserted_primary_key[0]
            village_count = 26 if t_index == 0 else rng.randint(15, 30)
            words = rng.sample(VILLAGE_WORDS, k=min(village_count, len(VILLAGE_WORDS)))
            weights = [rng.uniform(0.5, 1.5) for _ in words]
            scale = share / sum(weights)
            sizes = [max(1, round(w * scale)) for w in weights]
            sizes[-1] = max(1, share - sum(sizes[:-1]))
            for v_index, (word, size) in enumerate(zip(words, sizes, strict=True), 1):
                village_code = f"430922{100 + t_index:03d}{200 + v_index:03d}"
                is_poor = rng.random() < 0.3
                village_id = conn.execute(
                    insert(Village).values(
                        township_id=township_id,
                        name=f"{word}村",
                        code=village_code,
                        is_poor_village=is_poor,
                        exit_year=rng.choice((2017, 2018, 2019)) if is_poor else None,
                        indicators={},
                        note="",
                    )
                ).inserted_primary_key[0]
                village_total += 1
                groups = [f"{n}组" for n in range(1, rng.randint(6, 14))]
                for h_index in range(1, size + 1):
                    data = _household(
                        rng, f"{village_code}{h_index:04d}", rng.choice(groups), today, issued
                    )
                    data.village_id = village_id
                    all_households.append(data)
        result = write_households(conn, all_households, progress=progress)
    from desktop.demo.forms import add_demo_forms
    from desktop.demo.problems import add_demo_problems

    add_demo_forms(engine, seed)
    from desktop.demo.teams import add_demo_teams

    add_demo_teams(engine, seed, _name)  # seed 003's teams and questionnaires, for 桃花江镇
    from desktop.demo.teams import add_demo_double_entry

    add_demo_double_entry(engine, seed)  # a recorded draw, second entries, error rates

    # Problems are dated relative to the real today, so that overdue and due-this-week lists
    # have something true to show whenever the demo is opened.
    add_demo_problems(engine, seed, count=max(20, min(200, households // 15)), data_dir=data_dir)
    from desktop.demo.inspections import add_demo_rounds

    add_demo_rounds(engine, seed, data_dir=data_dir)
    from desktop.demo.comparison import add_demo_comparison

    add_demo_comparison(engine, seed, data_dir=data_dir)
    return DemoResult(township_count, village_total, result.created, result.members)
