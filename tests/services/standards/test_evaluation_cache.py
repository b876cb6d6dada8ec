"""The kept evaluation: given again while nothing changed, never after a change it depends on."""

import dataclasses

import pytest

from desktop.models.campaign import Campaign
from desktop.models.registry import Household
from desktop.services.registry.data import MemberData
from desktop.services.registry.service import RegistryService
from desktop.services.standards.service import StandardsService
from desktop.services.unit_of_work import Database


@pytest.fixture
def db(sichuan_engine):
    return Database(sichuan_engine)


@pytest.fixture
def service(db):
    return StandardsService(db)


@pytest.fixture
def sichuan(service):
    return next(c for c in service.campaigns() if c.province_profile == "sichuan")


def _result(evaluation, household_id):
    return next(r for r in evaluation.households if r.household_id == household_id)


def _priced(service, campaign, household_id, per_head: float) -> None:
    """Give a household an income of `per_head` a head and every other indicator met."""
    standard = service.standard(campaign.id)
    size = _result(service.evaluate(campaign.id), household_id).size
    values = {i.code: True for i in standard.household_set.indicators if i.kind == "bool"}
    values |= {i.code: 0 for i in standard.household_set.indicators if i.kind == "count"}
    values |= {"total_income": per_head * size, "operating_expense": 0}
    service.save_household_values(household_id, values, "张三")


def _exited(service, campaign) -> int:
    return service.evaluate(campaign.id).households[0].household_id


def test_nothing_changed_gives_the_kept_result(service, sichuan):
    first = service.evaluate(sichuan.id)
    assert service.evaluate(sichuan.id) is first
    # Another scope is another result, kept on its own.
    village_id = first.households[0].village_id
    one = service.evaluate(sichuan.id, village_id=village_id)
    assert {r.village_id for r in one.households} == {village_id}
    assert service.evaluate(sichuan.id) is first


def test_a_changed_answer_is_evaluated(service, sichuan):
    hid = _exited(service, sichuan)
    _priced(service, sichuan, hid, 3200)
    assert _result(service.evaluate(sichuan.id), hid).shortfalls == ()
    _priced(service, sichuan, hid, 3000)  # the 摸底表's answers, saved again
    assert _result(service.evaluate(sichuan.id), hid).shortfalls == ("income",)


def test_a_changed_household_is_evaluated(service, sichuan, db):
    hid = _exited(service, sichuan)
    _priced(service, sichuan, hid, 3200)
    size = _result(service.evaluate(sichuan.id), hid).size
    with db.unit_of_work() as s:
        s.get(Household, hid).count_actual = size + 1  # 以实际人数为准: more heads, less each
    after = _result(service.evaluate(sichuan.id), hid)
    assert after.size == size + 1 and after.shortfalls == ("income",)
    with db.unit_of_work() as s:
        s.get(Household, hid).exit_year = None  # no longer an exited household
    assert all(r.household_id != hid for r in service.evaluate(sichuan.id).households)


def test_a_changed_member_list_is_evaluated(service, sichuan, db):
    """Without 实际人数 the member list is the household's size."""
    registry = RegistryService(db)
    hid = _exited(service, sichuan)
    data = registry.get_household(hid)
    registry.save_household(dataclasses.replace(data, count_actual=None))
    _priced(service, sichuan, hid, 3200)
    before = _result(service.evaluate(sichuan.id), hid)
    assert before.size == len(data.members) and before.shortfalls == ()
    data = registry.get_household(hid)
    newborn = MemberData(name="新生儿", relation="孙子", sex="男")
    registry.save_household(dataclasses.replace(data, members=[*data.members, newborn]))
    after = _result(service.evaluate(sichuan.id), hid)
    assert after.size == before.size + 1 and after.shortfalls == ("income",)


def test_a_changed_standard_is_evaluated(service, sichuan):
    hid = _exited(service, sichuan)
    _priced(service, sichuan, hid, 3200)
    year = _result(service.evaluate(sichuan.id), hid).threshold.year
    service.set_threshold(sichuan.id, year, 3300)
    result = _result(service.evaluate(sichuan.id), hid)
    assert result.threshold.amount == 3300 and result.shortfalls == ("income",)
    service.set_threshold(sichuan.id, year, None)
    assert _result(service.evaluate(sichuan.id), hid).shortfalls == ()


def test_a_changed_standard_file_is_evaluated(service, sichuan, data_dir):
    """An administrator's edited standard file (a new one in the data folder) is read again."""
    import json

    from desktop.services.standards.standard import standard_path, user_standards_dir

    hid = _exited(service, sichuan)
    _priced(service, sichuan, hid, 3200)
    year = _result(service.evaluate(sichuan.id), hid).threshold.year
    raw = json.loads(standard_path(sichuan.standard_code).read_text(encoding="utf-8"))
    raw["income"]["standards_by_year"][str(year)] = 3300
    user_standards_dir().mkdir(parents=True, exist_ok=True)
    (user_standards_dir() / f"{sichuan.standard_code}.json").write_text(
        json.dumps(raw, ensure_ascii=False), encoding="utf-8"
    )
    assert _result(service.evaluate(sichuan.id), hid).shortfalls == ("income",)


def test_a_change_made_elsewhere_is_seen(service, sichuan, sichuan_engine):
    """Another window (or another computer on the county's server) changed the answers."""
    hid = _exited(service, sichuan)
    _priced(service, sichuan, hid, 3200)
    assert _result(service.evaluate(sichuan.id), hid).shortfalls == ()
    elsewhere = StandardsService(Database(sichuan_engine))
    _priced(elsewhere, sichuan, hid, 3000)
    assert _result(service.evaluate(sichuan.id), hid).shortfalls == ("income",)


def test_inside_a_unit_of_work_nothing_is_kept(service, sichuan, db):
    hid = _exited(service, sichuan)
    _priced(service, sichuan, hid, 3200)
    kept = service.evaluate(sichuan.id)
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        s.get(Household, hid).count_actual = 99
        inside = service.evaluate(sichuan.id)
        assert _result(inside, hid).size == 99
        raise RuntimeError("rolled back")
    after = service.evaluate(sichuan.id)
    assert _result(after, hid).size == _result(kept, hid).size and after is kept


def test_a_threshold_change_keeps_the_rows_but_not_the_verdicts(service, sichuan, db):
    first = service.evaluate(sichuan.id)
    with db.unit_of_work() as s:
        campaign = s.get(Campaign, sichuan.id)
        year = first.households[0].threshold.year
        campaign.thresholds = {str(year): 99999.0}
        campaign.standard_revision += 1
    again = service.evaluate(sichuan.id)
    assert again is not first and again.campaign.thresholds == {year: 99999.0}
    assert all(
        "income" in r.shortfalls for r in again.households if r.threshold.year == year and r.income
    )
