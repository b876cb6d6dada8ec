"""How a date is written in Chinese on forms, notices and reports: 2020年5月9日, 2020年05月09日."""

from __future__ import annotations

import datetime


def chinese_date(day: datetime.date, *, padded: bool = False) -> str:
    """Return 2020年5月9日, or 2020年05月09日 when padded (the rosters' and reports' way)."""
    # Not f"{day:%Y年%m月%d日}": Windows' strftime rejects characters outside its code page.
    if padded:
        return f"{day.year:04d}年{day.month:02d}月{day.day:02d}日"
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month_day(day: datetime.date, *, padded: bool = False) -> str:
    """Return 4月13日 (a day within a known year, as in a daily list), or 04月13日 when padded."""
    if padded:
        return f"{day.month:02d}月{day.day:02d}日"
    return f"{day.month}月{day.day}日"
