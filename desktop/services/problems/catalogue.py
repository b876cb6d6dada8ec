"""The shipped reference data of the tracker: seed 002's catalogue, seed 004's categories,
seed 001's indicator → department mapping; copied into a database that has none."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.problem import (
    CatalogueArea,
    CatalogueItem,
    IndicatorDepartment,
    InspectionCategory,
    Unit,
)
from desktop.models.registry import Village
from desktop.paths import resources_dir

CATALOGUE_FILE = "catalogue/problem_catalogue.json"

# Words in a 责任单位 list that stand for a group of units rather than one unit.
GROUP_WORDS = ("各村", "各指挥部")


@dataclass(frozen=True)
class SeedResult:
    """What seeding added to the database."""

    areas: int
    items: int
    units: int


@cache
def load_catalogue() -> dict:
    """Return the shipped reference data as read from resources/catalogue/."""
    path = resources_dir() / CATALOGUE_FILE
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def split_units(text: str) -> list[str]:
    """Split a printed 责任单位 list into unit names, in order, without repeats."""
    names: list[str] = []
    for part in text.replace("，", "、").split("、"):
        part = part.strip().rstrip("。")
        if part and part not in names:
            names.append(part)
    return names


def unit_kind(name: str) -> str:
    """Guess a unit's kind from its name (the clerk can change it)."""
    if name.endswith("指挥部"):
        return "指挥部"
    if name.endswith("村") or name.endswith("社区"):
        return "村"
    if name.startswith("县") or name.endswith("局"):
        return "县直部门"
    return "镇直单位"


def seed_reference_data(session: Session) -> SeedResult:
    """Copy the shipped catalogue into the session's database if it holds none; add a unit
    for every village not yet listed. Returns what was added."""
    data = load_catalogue()
    areas = items = units = 0
    existing_units = set(session.scalars(select(Unit.name)))

    def add_unit(name: str, kind: str) -> None:
        nonlocal units
        if name not in existing_units:
            session.add(Unit(name=name, kind=kind, phone="", note=""))
            existing_units.add(name)
            units += 1

    if not session.scalar(select(func.count(CatalogueArea.id))):
        for a in data["areas"]:
            area = CatalogueArea(
                seq=a["seq"],
                name=a["name"],
                heading=a["heading"],
                responsible_units=a["responsible_units"],
            )
            session.add(area)
            areas += 1
            for i in a["items"]:
                area.items.append(
                    CatalogueItem(
                        number=i["number"], title=i["title"], description=i["description"]
                    )
                )
                items += 1
            for name in split_units(a["responsible_units"]):
                if name not in GROUP_WORDS:
                    add_unit(name, unit_kind(name))
    if not session.scalar(select(func.count(InspectionCategory.id))):
        for seq, c in enumerate(data["inspection_categories"], 1):
            session.add(
                InspectionCategory(
                    seq=seq, name=c["name"], content=c["content"], method=c["method"]
                )
            )
    if not session.scalar(select(func.count(IndicatorDepartment.id))):
        for seq, d in enumerate(data["indicator_departments"], 1):
            session.add(
                IndicatorDepartment(seq=seq, indicator=d["indicator"], departments=d["departments"])
            )
    for (name,) in session.execute(select(Village.name).order_by(Village.code, Village.id)):
        add_unit(name, "村")
    session.flush()
    return SeedResult(areas, items, units)
