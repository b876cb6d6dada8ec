"""TeamService: pairs of two, cross review, ten a day over 4/13–4/28, 提交审核 → 通过 / 退回."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select

from desktop.errors import FormLockedError, PermissionDeniedError
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_DRAFT,
    FORM_STATE_SIGNED,
    FormRecord,
)
from desktop.models.safety import AuditEntry
from desktop.models.team import REVIEW_ASSIGNED as MODEL_DEFAULT
from desktop.models.team import ReviewAssignment
from desktop.services.forms.service import FormService
from desktop.services.questionnaires.team_data import (
    ENTERED_STATES,
    REVIEW_ASSIGNED,
    REVIEW_PASSED,
    REVIEW_RETURNED,
    REVIEW_SUBMITTED,
)
from desktop.services.questionnaires.teams import ENTRY_END, ENTRY_START, TeamError
from tests.team_fixtures import CLERK, DAY, REVIEWER, build, enter


@pytest.fixture
def town(engine):
    return build(engine)


@pytest.fixture
def pair(town):
    """花园村's team with one pair: a county cadre and a cadre of 桃源村."""
    team = town.teams.create_team(town.villages["花园村"])
    return town.teams.add_pair(team, town.reviewers["付县干"], town.reviewers["桃源干部"])


def test_a_pair_is_exactly_two_different_people(town):
    team = town.teams.create_team(town.villages["花园村"])
    with pytest.raises(TeamError, match="两个不同的人"):
        town.teams.add_pair(team, town.reviewers["付县干"], town.reviewers["付县干"])


def test_nobody_joins_the_team_of_their_own_village(town):
    team = town.teams.create_team(town.villages["花园村"])
    with pytest.raises(TeamError, match=r"花园干部来自花园村.*村际交叉排查"):
        town.teams.add_pair(team, town.reviewers["付县干"], town.reviewers["花园干部"])


def test_a_county_cadre_serves_in_several_villages(town):
    r = town.reviewers
    garden = town.teams.create_team(town.villages["花园村"])
    stone = town.teams.create_team(town.villages["石门村"])
    town.teams.add_pair(garden, r["付县干"], r["桃源干部"])
    town.teams.add_pair(stone, r["付县干"], r["花园干部"])
    assert [p.label for p in town.teams.pairs()] == [
        "花园村第1小组（付县干、桃源干部）",
        "石门村第1小组（付县干、花园干部）",
    ]
    with pytest.raises(TeamError, match="已有其中一人"):
        town.teams.add_pair(garden, r["付县干"], r["刘县干"])


def test_a_village_reviewer_needs_a_village_and_a_county_cadre_has_none(town):
    with pytest.raises(TeamError, match="须填写所在村"):
        town.teams.add_reviewer("王五")
    with pytest.raises(TeamError, match="县直干部不属于任何村"):
        town.teams.add_reviewer(
            "赵六", is_county_cadre=True, home_village_id=town.villages["花园村"]
        )


def test_the_county_share_of_a_team(town, pair):
    team = town.teams.pair(pair).team_id
    assert town.teams.county_share(team) == (1, 2)


def test_a_pair_never_gets_a_household_of_a_members_village(town, pair):
    own = town.households["桃源村"][:2]
    with pytest.raises(TeamError, match=r"交叉排查.*桃源村.*不能排查本村农户"):
        town.teams.assign(pair, own, DAY)
    assert town.teams.assignments() == []


def test_assignment_picks_the_questionnaire_by_registration(town, pair):
    ids = town.households["花园村"][:2]  # the first is registered, the second not
    town.teams.assign(pair, ids, DAY)
    rows = town.teams.assignments(pair_id=pair)
    assert [(r.household_id, r.form_code, r.visit_date, r.state_label) for r in rows] == [
        (ids[0], "hunan_registered", DAY, "已分配"),
        (ids[1], "hunan_unregistered", DAY, "已分配"),
    ]


def test_plan_gives_each_pair_about_ten_a_day_from_the_13th(engine):
    town = build(engine, per_village=45)
    r = town.reviewers
    team = town.teams.create_team(town.villages["花园村"])
    a = town.teams.add_pair(team, r["付县干"], r["桃源干部"])
    stone = town.teams.add_reviewer("石门干部", home_village_id=town.villages["石门村"])
    b = town.teams.add_pair(team, r["刘县干"], stone)
    assert town.teams.plan(town.villages["花园村"]) == 45
    days_a, days_b = town.teams.days(a), town.teams.days(b)
    assert sorted(days_a) == [ENTRY_START + datetime.timedelta(days=d) for d in range(3)]
    assert [len(v) for v in days_a.values()] == [10, 10, 3]
    assert [len(v) for v in days_b.values()] == [10, 10, 2]
    assert town.teams.plan(town.villages["花园村"]) == 0  # nothing left to assign


