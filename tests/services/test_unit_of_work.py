"""One unit of work shared by several services: all of it commits, or none of it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.problem import Problem
from desktop.models.registry import Household
from desktop.models.safety import AuditEntry
from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.unit_of_work import Database
from tests.problem_fixtures import clear_problems, problem


@pytest.fixture
def services(demo_engine, data_dir):
    clear_problems(demo_engine)
    services = AppServices(demo_engine, user=CurrentUser("李录入", "clerk", 2))
    services.problems.ensure_reference_data()
    return services


def _counts(engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return (
            s.scalar(select(func.count(Problem.id))),
            s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.table_name == "problem")),
            s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.field == "note")),
        )


def _household_with_note(services: AppServices, note: str):
    household = services.registry.get_household(services.registry.household_rows()[0].id)
    household.note = note
    return household


def test_changes_of_several_services_commit_together(services, demo_engine):
    data = problem(services.problems, demo_engine)
    before = _counts(demo_engine)
    with services.unit_of_work():
        household_id = services.registry.save_household(
            _household_with_note(services, "核实后改正")
        )
        problem_id = services.problems.save(data, "李录入")
        # Inside the unit, reads of any service see its changes (and do not wait for a
        # second connection: the engine has one).
        assert services.problems.count() == before[0] + 1
        assert services.registry.get_household(household_id).note == "核实后改正"
        assert len(services.registry.household_rows()) == 300
    problems, problem_entries, note_entries = _counts(demo_engine)
    assert (problems, note_entries) == (before[0] + 1, before[2] + 1)
    assert problem_entries > before[1]
    assert services.problems.get(problem_id).description == data.description


def test_an_error_in_a_unit_of_work_rolls_back_every_service_and_its_audit(services, demo_engine):
    data = problem(services.problems, demo_engine)
    before = _counts(demo_engine)
    with pytest.raises(RuntimeError), services.unit_of_work():
        services.registry.save_household(_household_with_note(services, "不会留下"))
        services.problems.save(data, "李录入")
        raise RuntimeError("the verdict could not be recorded")
    assert _counts(demo_engine) == before
    with Session(demo_engine) as s:
        assert s.scalar(select(func.count()).where(Household.note == "不会留下")) == 0


def test_a_service_call_outside_a_unit_commits_on_its_own(services, demo_engine):
    before = _counts(demo_engine)
    services.registry.save_household(_household_with_note(services, "单独保存"))
    assert _counts(demo_engine)[2] == before[2] + 1
    assert not services.db.in_unit_of_work


def test_only_sessions_of_a_database_are_audited(demo_engine):
    """Nothing is installed on SQLAlchemy's Session class: a bare session writes no entry."""
    with Session(demo_engine) as s:
        before = s.scalar(select(func.count(AuditEntry.id)))
    with Session(demo_engine) as s, s.begin():
        s.scalars(select(Household)).first().note = "不经过服务"
    with Session(demo_engine) as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == before
    with Database(demo_engine).unit_of_work() as s:
        s.scalars(select(Household)).first().note = "经过服务"
    with Session(demo_engine) as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == before + 1
