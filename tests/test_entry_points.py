"""Every way into a database writes an audit trail and keeps signed forms locked.

The listeners are installed on the session factory that each entry point builds (the window's
AppServices, the command line's, the self-test's), never by importing a module: this test opens
a database through each of them, changes a household and tries to change a signed form.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.cli import main
from desktop.errors import FormLockedError
from desktop.models.campaign import FORM_STATE_SIGNED, Campaign, FormRecord
from desktop.models.database import backup_file, open_database
from desktop.models.registry import Household
from desktop.models.safety import SOURCE_CLI, AuditEntry
from desktop.services.actor import os_user
from desktop.services.context import AppServices
from desktop.services.problems.importer import COLUMNS as PROBLEM_COLUMNS
from tests.commands.admin import ADMIN_NAME, add_admin, sign_in_as_admin
from tests.roster_samples import clean_rows, write_xlsx


@pytest.fixture
def demo_path(demo_engine, tmp_path) -> Path:
    """A closed copy of the demo township as a file."""
    path = tmp_path / "entry.sqlite3"
    backup_file(Path(demo_engine.url.database), path)
    return path


def _assert_audited_and_guarded(services: AppServices, user_name: str) -> None:
    """A change through these services is logged under `user_name`; a signed form refuses one."""
    registry = services.registry
    household = registry.get_household(registry.household_rows()[0].id)
    household.note = "入口测试：备注已改"
    registry.save_household(household)
    with Session(services.engine) as s:
        entry = s.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "household",
                AuditEntry.record_id == household.id,
                AuditEntry.field == "note",
            )
        ).one()
    assert (entry.new_value, entry.user_name) == ("入口测试：备注已改", user_name)

    with services.db.unit_of_work() as s:
        campaign_id = s.scalar(select(Campaign.id))
        form = FormRecord(
            household_id=household.id, campaign_id=campaign_id, form_code="entry-test",
            state=FORM_STATE_SIGNED, answers={"A1": "3"},
        )  # fmt: skip
        s.add(form)
        s.flush()
        form_id = form.id
    with pytest.raises(FormLockedError), services.db.unit_of_work() as s:
        s.get(FormRecord, form_id).answers = {"A1": "4"}
    with services.db.session() as s:
        assert s.get(FormRecord, form_id).answers == {"A1": "3"}


def test_the_window_services(demo_path):
    from desktop.app import open_services

    services = open_services(demo_path)
    services.user.name = "李录入"
    try:
        _assert_audited_and_guarded(services, "李录入")
    finally:
        services.engine.dispose()


def test_the_command_line_services(demo_path):
    from desktop.commands.common import open_services, release_locks

    services = open_services(argparse.Namespace(db=demo_path))
    try:
        _assert_audited_and_guarded(services, os_user())
    finally:
        services.engine.dispose()
        release_locks()


def test_the_self_test_services(tmp_path):
    from desktop.selftest import Context, check_database

    ctx = Context(workdir=tmp_path)
    check_database(ctx)
    try:
        _assert_audited_and_guarded(ctx.services, "系统")
    finally:
        ctx.engine.dispose()


def _problem_list(path: Path, engine) -> Path:
    with engine.connect() as conn:
        code = conn.scalar(select(Household.code).order_by(Household.code))
    book = openpyxl.Workbook()
    book.active.append(list(PROBLEM_COLUMNS))
    row = {
        "发现日期": datetime.date(2020, 5, 6), "问题来源": "督查组", "问题类别": "3",
        "户编号": code, "问题描述": "入口测试：住房漏雨", "整改措施": "维修屋面",
        "整改类型": "限时整改", "责任单位": "扶贫工作站", "责任人": "入口测试人",
        "整改时限": "2020/6/30",
    }  # fmt: skip
    book.active.append([row.get(c) for c in PROBLEM_COLUMNS])
    book.save(path)
    return path


def _cli_entries(path: Path, who: str) -> int:
    engine = open_database(path)
    with engine.connect() as conn:
        count = conn.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.source == SOURCE_CLI, AuditEntry.user_name == who
            )
        )
    engine.dispose()
    return count


WRITING_COMMANDS = (
    "demo",
    "roster import",
    "roster export --full-ids",
    "problems import",
    "restore",
    "audit export",
    "user add",
)


def _argv(command: str, engine, tmp: Path) -> list[str]:
    if command == "demo":
        return ["demo", "--households", "60"]
    if command == "roster import":
        return ["roster", "import", str(write_xlsx(tmp / "r.xlsx", clean_rows()))]
    if command == "roster export --full-ids":
        return ["roster", "export", "--out", str(tmp / "o.xlsx"), "--full-ids"]
    if command == "problems import":
        return ["problems", "import", str(_problem_list(tmp / "p.xlsx", engine))]
    if command == "restore":
        return ["restore", str(backup_file(Path(engine.url.database), tmp / "b.sqlite3"))]
    if command == "audit export":
        return ["audit", "export", "--out", str(tmp / "a.xlsx")]
    return ["user", "add", "入口测试员", "--role", "录入员"]


# Signed in by an administrator (desktop/commands/admin.py): logged under that name instead.
PRIVILEGED = {"roster export --full-ids", "restore", "audit export", "user add"}


@pytest.mark.parametrize("command", WRITING_COMMANDS)
def test_each_writing_command_is_audited_under_the_os_user_or_its_administrator(
    command, demo_engine, tmp_path, monkeypatch
):
    path = tmp_path / "cli.sqlite3"
    if command == "demo":
        open_database(path).dispose()
    else:
        backup_file(Path(demo_engine.url.database), path)
    who = os_user()
    if command in PRIVILEGED:
        add_admin(path)
        sign_in_as_admin(monkeypatch)
        who = ADMIN_NAME
    monkeypatch.setattr("sys.stdin", _Stdin("入口测试密码123\n"))
    argv = _argv(command, demo_engine, tmp_path)
    before = _cli_entries(path, who)
    assert main([*argv, "--db", str(path)]) == 0
    assert _cli_entries(path, who) > before


class _Stdin:
    """Standard input that is not a terminal, with one line on it."""

    def __init__(self, text: str) -> None:
        self.text = text

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        text, self.text = self.text, ""
        return text
