"""ProblemReference: what a problem refers to — the catalogue, units and people, places."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.problem import (
    CatalogueArea,
    CatalogueItem,
    IndicatorDepartment,
    InspectionCategory,
    Person,
    TownshipUnitRole,
    Unit,
)
from desktop.models.registry import Household, Township, Village
from desktop.services.problems.catalogue import (
    GROUP_WORDS,
    SeedResult,
    role_of_printed,
    seed_reference_data,
    split_units,
    unit_roles,
)
from desktop.services.problems.data import ItemData, PersonData, UnitData, UnitRoleData
from desktop.services.problems.rules import UNIT_KINDS, ProblemError
from desktop.services.unit_of_work import Database


def person_in_unit(
    s: Session, unit_id: int, name: str, position: str = "", phone: str = ""
) -> tuple[int, bool]:
    """Return (id, added) of the unit's person of this name, adding the person when new (in
    the caller's transaction, so a refused save keeps nothing)."""
    found = s.scalar(select(Person.id).where(Person.unit_id == unit_id, Person.name == name))
    if found:
        return found, False
    person = Person(unit_id=unit_id, name=name, position=position, phone=phone)
    s.add(person)
    s.flush()
    return person.id, True


class ProblemReference:
    """The catalogue (34 items in 9 areas), the responsible units and people, the places."""

    db: Database
    data_dir: Path

    def ensure_reference_data(self) -> SeedResult:
        """Copy the shipped catalogue into the database when it has none; add village units."""
        with self.db.unit_of_work() as s:
            return seed_reference_data(s)

    def items(self) -> list[ItemData]:
        """Return the 34 catalogue items (or the clerk's edited list) with their areas."""
        with self.db.session() as s:
            rows = s.execute(
                select(CatalogueItem, CatalogueArea)
                .join(CatalogueItem.area)
                .order_by(CatalogueArea.seq, CatalogueItem.number)
            ).all()
            return [
                ItemData(
                    i.id,
                    i.number,
                    i.title,
                    i.description,
                    a.id,
                    a.seq,
                    a.name,
                    a.responsible_units,
                )
                for i, a in rows
            ]

    def areas(self) -> list[tuple[int, str]]:
        """Return (id, name) of the catalogue areas in order."""
        with self.db.session() as s:
            return [
                (r.id, r.name)
                for r in s.execute(
                    select(CatalogueArea.id, CatalogueArea.name).order_by(CatalogueArea.seq)
                )
            ]

    def inspection_categories(self) -> list[tuple[str, str, str]]:
        """Return (name, content, method) of seed 004's 督查内容及形式 categories."""
        with self.db.session() as s:
            return [
                (c.name, c.content, c.method)
                for c in s.scalars(select(InspectionCategory).order_by(InspectionCategory.seq))
            ]

    def indicator_departments(self) -> list[tuple[str, str]]:
        """Return (indicator, departments) of seed 001's 责任分工."""
        with self.db.session() as s:
            return [
                (d.indicator, d.departments)
                for d in s.scalars(select(IndicatorDepartment).order_by(IndicatorDepartment.seq))
            ]

    def units(self) -> list[UnitData]:
        """Return every responsible unit, township offices first, villages last."""
        order = {kind: n for n, kind in enumerate(UNIT_KINDS)}
        with self.db.session() as s:
            units = [UnitData(u.id, u.name, u.kind, u.phone) for u in s.scalars(select(Unit))]
        return sorted(units, key=lambda u: (order.get(u.kind, 99), u.id))

    def people(self, unit_id: int | None = None) -> list[PersonData]:
        """Return the responsible people, of one unit when given."""
        stmt = select(Person).order_by(Person.name)
        if unit_id is not None:
            stmt = stmt.where(Person.unit_id == unit_id)
        with self.db.session() as s:
            return [
                PersonData(p.id, p.name, p.unit_id, p.position, p.phone) for p in s.scalars(stmt)
            ]

    def add_unit(self, name: str, kind: str = "镇直单位", phone: str = "") -> int:
        """Add a responsible unit; return its id (refused when the name is empty or taken)."""
        name = name.strip()
        if not name:
            raise ProblemError("单位名称不能为空", "unit")
        with self.db.unit_of_work() as s:
            if s.scalar(select(Unit.id).where(Unit.name == name)):
                raise ProblemError(f"已有名为“{name}”的单位", "unit")
            unit = Unit(name=name, kind=kind, phone=phone.strip(), note="")
            s.add(unit)
            s.flush()
            return unit.id

    def add_person(self, name: str, unit_id: int, position: str = "", phone: str = "") -> int:
        """Add a responsible person to a unit; return the person's id."""
        name = name.strip()
        if not name:
            raise ProblemError("责任人姓名不能为空", "person")
        with self.db.unit_of_work() as s:
            if s.get(Unit, unit_id) is None:
                raise ProblemError("所选责任单位不存在", "unit")
            return person_in_unit(s, unit_id, name, position, phone)[0]

    def unit_id_by_name(self, name: str) -> int | None:
        """Return the id of the unit with this exact name, or None."""
        with self.db.session() as s:
            return s.scalar(select(Unit.id).where(Unit.name == name.strip()))

    def villages(self) -> list[tuple[int, str]]:
        """Return (id, name) of every village, for the scope and filter lists."""
        with self.db.session() as s:
            return [
                (r.id, r.name)
                for r in s.execute(select(Village.id, Village.name).order_by(Village.code))
            ]

    def households_of_village(self, village_id: int) -> list[tuple[int, str]]:
        """Return (id, “户主 (户编号)”) of a village's households."""
        with self.db.session() as s:
            return [
                (r.id, f"{r.head_name}（{r.code}）")
                for r in s.execute(
                    select(Household.id, Household.head_name, Household.code)
                    .where(Household.village_id == village_id)
                    .order_by(Household.code)
                )
            ]

    def household_info(self, household_id: int) -> tuple[int, str] | None:
        """Return (village id, “村 户主（户编号）”) of a household, or None."""
        with self.db.session() as s:
            row = s.execute(
                select(Household.village_id, Village.name, Household.head_name, Household.code)
                .join(Village, Village.id == Household.village_id)
                .where(Household.id == household_id)
            ).first()
        if row is None:
            return None
        return row[0], f"{row[1]} {row[2]}（{row[3]}）"

    def townships(self) -> list[tuple[int, str]]:
        """Return (id, name) of every township, for the unit-role mapping."""
        with self.db.session() as s:
            return [(r.id, r.name) for r in s.execute(select(Township.id, Township.name))]

    def township_of_village(self, village_id: int | None) -> int | None:
        """Return the township of a village; without one, the database's first township."""
        with self.db.session() as s:
            if village_id is not None:
                found = s.scalar(select(Village.township_id).where(Village.id == village_id))
                if found is not None:
                    return found
            return s.scalar(select(Township.id).order_by(Township.id).limit(1))

    def unit_roles(self, township_id: int) -> list[UnitRoleData]:
        """Return every role of the catalogue's unit template with the township's unit."""
        with self.db.session() as s:
            mapped = {
                r.role: (r.unit_id, r.name or "")
                for r in s.execute(
                    select(TownshipUnitRole.role, TownshipUnitRole.unit_id, Unit.name)
                    .outerjoin(Unit, Unit.id == TownshipUnitRole.unit_id)
                    .where(TownshipUnitRole.township_id == township_id)
                )
            }
        return [
            UnitRoleData(r.role, r.printed, *mapped.get(r.role, (None, ""))) for r in unit_roles()
        ]

    def set_unit_roles(self, township_id: int, units: dict[str, int | None]) -> None:
        """Map roles of the unit template to the township's own units (None: no unit)."""
        known = {r.role for r in unit_roles()}
        with self.db.unit_of_work() as s:
            if s.get(Township, township_id) is None:
                raise ProblemError("所选乡镇不存在", "township")
            rows = {
                r.role: r
                for r in s.scalars(
                    select(TownshipUnitRole).where(TownshipUnitRole.township_id == township_id)
                )
            }
            for role, unit_id in units.items():
                if role not in known:
                    raise ProblemError(f"模板中没有“{role}”这一单位", "unit")
                if unit_id is not None and s.get(Unit, unit_id) is None:
                    raise ProblemError(f"“{role}”所选的单位已不存在", "unit")
                row = rows.get(role)
                if row is None:
                    s.add(TownshipUnitRole(township_id=township_id, role=role, unit_id=unit_id))
                elif row.unit_id != unit_id:
                    row.unit_id = unit_id

    def suggested_units(self, printed: str, township_id: int | None) -> list[UnitData | str]:
        """Return a catalogue area's 责任单位 as the township's own units, in order; a group
        word (各村) or a role no unit is mapped to stays a text."""
        roles = {r.role: r for r in self.unit_roles(township_id)} if township_id is not None else {}
        out: list[UnitData | str] = []
        for name in split_units(printed):
            mapped = roles.get(role_of_printed(name))
            if name in GROUP_WORDS or mapped is None or mapped.unit_id is None:
                out.append(name if name in GROUP_WORDS else role_of_printed(name))
            elif all(not isinstance(u, UnitData) or u.id != mapped.unit_id for u in out):
                out.append(UnitData(mapped.unit_id, mapped.unit_name, ""))
        return out

    def issuer_default(self) -> str:
        """The office a 整改函 is issued by when none is named: the township's 扶贫工作站."""
        with self.db.session() as s:
            name = s.scalar(select(Township.name).order_by(Township.id).limit(1))
        return f"{name or ''}扶贫工作站"
