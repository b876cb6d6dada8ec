"""Two clerks save the same household: the second sees both versions field by field and chooses."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.registry import Household, Member
from desktop.services.actor import Actor
from desktop.services.registry.data import MemberData
from desktop.services.registry.service import RegistryService, StaleHouseholdError
from desktop.services.unit_of_work import Database
from tests.services.registry.test_service import _household


@pytest.fixture
def clerks(engine):
    """Two clerks' registries on one database, each logged under their own name."""
    first = RegistryService(Database(engine, lambda: Actor("王录入")))
    second = RegistryService(Database(engine, lambda: Actor("李录入")))
    return first, second


@pytest.fixture
def household_id(clerks):
    first, _second = clerks
    township = first.create_township("桃江县", "桃花江镇")
    village = first.save_village(township_id=township, name="花园村", code="430922100201")
    return first.save_household(_household(village))


def test_the_second_save_is_refused_and_shows_both_versions(clerks, household_id):
    first, second = clerks
    opened = second.get_household(household_id)  # the second clerk opens it …
    theirs = first.get_household(household_id)  # … and so does the first, who saves first
    theirs.phone, theirs.bank_name = "13900000001", "农村信用社"
    theirs.members[1].education = "初中"
    first.save_household(theirs)

    mine = copy.deepcopy(opened)
    mine.phone, mine.note = "13700000002", "户主口述"
    mine.members[0].name = "张叁"
    mine.members.append(MemberData(name="张小", relation="之子", sex="男"))
    with pytest.raises(StaleHouseholdError):
        second.save_household(mine)
    assert first.get_household(household_id).phone == "13900000001"  # nothing overwritten

    conflict = second.household_conflict(opened, mine)
    assert conflict.saved_by == "王录入" and conflict.theirs.version == opened.version + 1
    assert "王录入" in conflict.summary and f"第 {opened.version + 1} 版" in conflict.summary
    rows = {d.label: d for d in conflict.differences}
    phone = rows["联系电话"]
    assert (phone.opened, phone.mine, phone.theirs) == ("13800000000", "13700000002", "13900000001")
    assert phone.changed_by == "双方" and phone.merged == "13700000002"
    assert rows["开户银行"].changed_by == "对方" and rows["开户银行"].merged == "农村信用社"
    assert rows["备注"].changed_by == "您"
    assert (rows["成员 张三 · 姓名"].opened, rows["成员 张三 · 姓名"].mine) == ("张三", "张叁")
    assert rows["成员 李四 · 文化程度"].theirs == "初中"
    assert (rows["成员 张小 · 是否在户"].mine, rows["成员 张小 · 是否在户"].theirs) == ("有", "无")

    # 以我的填写为准: the second clerk's entries, the first's other changes kept.
    second.save_household(conflict.merged)
    saved = first.get_household(household_id)
    assert saved.phone == "13700000002" and saved.note == "户主口述"
    assert saved.bank_name == "农村信用社" and saved.members[1].education == "初中"
    assert [m.name for m in saved.members] == ["张叁", "李四", "张小"]
    assert saved.version == opened.version + 2


def test_a_member_removed_by_one_and_edited_by_the_other_is_kept(clerks, household_id, engine):
    first, second = clerks
    opened = second.get_household(household_id)
    theirs = first.get_household(household_id)
    theirs.members = theirs.members[:1]  # the first clerk removes 李四
    first.save_household(theirs)
    mine = copy.deepcopy(opened)
    mine.members[1].education = "高中"
    with pytest.raises(StaleHouseholdError):
        second.save_household(mine)
    conflict = second.household_conflict(opened, mine)
    [present] = [d for d in conflict.differences if d.label == "成员 李四 · 是否在户"]
    assert (present.mine, present.theirs, present.merged) == ("有（您改过）", "无", "有（您改过）")
    second.save_household(conflict.merged)
    with Session(engine) as s:
        names = s.scalars(select(Member.name).where(Member.household_id == household_id)).all()
    assert sorted(names) == ["张三", "李四"]


def test_an_unchanged_member_removed_by_the_other_stays_removed(clerks, household_id):
    first, second = clerks
    opened = second.get_household(household_id)
    theirs = first.get_household(household_id)
    theirs.members = theirs.members[:1]
    first.save_household(theirs)
    mine = copy.deepcopy(opened)
    mine.phone = "13700000002"
    with pytest.raises(StaleHouseholdError):
        second.save_household(mine)
    conflict = second.household_conflict(opened, mine)
    second.save_household(conflict.merged)
    saved = first.get_household(household_id)
    assert [m.name for m in saved.members] == ["张三"] and saved.phone == "13700000002"


def test_a_household_read_earlier_in_the_same_unit_is_checked_as_locked(
    clerks, household_id, engine
):
    if engine.dialect.name != "postgresql":
        pytest.skip("two writers at once need the server (SQLite has one writer)")
    pytest.importorskip("psycopg")
    first, second = clerks
    opened = second.get_household(household_id)
    with pytest.raises(StaleHouseholdError), second.db.unit_of_work() as s:
        held = s.get(Household, household_id)  # in this unit's session, as a form's save reads it
        assert held.version == opened.version
        theirs = first.get_household(household_id)
        theirs.phone = "13900000001"
        first.save_household(theirs)  # committed on another connection meanwhile
        mine = copy.deepcopy(opened)
        mine.phone = "13700000002"
        second.save_household(mine)  # compares the version of the row it locks
    assert first.get_household(household_id).phone == "13900000001"