def test_plan_refuses_more_than_the_window_holds(engine):
    town = build(engine, per_village=40)
    team = town.teams.create_team(town.villages["花园村"])
    town.teams.add_pair(team, town.reviewers["付县干"], town.reviewers["桃源干部"])
    with pytest.raises(TeamError, match=r"40 户.*超过了 04-13—04-14 的 2 天"):
        town.teams.plan(town.villages["花园村"], end=ENTRY_START + datetime.timedelta(days=1))
    assert town.teams.plan(town.villages["花园村"], end=ENTRY_END) == 40


def test_an_assignment_moves_until_reviewed(town, pair):
    hid = town.households["花园村"][0]
    town.teams.assign(pair, [hid], DAY)
    later = DAY + datetime.timedelta(days=2)
    town.teams.assign(pair, [hid], later)
    assert [r.visit_date for r in town.teams.assignments()] == [later]
    enter(town, hid)
    row = town.teams.assignments()[0]
    town.teams.submit(row.id, CLERK)
    with pytest.raises(TeamError, match="审核中，不能改派"):
        town.teams.assign(pair, [hid], DAY)
    with pytest.raises(TeamError, match="不能取消分配"):
        town.teams.unassign(row.id)


def test_submit_needs_a_completed_questionnaire(town, pair):
    draft, empty = town.households["花园村"][:2]
    town.teams.assign(pair, [draft, empty], DAY)
    enter(town, draft, FORM_STATE_DRAFT)
    rows = {r.household_id: r for r in town.teams.assignments()}
    with pytest.raises(TeamError, match="还未录入完成"):
        town.teams.submit(rows[draft].id, CLERK)
    with pytest.raises(TeamError, match="还未录入，不能提交审核"):
        town.teams.submit(rows[empty].id, CLERK)


def test_the_signer_is_one_of_the_pair(town, pair):
    hid = town.households["花园村"][0]
    town.teams.assign(pair, [hid], DAY)
    enter(town, hid)
    row = town.teams.assignments()[0]
    with pytest.raises(TeamError, match="复核人员签名应为本小组成员（付县干、桃源干部）"):
        town.teams.submit(row.id, CLERK, signed_by="刘县干")
    town.teams.submit(row.id, CLERK, signed_by="付县干")
    assert town.teams.assignments()[0].signed_by == "付县干"


def test_submit_pass_and_return_with_reason(town, pair):
    a, b = town.households["花园村"][:2]
    town.teams.assign(pair, [a, b], DAY)
    enter(town, a)
    enter(town, b)
    rows = {r.household_id: r.id for r in town.teams.assignments()}
    for hid in (a, b):
        town.teams.submit(rows[hid], CLERK)
    with pytest.raises(PermissionDeniedError, match="审核调查问卷"):
        town.teams.pass_review(rows[a], CLERK)
    town.teams.pass_review(rows[a], REVIEWER)
    with pytest.raises(TeamError, match="退回原因"):
        town.teams.return_review(rows[b], "不对", REVIEWER)
    town.teams.return_review(rows[b], "第9题饮用水源与实际不符", REVIEWER)
    got = {r.household_id: r for r in town.teams.assignments()}
    assert (got[a].state, got[a].reviewed_by) == (REVIEW_PASSED, "审核员乙")
    assert (got[b].state, got[b].return_reason) == (REVIEW_RETURNED, "第9题饮用水源与实际不符")
    with pytest.raises(TeamError, match="已通过，只有审核中的问卷可以退回"):
        town.teams.return_review(rows[a], "再看一下第一题", REVIEWER)
    town.teams.submit(rows[b], CLERK)  # corrected and submitted again
    assert town.teams.assignments()[1].state == REVIEW_SUBMITTED


def test_review_steps_are_in_the_audit_log(town, pair):
    hid = town.households["花园村"][0]
    town.teams.assign(pair, [hid], DAY)
    enter(town, hid)
    row = town.teams.assignments()[0]
    town.teams.submit(row.id, CLERK)
    town.teams.return_review(row.id, "第9题饮用水源与实际不符", REVIEWER)
    with town.db.session() as s:
        entries = s.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == ReviewAssignment.__tablename__,
                AuditEntry.record_id == row.id,
            )
        ).all()
    assert len(entries) >= 3  # assigned, submitted, returned
    assert any(e.new_value and "第9题饮用水源与实际不符" in e.new_value for e in entries)


