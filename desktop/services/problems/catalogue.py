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
    TownshipUnitRole,
    Unit,
)
from desktop.models.registry import Township, Village
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


@dataclass(frozen=True)
class UnitRole:
    """A unit the catalogue names, as a role each township fills with a unit of its own."""

    printed: str  # as seed 002 prints it: 干汊河中心校
    role: str  # what it stands for: 乡镇中心学校 (the printed name where it is the same everywhere)
    default_name: str  # a new township's unit, {township} replaced by its name

    def unit_name(self, township: str) -> str:
        """Return the name a township's own unit gets by default."""
        return self.default_name.replace("{township}", township)


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


def unit_roles() -> tuple[UnitRole, ...]:
    """Return every unit role of the catalogue, in the order its areas name them."""
    data = load_catalogue()
    special = {r["printed"]: r for r in data["unit_roles"]["roles"]}
    roles: dict[str, UnitRole] = {}
    for area in data["areas"]:
        for printed in split_units(area["responsible_units"]):
            if printed in GROUP_WORDS or printed in roles:
                continue
            r = special.get(printed)
            roles[printed] = (
                UnitRole(printed, r["role"], r["name"])
                if r
                else UnitRole(printed, printed, printed)
            )
    return tuple(roles.values())


def role_of_printed(printed: str) -> str:
    """Return the role a printed unit name stands for (a group word stays itself)."""
    for role in unit_roles():
        if role.printed == printed:
            return role.role
    return printed


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
    existing_units = {u.name: u for u in session.scalars(select(Unit))}

    def add_unit(name: str, kind: str) -> Unit:
        nonlocal units
        if name not in existing_units:
            unit = Unit(name=name, kind=kind, phone="", note="")
            session.add(unit)
            existing_units[name] = unit
            units += 1
        return existing_units[name]

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
    # Each township gets its own unit for every role of the template once (the clerk may map
    # a role to another unit later): 桃花江镇中心学校, not seed 002's 干汊河中心校.
    mapped = set(session.execute(select(TownshipUnitRole.township_id, TownshipUnitRole.role)))
    for township_id, township in session.execute(select(Township.id, Township.name)):
        for role in unit_roles():
            if (township_id, role.role) in mapped:
                continue
            name = role.unit_name(township)
            unit = add_unit(name, unit_kind(name))
            session.flush()
            session.add(TownshipUnitRole(township_id=township_id, role=role.role, unit_id=unit.id))
    for (name,) in session.execute(select(Village.name).order_by(Village.code, Village.id)):
        add_unit(name, "村")
    session.flush()
    return SeedResult(areas, items, units)
