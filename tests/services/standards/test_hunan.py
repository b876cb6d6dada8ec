"""Hunan (seed 003, 桃花江镇 2020): its own standard, from what the plan and questionnaire say."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.registry import County, Household, Township, Village
from desktop.services.standards.evaluate import (
    STATUS_INCOMPLETE,
    STATUS_MET,
    STATUS_SHORT,
    evaluate_households,
    threshold_for,
)
from desktop.services.standards.service import StandardsService
from desktop.services.standards.standard import load_standard
from desktop.services.unit_of_work import Database

HUNAN_OK = {
    "enough_food": True, "enough_clothing": True, "compulsory_education": True,
    "basic_medical": True, "housing_safe": True, "safe_water": True,
}  # fmt: skip
INCOMES = {"wage_income": 0, "operating_income": 0, "property_income": 0, "transfer_income": 0}


def test_the_standard_has_no_figure_because_the_plan_gives_none():
    s = load_standard("hunan_2020")
    assert s.province == "湖南省" and "桃镇政发〔2020〕11号" in s.title
    # “按照省扶贫办统一制定的‘回头看’指标体系执行”: no amount in the seed, so none here.
    assert s.income.standards_by_year == {2020: None}
    for exit_year in (2014, 2016, 2019, 2020, None):  # 已脱贫户 and 未脱贫户 alike
        assert threshold_for(s.income, exit_year, {}) == (2020, None)
    assert "未写明标准金额" in s.income.rule_text
    assert s.village_set is None  # 贫困村退出核实表 is named, not given


def test_the_household_set_follows_questionnaire_1():
    s = load_standard("hunan_2020")
    assert s.household_set.name == "两不愁三保障"
    assert [i.label for i in s.household_set.indicators] == [
        "人均纯收入达到省定脱贫标准", "不愁吃", "不愁穿", "义务教育有保障", "基本医疗有保障",
        "住房安全有保障", "饮水安全有保障",
    ]  # fmt: skip
    assert s.income.add == ("wage_income", "operating_income", "property_income", "transfer_income")
    assert s.income.subtract == ("operating_expense",)
    assert "A级或B级" in s.household_set.get("housing_safe").definition
    assert "送教上门视同在校" in s.household_set.get("compulsory_education").definition
    assert "800米" in s.household_set.get("safe_water").definition


def _hunan(per_head, overrides, size=3, **changes):
    values = {**INCOMES, "wage_income": per_head * size + 1000, "operating_expense": 1000}
    values.update(HUNAN_OK, **changes)
    [result] = evaluate_households(
        load_standard("hunan_2020"), [(1, 1, None, size, values)], overrides
    )
    return result


def test_income_waits_for_the_administrators_figure_then_each_side_of_it():
    assert _hunan(9000, {}).status == STATUS_INCOMPLETE  # never 达标 on a missing line
    assert _hunan(9000, {}).missing == ("income",)
    line = {2020: 4000.0}  # what an administrator types: the seed has no figure
    assert _hunan(4000.5, line).status == STATUS_MET
    assert _hunan(4000, line).shortfalls == ("income",)
    assert _hunan(5000, line, housing_safe=False).shortfalls == ("housing_safe",)
    unassessed = _hunan(5000, line, housing_safe=None)  # ③未鉴定过: not yet known
    assert unassessed.status == STATUS_INCOMPLETE and unassessed.missing == ("housing_safe",)


@pytest.fixture
def service(sichuan_engine):
    return StandardsService(Database(sichuan_engine))


def test_the_demos_hunan_campaign_is_evaluated_against_its_own_standard(service, sichuan_engine):
    hunan = next(c for c in service.campaigns() if c.county_name == "桃江县")
    assert hunan.standard_code == "hunan_2020"
    evaluation = service.evaluate(hunan.id)
    assert evaluation.standard.code == "hunan_2020"
    in_taojiang = (
        select(Household.id).join(Village).join(Township).join(County)
        .where(County.name == "桃江县")
    )  # fmt: skip
    with Session(sichuan_engine) as s:
        registered = s.scalars(in_taojiang.where(Household.is_registered.is_(True))).all()
        exited = s.scalar(in_taojiang.where(Household.exit_year.is_not(None)))
    assert sorted(r.household_id for r in evaluation.households) == sorted(registered)
    assert exited in registered  # 已脱贫户 are checked too (seed 003)
    service.set_threshold(hunan.id, 2020, 4000)
    values = {**INCOMES, "wage_income": 20000.0, "operating_expense": 0.0, **HUNAN_OK}
    service.save_household_values(exited, values, "复核员")
    result = next(r for r in service.evaluate(hunan.id).households if r.household_id == exited)
    assert result.threshold == (2020, 4000.0)
    assert result.status == (STATUS_MET if result.income > 4000 else STATUS_SHORT)
