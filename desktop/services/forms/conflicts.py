"""Two clerks saved the same form: its answers field by field (see services/conflicts.py).

Only the answers a clerk types are compared (computed cells follow from them); a repeating
grid (the member grid) row by row and column by column, each value as the screen shows it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop.engine import FormDescription
from desktop.services.conflicts import FieldDifference, merged_value, saved_summary


@dataclass(frozen=True)
class FormConflict:
    """A form saved by someone else since this clerk opened it."""

    title: str  # the paper's title
    household_code: str
    version: int  # the saved version: saving over it names this one
    saved_by: str
    saved_at: datetime.datetime | None
    differences: tuple[FieldDifference, ...]
    theirs: dict[str, Any]  # the answers as saved now
    merged: dict[str, Any]  # what 以我的填写为准 saves

    @property
    def summary(self) -> str:
        return saved_summary(
            f"户 {self.household_code} 的{self.title}",
            self.saved_by,
            self.saved_at,
            self.version,
            len(self.differences),
        )


def _typed_keys(description: FormDescription) -> list[str]:
    computed = {c.field for c in description.computed_fields}
    return [k for k in description.entry_order if k not in computed]


def _repeat(description: FormDescription, key: str):
    return next((s for s in description.repeat_sections if s.id == key), None)


def _cell_text(description: FormDescription, key: str, value: Any) -> str:
    cell = description.fields.get(key)
    if value is None or value == "":
        return ""
    if cell is not None:
        return cell.text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def differences(
    description: FormDescription,
    opened: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
) -> tuple[FieldDifference, ...]:
    """Every typed answer where `mine` and `theirs` differ, in the paper's entry order."""
    out: list[FieldDifference] = []
    for key in _typed_keys(description):
        grid = _repeat(description, key)
        if grid is None:
            values = [_cell_text(description, key, d.get(key)) for d in (opened, mine, theirs)]
            if values[1] != values[2]:
                out.append(FieldDifference(description.field_label(key), *values))
            continue
        rows = [list(d.get(key) or []) for d in (opened, mine, theirs)]
        for index in range(max(map(len, rows))):
            row = [r[index] if index < len(r) else None for r in rows]
            for column in grid.columns:
                values = [column.text(r.get(column.code)) if r else "" for r in row]
                if values[1] != values[2]:
                    label = f"{grid.title or description.field_label(key)} 第 {index + 1} 行 · "
                    out.append(FieldDifference(label + column.label.replace("\n", ""), *values))
    return tuple(out)


def merge(
    description: FormDescription,
    opened: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
) -> dict[str, Any]:
    """The answers as saved now, with every answer this clerk changed since opening the form.

    A grid row is merged cell by cell where both have the row; rows only one side has are
    taken from the side that changed the grid's length.
    """
    out = dict(theirs)
    for key in _typed_keys(description):
        grid = _repeat(description, key)
        if grid is None or not isinstance(mine.get(key), list):
            out[key] = merged_value(opened.get(key), mine.get(key), theirs.get(key))
            continue
        was, now, saved = (list(d.get(key) or []) for d in (opened, mine, theirs))
        length = merged_value(len(was), len(now), len(saved))
        rows = []
        for index in range(length):
            base = was[index] if index < len(was) else {}
            own = now[index] if index < len(now) else None
            other = saved[index] if index < len(saved) else None
            if own is None or other is None:
                rows.append(dict(own if own is not None else other))
                continue
            rows.append(
                {
                    code: merged_value(base.get(code), own.get(code), other.get(code))
                    for code in {*own, *other}
                }
            )
        out[key] = rows
    return out
