"""Plain data objects that cross from the registry services to the views."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass
class MemberData:
    """One member as the household detail edits it."""

    name: str
    id_number: str = ""
    sex: str = ""
    relation: str = ""
    ethnicity: str = ""
    political_status: str = ""
    education: str = ""
    schooling: str = ""
    health: str = ""
    labour_ability: str = ""
    work_status: str = ""
    work_months: int | None = None
    is_soldier: bool = False
    ins_serious_illness: bool = False
    ins_employee_pension: bool = False
    ins_resident_medical: bool = False
    ins_resident_pension: bool = False
    pension_status: str = ""
    birth_date: datetime.date | None = None
    extra: dict = field(default_factory=dict)
    id: int | None = None


@dataclass
class HouseholdData:
    """One household with its members, as the detail view and the import see it."""

    code: str
    village_id: int | None = None
    group_name: str = ""
    poverty_kind: str = ""
    special_kind: str = ""
    is_registered: bool = False
    exit_year: int | None = None
    income_per_capita: float | None = None
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""
    helper_name: str = ""
    helper_phone: str = ""
    poverty_causes: list[str] = field(default_factory=list)
    count_hukou: int | None = None
    count_card: int | None = None
    count_system: int | None = None
    count_actual: int | None = None
    note: str = ""
    members: list[MemberData] = field(default_factory=list)
    id: int | None = None
    version: int = 0
    village_name: str = ""
    township_name: str = ""
    county_name: str = ""

    @property
    def head(self) -> MemberData | None:
        """Return the member whose relation is 户主, if exactly one."""
        heads = [m for m in self.members if m.relation == "户主"]
        return heads[0] if len(heads) == 1 else None

    @property
    def head_name(self) -> str:
        """Return the head's name, or an empty string."""
        head = self.head
        return head.name if head else ""


class HouseholdRow(NamedTuple):
    """One row of the households table: only what the table shows and filters on.

    A NamedTuple, not a dataclass: 100,000 of them are built on every load, and a tuple is
    built several times faster.
    """

    id: int
    code: str
    village_id: int
    village_name: str
    group_name: str
    head_name: str
    member_count: int
    kind: str
    is_registered: bool
    exit_year: int | None
    income_per_capita: float | None
    phone: str
    flags: int
    form_state: str
    search_text: str


@dataclass(frozen=True)
class VillageInfo:
    """A village as lists and pickers name it, without its counts (one quick query)."""

    id: int
    township_id: int
    name: str
    code: str
    is_poor_village: bool
    exit_year: int | None


@dataclass(frozen=True)
class VillageSummary(VillageInfo):
    """One row of the villages table: the village and its counts."""

    households: int
    people: int
    registered_households: int
    exited_households: int
    not_exited_households: int
    special_households: int
    reviewed_households: int

    @property
    def review_progress(self) -> float:
        """Share of households whose verification form is complete or signed."""
        return self.reviewed_households / self.households if self.households else 0.0


@dataclass(frozen=True)
class TreeNode:
    """A node of the navigation tree: county, township, village or group."""

    level: str  # "county", "township", "village", "group"
    id: int
    name: str
    children: tuple[TreeNode, ...] = ()
