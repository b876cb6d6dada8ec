"""Rules of the rectification tracker: statuses, overdue, 整改率; the messages they raise."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from desktop.errors import AppError

T = TypeVar("T")

# Statuses in order; 逾期 is not among them: it is derived from the deadline and today.
STATUS_OPEN = "待整改"
STATUS_IN_PROGRESS = "整改中"
STATUS_AWAITING = "已整改待验收"
STATUS_CLOSED = "已销号"
STATUSES = (STATUS_OPEN, STATUS_IN_PROGRESS, STATUS_AWAITING, STATUS_CLOSED)
OVERDUE = "逾期"

# Which status may follow which (验收不通过 sends a problem back to 整改中).
TRANSITIONS = {
    STATUS_OPEN: (STATUS_IN_PROGRESS, STATUS_AWAITING),
    STATUS_IN_PROGRESS: (STATUS_AWAITING,),
    STATUS_AWAITING: (STATUS_CLOSED, STATUS_IN_PROGRESS),
    STATUS_CLOSED: (),
}

SOURCES = ("回头看排查", "督查组", "巡视/巡查", "审计", "上级反馈", "自查")
KIND_IMMEDIATE = "立行立改"
KIND_DEADLINE = "限时整改"
KINDS = (KIND_DEADLINE, KIND_IMMEDIATE)
SCOPE_HOUSEHOLD = "户"
SCOPE_VILLAGE = "村"
SCOPE_UNIT = "单位"
SCOPES = (SCOPE_HOUSEHOLD, SCOPE_VILLAGE, SCOPE_UNIT)
UNIT_KINDS = ("镇直单位", "指挥部", "村", "县直部门", "其他")

# The verification opinion recorded when a 立行立改 problem closes as it is entered.
IMMEDIATE_OPINION = "立行立改，当场整改到位"

# What the dashboard and the reports say under every 整改率.
RATE_FORMULA = (
    "整改率 = 已销号问题数 ÷ 应整改问题数（已到整改时限或已销号的问题；延期的按新时限计）"
)
NO_RATE = "—"

DUE_SOON_DAYS = 7


class ProblemError(AppError):
    """A change to a problem was refused; the message says what and where, in Chinese."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def is_overdue(status: str, deadline: datetime.date | None, today: datetime.date) -> bool:
    """True when an open problem's deadline (after extensions) has passed."""
    return status != STATUS_CLOSED and deadline is not None and deadline < today


def days_left(deadline: datetime.date | None, today: datetime.date) -> int | None:
    """Days from today to the deadline (negative when past), or None without a deadline."""
    return None if deadline is None else (deadline - today).days


def is_due_soon(
    status: str, deadline: datetime.date | None, today: datetime.date, days: int = DUE_SOON_DAYS
) -> bool:
    """True when an open problem's deadline falls within the next `days` days (today included)."""
    left = days_left(deadline, today)
    return status != STATUS_CLOSED and left is not None and 0 <= left <= days


def shown_status(status: str, deadline: datetime.date | None, today: datetime.date) -> str:
    """The status a person reads: the stored one, with “（逾期）” when the deadline has passed."""
    return f"{status}（{OVERDUE}）" if is_overdue(status, deadline, today) else status


def is_due(status: str, deadline: datetime.date | None, as_of: datetime.date) -> bool:
    """True when a problem counts in the denominator of 整改率: closed, or its deadline reached."""
    return status == STATUS_CLOSED or (deadline is not None and deadline <= as_of)


def check_transition(old: str, new: str) -> None:
    """Refuse a status change the workflow does not allow."""
    if old == new:
        return
    if new not in STATUSES:
        raise ProblemError(f"未知的状态：{new}", "status")
    if new not in TRANSITIONS.get(old, ()):
        if old == STATUS_CLOSED:
            raise ProblemError("问题已销号，不能再改变状态", "status")
        if new == STATUS_CLOSED:
            raise ProblemError("只有“已整改待验收”的问题才能销号，请先提交验收", "status")
        raise ProblemError(f"状态不能从“{old}”改为“{new}”", "status")


def check_dates(found: datetime.date | None, deadline: datetime.date | None, kind: str) -> None:
    """Refuse a missing found date, a missing deadline for 限时整改, or a deadline before found."""
    if found is None:
        raise ProblemError("请填写发现日期", "found_date")
    if kind == KIND_DEADLINE and deadline is None:
        raise ProblemError("限时整改的问题必须填写整改时限", "deadline")
    if deadline is not None and deadline < found:
        raise ProblemError(
            f"整改时限（{deadline:%Y-%m-%d}）不能早于发现日期（{found:%Y-%m-%d}）", "deadline"
        )


def check_extension(
    current: datetime.date | None, new_deadline: datetime.date | None, reason: str
) -> None:
    """Refuse an extension without a reason, without a new date, or not later than the old one."""
    if not reason.strip():
        raise ProblemError("延期必须说明原因", "reason")
    if new_deadline is None:
        raise ProblemError("请填写延期后的整改时限", "new_deadline")
    if current is not None and new_deadline <= current:
        raise ProblemError(
            f"延期后的时限（{new_deadline:%Y-%m-%d}）必须晚于现有时限（{current:%Y-%m-%d}）",
            "new_deadline",
        )


def check_close(opinion: str, verified_by: str, verified_on: datetime.date | None) -> None:
    """Refuse a close-out (销号) without a verification opinion, checker and date."""
    if not opinion.strip():
        raise ProblemError("销号必须填写验收意见", "verification_opinion")
    if not verified_by.strip():
        raise ProblemError("销号必须填写验收人", "verified_by")
    if verified_on is None:
        raise ProblemError("销号必须填写验收日期", "verified_on")


@dataclass(frozen=True)
class RateRow:
    """整改率 of one group (an area, a unit, a village, or everything)."""

    name: str
    total: int
    due: int
    closed: int
    overdue: int
    extended: int

    @property
    def rate(self) -> float | None:
        """Closed ÷ due, or None when nothing is due yet."""
        return self.closed / self.due if self.due else None

    @property
    def rate_text(self) -> str:
        """The rate as a person reads it: “87.5%”, or “—” when nothing is due."""
        rate = self.rate
        return NO_RATE if rate is None else f"{rate * 100:.1f}%"


def rate_rows(
    rows: Iterable[T],
    key: Callable[[T], str],
    as_of: datetime.date,
    *,
    status: Callable[[T], str],
    deadline: Callable[[T], datetime.date | None],
    extended: Callable[[T], bool],
    closed_on: Callable[[T], datetime.date | None] = lambda _row: None,
) -> list[RateRow]:
    """Group rows by `key` and count total, due, closed, overdue and extended in each group.

    A problem closed after `as_of` counts as still open on that day.
    """
    counts: dict[str, list[int]] = {}
    for row in rows:
        c = counts.setdefault(key(row) or "（未指定）", [0, 0, 0, 0, 0])
        st, dl = status(row), deadline(row)
        if st == STATUS_CLOSED:
            when = closed_on(row)
            if when is not None and when > as_of:
                st = STATUS_IN_PROGRESS
        c[0] += 1
        if is_due(st, dl, as_of):
            c[1] += 1
        if st == STATUS_CLOSED:
            c[2] += 1
        if is_overdue(st, dl, as_of):
            c[3] += 1
        if extended(row):
            c[4] += 1
    return [RateRow(name, *c) for name, c in counts.items()]
