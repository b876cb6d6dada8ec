"""A small registry for the inspection tests: one county, one township, villages of each kind."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from desktop.models.registry import County, Household, Township, Village
from desktop.services.inspections.service import InspectionService
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database

YEAR = 2026

# (name, 贫困村, 预脱贫户, 未脱贫户, 已脱贫户)
VILLAGES = (
    ("花园村", True, 3, 2, 5),
    ("桃花村", True, 1, 0, 6),  # too small to supply the plan's households
    ("青山村", False, 2, 1, 4),
    ("石门村", False, 4, 3, 2),
)


def build_registry(engine) -> dict[str, int]:
    """Write the small registry; return village ids by name."""
    ids = {}
    with Session(engine) as s, s.begin():
        county = County(name="桃江县", province="湖南省", city="益阳市")
        township = Township(name="桃花江镇", county=county)
        s.add_all([county, township])
        for n, (name, poor, pre, open_, exited) in enumerate(VILLAGES, 1):
            village = Village(
                name=name, code=f"43092210{n:02d}", is_poor_village=poor, township=township,
                indicators={}, note="", aid_unit="县农业农村局" if poor else "",
            )  # fmt: skip
            s.add(village)
            kinds = [(None, YEAR)] * pre + [(None, None)] * open_ + [(2019, None)] * exited
            for h, (exit_year, planned) in enumerate(kinds, 1):
                s.add(
                    Household(
                        code=f"{village.code}{h:04d}", village=village, head_name=f"{name[0]}户{h}",
                        is_registered=True, exit_year=exit_year, planned_exit_year=planned,
                    )
                )  # fmt: skip
            s.flush()
            ids[name] = village.id
    return ids


@pytest.fixture
def registry(engine):
    """The small registry's village ids by name."""
    return build_registry(engine)


@pytest.fixture
def inspections(engine, registry, tmp_path):
    """An InspectionService on the small registry, groups and catalogue loaded."""
    db = Database(engine)
    service = InspectionService(db, ProblemService(db, tmp_path / "data"))
    service.ensure_reference_data()
    third = next(g for g in service.groups() if g.name == "第三组")
    service.add_coverage(third.id, "桃江县", "刘联络")
    return service
