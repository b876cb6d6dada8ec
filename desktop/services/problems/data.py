"""Plain data objects that cross from the problem services to the views, reports and PDFs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from desktop.services.problems.rules import (
    KIND_DEADLINE,
    SCOPE_HOUSEHOLD,
    STATUS_OPEN,
    is_due_soon,
    is_overdue,
)


class ProblemRow(NamedTuple):
    """One row of the ledger: what the table shows, filters and reports on.

    A named tuple because 20,000 of them are built on every load; the four detail texts
    (cause, measures, verified_by, verification_opinion) are filled only when asked for.
    """

    id: int
    number: str
    found_date: datetime.date
    source: str
    area_id: int | None
    area_name: str
    item_number: int | None
    item_title: str
    scope: str
    household_id: int | None
    household_code: str
    head_name: str
    village_id: int | None
    village_name: str
    scope_unit_name: str
    description: str
    cause: str
    measures: str
    unit_id: int | None
    unit_name: str
    person_name: str
    kind: str
    deadline: datetime.date | None
    original_deadline: datetime.date | None
    status: str
    closed_on: datetime.date | None
    verified_by: str
    verification_opinion: str
    extension_count: int
    attachment_count: int

    @property
    def target(self) -> str:
        """Who or what the problem is about: the household, the village or the unit."""
        if self.scope == SCOPE_HOUSEHOLD:
            return f"{self.village_name} {self.head_name}户".strip()
        if self.scope_unit_name:
            return self.scope_unit_name
        return self.village_name

    @property
    def item_text(self) -> str:
        """The catalogue item as “3. 保障住房安全”, or empty."""
        return f"{self.item_number}. {self.item_title}" if self.item_number else ""

    def overdue(self, today: datetime.date) -> bool:
        """True when open and past its deadline."""
        return is_overdue(self.status, self.deadline, today)

    def due_soon(self, today: datetime.date, days: int = 7) -> bool:
        """True when open and due within `days` days."""
        return is_due_soon(self.status, self.deadline, today, days)


@dataclass
class EventData:
    """One line of a problem's timeline."""

    at: datetime.datetime
    who: str
    action: str
    detail: str


@dataclass
class ExtensionData:
    """One extension of a problem's deadline."""

    old_deadline: datetime.date
    new_deadline: datetime.date
    reason: str
    who: str
    at: datetime.datetime


@dataclass
class AttachmentData:
    """One evidence file; `state` is 正常, 文件缺失 or 文件已改动 as checked on disk."""

    id: int
    original_name: str
    path: str
    sha256: str
    size: int
    added_by: str
    added_at: datetime.datetime
    state: str = "正常"


@dataclass
class ProblemData:
    """One problem as the dialog edits it and the import builds it."""

    description: str = ""
    found_date: datetime.date | None = None
    source: str = ""
    item_id: int | None = None
    scope: str = SCOPE_HOUSEHOLD
    household_id: int | None = None
    village_id: int | None = None
    scope_unit_id: int | None = None
    cause: str = ""
    measures: str = ""
    unit_id: int | None = None
    person_id: int | None = None
    person_name: str = ""  # a new person of the unit, added with the problem when no id
    kind: str = KIND_DEADLINE
    deadline: datetime.date | None = None
    note: str = ""
    indicator: str = ""  # the standard's indicator a 点球 problem came from
    number: str = ""
    id: int | None = None
    version: int = 0
    # Read-only when editing: kept by the workflow calls, shown by the dialog.
    status: str = STATUS_OPEN
    original_deadline: datetime.date | None = None
    verified_by: str = ""
    verified_on: datetime.date | None = None
    verification_opinion: str = ""
    closed_on: datetime.date | None = None
    created_by: str = ""
    household_text: str = ""
    events: list[EventData] = field(default_factory=list)
    extensions: list[ExtensionData] = field(default_factory=list)
    attachments: list[AttachmentData] = field(default_factory=list)


@dataclass(frozen=True)
class UnitData:
    """A responsible unit."""

    id: int
    name: str
    kind: str
    phone: str = ""


@dataclass(frozen=True)
class UnitRoleData:
    """One role of the catalogue's unit template and the township's own unit for it."""

    role: str  # 乡镇中心学校
    printed: str  # as seed 002 prints it: 干汊河中心校
    unit_id: int | None
    unit_name: str  # "" while no unit is mapped


@dataclass(frozen=True)
class PersonData:
    """A responsible person."""

    id: int
    name: str
    unit_id: int | None
    position: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ItemData:
    """A catalogue item with its area."""

    id: int
    number: int
    title: str
    description: str
    area_id: int
    area_seq: int
    area_name: str
    responsible_units: str

    @property
    def text(self) -> str:
        """“3. 保障住房安全”."""
        return f"{self.number}. {self.title}"


@dataclass(frozen=True)
class NoticeProblem:
    """One row of a 整改函's 问题清单."""

    number: str
    target: str
    description: str
    measures: str
    deadline: datetime.date | None
    person_name: str
