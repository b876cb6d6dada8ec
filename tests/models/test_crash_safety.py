"""Crash safety: the process is killed in the middle of an import and of saves, the database
is reopened, and it is intact with every transaction wholly there or wholly absent."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desktop.models.database import open_database, sqlite_version
from desktop.models.registry import Household, Member
from desktop.models.safety import AuditEntry

pytestmark = pytest.mark.sqlite_only("kills a process writing a SQLite file; SQLite's own library")

REPO = Path(__file__).resolve().parents[2]
IMPORT_SIZE = 20_000


def _run_until(code: str, marker: str, timeout: float = 60) -> tuple[str, float]:
    """Start a Python child, wait for a line starting with the marker, then kill it."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    deadline = time.monotonic() + timeout
    try:
        for line in child.stdout:
            seen.append(line)
            if line.startswith(marker):
                break
            if time.monotonic() > deadline:
                break
        child.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no clean-up runs
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert any(s.startswith(marker) for s in seen), "".join(seen) + child.stderr.read()
    return "".join(seen), time.monotonic()


def _integrity(path: Path) -> list[str]:
    engine = open_database(path)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
    finally:
        engine.dispose()


def _indexes(path: Path) -> list[tuple[str, str]]:
    engine = open_database(path)
    try:
        with engine.connect() as conn:
            return sorted(
                conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
                ).all()
            )
    finally:
        engine.dispose()


def _imported(path: Path) -> int:
    engine = open_database(path)
    try:
        with Session(engine) as s:
            return s.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "import_insert")
            )
    finally:
        engine.dispose()


@pytest.fixture
def base_path(demo_engine) -> Path:
    path = Path(demo_engine.url.database)
    demo_engine.dispose()
    return path


def test_kill_during_a_large_import_leaves_it_wholly_absent_or_wholly_there(base_path):
    code = f"""
        import datetime
        from desktop.models.database import open_database
        from desktop.services.safety import audit as audit_service  # the import is logged
        from desktop.services.registry.idcard import make_id
        from desktop.services.registry.data import HouseholdData, MemberData
        from desktop.services.registry.writer import write_households

        engine = open_database({str(base_path)!r})
        born = datetime.date(1970, 3, 1)
        rows = [
            HouseholdData(
                code=f"K{{i:06d}}", village_name="新村", township_name="新镇",
                county_name="桃江县", phone="13800000000",
                members=[MemberData(name="张三", id_number=make_id("430922", born, i % 1000),
                                    sex="男", relation="户主")],
            )
            for i in range({IMPORT_SIZE})
        ]
        def progress(done, total):
            print(f"WRITTEN {{done}}", flush=True)
            return True
        with engine.begin() as conn:
            write_households(conn, rows, progress=progress, chunk=2000)
        print("COMMITTED", flush=True)
    """
    before = _imported(base_path)
    indexes = _indexes(base_path)
    out, _ = _run_until(code, "WRITTEN 4000")
    assert _integrity(base_path) == ["ok"]
    # The write drops the plain indexes of the tables it more than doubles, inside its
    # transaction: killed or committed, every index is there.
    assert _indexes(base_path) == indexes
    engine = open_database(base_path)
    with Session(engine) as s:
        households = s.scalar(select(func.count(Household.id)))
        members = s.scalar(select(func.count(Member.id)))
    engine.dispose()
    imported = _imported(base_path) - before
    if "COMMITTED" in out:  # the child was faster than the kill: all of it, with its log
        assert (households, imported) == (300 + IMPORT_SIZE, IMPORT_SIZE)
    else:
        assert (households, imported) == (300, 0)
    assert members >= households


def test_kill_during_household_and_form_saves_keeps_every_committed_save(base_path):
    code = f"""
        from sqlalchemy import select
        from sqlalchemy.orm import Session
        from desktop.models.campaign import Campaign, FormRecord
        from desktop.models.database import open_database
        from desktop.services.actor import CurrentUser
        from desktop.services.context import AppServices

        engine = open_database({str(base_path)!r})
        services = AppServices(engine=engine, user=CurrentUser("李录入", "clerk", 2))
        hid = services.registry.household_rows()[0].id
        with Session(engine) as s, s.begin():
            campaign_id = s.scalar(select(Campaign.id))
            form = FormRecord(household_id=hid, campaign_id=campaign_id, form_code="kill-test",
                              answers={{}})
            s.add(form)
            s.flush()
            form_id = form.id
        i = 0
        while True:
            data = services.registry.get_household(hid)
            data.phone = f"139{{i:08d}}"
            data.members[0].work_months = i % 12
            services.registry.save_household(data)
            with Session(engine) as s, s.begin():
                form = s.get(FormRecord, form_id)
                form.answers = {{"n": i, "text": "x" * 500}}
            print(f"SAVED {{i}} {{hid}} {{form_id}}", flush=True)
            i += 1
    """
    out, _ = _run_until(code, "SAVED 40")
    last = [line.split() for line in out.splitlines() if line.startswith("SAVED")][-1]
    saved, hid, form_id = int(last[1]), int(last[2]), int(last[3])
    assert _integrity(base_path) == ["ok"]
    engine = open_database(base_path)
    with Session(engine) as s:
        household = s.get(Household, hid)
        phone_number = int(household.phone[3:])
        answers = s.execute(
            text("SELECT answers FROM form_record WHERE id = :id"), {"id": form_id}
        ).scalar_one()
        members = s.scalar(select(func.count(Member.id)).where(Member.household_id == hid))
        phone_entries = s.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.record_id == hid, AuditEntry.field == "phone"
            )
        )
    engine.dispose()
    # Every save reported as done is there (the kill came after it); at most one more.
    assert phone_number in (saved, saved + 1)
    assert json.loads(answers)["n"] in (saved, saved + 1)
    assert members == household.member_count
    # The log holds exactly the saves made (0..n): a change and its entry commit together.
    assert phone_entries == phone_number + 1


def test_the_sqlite_library_version_is_the_one_documented(engine):
    # docs/sqlite.md states the version in use and why the WAL-reset bug cannot be hit with it.
    doc = (REPO / "docs" / "sqlite.md").read_text(encoding="utf-8")
    with engine.connect() as conn:
        used = conn.execute(text("SELECT sqlite_version()")).scalar_one()
    assert used == sqlite_version()
    assert f"SQLite {used}" in doc
