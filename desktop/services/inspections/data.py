"""Plain data objects that cross from the inspection service to the views, PDFs and archive."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from desktop.services.inspections.rules import KIND_INSPECTION, NoticeClock
from desktop.services.problems.data import NoticeProblem


@dataclass(frozen=True)
class CoverageData:
    """A county or district a group covers, and its 联络员."""

    county_name: str
    liaison: str


@dataclass(frozen=True)
class GroupData:
    """A 督查小组."""

    id: int
    name: str
    leader: str
    members: str
    coverage: tuple[CoverageData, ...]

    @property
    def counties(self) -> tuple[str, ...]:
        """The names of the counties it covers."""
        return tuple(c.county_name for c in self.coverage)

    def liaison(self, county_name: str) -> str:
        """The 联络员 in one county, or empty."""
        return next((c.liaison for c in self.coverage if c.county_name == county_name), "")


@dataclass(frozen=True)
class CategoryData:
    """A row of the 督查内容及形式 table."""

    id: int
    seq: int
    name: str
    content: str
    method: str


@dataclass
class RoundData:
    """A round as the dialog edits it."""

    group_id: int | None = None
    county_name: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    unit_ids: list[int] = field(default_factory=list)
    kind: str = KIND_INSPECTION
    follows_round_id: int | None = None
    note: str = ""
    number: str = ""
    id: int | None = None


@dataclass(frozen=True)
class RoundRow:
    """One row of the rounds list."""

    id: int
    number: str
    kind: str
    group_id: int
    group_name: str
    leader: str
    liaison: str
    county_name: str
    start_date: datetime.date
    end_date: datetime.date
    units: tuple[str, ...]
    sample_seed: int | None
    sample_year: int | None
    notice_number: str
    clock: NoticeClock
    findings: int
    closed: int
    overdue: int
    follows_number: str = ""

    @property
    def dates_text(self) -> str:
        """“2026-07-08 至 07-09”, or one day."""
        if self.start_date == self.end_date:
            return f"{self.start_date:%Y-%m-%d}"
        return f"{self.start_date:%Y-%m-%d} 至 {self.end_date:%m-%d}"

    @property
    def title(self) -> str:
        """“第三组 2026-07-08 督查（桃江县）”."""
        return f"{self.group_name} {self.start_date:%Y-%m-%d} {self.kind}（{self.county_name}）"


@dataclass(frozen=True)
class SampleEntryData:
    """One entry of a round's sample as stored (dropped entries included)."""

    id: int
    seq: int
    kind: str
    township_name: str
    village_id: int | None
    village_name: str
    household_id: int | None
    household_code: str
    head_name: str
    proposed: bool
    dropped: bool
    reason: str
    changed_by: str

    @property
    def is_household(self) -> bool:
        """True for a household entry."""
        return self.household_id is not None

    @property
    def target(self) -> str:
        """“桃花村” or “桃花村 刘建国户（430922…）”."""
        if self.is_household:
            return f"{self.village_name} {self.head_name}户（{self.household_code}）"
        return f"{self.township_name} {self.village_name}"

    @property
    def state(self) -> str:
        """抽中, 调整, 已换下."""
        if self.dropped:
            return "已换下"
        return "抽中" if self.proposed else "调整"


@dataclass
class FindingData:
    """A finding as the findings form enters it; it becomes one problem of the 整改台账."""

    round_id: int
    category_id: int | None
    description: str
    scope: str = "户"  # 户, 村, 单位 (the tracker's SCOPES)
    household_id: int | None = None
    village_id: int | None = None
    scope_unit_id: int | None = None
    unit_id: int | None = None  # 责任单位
    person_name: str = ""  # 责任人
    measures: str = ""  # 整改要求
    deadline: datetime.date | None = None
    kind: str = "限时整改"
    found_date: datetime.date | None = None  # default: the round's last day


@dataclass(frozen=True)
class FindingRow:
    """One finding of a round, as its problem stands in the ledger."""

    problem_id: int
    number: str
    category_name: str
    village_id: int | None
    household_id: int | None
    target: str
    description: str
    measures: str
    unit_name: str
    person_name: str
    kind: str
    deadline: datetime.date | None
    original_deadline: datetime.date | None
    status: str
    closed_on: datetime.date | None
    overdue: bool
    extension_count: int
    attachment_count: int


@dataclass(frozen=True)
class ExtensionLine:
    """An extension of a finding's deadline, listed on the round."""

    number: str
    target: str
    old_deadline: datetime.date
    new_deadline: datetime.date
    reason: str
    who: str
    at: datetime.datetime


@dataclass(frozen=True)
class FollowUp:
    """Per round: how many findings are closed, open, overdue; and the open ones."""

    round_id: int
    total: int
    closed: int
    open: int
    overdue: int
    open_rows: tuple[FindingRow, ...]

    @property
    def text(self) -> str:
        """“共 5 个问题：已销号 2，未销号 3（其中逾期 1）”."""
        return (
            f"共 {self.total} 个问题：已销号 {self.closed}，未销号 {self.open}"
            f"（其中逾期 {self.overdue}）"
        )


@dataclass(frozen=True)
class VisitSheet:
    """One visit sheet to print: the form (village or household) and its answers."""

    form_code: str
    answers: dict
    household_code: str = ""
    version: int = 0


@dataclass(frozen=True)
class SampleSheet:
    """A round's sample as printed: the round, its entries (changes shown), what it lacks."""

    round: RoundRow
    entries: tuple[SampleEntryData, ...]
    shortfalls: tuple[str, ...]
    rule: str


@dataclass(frozen=True)
class IndexRow:
    """One file of an archive: where it is, what it is, its size and SHA-256."""

    seq: int
    path: str
    kind: str
    round_number: str
    description: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ArchiveIndex:
    """The index of a quarter's archive (档案目录)."""

    title: str
    quarter: str
    made_at: datetime.datetime
    handover_day: datetime.date
    rounds: tuple[str, ...]
    rows: tuple[IndexRow, ...]


@dataclass(frozen=True)
class RoundNotice:
    """A round's 整改函 to one responsible unit: its 问题清单, deadlines and 抄送."""

    round_number: str
    unit_name: str
    issuer: str
    date: datetime.date
    deadline: datetime.date
    problems: tuple[NoticeProblem, ...]
    doc_number: str
    basis: str
    copy_to: tuple[str, ...]
    due: datetime.date  # three days after the round's end

    @property
    def list_note(self) -> str:
        """What the 问题清单 says under its title: the round it comes from."""
        return f"（督查编号：{self.round_number}）"
