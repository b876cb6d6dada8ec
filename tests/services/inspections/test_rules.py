"""The three-day clock of the 整改函 and its 抄送 (seed 004, 四)."""

from __future__ import annotations

import datetime

import pytest

from desktop.services.inspections.rules import (
    InspectionError,
    copy_to,
    last_working_day,
    notice_clock,
    notice_due,
    quarter_bounds,
)

END = datetime.date(2026, 7, 9)  # a Thursday


def test_the_notice_is_due_three_days_after_the_round_ends():
    assert notice_due(END) == datetime.date(2026, 7, 12)


@pytest.mark.parametrize(
    ("today", "left", "late", "text"),
    [
        (datetime.date(2026, 7, 9), 3, False, "还剩 3 天"),
        (datetime.date(2026, 7, 11), 1, False, "还剩 1 天"),
        (datetime.date(2026, 7, 12), 0, False, "今天到期"),
        (datetime.date(2026, 7, 13), -1, True, "逾期 1 天"),
        (datetime.date(2026, 7, 20), -8, True, "逾期 8 天"),
    ],
)
def test_days_left_count_down_and_turn_late_on_the_fourth_day(today, left, late, text):
    clock = notice_clock(END, None, today)
    assert (clock.days_left, clock.late, clock.text) == (left, late, text)


def test_a_notice_sent_in_time_stops_the_clock_and_a_late_one_stays_late():
    on_time = notice_clock(END, datetime.date(2026, 7, 12), datetime.date(2026, 8, 30))
    assert (on_time.late, on_time.days_left, on_time.text) == (False, None, "2026-07-12 已发")
    late = notice_clock(END, datetime.date(2026, 7, 14), datetime.date(2026, 8, 30))
    assert late.late and late.text == "2026-07-14 已发（逾期 2 天）"


def test_copies_go_to_the_county_party_committee_and_government():
    assert copy_to("桃江县") == ("中共桃江县委", "桃江县人民政府")
    assert copy_to("源城区") == ("中共源城区委", "源城区人民政府")
    # seed 004 writes 党（工）委: a 新区 has a 党工委 and a 管委会.
    assert copy_to("江东新区") == ("中共江东新区党工委", "江东新区管委会")


def test_quarters_and_their_last_working_day():
    assert quarter_bounds("2026Q3") == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert quarter_bounds("2026q4")[1] == datetime.date(2026, 12, 31)
    # The archive is handed over on the quarter's last working day.
    assert last_working_day(*quarter_bounds("2024Q3")) == datetime.date(2024, 9, 30)
    assert last_working_day(*quarter_bounds("2025Q2")) == datetime.date(2025, 6, 30)
    assert last_working_day(*quarter_bounds("2024Q2")) == datetime.date(2024, 6, 28)  # Sun → Fri
    with pytest.raises(InspectionError, match="季度格式不对：2026-3"):
        quarter_bounds("2026-3")
