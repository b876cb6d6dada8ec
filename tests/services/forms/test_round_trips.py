"""Opening and saving a form: one session each and a handful of statements.

Twenty clerks on one county server (benchmarks/bench_county_load.py) wait for every round trip;
a form opened in three sessions of ten statements missed the p95 targets there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from desktop.services.actor import CurrentUser
from desktop.services.forms.service import FormService
from desktop.services.unit_of_work import Database
from tests.services.forms.test_service import _household

CLERK = CurrentUser("录入员甲", "clerk")


@contextmanager
def _counted(engine) -> Iterator[tuple[list[str], list[int]]]:
    """The statements run (SQLite's BEGIN left out) and the connections checked out."""
    statements: list[str] = []
    checkouts = [0]

    def on_execute(_conn, _cursor, statement, *_args) -> None:
        if statement.strip().upper() != "BEGIN":
            statements.append(statement)

    def on_checkout(*_args) -> None:
        checkouts[0] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "checkout", on_checkout)
    try:
        yield statements, checkouts
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "checkout", on_checkout)


@pytest.fixture
def service(demo_engine):
    service = FormService(Database(demo_engine))
    service.pin_old_forms()  # once per service, at its first open: not what is counted
    return service


def test_a_form_opens_in_one_session_of_four_statements(service, demo_engine):
    hid = _household(demo_engine)
    with _counted(demo_engine) as (statements, checkouts):
        state = service.open_form(hid, "verification")
    assert state.household.id == hid and state.answers["village"] == state.household.village_name
    # The current campaign, the household joined to its place, its members, the record.
    assert len(statements) <= 4, statements
    assert checkouts == [1]


def test_a_draft_saves_in_one_unit_of_work(service, demo_engine):
    hid = _household(demo_engine)
    state = service.open_form(hid, "verification")
    answers = dict(state.answers, public_post_count=2)
    with _counted(demo_engine) as (statements, checkouts):
        version = service.save(
            hid, "verification", answers, False, None, CLERK, expected_version=state.version
        )
    assert version == state.version + 1
    # Read as on opening (four), the record written, and the audit chain's four (its head
    # locked and moved, the last entry's id, the entries).
    assert len(statements) <= 9, statements
    assert checkouts == [1]
    again = service.open_form(hid, "verification")
    assert again.version == version and again.answers["public_post_count"] == 2
