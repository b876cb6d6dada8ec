"""StandardsService on the demo database: the Sichuan campaign, values, thresholds."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.registry import Household, Village
from desktop.services.standards.evaluate import STATUS_MET, STATUS_SHORT
from desktop.services.standards.service import StandardError, StandardsService
from desktop.services.unit_of_work import Database


@pytest.fixture
def service(sichuan_engine):
    return StandardsService(Database(sichuan_engine))


@pytest.fixture
def sichuan(service):
    return next(c for c in service.campaigns() if c.province_profile == "sichuan")


def _exited_household(engine, county_name="青神县", exit_year=2015):
    from desktop.models.registry import County, Township

    with Session(engine) as s:
        return s.scalar(
            select(Household.id)
            .join(Village)
            .join(Township)
            .join(County)
            .where(County.name == county_name, Household.exit_year == exit_year)
            .order_by(Household.id)
        )


def test_the_demo_has_a_sichuan_campaign_next_to_the_hunan_one(service, sichuan):
    assert sichuan.county_name == "青神县" and sichuan.standard_code == "sichuan_2017"
    assert any(c.county_name == "桃江县" for c in service.campaigns())
    evaluation = service.evaluate(sichuan.id)
    assert evaluation.households and evaluation.villages
    statuses = {r.status for r in evaluation.households}
    assert {STATUS_MET, STATUS_SHORT} <= statuses
    assert all(r.threshold.amount == 3100 for r in evaluation.households)


def test_saved_values_are_evaluated(service, sichuan, sichuan_engine):
    household_id = _exited_household(sichuan_engine)
    values = service.household_values(household_id)
    size = next(
        r.size for r in service.evaluate(sichuan.id).households if r.household_id == household_id
    )
    values.update(total_income=3100 * size + 500, operating_expense=500, housing_safe=False)
    service.save_household_values(household_id, values, "张三")
    result = next(
        r for r in service.evaluate(sichuan.id).households if r.household_id == household_id
    )
    assert result.income == 3100 and result.shortfalls == ("income", "housing_safe")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"total_income": "很多"}, "total_income", "总收入"),
        ({"operating_expense": -5}, "operating_expense", "负数"),
        ({"housing_safe": "是"}, "housing_safe", "是或否"),
        ({"compulsory_education": 1.5}, "compulsory_education", "人数"),
        ({"flying_car": True}, "flying_car", "没有这些指标"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(service, sichuan_engine, change, field, words):
    household_id = _exited_household(sichuan_engine)
    before = service.household_values(household_id)
    with pytest.raises(StandardError) as caught:
        service.save_household_values(household_id, {**before, **change}, "张三")
    assert caught.value.field == field and words in str(caught.value)
    assert service.household_values(household_id) == before


def test_a_threshold_change_re_evaluates_at_once(service, sichuan):
    before = service.evaluate(sichuan.id)
    short_before = sum("income" in r.shortfalls for r in before.households)
    service.set_threshold(sichuan.id, 2016, 6000)
    after = service.evaluate(sichuan.id)
    assert service.campaign(sichuan.id).standard_revision == sichuan.standard_revision + 1
    assert all(r.threshold.amount == 6000 for r in after.households)
    assert sum("income" in r.shortfalls for r in after.households) > short_before
    service.set_threshold(sichuan.id, 2016, None)  # back to the file's 3100
    assert all(r.threshold.amount == 3100 for r in service.evaluate(sichuan.id).households)
    with pytest.raises(StandardError, match="2013"):
        service.set_threshold(sichuan.id, 2013, 3000)


def test_village_values_are_checked_and_saved(service, sichuan, sichuan_engine):
    village_id = service.evaluate(sichuan.id).villages[0].village_id
    with pytest.raises(StandardError, match="百分数"):
        service.save_village_values(village_id, {"poverty_rate": 120})
    values = {
        "poverty_rate": 1.2, "leading_industry": True, "collective_income": False,
        "hardened_road": True, "clinic": True, "culture_room": True, "network": True,
    }  # fmt: skip
    service.save_village_values(village_id, values)
    result = next(v for v in service.evaluate(sichuan.id).villages if v.village_id == village_id)
    assert result.shortfalls == ("collective_income",)


def test_departments_come_from_seed_001_and_a_county_can_change_them(service, data_dir):
    from desktop.services.problems.service import ProblemService

    ProblemService(service.db, data_dir).ensure_reference_data()
    departments = service.departments()
    assert departments["住房安全有保障"] == ("县住建局", "县发改局", "县扶贫移民局")
    assert departments["有安全饮用水"] == ("县水务局",)
    service.set_departments("有安全饮用水", "县水务局、县自来水公司")
    assert service.departments()["有安全饮用水"] == ("县水务局", "县自来水公司")
