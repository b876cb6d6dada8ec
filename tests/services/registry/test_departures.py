"""A member who leaves a household, by an edit, a re-import or a deletion, is kept as former."""

from __future__ import annotations

import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.comparison import FormerMember
from desktop.models.registry import Household
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import make_id
from desktop.services.registry.service import RegistryService
from desktop.services.registry.writer import write_households
from desktop.services.unit_of_work import Database

HEAD_ID = make_id("441521", datetime.date(1970, 3, 1), 11)
SON_ID = make_id("441521", datetime.date(1995, 8, 9), 13)


def _household(village_id, with_son=True):
    members = [MemberData(name="林大", id_number=HEAD_ID, sex="男", relation="户主")]
    if with_son:
        members.append(MemberData(name="林小", id_number=SON_ID, sex="男", relation="之子"))
    return HouseholdData(code="H001", village_id=village_id, members=members)


def _formers(engine):
    with Session(engine) as s:
        return s.scalars(select(FormerMember).order_by(FormerMember.id)).all()


def test_a_member_removed_in_the_dialog_is_kept(engine):
    registry = RegistryService(Database(engine))
    township = registry.create_township("海丰县", "梅陇镇")
    village = registry.save_village(township_id=township, name="新村")
    household_id = registry.save_household(_household(village))
    data = registry.get_household(household_id)
    data.members = data.members[:1]
    registry.save_household(data)
    [former] = _formers(engine)
    assert (former.name, former.id_number, former.household_id) == ("林小", SON_ID, household_id)
    assert former.household_code == "H001"
    assert former.birth_date == datetime.date(1995, 8, 9)
    assert former.left_on == datetime.date.today()


def test_a_reimport_keeps_who_is_missing_and_not_who_stays(engine):
    registry = RegistryService(Database(engine))
    township = registry.create_township("海丰县", "梅陇镇")
    village = registry.save_village(township_id=township, name="新村")
    with engine.begin() as conn:
        write_households(conn, [_household(village)])
    with engine.begin() as conn:
        write_households(conn, [_household(village, with_son=False)])
    assert [f.name for f in _formers(engine)] == ["林小"]


def test_deleting_a_household_keeps_its_members(engine):
    registry = RegistryService(Database(engine))
    township = registry.create_township("海丰县", "梅陇镇")
    village = registry.save_village(township_id=township, name="新村")
    household_id = registry.save_household(_household(village))
    registry.delete_household(household_id)
    formers = _formers(engine)
    assert sorted(f.name for f in formers) == ["林大", "林小"]
    assert {f.household_code for f in formers} == {"H001"}
    with Session(engine) as s:
        assert s.get(Household, household_id) is None
