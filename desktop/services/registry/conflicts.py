"""Two clerks saved the same household: what each changed, field by field (services/conflicts.py).

A household is saved with the version it was opened at. When someone else saved it since, the
save is refused (`StaleHouseholdError`) and nothing is overwritten; `household_conflict` then
compares three states of it: as this clerk opened it, as this clerk has it on screen, and as
it is saved now, and names who saved it and when. The window shows the differences and lets
the clerk keep their own entries (`merge`: the other's changes kept where this clerk left a
field alone, saved on purpose and logged), take the saved household, or go back to editing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields, replace

from desktop.services.conflicts import FieldDifference, saved_summary
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.safety.audit_view import field_label, plain_value

# Fields that are not the clerk's entries: ids, versions and names looked up from ids.
_NOT_ENTRIES = {"id", "version", "members", "village_name", "township_name", "county_name"}
_HOUSEHOLD_LABELS = {"group_name": "组", "village_id": "所属村"}
_MEMBER_LABELS = {"name": "姓名"}


@dataclass(frozen=True)
class HouseholdConflict:
    """A household saved by someone else since this clerk opened it."""

    theirs: HouseholdData  # the household as saved now
    saved_by: str  # the last person who saved it ("" when the log does not say)
    saved_at: datetime.datetime | None
    differences: tuple[FieldDifference, ...]
    merged: HouseholdData  # what 以我的填写为准 saves (see `merge`)

    @property
    def summary(self) -> str:
        return saved_summary(
            f"户 {self.theirs.code}",
            self.saved_by,
            self.saved_at,
            self.theirs.version,
            len(self.differences),
        )


def _text(key: str, value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return plain_value(value)
    return str(value)


def _entry_fields(cls) -> list[str]:
    return [f.name for f in fields(cls) if f.name not in _NOT_ENTRIES]


def _label(key: str) -> str:
    return _HOUSEHOLD_LABELS.get(key) or field_label(key)


def _member_name(*members: MemberData | None) -> str:
    for m in members:
        if m is not None and m.name:
            return m.name
    return "（未填姓名）"


def differences(
    opened: HouseholdData, mine: HouseholdData, theirs: HouseholdData
) -> tuple[FieldDifference, ...]:
    """Every field where `mine` and `theirs` differ, households' fields first, then members.

    Members are matched by their id; a member added on screen (no id) or by the other clerk
    appears as one line 成员 X · 是否在户 with 有/无.
    """
    out: list[FieldDifference] = []
    for key in _entry_fields(HouseholdData):
        values = [_text(key, getattr(d, key)) for d in (opened, mine, theirs)]
        if values[1] != values[2]:
            out.append(FieldDifference(_label(key), *values))
    by_id = [{m.id: m for m in d.members if m.id is not None} for d in (opened, mine, theirs)]
    ids = list(dict.fromkeys([*by_id[0], *by_id[2], *by_id[1]]))
    for member_id in ids:
        found = [d.get(member_id) for d in by_id]
        name = _member_name(found[0], found[2], found[1])  # as opened: a rename is a line
        present = ["有" if m is not None else "无" for m in found]
        if found[1] is not None and found[2] is None and _edited(found[0], found[1]):
            present[1] = "有（您改过）"  # removed by the other, edited here: kept
        if present[1] != present[2]:
            out.append(FieldDifference(f"成员 {name} · 是否在户", *present))
            continue
        if found[1] is None:
            continue
        for key in _entry_fields(MemberData):
            values = [_text(key, getattr(m, key)) if m else "" for m in found]
            if values[1] != values[2]:
                label = _MEMBER_LABELS.get(key) or _label(key)
                out.append(FieldDifference(f"成员 {name} · {label}", *values))
    for m in (m for m in mine.members if m.id is None):
        out.append(FieldDifference(f"成员 {_member_name(m)} · 是否在户", "无", "有", "无"))
    return tuple(out)


def merge(opened: HouseholdData, mine: HouseholdData, theirs: HouseholdData) -> HouseholdData:
    """The household as saved now, with every field this clerk changed since opening it.

    What the other clerk changed and this one did not is kept; where both changed a field,
    this clerk's entry wins (they saw both in the comparison). Members this clerk added are
    added, members they removed are removed, members the other added are kept. The result
    carries the saved version, so it saves over the other's on purpose, not by accident.
    """
    out = replace(theirs, members=[])
    for key in _entry_fields(HouseholdData):
        if getattr(mine, key) != getattr(opened, key):
            setattr(out, key, getattr(mine, key))
    was = {m.id: m for m in opened.members if m.id is not None}
    mine_by_id = {m.id: m for m in mine.members if m.id is not None}
    theirs_ids = {m.id for m in theirs.members}
    for theirs_member in theirs.members:
        m = mine_by_id.get(theirs_member.id)
        if m is None:
            if theirs_member.id not in was:
                out.members.append(theirs_member)  # added by the other clerk
            continue  # removed by this clerk
        kept = replace(theirs_member)
        before = was.get(m.id)
        for key in _entry_fields(MemberData):
            if before is None or getattr(m, key) != getattr(before, key):
                setattr(kept, key, getattr(m, key))
        out.members.append(kept)
    # Removed by the other clerk but edited on this screen: the edits are not thrown away.
    out.members += [m for m in mine.members if m.id not in theirs_ids and _edited(was.get(m.id), m)]
    return out


def _edited(before: MemberData | None, now: MemberData) -> bool:
    """True when a member differs from how it was opened (or was added on this screen)."""
    return before is None or any(
        getattr(now, key) != getattr(before, key) for key in _entry_fields(MemberData)
    )
