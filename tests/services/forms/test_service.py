"""FormService: prefill, computed cells, rules, and saving together with the registry."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.engine import Evaluator
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_DRAFT,
    FORM_STATE_SIGNED,
    FORMULA_DISPOSABLE_PER_CAPITA,
    FORMULA_NET_PER_CAPITA,
    Campaign,
    FormRecord,
)
from desktop.models.registry import Household
from desktop.services.actor import CurrentUser
from desktop.services.forms.catalog import load_form
from desktop.services.forms.hooks import build_hooks
from desktop.services.forms.service import (
    STATE_EMPTY,
    FormError,
    FormService,
    FormValidationError,
    standard_snapshot,
)
from desktop.services.registry.service import RegistryError, RegistryService
from desktop.services.safety.form_lock import FormLockedError
from desktop.services.unit_of_work import Database

CLERK = CurrentUser("录入员甲", "clerk")
HOOKS = build_hooks()


def compute(form, answers, campaign=None):
    return Evaluator(form, HOOKS).compute(answers, standard=standard_snapshot(campaign))


def validate(form, answers, household=None, today=None):
    found = Evaluator(form, HOOKS).evaluate(answers, subject=household, today=today)
    return list(found.issues)


@pytest.fixture
def service(demo_engine):
    return FormService(Database(demo_engine))


def _household(engine, members_at_least=3) -> int:
    with Session(engine) as s:
        return s.scalar(
            select(Household.id)
            .where(Household.member_count >= members_at_least)
            .order_by(Household.code)
            .limit(1)
        )


def _valid_verification(state) -> dict:
    a = dict(state.answers)
    n = len(state.household.members)
    a.update(hukou_count=n, actual_count=n, labour_count=min(a.get("labour_count") or 0, n))
    a.update(medical_2017=n, medical_2018=n, migrant_count=0, migrant_long_term=0)
    a.update(migrant_temporary=0, public_post_count=0)
    return a


def test_open_form_prefills_from_the_registry(service, demo_engine):
    hid = _household(demo_engine)
    household = RegistryService(Database(demo_engine)).get_household(hid)
    state = service.open_form(hid, "verification")
    assert state.state == STATE_EMPTY and state.state_label == "未填" and state.version == 0
    assert state.answers["head_name"] == household.head_name
    assert state.answers["village"] == household.village_name
    assert state.answers["helper_name"] == household.helper_name
    assert state.answers["poverty_causes"] == household.poverty_causes
    assert {"head_name", "village", "helper_phone"} <= state.prefilled
    collection = service.open_form(hid, "collection")
    names = [row["A1"] for row in collection.answers["members"]]
    assert names == [m.name for m in household.members]


def test_computed_cells_follow_their_inputs():
    form = load_form("collection")
    answers = {"A42a": 100, "A42b": 250.5, "A42h": 49.5, "A39": 12000, "A43": 2000, "A50a": 10}
    answers["members"] = [{"A1": "甲"}, {"A1": "乙"}, {"A1": ""}]
    values = compute(form, answers, Campaign(income_formula=FORMULA_DISPOSABLE_PER_CAPITA))
    assert values["A42"] == 400.0
    assert values["A50"] == 10.0
    assert values["A52"] == 12000 + 400 - 2000 - 10
    assert values["A53"] == round(values["A52"] / 2, 2)
    # A53 家庭年人均可支配收入 means A52 ÷ 家庭人口数 whatever the standard measures.
    net = compute(form, answers, Campaign(income_formula=FORMULA_NET_PER_CAPITA))
    assert net["A53"] == values["A53"]
    assert compute(form, {}, None)["A42"] is None


def test_rules_block_and_warn_in_chinese():
    form = load_form("verification")
    issues = validate(form, {"head_name": "张三", "actual_count": 3, "labour_count": 5})
    blocking = [i for i in issues if i.blocking]
    assert [i.message for i in blocking] == ["劳动力人数不能多于实际共同生活人数"]
    assert blocking[0].field == "labour_count"
    warnings = validate(form, {"head_name": "张三", "actual_count": 3, "hukou_count": 4})
    assert [(i.field, i.blocking) for i in warnings] == [("actual_count", False)]
    typed = validate(form, {"head_name": "张三", "actual_count": "三"})
    assert any("应填数字" in i.message and i.blocking for i in typed)
    missing = validate(form, {})
    assert {i.field for i in missing if i.blocking} == {"head_name", "actual_count"}


def test_a_collection_form_names_who_filled_it_in_and_when():
    form = load_form("collection")
    missing = {i.field: i for i in validate(form, {"A24": 3}) if i.blocking}
    assert missing["filled_by"].message == "请填写填表人"
    assert missing["filled_on"].message == "请填写填表日期"
    found = Evaluator(form, HOOKS).evaluate({"filled_by": "王五", "filled_on": "2018-06-12"})
    assert {"filled_by", "filled_on"} <= found.required
    assert not {"filled_by", "filled_on"} & {i.field for i in found.issues}
    wrong = {i.field: i for i in validate(form, {"filled_on": "2018-13-40"})}
    assert wrong["filled_on"].blocking and "填表日期：" in wrong["filled_on"].message


def test_implausible_areas_are_questioned_but_may_pass_with_a_reason():
    form = load_form("collection")
    signed = {"filled_by": "王五", "filled_on": "2018-06-12"}
    warnings = validate(form, {**signed, "A24": 12000, "A31": 120, "A29": 80})
    assert [(i.field, i.blocking) for i in warnings if i.field in {"A24", "A31", "A29"}] == [
        ("A24", False),
        ("A29", False),
    ]
    assert any(i.message == "耕地面积超过 100 亩，请核实单位（亩）和位数" for i in warnings)
    assert not [i for i in validate(form, {**signed, "A24": 8.5}) if i.field == "A24"]


def test_in_school_counts_are_checked_against_members_ages(service, demo_engine):
    with Session(demo_engine) as s:
        ids = s.scalars(select(Household.id)).all()
    today = datetime.date(2020, 4, 1)
    for hid in ids:
        household = RegistryService(Database(demo_engine)).get_household(hid)
        children = [
            m for m in household.members
            if m.birth_date and 7 <= (today - m.birth_date).days // 366 <= 14
        ]  # fmt: skip
        if children:
            break
    form = load_form("verification")
    answers = {"head_name": "甲", "actual_count": len(household.members), "students_local": 0}
    issues = validate(form, answers, household, today=today)
    assert any("义务教育年龄" in i.message and not i.blocking for i in issues)
    answers["students_local"] = len(household.members)
    assert not any(
        "义务教育年龄" in i.message for i in validate(form, answers, household, today=today)
    )


def test_blocking_error_prevents_completion_but_not_a_draft(service, demo_engine):
    hid = _household(demo_engine)
    state = service.open_form(hid, "verification")
    answers = _valid_verification(state)
    answers["labour_count"] = answers["actual_count"] + 1
    with pytest.raises(FormValidationError) as info:
        service.save(hid, "verification", answers, True, {}, CLERK)
    assert "劳动力人数不能多于实际共同生活人数" in str(info.value)
    with Session(demo_engine) as s:
        assert (
            s.scalar(
                select(FormRecord).where(
                    FormRecord.household_id == hid, FormRecord.form_code == "verification"
                )
            )
            is None
        )
    version = service.save(hid, "verification", answers, False, {}, CLERK)
    assert version == 1
    reopened = service.open_form(hid, "verification")
    assert reopened.state == FORM_STATE_DRAFT and reopened.state_label == "草稿"
    assert reopened.answers["labour_count"] == answers["labour_count"]
    assert service.form_states()[hid] == FORM_STATE_DRAFT


def test_warning_needs_a_reason_to_complete(service, demo_engine):
    hid = _household(demo_engine)
    answers = _valid_verification(service.open_form(hid, "verification"))
    answers["hukou_count"] = answers["actual_count"] + 1
    with pytest.raises(FormValidationError, match="需要填写原因"):
        service.save(hid, "verification", answers, True, {"actual_count": "  "}, CLERK)
    version = service.save(
        hid, "verification", answers, True, {"actual_count": "一人迁出未销户"}, CLERK
    )
    state = service.open_form(hid, "verification")
    assert (state.state, state.version) == (FORM_STATE_COMPLETE, version)
    assert state.accepted_warnings == {"actual_count": "一人迁出未销户"}


def test_completion_writes_registry_counts_in_the_same_transaction(service, demo_engine):
    hid = _household(demo_engine)
    answers = _valid_verification(service.open_form(hid, "verification"))
    answers.update(
        hukou_count=answers["actual_count"], registered_count=7, helper_phone="13800000000"
    )
    with Session(demo_engine) as s:
        before = s.get(Household, hid).version
    assert service.save(hid, "verification", answers, True, {}, CLERK) == 1
    with Session(demo_engine) as s:
        h = s.get(Household, hid)
        assert (h.count_system, h.helper_phone, h.version) == (7, "13800000000", before + 1)
    # A registry refusal rolls the form back too: nothing half-saved.
    answers2 = dict(answers, registered_count=8)
    registry = RegistryService(Database(demo_engine))

    def refuse(data, *, session=None):
        raise RegistryError("户编号重复")

    service.registry = registry
    registry.save_household = refuse
    with pytest.raises(FormError, match="户籍信息"):
        service.save(hid, "verification", answers2, True, {}, CLERK)
    with Session(demo_engine) as s:
        assert s.get(Household, hid).count_system == 7
        record = s.scalar(
            select(FormRecord).where(
                FormRecord.household_id == hid, FormRecord.form_code == "verification"
            )
        )
        assert (record.version, record.answers["registered_count"]) == (1, 7)


def test_collection_member_grid_updates_members(service, demo_engine):
    hid = _household(demo_engine)
    state = service.open_form(hid, "collection")
    answers = dict(state.answers)
    rows = [dict(r) for r in answers["members"]]
    rows[1]["A1"] = "改名后"
    rows[1]["training_need"] = "电工"
    answers["members"] = rows
    answers.update(filled_by="王五", filled_on="2018-06-12")
    service.save(hid, "collection", answers, True, {}, CLERK)
    household = RegistryService(Database(demo_engine)).get_household(hid)
    assert household.members[1].name == "改名后"
    assert household.members[1].extra["training_need"] == "电工"
    assert household.members[1].id == rows[1]["_member_id"]


def test_signed_form_is_locked_and_version_increments(service, demo_engine):
    hid = _household(demo_engine)
    answers = _valid_verification(service.open_form(hid, "verification"))
    assert service.save(hid, "verification", answers, False, {}, CLERK) == 1
    assert service.save(hid, "verification", answers, True, {}, CLERK) == 2
    service.sign(hid, "verification", CLERK)
    assert service.form_states()[hid] == FORM_STATE_SIGNED
    with pytest.raises(FormLockedError):
        service.save(hid, "verification", answers, True, {}, CLERK)


def test_demo_forms_give_review_progress(demo_engine):
    # build_demo (the demo_engine fixture) already called add_demo_forms; count what it wrote.
    from collections import Counter

    with Session(demo_engine) as s:
        counts = Counter(  # the 核查表 only: the demo carries questionnaires too
            s.scalars(select(FormRecord.state).where(FormRecord.form_code == "verification"))
        )
    total = sum(counts.values())
    assert 0.3 * 300 <= total <= 0.5 * 300
    assert all(counts[s] > 0 for s in (FORM_STATE_DRAFT, FORM_STATE_COMPLETE, FORM_STATE_SIGNED))
    summaries = RegistryService(Database(demo_engine)).village_summaries()
    reviewed = sum(v.reviewed_households for v in summaries)
    assert reviewed == counts[FORM_STATE_COMPLETE] + counts[FORM_STATE_SIGNED]
    form = load_form("verification")
    with Session(demo_engine) as s:
        records = [
            (r.household_id, r.answers, r.accepted_warnings)
            for r in s.scalars(
                select(FormRecord).where(
                    FormRecord.state != FORM_STATE_DRAFT, FormRecord.form_code == "verification"
                )
            )
        ]
    registry = RegistryService(Database(demo_engine))
    for household_id, answers, reasons in records[:20]:
        household = registry.get_household(household_id)
        issues = validate(form, answers, household, today=datetime.date(2020, 4, 20))
        assert not [i for i in issues if i.blocking]
        assert {i.field for i in issues} <= set(reasons)
