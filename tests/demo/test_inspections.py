"""The demo rounds: seed 004's groups, a month-by-month round history with a 回头看, and
整改函 sent on time, late and not yet, so that every state shows in the rounds list."""

from __future__ import annotations

import datetime

import pytest

from desktop.services.inspections.service import InspectionService
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database


@pytest.fixture
def demo(demo_engine, _demo_template):
    db = Database(demo_engine)
    return InspectionService(db, ProblemService(db, _demo_template.parent / "data"))


def test_the_demo_has_rounds_in_every_state(demo):
    today = datetime.date.today()
    rounds = demo.rounds(today)
    assert [g.name for g in demo.groups()] == ["第一组", "第二组", "第三组", "第四组", "第五组"]
    assert {r.group_name for r in rounds} == {"第三组"} and len(rounds) == 6
    back = [r for r in rounds if r.kind == "回头看"]
    assert len(back) == 1 and back[0].follows_number == min(r.number for r in rounds)
    clocks = [r.clock for r in rounds]
    assert any(c.sent_on is None and c.late for c in clocks)  # the red one
    assert any(c.sent_on is None and not c.late for c in clocks)  # days still left
    assert any(c.sent_on is not None and c.late for c in clocks)  # sent, but late
    assert any(c.sent_on is not None and not c.late for c in clocks)
    for r in rounds:
        assert demo.sample(r.id), r.number
        assert r.units[0] == "桃花江镇人民政府"
    assert sum(r.findings for r in rounds) >= 8
    problems = [p for r in rounds for p in demo.finding_problem_rows([r.id])]
    assert {p.source for p in problems} == {"督查组"}
    assert any(demo.extensions(r.id) for r in rounds)
    assert any(p.attachment_count for p in problems)


def test_the_demo_marks_pre_exit_households_and_aid_units(demo):
    year = max(r.start_date.year for r in demo.rounds() if r.findings)
    townships = demo.candidates(year)
    households = [h for t in townships for v in t.villages for h in v.households]
    assert any(h.kind == "预脱贫户" for h in households)
    assert any(h.kind == "未脱贫户" for h in households)
    rates = demo.rates(year)
    assert rates["县区"][0].name == "桃江县"
    assert "（未指定）" not in {r.name for r in rates["帮扶单位"]}
