"""Issue 11's service defects: signed forms reprint what was signed, one skip logic, hooks by name,
forms about a village or a township."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.engine import Evaluator, FormDescriptionError
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORMULA_NET_PER_CAPITA,
    Campaign,
    FormRecord,
)
from desktop.models.registry import Household, Township, Village
from desktop.services.actor import CurrentUser
from desktop.services.forms import catalog
from desktop.services.forms.catalog import forms_dir, parse_form
from desktop.services.forms.hooks import build_hooks
from desktop.services.forms.service import FormService, Subject
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database

CLERK = CurrentUser("录入员甲", "clerk")
ADMIN = CurrentUser("管理员", "admin")


@pytest.fixture
def service(demo_engine):
    return FormService(Database(demo_engine))


def _two_member_household(engine) -> int:
    with Session(engine) as s:
        return s.scalar(
            select(Household.id).where(Household.member_count == 2).order_by(Household.code)
        )


def _income(answers: dict) -> dict:
    # A52 = 3500 for two members: A53 = 1750.
    a = dict(answers)
    a.update(A39=3000, A40=1000, A43=500)
    a.update(filled_by="王五", filled_on="2018-06-12")  # the paper's 填表人 and 填表日期
    return a


def _complete_collection(service, hid) -> int:
    state = service.open_form(hid, "collection")
    answers = _income(state.answers)
    issues = service.validate(state.description, answers, state.household)
    reasons = {i.field: "已入户核实" for i in issues if not i.blocking}
    return service.save(hid, "collection", answers, True, reasons, CLERK)


def test_a_signed_form_reprints_what_was_signed(service, demo_engine):
    """Defect 1: change the standard and the registry after signing; the reprint is unchanged."""
    hid = _two_member_household(demo_engine)
    with Session(demo_engine) as s:
        formula = s.scalar(select(Campaign.income_formula))
    other = "disposable_per_capita" if formula == FORMULA_NET_PER_CAPITA else FORMULA_NET_PER_CAPITA
    version = _complete_collection(service, hid)
    service.sign(hid, "collection", CLERK)
    [before] = service.print_items([hid], "collection")
    assert before.answers["A53"] == 1750.0 and before.stamp == f"第 {version} 版"

    registry = RegistryService(Database(demo_engine))
    household = registry.get_household(hid)
    household.bank_name = "农村信用社"  # blank when signed: must not appear on the reprint
    household.members[0].name = household.members[0].name + "改"
    registry.save_household(household)
    with Session(demo_engine) as s, s.begin():
        s.execute(update(Campaign).values(income_formula=other))

    [after] = service.print_items([hid], "collection")
    assert after.answers == before.answers
    assert after.stamp == before.stamp
    state = service.open_form(hid, "collection")
    assert state.stored and state.answers["A53"] == 1750.0
    assert state.answers.get("bank_name") in (None, "")
    assert state.standard["version"] and state.standard["income_formula"] == formula
    with Session(demo_engine) as s:
        record = s.scalar(
            select(FormRecord).where(
                FormRecord.household_id == hid, FormRecord.form_code == "collection"
            )
        )
        assert record.computed["A53"] == 1750.0
        assert record.standard["income_threshold"] == state.standard["income_threshold"]


def test_a_reopened_draft_is_recomputed_and_says_what_changed(service, demo_engine):
    hid = _two_member_household(demo_engine)
    state = service.open_form(hid, "collection")
    service.save(hid, "collection", _income(state.answers), False, None, CLERK)
    with Session(demo_engine) as s, s.begin():
        record = s.scalar(
            select(FormRecord).where(
                FormRecord.household_id == hid, FormRecord.form_code == "collection"
            )
        )
        record.computed = {**record.computed, "A53": 1500.0}  # computed under another rule
    again = service.open_form(hid, "collection")
    assert not again.stored
    assert again.answers["A53"] == 1750.0
    assert again.changed == {"A53": (1500.0, 1750.0)}
    assert "A53 家庭年人均可支配收入：1500 → 1750" in again.changed_message()


def test_a53_is_a52_per_head_whatever_the_standard_measures(service, demo_engine):
    """Defect 5: A53 家庭年人均可支配收入 is A52 ÷ 家庭人口数, not a relabelled 人均纯收入."""
    hid = _two_member_household(demo_engine)
    with Session(demo_engine) as s, s.begin():
        s.execute(update(Campaign).values(income_formula=FORMULA_NET_PER_CAPITA))
    state = service.open_form(hid, "collection")
    answers = _income(state.answers)
    answers["A50a"] = 100  # a transfer expense: in A52, not in 人均纯收入
    computed = service.compute(state.description, answers, service.campaign())
    assert computed["A52"] == 3400 and computed["A53"] == 1700


def _raw(code: str) -> dict:
    return json.loads((forms_dir() / f"{code}.json").read_text(encoding="utf-8"))


def test_a_hook_runs_by_its_own_name():
    """Defect 5: `hook:<name>` runs the hook of that name, and an unknown name is refused."""
    raw = _raw("verification")
    cells = raw["sections"][0]["cells"]
    for cell in cells:
        if cell.get("field") == "migrant_long_term":
            cell["computed"] = "hook:double_migrants"
        if cell.get("field") == "migrant_temporary":
            cell["computed"] = "hook:one"
    form = parse_form(raw)
    hooks = build_hooks()
    hooks.add_compute("double_migrants", lambda ctx: 2 * (ctx.values.get("migrant_count") or 0), "")
    hooks.add_compute("one", lambda ctx: 1, "")
    values = Evaluator(form, hooks).compute({"migrant_count": 3})
    assert (values["migrant_long_term"], values["migrant_temporary"]) == (6, 1)
    with pytest.raises(FormDescriptionError, match="未注册的计算钩子 'hook:one'"):
        only_one = build_hooks()
        only_one.add_compute("double_migrants", lambda ctx: 0, "")
        Evaluator(form, only_one)


def test_every_form_names_only_registered_hooks(service):
    for code, _title in catalog.list_forms():
        service.evaluator(catalog.load_form(code))  # raises on an unregistered hook


SKIP_FORM = {
    "format": 1, "code": "skip_test", "title": "跳转测试",
    "page": {"size": "A4", "orientation": "portrait",
             "margins_mm": {"top": 10, "right": 10, "bottom": 10, "left": 10}},
    "sections": [
        {"id": "s1", "kind": "grid", "columns_mm": [60, 60], "rows_mm": [9, 9, 9], "cells": [
            {"row": 0, "col": 0, "label": "Q1 是否在校"},
            {"row": 0, "col": 1, "field": "Q1", "type": "choice", "choices": ["是", "否"],
             "required": True, "skip": {"if": "否", "goto": "s2"}},
            {"row": 1, "col": 0, "label": "Q2"},
            {"row": 1, "col": 1, "field": "Q2", "required": True},
            {"row": 2, "col": 0, "label": "Q3"},
            {"row": 2, "col": 1, "field": "Q3", "type": "count", "required": True}]},
        {"id": "s2", "kind": "grid", "columns_mm": [60, 60], "rows_mm": [9], "cells": [
            {"row": 0, "col": 0, "label": "Q4"},
            {"row": 0, "col": 1, "field": "Q4", "required": True}]},
    ],
}  # fmt: skip


def test_a_skip_to_a_section_lets_the_form_complete():
    """Defect 3: a skip may name a section; the jumped questions are then not required."""
    form = parse_form(copy.deepcopy(SKIP_FORM))
    evaluator = Evaluator(form)
    found = evaluator.evaluate({"Q1": "否", "Q2": "旧", "Q4": "答"})
    assert found.skipped == {"Q2", "Q3"}
    assert found.issues == ()
    assert "Q2" not in found.values and found.required == {"Q1", "Q4"}
    asked = evaluator.evaluate({"Q1": "是", "Q4": "答"})
    assert {i.field for i in asked.blocking} == {"Q2", "Q3"}


def test_a_form_about_a_village_is_kept_apart_from_its_households(service, demo_engine):
    """Defect 6: a record hangs on a village or a township, each with its own answers."""
    with Session(demo_engine) as s:
        village_id, village_name = s.execute(select(Village.id, Village.name).limit(1)).one()
        township_id = s.scalar(select(Township.id).limit(1))
    village, township = Subject("village", village_id), Subject("township", township_id)
    state = service.open_form(village, "verification")
    assert state.household is None and state.answers["village"] == village_name
    assert state.answers["county"] and "head_name" not in state.answers
    answers = {**state.answers, "problems": "村道未硬化"}
    assert service.save(village, "verification", answers, False, None, CLERK) == 1
    assert service.save(township, "verification", {"problems": "镇"}, False, None, CLERK) == 1
    assert service.open_form(village, "verification").answers["problems"] == "村道未硬化"
    assert service.open_form(township, "verification").answers["problems"] == "镇"
    with Session(demo_engine) as s:
        kinds = {
            r.subject
            for r in s.scalars(select(FormRecord).where(FormRecord.household_id.is_(None)))
        }
    assert kinds == {("village", village_id), ("township", township_id)}
    assert all(state != FORM_STATE_COMPLETE for state in service.form_states().values()) or True
