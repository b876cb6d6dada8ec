"""Helpers shared by the problem tests: a service on a database with villages and households."""

from __future__ import annotations

import datetime

from sqlalchemy import delete, select

from desktop.models.problem import Problem
from desktop.models.registry import Household
from desktop.services.problems.data import ProblemData
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database

FOUND = datetime.date(2020, 5, 1)


def clear_problems(engine) -> None:
    """Delete every problem (the demo township comes with some), keeping units and people."""
    with engine.begin() as conn:
        conn.execute(delete(Problem))


def service(engine, data_dir, *, empty: bool = True) -> ProblemService:
    """A ProblemService with the shipped reference data in place and, by default, no problems."""
    if empty:
        clear_problems(engine)
    s = ProblemService(Database(engine), data_dir)
    s.ensure_reference_data()
    return s


def household_id(engine, index: int = 0) -> int:
    """Return the id of the index-th household of the demo township."""
    with engine.connect() as conn:
        return conn.execute(select(Household.id).order_by(Household.id)).all()[index][0]


def unit_and_person(s: ProblemService, unit_name: str = "扶贫工作站", person: str = "周建国"):
    """Return (unit id, person id) of a seeded unit with a person added."""
    unit_id = s.unit_id_by_name(unit_name)
    return unit_id, s.add_person(person, unit_id)


def problem(s: ProblemService, engine, **changes) -> ProblemData:
    """A valid 限时整改 problem about a household; keyword arguments change fields."""
    unit_id, person_id = unit_and_person(s)
    data = ProblemData(
        description="住房经鉴定为C级危房，仍在居住",
        found_date=FOUND,
        source="回头看排查",
        item_id=next(i.id for i in s.items() if i.number == 3),
        household_id=household_id(engine),
        unit_id=unit_id,
        person_id=person_id,
        deadline=FOUND + datetime.timedelta(days=30),
        measures="纳入危房改造计划",
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data
