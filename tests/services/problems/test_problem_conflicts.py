"""Two clerks save the same problem: the second sees both field by field, with names, not ids."""

from __future__ import annotations

import copy

import pytest

from desktop.services.actor import Actor
from desktop.services.problems.service import ProblemService, StaleProblemError
from desktop.services.unit_of_work import Database
from tests.problem_fixtures import problem, service


@pytest.fixture
def ps(demo_engine, data_dir):
    return service(demo_engine, data_dir)


def test_a_problem_saved_meanwhile_names_units_and_keeps_the_others_fields(
    ps, demo_engine, data_dir
):
    other_clerk = ProblemService(Database(demo_engine, lambda: Actor("王录入")), data_dir)
    problem_id = ps.save(problem(ps, demo_engine), "刘芳")
    opened = ps.get(problem_id)
    theirs = other_clerk.get(problem_id)
    other_unit = next(u for u in ps.units() if u.id != theirs.unit_id)
    theirs.unit_id, theirs.person_id, theirs.note = other_unit.id, None, "镇里已督办"
    theirs.person_name = "赵六"
    other_clerk.save(theirs, "王录入")

    mine = copy.deepcopy(opened)
    mine.measures, mine.person_id, mine.person_name = "先行安置到亲属家", None, "钱七"
    with pytest.raises(StaleProblemError):
        ps.save(mine, "刘芳")
    conflict = ps.problem_conflict(opened, mine)
    assert conflict.saved_by == "王录入" and f"问题 {opened.number}" in conflict.summary
    rows = {d.label: d for d in conflict.differences}
    unit = rows["责任单位"]
    assert (
        unit.theirs == other_unit.name and unit.changed_by == "对方" and unit.merged == unit.theirs
    )
    assert (rows["责任人"].opened, rows["责任人"].mine, rows["责任人"].theirs) == (
        "周建国",
        "钱七",
        "赵六",
    )
    assert rows["整改措施"].changed_by == "您"

    ps.save(conflict.merged, "刘芳")
    saved = ps.get(problem_id)
    assert saved.measures == "先行安置到亲属家" and saved.note == "镇里已督办"
    assert saved.unit_id == other_unit.id
