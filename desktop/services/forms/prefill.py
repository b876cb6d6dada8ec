"""What the registry already knows for a form, and what a completed form writes back to it.

`prefill` fills a form's blank answers from the subject (a household, or a village or township
for their own papers); `writeback` returns the household with the registry fields a completed
form changes. Field codes never appear here: the description's `prefill` names the source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from desktop.engine import FormDescription, RepeatSection, is_blank, row_is_blank
from desktop.engine.sections.repeat import GridColumn
from desktop.services.registry import codes
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.service import HOUSEHOLD_FIELDS, MEMBER_FIELDS

MEMBER_ID_KEY = "_member_id"  # hidden key of a member-grid row: the Member it came from
COUNT_SOURCES = ("count_hukou", "count_card", "count_system", "count_actual")
TEXT_SOURCES = ("phone", "bank_name", "bank_account", "helper_name", "helper_phone")


@dataclass(frozen=True)
class Place:
    """Where a subject is: the names above it, each with its own unit (益阳市, 桃江县 …)."""

    province: str = ""
    city: str = ""
    county_name: str = ""
    township_name: str = ""
    village_name: str = ""
    group_name: str = ""


_PLACE_SOURCES = ("province", "city", "county_name", "township_name", "village_name", "group_name")


def prefill_value(source: str, household: HouseholdData | None, place: Place) -> Any:
    """Return what the registry knows for a prefill source (see catalog.PREFILL_SOURCES)."""
    if source in _PLACE_SOURCES:
        return getattr(place, source) or (getattr(household, source, "") if household else "")
    if household is None:
        return None  # a village's or township's paper has no household answers
    members = household.members
    if source == "poverty_causes":
        return list(household.poverty_causes or [])
    if source == "poverty_causes.main":
        return household.poverty_causes[0] if household.poverty_causes else None
    if source == "poverty_causes.other":
        return list(household.poverty_causes[1:]) if household.poverty_causes else []
    if source == "poverty_kind":
        return [household.poverty_kind] if household.poverty_kind else []
    if source == "poverty_kind.is_wubao_dibao":
        wubao_dibao = household.poverty_kind in ("低保贫困户", "五保贫困户") or (
            household.special_kind in ("低保户", "分散供养五保户")
        )
        return "是" if wubao_dibao else "否"
    if source == "head_id_number":
        head = household.head
        return head.id_number if head else ""
    if source == "special_kind":
        return household.special_kind or None
    if source == "members":
        return []  # the member grid is filled by member_rows()
    if source == "members.count":
        return len(members)
    if source == "members.labour_force":
        return sum(m.labour_ability in codes.LABOUR_FORCE for m in members)
    if source == "members.migrant":
        return sum(m.work_status not in ("", "无") for m in members)
    if source == "members.in_school":
        return sum(m.schooling not in ("", codes.NOT_IN_SCHOOL) for m in members)
    if source == "members.serious_illness_insured":
        return sum(bool(m.ins_serious_illness) for m in members)
    return getattr(household, source)


def _member_value(m: MemberData, column: GridColumn) -> Any:
    if column.member_field.startswith("extra."):
        return (m.extra or {}).get(column.member_field[6:])
    value = getattr(m, column.member_field)
    if column.type == "bool":
        return bool(value)
    return value


def member_rows(section: RepeatSection, household: HouseholdData) -> list[dict[str, Any]]:
    """Return the member grid's rows as the registry knows them."""
    rows = []
    for m in household.members:
        row: dict[str, Any] = {
            c.code: _member_value(m, c) for c in section.columns if c.member_field
        }
        row[MEMBER_ID_KEY] = m.id
        rows.append(row)
    return rows


def prefill(
    description: FormDescription,
    household: HouseholdData | None,
    answers: Mapping[str, Any] | None = None,
    place: Place | None = None,
) -> tuple[dict[str, Any], frozenset[str]]:
    """Fill the empty answers that the registry knows; return (answers, prefilled codes)."""
    place = place or Place()
    out = dict(answers or {})
    filled: set[str] = set()
    for h in description.header:
        if h.prefill and is_blank(out.get(h.code)):
            out[h.code] = prefill_value(h.prefill, household, place)
            filled.add(h.code)
    for cell in description.input_cells:
        if cell.prefill and not cell.computed and is_blank(out.get(cell.field)):
            value = prefill_value(cell.prefill, household, place)
            if not is_blank(value):
                out[cell.field] = value
                filled.add(cell.field)
    for section in description.repeat_sections:
        if section.prefill == "members" and household is not None and not out.get(section.id):
            out[section.id] = member_rows(section, household)
            filled.add(section.id)
    return out, frozenset(filled)


def household_from_grid(
    section: RepeatSection, rows: Sequence[Mapping[str, Any]], household: HouseholdData
) -> HouseholdData:
    """Return a copy of the household whose members are the grid's rows (blank rows dropped)."""
    by_id = {m.id: m for m in household.members if m.id is not None}
    members = []
    for row in rows:
        if row_is_blank(row):
            continue
        base = by_id.get(row.get(MEMBER_ID_KEY))
        m = replace(base, extra=dict(base.extra or {})) if base else MemberData(name="")
        for column in section.columns:
            if not column.member_field:
                continue
            value = row.get(column.code)
            if column.member_field.startswith("extra."):
                key = column.member_field[6:]
                if is_blank(value):
                    m.extra.pop(key, None)
                else:
                    m.extra[key] = value
            elif column.type == "bool":
                setattr(m, column.member_field, bool(value))
            elif column.type in ("int", "count"):
                setattr(m, column.member_field, None if is_blank(value) else int(value))
            else:
                setattr(m, column.member_field, "" if value is None else str(value).strip())
        members.append(m)
    return replace(household, members=members)


def writeback(
    description: FormDescription, answers: Mapping[str, Any], household: HouseholdData
) -> HouseholdData | None:
    """Return the household with the registry fields the form changes, or None if unchanged."""
    data = replace(
        household,
        members=[replace(m, extra=dict(m.extra or {})) for m in household.members],
        poverty_causes=list(household.poverty_causes or []),
    )
    cells = [c for c in description.input_cells if c.writeback]
    by_source = {c.prefill: answers.get(c.field) for c in cells}
    for source, value in by_source.items():
        if source in COUNT_SOURCES:
            setattr(data, source, None if is_blank(value) else int(value))
        elif source in TEXT_SOURCES:
            setattr(data, source, "" if value is None else str(value).strip())
        elif source == "poverty_causes":
            data.poverty_causes = list(value or [])
        elif source == "poverty_kind":
            chosen = [k for k in codes.POVERTY_KINDS if k in (value or [])]
            if chosen:
                data.poverty_kind = chosen[0]
    if "poverty_causes.main" in by_source or "poverty_causes.other" in by_source:
        main = by_source.get("poverty_causes.main")
        other = by_source.get("poverty_causes.other") or []
        data.poverty_causes = ([main] if main else []) + [c for c in other if c != main]
    for section in description.repeat_sections:
        if section.writeback and section.prefill == "members":
            data = household_from_grid(section, answers.get(section.id) or [], data)
    return None if _same(data, household) else data


def _same(a: HouseholdData, b: HouseholdData) -> bool:
    if any(getattr(a, f) != getattr(b, f) for f in HOUSEHOLD_FIELDS):
        return False
    if len(a.members) != len(b.members):
        return False
    return all(
        ma.id == mb.id and all(getattr(ma, f) == getattr(mb, f) for f in MEMBER_FIELDS)
        for ma, mb in zip(a.members, b.members, strict=True)
    )
