"""Rules of an inspection round (seed 004, 四): the sample's minimums, the three-day clock, 抄送."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from desktop.errors import AppError

KIND_INSPECTION = "督查"
KIND_FOLLOW_UP = "回头看"
ROUND_KINDS = (KIND_INSPECTION, KIND_FOLLOW_UP)

# What a sample entry is: two kinds of village, two kinds of household.
VILLAGE_POOR = "贫困村"
VILLAGE_ORDINARY = "面上村"
HOUSEHOLD_PRE_EXIT = "预脱贫户"
HOUSEHOLD_NOT_EXITED = "未脱贫户"
HOUSEHOLD_OTHER = "其他农户"  # chosen by hand: neither of the two kinds the plan names
VILLAGE_KINDS = (VILLAGE_POOR, VILLAGE_ORDINARY)
HOUSEHOLD_KINDS = (HOUSEHOLD_PRE_EXIT, HOUSEHOLD_NOT_EXITED)

# 每次至少抽查1个镇1个贫困村和1个面上村，每村至少抽查3户农户（2户预脱贫户、1户未脱贫户）。
MIN_TOWNSHIPS = 1
MIN_VILLAGES = {VILLAGE_POOR: 1, VILLAGE_ORDINARY: 1}
MIN_HOUSEHOLDS = {HOUSEHOLD_PRE_EXIT: 2, HOUSEHOLD_NOT_EXITED: 1}
SAMPLE_RULE = (
    "每次至少抽查1个镇、1个贫困村和1个面上村，每村至少抽查3户农户（2户预脱贫户、1户未脱贫户）"
)

# 每次督查结束后……3天内向被督查单位发出整改函，开具问题清单。
NOTICE_DAYS = 3
SOURCE_INSPECTION = "督查组"  # the problem source the tracker already knows


class InspectionError(AppError):
    """A change to a round was refused; the message says what and where, in Chinese."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def household_kind(
    is_registered: bool, exit_year: int | None, planned_exit_year: int | None, year: int
) -> str | None:
    """The sampling kind of a household in `year`: 预脱贫户, 未脱贫户, or None (neither).

    A 预脱贫户 is a registered household planned to exit in that year that has not exited yet;
    a 未脱贫户 is any other registered household that has not exited.
    """
    if not is_registered or exit_year is not None:
        return None
    return HOUSEHOLD_PRE_EXIT if planned_exit_year == year else HOUSEHOLD_NOT_EXITED


def village_kind(is_poor_village: bool) -> str:
    """贫困村 or 面上村."""
    return VILLAGE_POOR if is_poor_village else VILLAGE_ORDINARY


def notice_due(end_date: datetime.date) -> datetime.date:
    """The last day the 整改函 may go out: three days after the round's last day."""
    return end_date + datetime.timedelta(days=NOTICE_DAYS)


@dataclass(frozen=True)
class NoticeClock:
    """Where a round stands with its 整改函: due date, days left, sent, late."""

    due: datetime.date
    sent_on: datetime.date | None
    days_left: int | None  # None once sent
    late: bool

    @property
    def text(self) -> str:
        """What the rounds list shows: “还剩 2 天”, “今天到期”, “逾期 3 天”, “已发（逾期 1 天）”."""
        if self.sent_on is not None:
            lag = (self.sent_on - self.due).days
            sent = f"{self.sent_on:%Y-%m-%d} 已发"
            return f"{sent}（逾期 {lag} 天）" if lag > 0 else sent
        if self.days_left > 0:
            return f"还剩 {self.days_left} 天"
        if self.days_left == 0:
            return "今天到期"
        return f"逾期 {-self.days_left} 天"


def notice_clock(
    end_date: datetime.date, sent_on: datetime.date | None, today: datetime.date
) -> NoticeClock:
    """The three-day clock of a round's 整改函 as of `today`."""
    due = notice_due(end_date)
    if sent_on is not None:
        return NoticeClock(due, sent_on, None, sent_on > due)
    left = (due - today).days
    return NoticeClock(due, None, left, left < 0)


def copy_to(county_name: str) -> tuple[str, str]:
    """抄送: the county's 党委 and 政府; a 新区 has a 党工委 and a 管委会 (seed 004: 党（工）委)."""
    name = county_name.strip()
    if name.endswith("新区"):
        return f"中共{name}党工委", f"{name}管委会"
    return f"中共{name}委", f"{name}人民政府"


def check_round_dates(start: datetime.date | None, end: datetime.date | None) -> None:
    """Refuse a round without dates or ending before it starts."""
    if start is None:
        raise InspectionError("请填写督查开始日期", "start_date")
    if end is None:
        raise InspectionError("请填写督查结束日期", "end_date")
    if end < start:
        raise InspectionError(
            f"结束日期（{end:%Y-%m-%d}）不能早于开始日期（{start:%Y-%m-%d}）", "end_date"
        )


def quarter_bounds(text: str) -> tuple[datetime.date, datetime.date]:
    """“2026Q3” → (2026-07-01, 2026-09-30); refuse anything else with a Chinese message."""
    raw = text.strip().upper()
    if len(raw) != 6 or raw[4] != "Q" or not raw[:4].isdigit() or raw[5] not in "1234":
        raise InspectionError(f"季度格式不对：{text}（应为 2026Q3 这样的年份加季度）", "quarter")
    year, q = int(raw[:4]), int(raw[5])
    start = datetime.date(year, 3 * q - 2, 1)
    end = (
        datetime.date(year, 12, 31)
        if q == 4
        else datetime.date(year, 3 * q + 1, 1) - datetime.timedelta(days=1)
    )
    return start, end


def last_working_day(start: datetime.date, end: datetime.date) -> datetime.date:
    """The quarter's last working day (Monday–Friday), when the archive is handed over."""
    day = end
    while day.weekday() >= 5 and day > start:
        day -= datetime.timedelta(days=1)
    return day