def test_a_questionnaire_under_review_or_passed_is_read_only(town, pair):
    hid = town.households["花园村"][0]
    town.teams.assign(pair, [hid], DAY)
    enter(town, hid)
    row = town.teams.assignments()[0]
    forms = FormService(town.db)
    assert town.teams.review_lock(hid, row.form_code) == ""
    town.teams.submit(row.id, CLERK)
    assert "已提交审核" in town.teams.review_lock(hid, row.form_code)
    with pytest.raises(FormLockedError, match="已提交审核"):
        forms.save(hid, row.form_code, {"Q2": "否"}, complete=False, user=CLERK)
    with town.db.session() as s:  # a change that bypasses the service is refused too
        record = s.scalar(select(FormRecord).where(FormRecord.household_id == hid))
        record.answers = {"Q2": "否"}
        with pytest.raises(FormLockedError):
            s.flush()
    town.teams.pass_review(row.id, REVIEWER)
    assert "已审核通过" in town.teams.review_lock(hid, row.form_code)
    with town.db.session() as s:
        assert s.scalar(select(FormRecord.answers).where(FormRecord.household_id == hid)) == {
            "Q2": "是"
        }


def test_a_returned_questionnaire_may_be_corrected(town, pair):
    hid = town.households["花园村"][0]
    town.teams.assign(pair, [hid], DAY)
    enter(town, hid)
    row = town.teams.assignments()[0]
    town.teams.submit(row.id, CLERK)
    town.teams.return_review(row.id, "第2题请再核实", REVIEWER)
    assert town.teams.review_lock(hid, row.form_code) == ""
    FormService(town.db).save(hid, row.form_code, {"Q2": "否"}, complete=False, user=CLERK)


def test_progress_by_village_and_by_pair(town, pair):
    ids = town.households["花园村"][:5]
    town.teams.assign(pair, ids, DAY)
    for hid in ids[:4]:
        enter(town, hid)
    rows = {r.household_id: r.id for r in town.teams.assignments()}
    for hid in ids[:3]:
        town.teams.submit(rows[hid], CLERK)
    town.teams.pass_review(rows[ids[0]], REVIEWER)
    town.teams.return_review(rows[ids[1]], "第2题请再核实", REVIEWER)
    counts = lambda r: (r.label, r.assigned, r.entered, r.submitted, r.passed, r.returned)  # noqa: E731
    by_village = town.teams.progress("village")
    assert [counts(r) for r in by_village] == [("花园村", 5, 4, 1, 1, 1), ("合计", 5, 4, 1, 1, 1)]
    by_pair = town.teams.progress("pair")
    assert counts(by_pair[0]) == ("花园村第1小组（付县干、桃源干部）", 5, 4, 1, 1, 1)


def test_progress_is_counted_by_the_database(town, pair, monkeypatch):
    """One GROUP BY per call; the rows are never loaded into Python to be counted."""
    from sqlalchemy import event

    other = town.teams.create_team(town.villages["桃源村"])
    empty = town.teams.add_pair(other, town.reviewers["付县干"], town.reviewers["花园干部"])
    town.teams.assign(pair, town.households["花园村"][:3], DAY)
    enter(town, town.households["花园村"][0])
    monkeypatch.setattr(type(town.teams), "assignments", lambda *a, **k: pytest.fail("loaded"))
    statements = []
    engine = town.db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        by_pair = town.teams.progress("pair")
        by_village = town.teams.progress("village")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    grouped = [q for q in statements if "GROUP BY" in q and "review_assignment" in q]
    assert len(grouped) == 2
    counts = {r.key: (r.assigned, r.entered) for r in by_pair}
    assert counts[pair] == (3, 1) and counts[empty] == (0, 0) and counts[0] == (3, 1)
    assert [(r.label, r.assigned) for r in by_village] == [("花园村", 3), ("合计", 3)]


def test_daily_list_holds_the_days_households(town, pair):
    ids = town.households["花园村"][:3]
    town.teams.assign(pair, ids[:2], DAY)
    town.teams.assign(pair, ids[2:], DAY + datetime.timedelta(days=1))
    daily = town.teams.daily_list(pair, DAY)
    assert daily.township == "桃花江镇"
    assert [r.household_id for r in daily.rows] == ids[:2]
    assert daily.rows[0].state == REVIEW_ASSIGNED


def test_the_plain_state_names_agree_with_the_models():
    assert MODEL_DEFAULT == REVIEW_ASSIGNED
    assert ENTERED_STATES == (FORM_STATE_COMPLETE, FORM_STATE_SIGNED)


def test_teams_lists_every_village_with_its_county_share(town, pair):
    rows = {r.village: r for r in town.teams.teams()}
    assert rows["桃源村"].team_id is None and rows["桃源村"].share_text == "—"
    garden = rows["花园村"]
    assert (garden.pairs, garden.county, garden.members, garden.share_text) == (
        1,
        1,
        2,
        "1/2（50%）",
    )


def test_a_pair_with_households_is_not_dissolved(town, pair):
    town.teams.assign(pair, town.households["花园村"][:1], DAY)
    with pytest.raises(TeamError, match="已分配 1 户，请先把这些户改派"):
        town.teams.remove_pair(pair)
    town.teams.unassign(town.teams.assignments()[0].id)
    town.teams.remove_pair(pair)
    assert town.teams.pairs() == []
