"""Two clerks saved the same problem: its fields side by side (see services/conflicts.py).

Only what the problem dialog edits is compared (description, cause, measures, unit and person,
place, item, note …); the workflow (status, extensions, 销号) goes through its own steps, each
refused when the problem changed under it. Ids are shown by their names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from desktop.models.problem import CatalogueItem, Person, Unit
from desktop.models.registry import Household, Village
from desktop.services.conflicts import FieldDifference, merged_value, saved_summary
from desktop.services.problems.data import ProblemData

# The edited fields in the dialog's order, with its labels; ids name the table they point to.
FIELDS = (
    ("found_date", "发现日期", None),
    ("source", "问题来源", None),
    ("item_id", "问题类别", CatalogueItem),
    ("scope", "问题范围", None),
    ("village_id", "村", Village),
    ("household_id", "户", Household),
    ("scope_unit_id", "涉及单位", Unit),
    ("description", "问题描述", None),
    ("cause", "原因分析", None),
    ("measures", "整改措施", None),
    ("unit_id", "责任单位", Unit),
    ("person_id", "责任人", Person),
    ("note", "备注", None),
)


@dataclass(frozen=True)
class ProblemConflict:
    """A problem saved by someone else since this clerk opened it."""

    number: str
    version: int
    saved_by: str
    saved_at: datetime.datetime | None
    differences: tuple[FieldDifference, ...]
    theirs: ProblemData
    merged: ProblemData  # what 以我的填写为准 saves

    @property
    def summary(self) -> str:
        return saved_summary(
            f"问题 {self.number}",
            self.saved_by,
            self.saved_at,
            self.version,
            len(self.differences),
        )


def _name(s: Session, model, value) -> str:
    if value is None:
        return ""
    row = s.get(model, value)
    if row is None:
        return f"（已删除，编号 {value}）"
    if model is CatalogueItem:
        return f"{row.number}. {row.title}"
    if model is Household:
        return f"{row.code} {row.head_name}".strip()
    return row.name


def _text(s: Session, key: str, model, data: ProblemData) -> str:
    value = getattr(data, key)
    if key == "person_id" and value is None:
        return data.person_name  # a new person typed, added with the save
    if model is not None:
        return _name(s, model, value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def differences(
    s: Session, opened: ProblemData, mine: ProblemData, theirs: ProblemData
) -> tuple[FieldDifference, ...]:
    """Every edited field where `mine` and `theirs` differ, in the dialog's order."""
    out = []
    for key, label, model in FIELDS:
        values = [_text(s, key, model, d) for d in (opened, mine, theirs)]
        if values[1] != values[2]:
            out.append(FieldDifference(label, *values))
    return tuple(out)


def merge(opened: ProblemData, mine: ProblemData, theirs: ProblemData) -> ProblemData:
    """The problem as saved now, with every field this clerk changed since opening it."""
    out = replace(theirs)
    for key, _label, _model in FIELDS:
        setattr(
            out, key, merged_value(getattr(opened, key), getattr(mine, key), getattr(theirs, key))
        )
    if mine.person_id is None and mine.person_name and mine.person_name != opened.person_name:
        out.person_id, out.person_name = None, mine.person_name
    return out
