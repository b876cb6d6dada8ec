"""The plain rows TeamService returns and the daily list prints: no session, no Qt."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

# Review states of an assigned household's questionnaire (“已录入” is derived from its form).
# Plain strings here, so that printing and views take these rows without the ORM; the model's
# column default is REVIEW_ASSIGNED too (tests/services/questionnaires check they agree).
REVIEW_ASSIGNED = "assigned"  # 已分配
REVIEW_SUBMITTED = "submitted"  # 审核中 (提交审核)
REVIEW_PASSED = "passed"  # 已通过
REVIEW_RETURNED = "returned"  # 已退回 (with a reason)
REVIEW_LOCKED = (REVIEW_SUBMITTED, REVIEW_PASSED)  # the questionnaire is read-only
# FormRecord states that count as entered: FORM_STATE_COMPLETE, FORM_STATE_SIGNED.
COUNTY_SHARE_WANTED = 0.5  # “县直干部占排查组成员50%”
ENTERED_STATES = ("complete", "signed")
REVIEW_LABELS = {
    REVIEW_ASSIGNED: "已分配",
    REVIEW_SUBMITTED: "审核中",
    REVIEW_PASSED: "已通过",
    REVIEW_RETURNED: "已退回",
}


@dataclass(frozen=True)
class ReviewerData:
    """A reviewer as the screens and the daily list show them."""

    id: int
    name: str
    unit: str = ""
    is_county_cadre: bool = False
    home_village: str = ""  # empty for a 县直干部


@dataclass(frozen=True)
class PairData:
    """A pair with its team's village and its two members."""

    id: int
    team_id: int
    village_id: int
    village: str
    seq: int
    first: ReviewerData
    second: ReviewerData

    @property
    def label(self) -> str:
        """花园村第1小组（张三、李四）."""
        return f"{self.village}第{self.seq}小组（{self.first.name}、{self.second.name}）"

    @property
    def members(self) -> tuple[ReviewerData, ReviewerData]:
        """The two reviewers."""
        return self.first, self.second


@dataclass(frozen=True)
class AssignmentRow:
    """One assigned household: where, whom, which day, and how far its questionnaire got."""

    id: int
    pair_id: int
    household_id: int
    household_code: str
    head_name: str
    village: str
    group: str
    form_code: str
    visit_date: datetime.date
    state: str
    form_state: str  # "" when nothing is entered yet
    return_reason: str = ""
    reviewed_by: str = ""
    signed_by: str = ""

    @property
    def state_label(self) -> str:
        """已分配 / 已录入 / 审核中 / 已通过 / 已退回."""
        if self.state == REVIEW_ASSIGNED and self.form_state in ENTERED_STATES:
            return "已录入"
        if self.state == REVIEW_ASSIGNED and self.form_state:
            return "录入中"
        return REVIEW_LABELS[self.state]

    @property
    def read_only(self) -> bool:
        """True while under review or passed."""
        return self.state in REVIEW_LOCKED


@dataclass
class ProgressRow:
    """Counts of one village or pair: assigned, entered, in review, passed, returned."""

    label: str
    key: int
    assigned: int = 0
    entered: int = 0
    submitted: int = 0
    passed: int = 0
    returned: int = 0


# ProgressRow's counts, in the order the service's GROUP BY returns them.
PROGRESS_COUNTS = ("assigned", "entered", "submitted", "passed", "returned")


@dataclass(frozen=True)
class DailyList:
    """What a pair prints for one day: who visits, when, and which households."""

    pair: PairData
    day: datetime.date
    township: str
    rows: tuple[AssignmentRow, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TeamRow:
    """A village and its 排查组 (or none yet): leader, pairs, and the 县直干部 share of its
    members (“县直干部占排查组成员50%”)."""

    village_id: int
    village: str
    team_id: int | None
    leader: str = ""
    pairs: int = 0
    county: int = 0  # 县直干部 among the members of its pairs
    members: int = 0

    @property
    def share(self) -> float | None:
        """The 县直干部 share of the members (None without members)."""
        return self.county / self.members if self.members else None

    @property
    def share_text(self) -> str:
        """“2/4（50%）”, or “—” without members."""
        share = self.share
        return "—" if share is None else f"{self.county}/{self.members}（{share:.0%}）"
