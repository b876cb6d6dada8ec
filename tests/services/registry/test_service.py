"""The registry service: places, villages, households, members and their flags."""

from __future__ import annotations

import datetime

import pytest

from desktop.errors import StaleRecordError
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import make_id
from desktop.services.registry.rules import (
    FLAG_COUNT_MISMATCH,
    FLAG_INVALID_ID,
    FLAG_MISSING_PHONE,
    FLAG_SEX_MISMATCH,
    initials,
)
from desktop.services.registry.service import (
    RegistryError,
    RegistryService,
    validate_household,
)
from desktop.services.unit_of_work import Database


@pytest.fixture
def registry(engine):
    return RegistryService(Database(engine))


@pytest.fixture
def village_id(registry):
    township = registry.create_township("桃江县", "桃花江镇")
    return registry.save_village(township_id=township, name="花园村", code="430922100201")


def _household(village_id: int, code: str = "H001", **kw) -> HouseholdData:
    head = MemberData(
        name="张三", id_number=make_id("441521", datetime.date(1970, 3, 1), 11), sex="男",
        relation="户主",
    )  # fmt: skip
    wife = MemberData(
        name="李四", id_number=make_id("441521", datetime.date(1972, 5, 1), 22), sex="女",
        relation="配偶",
    )  # fmt: skip
    values = dict(code=code, village_id=village_id, phone="13800000000", members=[head, wife])
    values.update(kw)
    return HouseholdData(**values)


def test_create_township_names_the_window(registry):
    assert not registry.has_township()
    registry.create_township("桃江县", "桃花江镇")
    assert registry.has_township()
    assert registry.title() == "桃江县桃花江镇"
    with pytest.raises(RegistryError, match="已存在"):
        registry.create_township("桃江县", "桃花江镇")


def test_save_and_read_back_a_household(registry, village_id):
    household_id = registry.save_household(_household(village_id, group_name="3组"))
    data = registry.get_household(household_id)
    assert data.head_name == "张三"
    assert [m.name for m in data.members] == ["张三", "李四"]
    assert data.members[0].birth_date == datetime.date(1970, 3, 1)
    assert data.group_name == "3组"
    row = registry.household_rows()[0]
    assert row.member_count == 2 and row.flags == 0
    assert "zs" in row.search_text and "ls" in row.search_text


def test_flags_for_counts_phone_id_and_sex(registry, village_id):
    data = _household(village_id, phone="", count_hukou=2, count_actual=3)
    data.members[1].sex = "男"
    household_id = registry.save_household(data)
    flags = next(r.flags for r in registry.household_rows() if r.id == household_id)
    assert flags & FLAG_COUNT_MISMATCH
    assert flags & FLAG_MISSING_PHONE
    assert flags & FLAG_SEX_MISMATCH
    assert not flags & FLAG_INVALID_ID


def test_blocking_problems_refuse_the_save_and_write_nothing(registry, village_id):
    data = _household(village_id)
    data.members[1].relation = "户主"
    with pytest.raises(RegistryError, match="户主应有且只有一人"):
        registry.save_household(data)
    data = _household(village_id)
    data.members[0].id_number = data.members[0].id_number[:-1] + "0"
    problems = validate_household(data)
    if any(p.blocking for p in problems):
        with pytest.raises(RegistryError, match="校验码"):
            registry.save_household(data)
    assert registry.household_rows() == []


def test_count_disagreement_is_a_warning_that_names_the_counts(village_id):
    problems = validate_household(_household(village_id, count_hukou=2, count_actual=3))
    warning = next(p for p in problems if p.field == "counts")
    assert not warning.blocking
    assert "户口簿2人" in warning.message and "实际3人" in warning.message


def test_a_stale_record_is_not_overwritten(registry, village_id):
    household_id = registry.save_household(_household(village_id))
    first = registry.get_household(household_id)
    second = registry.get_household(household_id)
    first.phone = "13900000000"
    registry.save_household(first)
    second.phone = "13700000000"
    with pytest.raises(StaleRecordError):
        registry.save_household(second)
    assert registry.get_household(household_id).phone == "13900000000"


def test_village_delete_is_refused_while_households_remain(registry, village_id):
    household_id = registry.save_household(_household(village_id))
    with pytest.raises(RegistryError, match="还有 1 户"):
        registry.delete_village(village_id)
    registry.delete_household(household_id)
    registry.delete_village(village_id)
    assert registry.village_summaries() == []


def test_village_summaries_count_households_people_and_groups(demo_engine):
    registry = RegistryService(Database(demo_engine))
    summaries = registry.village_summaries()
    assert len(summaries) == 26
    assert sum(v.households for v in summaries) == 300
    rows = registry.household_rows()
    assert sum(v.people for v in summaries) == sum(r.member_count for r in rows)
    exited = sum(1 for r in rows if r.is_registered and r.exit_year)
    assert sum(v.exited_households for v in summaries) == exited


def test_tree_nests_county_township_villages_groups(demo_engine):
    tree = RegistryService(Database(demo_engine)).tree()
    county = tree[0]
    assert county.level == "county" and county.name == "桃江县"
    township = county.children[0]
    assert township.name == "桃花江镇" and len(township.children) == 26
    assert all(g.level == "group" for v in township.children for g in v.children)


def test_household_ids_in_a_village(demo_engine):
    registry = RegistryService(Database(demo_engine))
    village = registry.village_summaries()[0]
    ids = registry.household_ids_in("village", village.id)
    assert len(ids) == village.households


def test_initials_of_rare_and_compound_names():
    assert initials("张三") == "zs"
    assert initials("欧阳喆") == "oyz"
