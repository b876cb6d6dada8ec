"""A small registered village for the comparison tests: every way a hit can come about."""

from __future__ import annotations

import datetime

from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import make_id
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database

HEAD_ID = make_id("441521", datetime.date(1970, 3, 1), 11)  # matched by ID
WIFE_ID = make_id("441521", datetime.date(1972, 5, 1), 22)  # the department writes it in 15
SON_ID = make_id("441521", datetime.date(1995, 8, 9), 13)  # leaves the household
OLD_BIRTH = datetime.date(1941, 2, 3)  # 林婆婆: registered without an ID
OTHER_HEAD_ID = make_id("441521", datetime.date(1966, 1, 5), 31)


def to15(number: str) -> str:
    """Return the old 15-digit form of an 18-digit ID."""
    return number[:6] + number[8:17]


def build_village(engine) -> dict:
    """Two registered households and one 边缘户; the son of the first has left it."""
    registry = RegistryService(Database(engine))
    township = registry.create_township("海丰县", "梅陇镇")
    village = registry.save_village(township_id=township, name="新村")
    first = HouseholdData(
        code="H001",
        village_id=village,
        is_registered=True,
        poverty_kind="一般贫困户",
        members=[
            MemberData(name="林大", id_number=HEAD_ID, sex="男", relation="户主"),
            MemberData(name="陈花", id_number=WIFE_ID, sex="女", relation="配偶"),
            MemberData(name="林小", id_number=SON_ID, sex="男", relation="之子"),
            MemberData(name="林婆婆", sex="女", relation="之母", birth_date=OLD_BIRTH),
        ],
    )
    first_id = registry.save_household(first)
    data = registry.get_household(first_id)
    data.members = [m for m in data.members if m.name != "林小"]
    registry.save_household(data)
    second_id = registry.save_household(
        HouseholdData(
            code="H002",
            village_id=village,
            is_registered=True,
            poverty_kind="低保贫困户",
            members=[MemberData(name="黄二", id_number=OTHER_HEAD_ID, sex="男", relation="户主")],
        )
    )
    edge_id = registry.save_household(
        HouseholdData(
            code="H003",
            village_id=village,
            special_kind="边缘户",
            members=[
                MemberData(
                    name="吴三",
                    id_number=make_id("441521", datetime.date(1980, 6, 6), 41),
                    sex="男",
                    relation="户主",
                )
            ],
        )
    )
    return {"village": village, "first": first_id, "second": second_id, "edge": edge_id}
