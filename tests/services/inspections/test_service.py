"""InspectionService without Qt: rounds, the stored sample and its changes, findings, 整改率."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.problem import Problem
from desktop.models.registry import Household
from desktop.services.inspections.data import FindingData, RoundData
from desktop.services.inspections.rules import (
    HOUSEHOLD_NOT_EXITED,
    HOUSEHOLD_OTHER,
    HOUSEHOLD_PRE_EXIT,
    KIND_FOLLOW_UP,
    InspectionError,
)
from desktop.services.problems.rules import STATUS_AWAITING, STATUS_CLOSED

USER = "李进强"
START, END = datetime.date(2026, 7, 8), datetime.date(2026, 7, 9)


def _group(service, name="第三组"):
    return next(g for g in service.groups() if g.name == name)


def _round(service, **extra) -> int:
    unit = service.problems.unit_id_by_name("花园村")
    data = RoundData(
        group_id=_group(service).id, county_name="桃江县", start_date=START, end_date=END,
        unit_ids=[unit], **extra,
    )  # fmt: skip
    return service.save_round(data, USER)


def _finding(service, round_id, target, **extra) -> int:
    unit = service.problems.unit_id_by_name(target.village_name)
    values = dict(
        round_id=round_id, category_id=service.categories()[2].id,
        description="预脱贫户“八有”佐证材料不全", household_id=target.household_id,
        unit_id=unit, person_name="王村长", measures="补齐佐证材料",
        deadline=datetime.date(2026, 8, 9),
    )  # fmt: skip
    values.update(extra)
    return service.add_finding(FindingData(**values), USER)


def test_seed_004_groups_are_loaded_with_leaders_and_liaisons(inspections):
    groups = inspections.groups()
    assert [g.name for g in groups] == ["第一组", "第二组", "第三组", "第四组", "第五组"]
    first = groups[0]
    assert (first.leader, first.counties) == ("张翼", ("源城区", "和平县"))
    assert first.liaison("和平县") == "黄运彬" and first.liaison("源城区") == "王小康"
    assert groups[4].members == "业务科、考核督导组工作人员"
    assert inspections.ensure_reference_data() == 0  # loaded once


def test_categories_come_from_the_table_already_in_the_database(inspections):
    names = [c.name for c in inspections.categories()]
    assert names == [
        "扶贫责任落实情况", "扶贫政策落实情况", "贫困识别退出情况", "帮扶措施落实情况",
        "脱贫任务完成情况", "新农村建设情况", "资金使用率情况", "信息录入和台账建立情况",
    ]  # fmt: skip
    assert inspections.categories()[4].method.startswith("围绕考核方案各项指标看落实完成情况")


def test_a_round_is_refused_for_a_county_its_group_does_not_cover(inspections):
    data = RoundData(
        group_id=_group(inspections, "第一组").id, county_name="桃江县",
        start_date=START, end_date=END,
    )  # fmt: skip
    with pytest.raises(InspectionError, match="第一组负责源城区、和平县，不负责“桃江县”"):
        inspections.save_round(data, USER)
    data.group_id = _group(inspections).id
    data.end_date = START - datetime.timedelta(days=1)
    with pytest.raises(InspectionError, match="结束日期（2026-07-07）不能早于开始日期"):
        inspections.save_round(data, USER)


def test_the_drawn_sample_is_stored_with_its_seed_and_drawn_again_from_it(inspections):
    round_id = _round(inspections)
    township = inspections.township_id_by_name("桃花江镇")
    proposal = inspections.draw_sample(round_id, township, 77, USER)
    row = inspections.round_row(round_id)
    assert (row.sample_seed, row.sample_year, row.number) == (77, 2026, "2026-第三组-01")
    stored = [(e.kind, e.village_id, e.household_id) for e in inspections.sample(round_id)]
    assert stored == [(x.kind, x.village_id, x.household_id) for x in proposal.lines]
    assert inspections.propose(township, 77, 2026).lines == proposal.lines
    assert inspections.sample_shortfalls(round_id) == []
    assert "桃花村" not in {e.village_name for e in inspections.sample(round_id)}


def test_changing_the_sample_needs_a_reason_and_keeps_what_was_drawn(inspections, registry):
    round_id = _round(inspections)
    inspections.draw_sample(round_id, inspections.township_id_by_name("桃花江镇"), 77, USER)
    poor = next(e for e in inspections.sample(round_id) if e.kind == "贫困村")
    with pytest.raises(InspectionError, match="调整抽查对象必须说明原因"):
        inspections.replace_sample_entry(
            poor.id, reason=" ", user=USER, village_id=registry["桃花村"]
        )
    lacks = inspections.replace_sample_entry(
        poor.id, reason="花园村上月已督查", user=USER, village_id=registry["桃花村"]
    )
    # 桃花村 is too small: the sample now says what it lacks.
    assert lacks == [
        "桃花村（贫困村）抽查预脱贫户 1 户，少于要求的 2 户",
        "桃花村（贫困村）抽查未脱贫户 0 户，少于要求的 1 户",
    ]
    entries = inspections.sample(round_id)
    dropped = [e for e in entries if e.dropped]
    assert {e.village_name for e in dropped} == {poor.village_name}
    assert len(dropped) == 4 and all(e.reason == "花园村上月已督查" for e in dropped)
    added = [e for e in entries if not e.dropped and e.village_name == "桃花村"]
    assert [e.state for e in added] == ["调整", "调整"]
    assert [e.kind for e in added] == ["贫困村", HOUSEHOLD_PRE_EXIT]


def test_a_household_replaced_by_hand_keeps_its_real_kind(inspections, registry, engine):
    round_id = _round(inspections)
    inspections.draw_sample(round_id, inspections.township_id_by_name("桃花江镇"), 77, USER)
    entry = next(e for e in inspections.sample(round_id) if e.kind == HOUSEHOLD_NOT_EXITED)
    with Session(engine) as s:
        exited = s.scalar(
            select(Household.id).where(
                Household.village_id == entry.village_id, Household.exit_year.is_not(None)
            )
        )
    lacks = inspections.replace_sample_entry(
        entry.id, reason="原户外出务工，家中无人", user=USER, household_id=exited
    )
    new = next(e for e in inspections.sample(round_id) if e.household_id == exited)
    assert new.kind == HOUSEHOLD_OTHER and new.state == "调整"
    assert any(f"抽查{HOUSEHOLD_NOT_EXITED} 0 户" in line for line in lacks)


def test_planned_exit_is_refused_for_an_exited_household(inspections, engine):
    with Session(engine) as s:
        exited = s.scalar(select(Household.id).where(Household.exit_year.is_not(None)))
    with pytest.raises(InspectionError, match="已于 2019 年脱贫，不能再标为预脱贫户"):
        inspections.set_planned_exit(exited, 2026)


def test_a_finding_goes_into_the_ledger_with_source_round_unit_and_deadline(inspections):
    round_id = _round(inspections)
    inspections.draw_sample(round_id, inspections.township_id_by_name("桃花江镇"), 77, USER)
    target = next(e for e in inspections.sample(round_id) if e.is_household)
    problem_id = _finding(inspections, round_id, target)
    row = inspections.problems.rows_by_ids([problem_id])[0]
    assert (row.source, row.found_date, row.deadline) == ("督查组", END, datetime.date(2026, 8, 9))
    assert row.unit_name == target.village_name and row.person_name == "王村长"
    assert inspections.problems.get(problem_id).note == "督查 2026-第三组-01"
    finding = inspections.findings(round_id)[0]
    assert (finding.category_name, finding.number) == ("贫困识别退出情况", row.number)


def test_a_refused_finding_leaves_nothing_behind(inspections, engine):
    round_id = _round(inspections)
    inspections.draw_sample(round_id, inspections.township_id_by_name("桃花江镇"), 77, USER)
    target = next(e for e in inspections.sample(round_id) if e.is_household)
    with pytest.raises(InspectionError, match="限时整改的问题必须填写整改时限"):
        _finding(inspections, round_id, target, deadline=None)
    with pytest.raises(InspectionError, match="发现日期应在督查期间"):
        _finding(inspections, round_id, target, found_date=datetime.date(2026, 7, 20))
    with pytest.raises(InspectionError, match="请选择督查内容类别"):
        _finding(inspections, round_id, target, category_id=None)
    with Session(engine) as s:
        assert s.scalar(select(func.count(Problem.id))) == 0
    assert inspections.findings(round_id) == []


def test_follow_up_extensions_and_a_look_back_round(inspections):
    round_id = _round(inspections)
    inspections.draw_sample(round_id, inspections.township_id_by_name("桃花江镇"), 77, USER)
    targets = [e for e in inspections.sample(round_id) if e.is_household]
    first = _finding(inspections, round_id, targets[0])
    second = _finding(inspections, round_id, targets[1], deadline=datetime.date(2026, 7, 20))
    _finding(inspections, round_id, targets[2], description="帮扶措施不具体")
    problems = inspections.problems
    problems.set_status(first, STATUS_AWAITING, USER)
    problems.close(first, verified_by="李进强", verified_on=datetime.date(2026, 8, 1),
                   opinion="佐证已补齐", user=USER)  # fmt: skip
    problems.extend(second, datetime.date(2026, 9, 1), "材料需县民政局出具", USER)
    follow = inspections.follow_up(round_id, today=datetime.date(2026, 9, 10))
    assert (follow.total, follow.closed, follow.open, follow.overdue) == (3, 1, 2, 2)
    assert follow.text == "共 3 个问题：已销号 1，未销号 2（其中逾期 2）"
    [ext] = inspections.extensions(round_id)
    assert (ext.old_deadline, ext.new_deadline, ext.reason) == (
        datetime.date(2026, 7, 20), datetime.date(2026, 9, 1), "材料需县民政局出具",
    )  # fmt: skip
    back = inspections.order_follow_up(
        round_id, datetime.date(2026, 9, 15), datetime.date(2026, 9, 15), USER
    )
    row = inspections.round_row(back)
    assert (row.kind, row.group_name, row.follows_number) == (
        KIND_FOLLOW_UP,
        "第三组",
        row.follows_number,
    )
    assert row.follows_number == "2026-第三组-01" and row.number == "2026-第三组-02"
    revisited = {e.household_id for e in inspections.sample(back) if e.is_household}
    assert revisited == {targets[1].household_id, targets[2].household_id}


def test_rectification_rates_per_county_aid_unit_and_village(inspections):
    round_id = _round(inspections)
    inspections.draw_sample(round_id, inspections.township_id_by_name("桃花江镇"), 77, USER)
    targets = [e for e in inspections.sample(round_id) if e.is_household]
    ids = [_finding(inspections, round_id, t) for t in targets]
    problems = inspections.problems
    problems.set_status(ids[0], STATUS_AWAITING, USER)
    problems.close(ids[0], verified_by="李进强", verified_on=datetime.date(2026, 8, 1),
                   opinion="已整改", user=USER)  # fmt: skip
    rates = inspections.rates(2026, today=datetime.date(2026, 12, 1))
    [county] = rates["县区"]
    assert (county.name, county.total, county.due, county.closed) == ("桃江县", 6, 6, 1)
    assert county.rate_text == "16.7%"
    aid = {r.name: (r.total, r.closed) for r in rates["帮扶单位"]}
    assert aid == {"县农业农村局": (3, 1), "（未指定）": (3, 0)}
    assert {r.name for r in rates["镇村"]} == {f"桃花江镇 {e.village_name}" for e in targets}
    assert inspections.rates(2025, today=datetime.date(2026, 12, 1)) == {
        "县区": [], "帮扶单位": [], "镇村": [],
    }  # fmt: skip
    assert STATUS_CLOSED  # the tracker's status names are the ones counted


def test_the_notice_clock_on_the_round_stops_when_the_notice_is_recorded(inspections):
    round_id = _round(inspections)
    row = inspections.round_row(round_id, today=datetime.date(2026, 7, 13))
    assert row.clock.late and row.clock.text == "逾期 1 天"
    with pytest.raises(InspectionError, match="发函日期不能早于结束日期"):
        inspections.record_notice(round_id, datetime.date(2026, 7, 1), "", USER)
    inspections.record_notice(round_id, datetime.date(2026, 7, 11), "河扶督函〔2026〕7号", USER)
    row = inspections.round_row(round_id, today=datetime.date(2026, 7, 13))
    assert not row.clock.late and row.notice_number == "河扶督函〔2026〕7号"


def test_another_village_may_be_added_with_a_reason(inspections, registry):
    round_id = _round(inspections)
    inspections.draw_sample(round_id, inspections.township_id_by_name("桃花江镇"), 77, USER)
    drawn = {e.village_name for e in inspections.sample(round_id)}
    extra = next(name for name in ("石门村", "青山村", "花园村") if name not in drawn)
    with pytest.raises(InspectionError, match="增加抽查村必须说明原因"):
        inspections.add_sample_village(round_id, registry[extra], reason="", user=USER)
    assert (
        inspections.add_sample_village(
            round_id, registry[extra], reason="群众反映问题较多", user=USER
        )
        == []
    )
    added = [e for e in inspections.sample(round_id) if e.village_name == extra]
    assert added[0].state == "调整" and not added[0].is_household
    assert sorted(e.kind for e in added[1:]) == [HOUSEHOLD_NOT_EXITED, HOUSEHOLD_PRE_EXIT,
                                                 HOUSEHOLD_PRE_EXIT]  # fmt: skip
    with pytest.raises(InspectionError, match=f"{extra}已在样本中"):
        inspections.add_sample_village(round_id, registry[extra], reason="再加", user=USER)
