"""The rules of the tracker as plain functions."""

from __future__ import annotations

import datetime

import pytest

from desktop.services.problems.rules import (
    STATUS_AWAITING,
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_OPEN,
    ProblemError,
    check_close,
    check_dates,
    check_extension,
    check_transition,
    is_due,
    is_overdue,
    shown_status,
)

D = datetime.date(2020, 5, 10)


def test_transitions_follow_the_workflow():
    check_transition(STATUS_OPEN, STATUS_IN_PROGRESS)
    check_transition(STATUS_IN_PROGRESS, STATUS_AWAITING)
    check_transition(STATUS_AWAITING, STATUS_CLOSED)
    check_transition(STATUS_AWAITING, STATUS_IN_PROGRESS)
    with pytest.raises(ProblemError, match="已销号"):
        check_transition(STATUS_CLOSED, STATUS_OPEN)
    with pytest.raises(ProblemError):
        check_transition(STATUS_IN_PROGRESS, STATUS_OPEN)
    with pytest.raises(ProblemError, match="未知"):
        check_transition(STATUS_OPEN, "逾期")  # 逾期 is never a stored status


def test_overdue_and_due():
    assert is_overdue(STATUS_IN_PROGRESS, D, D + datetime.timedelta(days=1))
    assert not is_overdue(STATUS_IN_PROGRESS, D, D)
    assert not is_overdue(STATUS_CLOSED, D, D + datetime.timedelta(days=9))
    assert not is_overdue(STATUS_OPEN, None, D)
    assert shown_status(STATUS_OPEN, D, D + datetime.timedelta(days=1)) == "待整改（逾期）"
    assert is_due(STATUS_OPEN, D, D) and not is_due(STATUS_OPEN, D, D - datetime.timedelta(1))
    assert is_due(STATUS_CLOSED, None, D)


def test_date_extension_and_close_checks():
    with pytest.raises(ProblemError, match="不能早于"):
        check_dates(D, D - datetime.timedelta(days=1), "限时整改")
    with pytest.raises(ProblemError, match="必须填写整改时限"):
        check_dates(D, None, "限时整改")
    check_dates(D, None, "立行立改")
    with pytest.raises(ProblemError, match="原因"):
        check_extension(D, D + datetime.timedelta(days=1), "")
    with pytest.raises(ProblemError, match="晚于"):
        check_extension(D, D, "理由")
    with pytest.raises(ProblemError, match="验收意见"):
        check_close("", "文斌", D)
    with pytest.raises(ProblemError, match="验收人"):
        check_close("好", "", D)
