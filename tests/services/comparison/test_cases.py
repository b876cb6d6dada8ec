"""The three-level decision: nothing changes in the registry before 县 核定, then all at once."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import PermissionDeniedError, StaleRecordError
from desktop.models.comparison import (
    DECISION_AGREE,
    DECISION_DISAGREE,
    DECISION_SEND_BACK,
    LEVEL_APPROVE,
    LEVEL_REVIEW,
    LEVEL_VERIFY,
    STAGE_APPROVED,
    STAGE_REJECTED,
    CaseStep,
)
from desktop.models.problem import Problem, TownshipUnitRole, Unit
from desktop.models.registry import Household, Member
from desktop.models.safety import AuditEntry
from desktop.services.actor import CurrentUser
from desktop.services.comparison.cases import CaseError, CaseService, Decision
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database

CLERK = CurrentUser("李录入", "clerk")
REVIEWER = CurrentUser("王审核", "reviewer")
ADMIN = CurrentUser("赵主任", "admin")
DAY = datetime.date.today()


def _registry(engine):
    """Everything of the registry a decision may change."""
    with Session(engine) as s:
        households = s.execute(
            select(
                Household.id, Household.is_registered, Household.poverty_kind,
                Household.removed_on, Household.removal_reason, Household.version,
            ).order_by(Household.id)
        ).all()  # fmt: skip
        members = s.execute(
            select(Member.id, Member.removed_on, Member.removal_reason).order_by(Member.id)
        ).all()
        problems = s.scalars(select(Problem.id)).all()
    return households, members, problems


def _decide(cases, user, case_id, decision, **kw):
    version = cases.case(case_id).version
    values = {"finding": "入户核实：车辆为户主本人所有", "reason": "理由"} | kw
    return cases.decide(user, case_id, version, Decision(decision, DAY, **values))


def test_a_removal_goes_up_three_levels_and_changes_the_registry_only_at_the_county(engine, world):
    cases = world["cases"]
    case_id = cases.open_removal(CLERK, [world["hits"][0].id], "家庭成员名下有小汽车")
    before = _registry(engine)
    assert _decide(cases, CLERK, case_id, DECISION_AGREE) == LEVEL_REVIEW
    assert _registry(engine) == before
    assert _decide(cases, REVIEWER, case_id, DECISION_AGREE) == LEVEL_APPROVE
    assert _registry(engine) == before  # half-approved: nothing changed
    assert _decide(cases, ADMIN, case_id, DECISION_AGREE, reason="同意清退") == STAGE_APPROVED
    with Session(engine) as s:
        h = s.get(Household, world["first"])
        assert (h.is_registered, h.removed_on, h.removal_reason) == (
            False, DAY, "家庭成员名下有小汽车",
        )  # fmt: skip
        problem = s.scalar(select(Problem))
        assert problem.household_id == world["first"] and problem.status == "已销号"
        assert "公安（车管所）数据比对" in problem.description
        logged = {
            (e.table_name, e.field)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.household_id == h.id))
        }
        assert ("household", "is_registered") in logged and ("household", "removed_on") in logged
    detail = cases.case(case_id)
    assert [(st.level, st.who) for st in detail.steps] == [
        (LEVEL_VERIFY, "李录入"), (LEVEL_REVIEW, "王审核"), (LEVEL_APPROVE, "赵主任"),
    ]  # fmt: skip
    assert detail.row.approved_by == "赵主任" and detail.row.approved_on == DAY
    assert {p["name"] for p in detail.persons} == {"林大", "陈花", "林婆婆"}


def test_a_rejected_case_changes_nothing(engine, world):
    cases = world["cases"]
    case_id = cases.open_removal(CLERK, [world["hits"][0].id], "名下有车")
    before = _registry(engine)
    _decide(cases, CLERK, case_id, DECISION_AGREE)
    assert _decide(cases, REVIEWER, case_id, DECISION_DISAGREE, reason="车辆已过户") == (
        STAGE_REJECTED
    )
    assert _registry(engine) == before
    with pytest.raises(CaseError, match="不能再处理"):
        _decide(cases, ADMIN, case_id, DECISION_AGREE)


def test_sent_back_one_level_then_approved_on_paper_with_the_signer(engine, world):
    cases = world["cases"]
    case_id = cases.open_removal(CLERK, [world["hits"][0].id], "名下有车")
    _decide(cases, CLERK, case_id, DECISION_AGREE)
    assert _decide(cases, REVIEWER, case_id, DECISION_SEND_BACK, reason="请补行驶证照片") == (
        LEVEL_VERIFY
    )
    _decide(cases, CLERK, case_id, DECISION_AGREE, finding="已补行驶证照片")
    _decide(cases, REVIEWER, case_id, DECISION_AGREE)
    _decide(
        cases,
        ADMIN,
        case_id,
        DECISION_AGREE,
        reason="同意",
        on_paper=True,
        signed_by="县扶贫办刘局",
    )
    detail = cases.case(case_id)
    assert detail.row.approved_by == "县扶贫办刘局"
    assert [st.decision for st in detail.steps] == [
        DECISION_AGREE, DECISION_SEND_BACK, DECISION_AGREE, DECISION_AGREE, DECISION_AGREE,
    ]  # fmt: skip
    assert detail.steps[-1].on_paper and detail.steps[-1].who == "赵主任"


def test_each_level_is_its_own_permission(engine, world):
    cases = world["cases"]
    case_id = cases.open_removal(CLERK, [world["hits"][0].id], "名下有车")
    _decide(cases, CLERK, case_id, DECISION_AGREE)
    with pytest.raises(PermissionDeniedError):
        _decide(cases, CLERK, case_id, DECISION_AGREE)
    _decide(cases, REVIEWER, case_id, DECISION_AGREE)
    with pytest.raises(PermissionDeniedError):
        _decide(cases, REVIEWER, case_id, DECISION_AGREE)


def test_a_decision_needs_its_reason_and_a_fresh_version(engine, world):
    cases = world["cases"]
    case_id = cases.open_removal(CLERK, [world["hits"][0].id], "名下有车")
    with pytest.raises(CaseError, match="核实的情况"):
        _decide(cases, CLERK, case_id, DECISION_AGREE, finding="")
    with pytest.raises(CaseError, match="不能再退回"):
        _decide(cases, CLERK, case_id, DECISION_SEND_BACK)
    stale = cases.case(case_id).version
    _decide(cases, CLERK, case_id, DECISION_AGREE)
    with pytest.raises(StaleRecordError):
        cases.decide(REVIEWER, case_id, stale, Decision(DECISION_AGREE, DAY))
    with pytest.raises(CaseError, match="写明理由"):
        _decide(cases, REVIEWER, case_id, DECISION_DISAGREE, reason="")
    with Session(engine) as s:
        assert len(s.scalars(select(CaseStep)).all()) == 1


def test_a_failed_approval_rolls_back_the_whole_decision(engine, world, monkeypatch):
    cases = world["cases"]
    case_id = cases.open_removal(CLERK, [world["hits"][0].id], "名下有车")
    _decide(cases, CLERK, case_id, DECISION_AGREE)
    _decide(cases, REVIEWER, case_id, DECISION_AGREE)
    before = _registry(engine)

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(CaseService, "_raise_problem", staticmethod(broken))
    with pytest.raises(RuntimeError):
        _decide(cases, ADMIN, case_id, DECISION_AGREE)
    assert _registry(engine) == before
    assert cases.case(case_id).row.stage == LEVEL_APPROVE
    with Session(engine) as s:
        assert len(s.scalars(select(CaseStep)).all()) == 2


def test_an_addition_is_compared_first_and_registered_at_the_county(engine, world):
    cases = world["cases"]
    case_id = cases.open_addition(CLERK, world["edge"], "一般贫困户", "人均可支配收入低于4000元")
    detail = cases.case(case_id)
    assert detail.compared_at is not None and len(detail.hit_ids) == 1  # 吴三's car
    before = _registry(engine)
    _decide(cases, CLERK, case_id, DECISION_AGREE, finding="车辆已报废，有注销证明")
    _decide(cases, REVIEWER, case_id, DECISION_AGREE)
    assert _registry(engine) == before
    _decide(cases, ADMIN, case_id, DECISION_AGREE, reason="同意新增")
    with Session(engine) as s:
        h = s.get(Household, world["edge"])
        assert (h.is_registered, h.poverty_kind, h.special_kind) == (True, "一般贫困户", "")


def test_one_member_removed_keeps_the_household_registered(engine, world):
    cases = world["cases"]
    case_id = cases.open_removal(
        CLERK, [world["hits"][0].id], "本人为财政供养人员", whole_household=False
    )
    for user in (CLERK, REVIEWER, ADMIN):
        _decide(cases, user, case_id, DECISION_AGREE)
    with Session(engine) as s:
        h = s.get(Household, world["first"])
        head = next(m for m in h.members if m.name == "林大")
        assert h.is_registered and head.removed_on == DAY
        assert {m.removed_on for m in h.members if m.name != "林大"} == {None}


def test_evidence_is_copied_into_the_data_folder(engine, world, tmp_path):
    cases = world["cases"]
    case_id = cases.open_removal(CLERK, [world["hits"][0].id], "名下有车")
    photo = tmp_path / "行驶证.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    evidence_id = cases.add_evidence(CLERK, case_id, photo)
    assert cases.evidence_file(evidence_id).read_bytes() == b"\xff\xd8photo"
    assert cases.case(case_id).evidence == [(evidence_id, "行驶证.jpg", "李录入")]


def _approve(cases, case_id):
    for user in (CLERK, REVIEWER, ADMIN):
        _decide(cases, user, case_id, DECISION_AGREE)


def test_the_problem_an_approval_raises_has_the_catalogues_responsible_unit(engine, world):
    # Seed 002, 强化建档立卡工作: 责任单位：扶贫工作站、各村. The township was registered after
    # the reference data was copied, so it had no units of its own: the approval gives it the
    # catalogue's template (its 扶贫工作站 and its villages) and the village answers.
    cases = world["cases"]
    _approve(cases, cases.open_removal(CLERK, [world["hits"][0].id], "名下有车"))
    with Session(engine) as s:
        problem = s.scalar(select(Problem))
        assert problem.unit is not None and problem.unit.name == "新村"
        assert problem.item.number == 5
        township_id = s.get(Household, world["first"]).village.township_id
        station = s.scalar(
            select(Unit.name)
            .join(TownshipUnitRole, TownshipUnitRole.unit_id == Unit.id)
            .where(TownshipUnitRole.township_id == township_id)
            .where(TownshipUnitRole.role == "扶贫工作站")
        )
        assert station == "扶贫工作站"


def test_a_village_with_its_unit_answers_for_its_households_identification(engine, world, tmp_path):
    ProblemService(Database(engine), tmp_path).ensure_reference_data()  # adds 新村's unit
    cases = world["cases"]
    case_id = cases.open_addition(CLERK, world["edge"], "一般贫困户", "人均可支配收入低于4000元")
    _approve(cases, case_id)
    with Session(engine) as s:
        problem = s.scalar(select(Problem))
        assert problem.unit.name == "新村" and problem.household_id == world["edge"]


def test_a_township_that_maps_the_station_role_to_its_own_unit_gets_that_unit(engine, world):
    with Session(engine) as s, s.begin():
        own = Unit(name="梅陇镇扶贫工作站", kind="镇直单位")
        s.add(own)
        s.flush()
        township_id = s.get(Household, world["first"]).village.township_id
        s.add(TownshipUnitRole(township_id=township_id, role="扶贫工作站", unit_id=own.id))
    cases = world["cases"]
    _approve(cases, cases.open_removal(CLERK, [world["hits"][0].id], "名下有车"))
    with Session(engine) as s:
        assert s.scalar(select(Problem)).unit.name == "梅陇镇扶贫工作站"


def test_the_log_keeps_the_persons_of_a_case_masked(engine, world):
    import re

    from desktop.services.context import AppServices
    from desktop.services.safety.audit_view import AuditQuery

    cases = world["cases"]
    case_id = cases.open_addition(CLERK, world["edge"], "一般贫困户", "人均可支配收入低于4000元")
    _decide(cases, CLERK, case_id, DECISION_AGREE, finding="车辆已报废，有注销证明")
    _decide(cases, REVIEWER, case_id, DECISION_AGREE)
    _decide(cases, ADMIN, case_id, DECISION_AGREE, reason="同意新增")  # sets the case's persons
    full_id = re.compile(r"\d{17}[\dXx]")
    with Session(engine) as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "comparison_case")
        ).all()
        assert any(e.field == "persons" or "persons" in (e.new_value or "") for e in entries)
        stored = [e.record_label + (e.old_value or "") + (e.new_value or "") for e in entries]
    assert not any(full_id.search(text) for text in stored)
    shown = AppServices(engine=engine, user=ADMIN).audit_view.rows(AuditQuery())
    assert shown and not any(full_id.search(" ".join(row.cells())) for row in shown)
