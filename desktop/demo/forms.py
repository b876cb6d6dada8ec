"""Demo verification forms: about 40% of the demo households reviewed (draft, complete, signed).

Called after build_demo, so that the villages table shows review progress and the households
table shows form states. Answers start from what the registry knows and add what a review team
would have written; completed forms pass the form's rules (warnings carry a reason).
"""

from __future__ import annotations

import datetime
import random

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import selectinload

from desktop.engine import Evaluator
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_DRAFT,
    FORM_STATE_SIGNED,
    Campaign,
    FormRecord,
)
from desktop.models.registry import Household
from desktop.services.forms.catalog import load_form
from desktop.services.forms.hooks import build_hooks
from desktop.services.forms.prefill import prefill
from desktop.services.forms.service import household_data, standard_snapshot, village_places
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database

REVIEWED_SHARE = 0.4
REVIEWERS = ("刘建国", "王春梅", "陈志强", "周海平", "曾秋菊", "彭德清")
PROBLEMS = (
    ("住房屋顶漏雨，需维修", "已联系镇住建办，7 日内完成维修"),
    ("一名子女未享受教育补助", "已上报教育部门补办"),
    ("医保未参保一人", "已动员参保，下月完成"),
    ("帮扶责任人联系电话有误", "已更正并告知农户"),
)


def _age(birth: datetime.date | None, on: datetime.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _answers(rng: random.Random, base: dict, data, on: datetime.date) -> dict:
    """A review team's answers for one household, consistent with its members."""
    a = dict(base)
    actual = a.get("actual_count") or len(data.members)
    a["actual_count"] = actual
    a.setdefault("hukou_count", actual)
    a.setdefault("registered_count", len(data.members) if data.is_registered else 0)
    labour = min(a.get("labour_count") or 0, actual)
    a["labour_count"] = labour
    a["public_post_count"] = rng.choice((0, 0, 0, 1)) if labour else 0
    migrants = min(a.get("migrant_count") or 0, actual)
    long_term = rng.randint(0, migrants)
    a.update(migrant_count=migrants, migrant_long_term=long_term,
             migrant_temporary=migrants - long_term)  # fmt: skip
    school = sum(
        1 for m in data.members if (age := _age(m.birth_date, on)) is not None and 6 <= age <= 18
    )
    local = min(school, actual)
    a.update(students_local=local, students_province=0, students_outside=0,
             aided_local=local, aided_province=0, aided_outside=0)  # fmt: skip
    if a.get("wubao_dibao") == "是":
        a["wubao_dibao_count"] = actual
    a["dangerous_house"] = "否" if rng.random() < 0.92 else "是"
    if a["dangerous_house"] == "是":
        a["rebuild_wish"] = rng.choice(("有", "无"))
    a["rent_borrow"] = "否"
    a["medical_2017"] = actual
    a["medical_2018"] = min(a.get("medical_2018") or actual, actual)
    for have in ("have_safe_housing", "have_safe_water", "have_electricity", "have_tv_signal",
                 "have_network_signal", "have_education", "have_medical",
                 "have_income_or_dibao"):  # fmt: skip
        a[have] = rng.random() < 0.95
    a["has_business"] = "否"
    a["has_car"] = "否" if rng.random() < 0.97 else "是"
    if a["has_car"] == "是":
        a["car_since"] = f"{rng.randint(2012, 2019)}年"
    a["has_housing_fund"] = "否"
    a["has_public_payroll"] = "否"
    a["aid_projects"] = rng.choice(
        ("产业帮扶（养鸡），年增收约 2000 元", "公益性岗位，年收入约 6000 元", "光伏分红 1000 元",
         "就业帮扶，务工收入稳定", "小额信贷 3 万元，发展种植")
    )  # fmt: skip
    if rng.random() < 0.2:
        a["problems"], a["measures"] = rng.choice(PROBLEMS)
    a["checked_on"] = (on + datetime.timedelta(days=rng.randint(0, 40))).isoformat()
    return a


def add_demo_forms(engine: Engine, seed: int = 2020, share: float = REVIEWED_SHARE) -> dict:
    """Write verification forms for about `share` of the households; return counts per state."""
    rng = random.Random(seed + 31)
    description = load_form("verification")
    evaluator = Evaluator(description, build_hooks())
    db = Database(engine)
    campaign_id = RegistryService(db).current_campaign_id()
    if campaign_id is None:
        return {}
    on = datetime.date(2020, 4, 20)
    counts = {FORM_STATE_DRAFT: 0, FORM_STATE_COMPLETE: 0, FORM_STATE_SIGNED: 0}
    rows = []
    with db.session() as s:
        done = set(
            s.scalars(
                select(FormRecord.household_id).where(
                    FormRecord.campaign_id == campaign_id, FormRecord.form_code == "verification"
                )
            )
        )
        places = village_places(s)
        standard = standard_snapshot(s.get(Campaign, campaign_id))
        ids = [i for i in s.scalars(select(Household.id).order_by(Household.code)) if i not in done]
        chosen = [i for i in ids if rng.random() < share]
        for start in range(0, len(chosen), 500):
            households = s.scalars(
                select(Household)
                .options(selectinload(Household.members), selectinload(Household.group))
                .where(Household.id.in_(chosen[start : start + 500]))
            ).all()
            for h in households:
                place = places[h.village_id]
                data = household_data(h, place)
                base, _ = prefill(description, data, None, place)
                answers = _answers(rng, base, data, on)
                roll = rng.random()
                state = (
                    FORM_STATE_DRAFT
                    if roll < 0.3
                    else (FORM_STATE_COMPLETE if roll < 0.75 else FORM_STATE_SIGNED)
                )
                reasons = {}
                if state == FORM_STATE_DRAFT:
                    for key in ("problems", "measures", "aid_projects", "checked_on"):
                        answers.pop(key, None)
                found = evaluator.evaluate(answers, subject=data, standard=standard, today=on)
                if state != FORM_STATE_DRAFT:
                    if found.blocking:
                        state = FORM_STATE_DRAFT
                    reasons = {i.field: "已入户核实，情况属实" for i in found.warnings}
                stored = {k: v for k, v in found.values.items() if k not in found.computed}
                counts[state] += 1
                rows.append(
                    dict(
                        household_id=h.id,
                        campaign_id=campaign_id,
                        form_code="verification",
                        state=state,
                        answers=stored,
                        computed=found.computed,
                        standard=standard,
                        accepted_warnings=reasons,
                        version=rng.randint(1, 3),
                        paper_outdated=False,
                        note="",
                        updated_by=rng.choice(REVIEWERS),
                    )
                )
    with engine.begin() as conn:
        for start in range(0, len(rows), 1000):
            conn.execute(insert(FormRecord), rows[start : start + 1000])
    return counts
