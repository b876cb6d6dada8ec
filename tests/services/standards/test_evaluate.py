"""Evaluation against the standards, with households on each side of every line."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.services.standards.evaluate import (
    STATUS_INCOMPLETE,
    STATUS_MET,
    STATUS_SHORT,
    evaluate_households,
    evaluate_villages,
)
from desktop.services.standards.standard import load_standard

SICHUAN_OK = {
    "food_clothing": True, "compulsory_education": 0, "basic_medical": 0, "housing_safe": True,
    "safe_water": True, "electricity": True, "broadcast_tv": True,
}  # fmt: skip


def _sichuan(per_head, exit_year=2015, size=4, overrides=None, **changes):
    values = {"total_income": per_head * size + 2000, "operating_expense": 2000, **SICHUAN_OK}
    values.update(changes)
    [result] = evaluate_households(
        load_standard("sichuan_2017"), [(1, 1, exit_year, size, values)], overrides
    )
    return result


@pytest.mark.parametrize("exit_year", [2014, 2015, 2016])
@pytest.mark.parametrize(
    ("per_head", "status"), [(3100.25, STATUS_MET), (3100, STATUS_SHORT), (3099.75, STATUS_SHORT)]
)
def test_exits_2014_to_2016_on_each_side_of_3100(exit_year, per_head, status):
    result = _sichuan(per_head, exit_year)
    assert result.income == per_head  # (总收入 − 生产经营性支出) ÷ 家庭人口数
    assert result.threshold.amount == 3100
    assert result.status == status
    assert (result.shortfalls == ("income",)) == (status == STATUS_SHORT)


def test_later_exits_meet_their_own_years_standard():
    overrides = {2017: 3300.0, 2019: 3750.0}
    assert _sichuan(3200, 2016, overrides=overrides).status == STATUS_MET
    assert _sichuan(3200, 2017, overrides=overrides).shortfalls == ("income",)
    assert _sichuan(3400, 2017, overrides=overrides).status == STATUS_MET
    assert _sichuan(3700, 2019, overrides=overrides).shortfalls == ("income",)
    assert _sichuan(3800, 2019, overrides=overrides).status == STATUS_MET


def test_an_unset_years_standard_leaves_income_unevaluated_not_passed():
    result = _sichuan(9000, 2018)
    assert result.status == STATUS_INCOMPLETE and result.missing == ("income",)


@pytest.mark.parametrize(
    ("code", "short_value", "ok_value"),
    [
        ("food_clothing", False, True),
        ("compulsory_education", 1, 0),
        ("basic_medical", 2, 0),
        ("housing_safe", False, True),
        ("safe_water", False, True),
        ("electricity", False, True),
        ("broadcast_tv", False, True),
    ],
)
def test_each_of_the_six_haves_on_each_side(code, short_value, ok_value):
    assert _sichuan(5000, **{code: short_value}).shortfalls == (code,)
    assert _sichuan(5000, **{code: ok_value}).status == STATUS_MET


def test_several_shortfalls_come_in_the_papers_order_and_missing_is_not_met():
    result = _sichuan(3000, broadcast_tv=False, housing_safe=False, safe_water=None)
    assert result.shortfalls == ("income", "housing_safe", "broadcast_tv")
    assert result.missing == ("safe_water",)
    assert result.status == STATUS_SHORT
    nothing = evaluate_households(load_standard("sichuan_2017"), [(2, 1, 2015, 3, None)])[0]
    assert nothing.status == STATUS_INCOMPLETE and nothing.income is None


GUANGDONG_OK = {
    "safe_housing": True, "safe_water": True, "electricity": True, "tv_signal": True,
    "network_signal": True, "education": True, "medical": True, "stable_income": True,
}  # fmt: skip


@pytest.mark.parametrize(
    ("per_head", "status"), [(4000, STATUS_MET), (4000.5, STATUS_MET), (3999.5, STATUS_SHORT)]
)
def test_guangdong_4000_at_2014_prices(per_head, status):
    values = {"disposable_income": per_head * 3, **GUANGDONG_OK}
    [result] = evaluate_households(load_standard("guangdong_2018"), [(1, 1, None, 3, values)])
    assert result.income == per_head and result.status == status


@pytest.mark.parametrize("code", sorted(GUANGDONG_OK))
def test_each_of_the_eight_haves(code):
    values = {"disposable_income": 15000, **GUANGDONG_OK, code: False}
    [result] = evaluate_households(load_standard("guangdong_2018"), [(1, 1, None, 3, values)])
    assert result.shortfalls == (code,)


VILLAGE_OK = {
    "poverty_rate": 2.0, "leading_industry": True, "collective_income": True,
    "hardened_road": True, "clinic": True, "culture_room": True, "network": True,
}  # fmt: skip


@pytest.mark.parametrize(
    ("rate", "short"), [(2.9, ()), (3.0, ("poverty_rate",)), (3.4, ("poverty_rate",))]
)
def test_one_low_each_side_of_3_percent(rate, short):
    villages = load_standard("sichuan_2017").village_set
    [result] = evaluate_villages(villages, [(1, 2016, {**VILLAGE_OK, "poverty_rate": rate})])
    assert result.shortfalls == short


@pytest.mark.parametrize("code", [c for c in VILLAGE_OK if c != "poverty_rate"])
def test_each_of_the_six_village_haves(code):
    villages = load_standard("sichuan_2017").village_set
    [result] = evaluate_villages(villages, [(1, 2016, {**VILLAGE_OK, code: False})])
    assert result.shortfalls == (code,) and result.status == STATUS_SHORT
    [ok] = evaluate_villages(villages, [(1, 2016, VILLAGE_OK)])
    assert ok.status == STATUS_MET


_ABSENT = object()
_BOOL_CODES = ("food_clothing", "housing_safe", "safe_water", "electricity", "broadcast_tv")
_COUNT_CODES = ("compulsory_education", "basic_medical")


@st.composite
def _households(draw):
    values = {}
    for code in _BOOL_CODES:
        v = draw(st.sampled_from([True, False, None, _ABSENT]))
        if v is not _ABSENT:
            values[code] = v
    for code in _COUNT_CODES:
        v = draw(st.sampled_from([0, 1, 3, None, _ABSENT]))
        if v is not _ABSENT:
            values[code] = v
    if draw(st.booleans()):
        values["total_income"] = draw(st.floats(0, 60000, allow_nan=False))
        values["operating_expense"] = draw(st.sampled_from([0.0, 2000.0, None]))
    exit_year = draw(st.sampled_from([2014, 2016, 2017, 2019, None]))
    return exit_year, draw(st.integers(0, 6)), values if draw(st.booleans()) else None


@settings(max_examples=60, deadline=None)
@given(st.lists(_households(), min_size=1, max_size=40))
def test_a_county_at_once_is_each_household_alone(households):
    """Households with the same 是/否 values share their verdict: never another's income."""
    standard = load_standard("sichuan_2017")
    overrides = {2017: 3300.0}
    rows = [(n, 1, e, size, values) for n, (e, size, values) in enumerate(households)]
    together = evaluate_households(standard, rows, overrides)
    alone = [evaluate_households(standard, [row], overrides)[0] for row in rows]
    assert together == alone
    for r in together:
        assert r.status in (STATUS_MET, STATUS_SHORT, STATUS_INCOMPLETE)
        assert not set(r.shortfalls) & set(r.missing)
        assert ("income" in r.missing) == (r.income is None or r.threshold.amount is None)
