"""Plain data of the comparison's paper: the two rosters and the 审批表 (no session, no Qt).

printing/ draws these; services/comparison fills them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REMOVALS = "removals"
ADDITIONS = "additions"
TITLES = {REMOVALS: "建档立卡贫困户清退人员花名册", ADDITIONS: "新增贫困人口花名册"}
REASON_HEADERS = {REMOVALS: "清退原因", ADDITIONS: "认定依据"}


@dataclass(frozen=True)
class RosterColumn:
    """A column of the roster: its header and its width on paper and on screen."""

    header: str
    pdf_mm: float
    xlsx_width: float


def columns(which: str) -> tuple[RosterColumn, ...]:
    """Return the columns of one roster, in the order a county expects them."""
    return (
        RosterColumn("序号", 10, 6),
        RosterColumn("县（市、区）", 22, 12),
        RosterColumn("镇（街道）", 22, 12),
        RosterColumn("村（居）", 22, 12),
        RosterColumn("户主", 16, 9),
        RosterColumn("姓名", 16, 9),
        RosterColumn("与户主关系", 16, 9),
        RosterColumn("证件号码", 38, 21),
        RosterColumn(REASON_HEADERS[which], 50, 40),
        RosterColumn("核定日期", 22, 12),
        RosterColumn("核定人", 20, 10),
        RosterColumn("编号", 23, 14),
    )


@dataclass
class RosterTable:
    """A roster ready to write: title, scope and period, header, rows, totals."""

    which: str
    title: str
    scope: str  # 海丰县 or 海丰县梅陇镇
    period: str
    columns: tuple[RosterColumn, ...]
    rows: list[list[str]] = field(default_factory=list)
    households: int = 0

    @property
    def headers(self) -> list[str]:
        """Return the column headers."""
        return [c.header for c in self.columns]

    @property
    def total(self) -> str:
        """Return the total line: 合计 N 户 M 人."""
        return f"合计：{self.households} 户 {len(self.rows)} 人"


SIGNATURES = ("填报单位（盖章）：", "填报人：", "审核人：", "填报日期：    年  月  日")


APPROVAL_TITLES = {REMOVALS: "建档立卡贫困户清退审批表", ADDITIONS: "新增建档立卡贫困户审批表"}


@dataclass
class ApprovalBlock:
    """One level's box on the 审批表: its opinion, who signed and when (blank while pending)."""

    label: str  # 工作队核实情况, 镇（街道）审核意见, 县（市、区）扶贫办核定意见
    text: str = ""
    signer: str = ""
    day: str = ""


@dataclass
class ApprovalSheet:
    """The 审批表 the township prints for the county to sign."""

    title: str
    number: str
    place: str  # 海丰县梅陇镇新村
    household_code: str
    head_name: str
    poverty_kind: str
    subject: str  # 整户 or one person
    reason: str
    persons: list[tuple[str, str, str]] = field(default_factory=list)  # name, relation, ID
    hits: list[str] = field(default_factory=list)
    blocks: list[ApprovalBlock] = field(default_factory=list)
