"""A clerk granted some townships sees and changes only those; an administrator sees all."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select

from desktop.errors import PermissionDeniedError
from desktop.models.registry import Household
from desktop.models.safety import ROLE_ADMIN, ROLE_CLERK, AuditEntry, UserTownship
from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.problems.data import ProblemData
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.service import RegistryError
from desktop.services.roster.export import count_export_rows, roster_rows

OTHER = "西河镇"


def _new(code: str, village_id: int) -> HouseholdData:
    head = MemberData(name="周河", sex="男", relation="户主")
    return HouseholdData(
        code=code, village_id=village_id, members=[head], is_registered=True,
        poverty_kind="一般贫困户", exit_year=2016,
    )  # fmt: skip


@pytest.fixture
def county(demo_engine):
    """The demo township (A) and a second township (B) with one village and one household."""
    services = AppServices(demo_engine)
    admin = services.auth.create_first_admin("县管理员", "secret-1")
    services.user = admin
    (a_id, a_name), *_ = services.registry.townships()
    county_name = services.registry.get_household(
        services.registry.household_rows(limit=1)[0].id
    ).county_name
    b_id = services.registry.create_township(county_name, OTHER)
    village = services.registry.save_village(township_id=b_id, name="河口村", code="901")
    household = services.registry.save_household(_new("901001", village))
    clerk_id = services.auth.add_user(admin, "李录入", ROLE_CLERK, "secret-2")
    services.auth.set_townships(admin, clerk_id, [a_id])
    return services, admin, (a_id, a_name), (b_id, village, household)


def _clerk(services: AppServices) -> CurrentUser:
    clerk = services.auth.sign_in("李录入", "secret-2")
    services.user = clerk
    return clerk


def test_a_clerk_sees_only_the_granted_township(county):
    services, _admin, (a_id, a_name), (b_id, b_village, b_household) = county
    every = len(services.registry.household_rows())
    clerk = _clerk(services)
    assert clerk.townships == {a_id}
    rows = services.registry.household_rows()
    assert len(rows) == every - 1
    assert b_household not in {r.id for r in rows}
    assert services.registry.townships() == [(a_id, a_name)]
    assert b_village not in {v.id for v in services.registry.village_summaries()}
    townships = [t for county in services.registry.tree() for t in county.children]
    assert [t.name for t in townships] == [a_name]
    assert services.registry.household_ids_in("township", b_id) == set()
    assert services.registry.find_household_id("901001") is None


def test_a_clerk_cannot_save_or_delete_another_townships_household(county):
    services, _admin, _a, (_b_id, b_village, b_household) = county
    data = services.registry.get_household(b_household)  # opened before the grant
    _clerk(services)
    data.note = "改一下"
    with pytest.raises(PermissionDeniedError, match=f"“{OTHER}”不在您的授权乡镇内"):
        services.registry.save_household(data)
    with pytest.raises(PermissionDeniedError, match=OTHER):
        services.registry.save_household(_new("901002", b_village))
    with pytest.raises(PermissionDeniedError, match=OTHER):
        services.registry.delete_household(b_household)
    with services.db.session() as s:
        assert s.get(Household, b_household).note == ""


def test_a_clerk_cannot_move_a_household_into_another_township(county):
    services, _admin, _a, (_b_id, b_village, _b_household) = county
    _clerk(services)
    data = services.registry.get_household(services.registry.household_rows(limit=1)[0].id)
    data.village_id = b_village
    with pytest.raises(PermissionDeniedError, match=OTHER):
        services.registry.save_household(data)


def test_a_household_code_of_another_township_is_still_taken(county):
    services, *_ = county
    village = services.registry.household_rows(limit=1)[0].village_id
    _clerk(services)
    with pytest.raises(RegistryError, match="户编号 901001 已被另一户使用"):
        services.registry.save_household(_new("901001", village))


def test_a_clerk_still_saves_households_of_the_granted_township(county):
    services, *_ = county
    _clerk(services)
    data = services.registry.get_household(services.registry.household_rows(limit=1)[0].id)
    data.note = "已核实"
    services.registry.save_household(data)
    assert services.registry.get_household(data.id).note == "已核实"


def test_problems_of_another_township_are_hidden_and_refused(county):
    services, admin, _a, (_b_id, b_village, b_household) = county
    problem = ProblemData(
        found_date=datetime.date(2020, 5, 1), source="回头看排查", scope="户",
        household_id=b_household, village_id=b_village, description="住房漏雨",
        measures="当场修补",
        kind="立行立改",
    )  # fmt: skip
    problem_id = services.problems.save(problem, admin.name)
    assert problem_id in {r.id for r in services.problems.rows()}
    _clerk(services)
    assert problem_id not in {r.id for r in services.problems.rows()}
    problem.description = "饮水不安全"
    with pytest.raises(PermissionDeniedError, match=OTHER):
        services.problems.save(problem, "李录入")


def test_an_administrator_sees_every_township(county):
    services, admin, _a, (_b_id, _village, b_household) = county
    assert admin.townships == frozenset()
    services.auth.set_townships(admin, admin.id, [])
    services.user = services.auth.sign_in("县管理员", "secret-1")
    assert b_household in {r.id for r in services.registry.household_rows()}


def test_the_grant_is_listed_and_logged(county):
    services, admin, (a_id, a_name), (b_id, *_) = county
    clerk = next(u for u in services.auth.users() if u.name == "李录入")
    assert clerk.townships == ((a_id, a_name),)
    assert clerk.townships_label == a_name
    services.auth.set_townships(admin, clerk.id, [a_id, b_id])
    services.auth.set_townships(admin, clerk.id, [])
    clerk = next(u for u in services.auth.users() if u.name == "李录入")
    assert clerk.townships_label == "全部乡镇"
    with services.db.session() as s:
        assert not s.scalars(select(UserTownship)).all()
        notes = s.scalars(
            select(AuditEntry.note).where(AuditEntry.note.like("乡镇授权%")).order_by(AuditEntry.id)
        ).all()
        tables = set(s.scalars(select(AuditEntry.table_name)))
    assert notes[0].startswith(f"乡镇授权：全部乡镇 → {a_name}")
    assert notes[-1].startswith(f"乡镇授权：{a_name}、{OTHER} → 全部乡镇")
    assert "user_township" in tables  # the rows themselves, by the audit listener


def test_only_an_administrator_grants_townships(county):
    services, _admin, _a, _b = county
    clerk = _clerk(services)
    with pytest.raises(PermissionDeniedError):
        services.auth.set_townships(clerk, clerk.id, [])
    assert clerk.role != ROLE_ADMIN


def test_exports_and_summaries_leave_out_other_townships(county):
    services, _admin, _a, (_b_id, _village, b_household) = county
    campaign = services.registry.current_campaign_id()

    def evaluated() -> set[int]:
        return {r.household_id for r in services.standards.evaluate(campaign).households}

    def exported() -> set[str]:
        return {row[6] for row in roster_rows(services.db)}

    assert b_household in evaluated()
    assert "周河" in exported()
    every = count_export_rows(services.db)
    _clerk(services)
    assert b_household not in evaluated()
    assert "周河" not in exported()
    assert count_export_rows(services.db) == every - 1


def test_forms_of_another_township_are_hidden_and_locked_to_the_clerk(county):
    from desktop.models.campaign import FormRecord

    services, _admin, _a, (_b_id, _village, b_household) = county
    campaign = services.registry.current_campaign_id()
    with services.db.unit_of_work() as s:
        record = FormRecord(household_id=b_household, campaign_id=campaign, form_code="collection")
        s.add(record)
        s.flush()
        record_id = record.id
    assert b_household in services.forms.form_states(campaign, "collection")
    _clerk(services)
    assert b_household not in services.forms.form_states(campaign, "collection")
    with services.db.session() as s:
        assert s.scalars(select(FormRecord.id).where(FormRecord.id == record_id)).all() == []
    with pytest.raises(PermissionDeniedError, match=OTHER), services.db.unit_of_work() as s:
        s.get(FormRecord, record_id).note = "改一下"
