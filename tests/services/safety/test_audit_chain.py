"""The audit log's hash chain: entries removed, changed or slipped in past the triggers show."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from desktop.cli import main
from desktop.models.database import _alembic_config, make_engine, open_database
from desktop.services.safety.backup import check_file

TRIGGERS = ("audit_entry_no_update", "audit_entry_no_delete")


@pytest.fixture
def demo_path(demo_engine) -> Path:
    path = Path(demo_engine.url.database)
    demo_engine.dispose()
    return path


def _tamper(path: Path, *statements: str) -> None:
    """Do what someone holding the file could: drop the triggers, edit, put the triggers back."""
    conn = sqlite3.connect(path)
    saved = dict(
        conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)",
            TRIGGERS,
        ).fetchall()
    )
    for name in saved:
        conn.execute(f"DROP TRIGGER {name}")
    for sql in statements:
        conn.execute(sql)
    for sql in saved.values():
        conn.execute(sql)
    conn.commit()
    conn.close()


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.sqlite_only("checks the chain of a closed database file")
def test_a_sound_log_is_a_whole_chain_up_to_its_head(demo_path, capsys):
    result = check_file(demo_path)
    assert result.ok and result.chain.ok
    assert result.chain.entries == _count(demo_path) > 100
    assert main(["check", "--db", str(demo_path)]) == 0
    assert "哈希链完整" in capsys.readouterr().out


@pytest.mark.sqlite_only("checks the chain of a closed database file")
def test_deleting_entries_in_the_middle_names_the_first_broken_entry(demo_path, capsys):
    _tamper(demo_path, "DELETE FROM audit_entry WHERE id BETWEEN 50 AND 149")
    assert main(["check", "--db", str(demo_path)]) == 1
    err = capsys.readouterr().err
    assert "#150" in err and "少了 100 条（#50–#149）" in err and "第 50 条" in err
    assert "Traceback" not in err


@pytest.mark.sqlite_only("checks the chain of a closed database file")
def test_deleting_the_last_entries_shows_at_the_head(demo_path, capsys):
    last = _count(demo_path)
    _tamper(demo_path, f"DELETE FROM audit_entry WHERE id > {last - 100}")
    assert main(["check", "--db", str(demo_path)]) == 1
    err = capsys.readouterr().err
    assert f"链头指向 #{last}" in err and "最后 100 条被删除" in err


@pytest.mark.sqlite_only("checks the chain of a closed database file")
def test_a_changed_or_slipped_in_entry_breaks_the_chain_there(demo_path, tmp_path, capsys):
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(demo_path.read_bytes())
    _tamper(demo_path, "UPDATE audit_entry SET user_name = '别人' WHERE id = 77")
    report = check_file(demo_path).chain
    assert not report.ok and report.broken_id == 77 and "改动过" in report.message
    _tamper(
        copy,
        "INSERT INTO audit_entry (at, user_name, source, table_name, record_label, field,"
        " action, note) VALUES ('2026-01-01 00:00:00.000000', '谁', 'app', 'household', '',"
        " '', 'update', '')",
    )
    report = check_file(copy).chain
    assert not report.ok and "绕过程序写入" in report.message


def test_the_log_and_its_head_stay_append_only(engine):
    from desktop.services.safety.audit import AuditService
    from desktop.services.unit_of_work import Database

    audit = AuditService(Database(engine))
    audit.log("export", "household", note="一条")
    audit.log("export", "household", note="两条")
    assert audit.head()[0] == 2
    for sql in (
        "UPDATE audit_entry SET note = 'x'",
        "DELETE FROM audit_entry",
        "DELETE FROM audit_chain_head",
        "UPDATE audit_chain_head SET entry_id = entry_id - 1",
    ):
        with pytest.raises(Exception, match="审计日志"), engine.begin() as conn:
            conn.execute(text(sql))
    assert audit.head()[0] == 2


@pytest.mark.sqlite_only("checks the chain of a closed database file")
def test_audit_export_prints_the_head_and_check_confirms_what_was_written(
    demo_path, tmp_path, capsys, monkeypatch
):
    from tests.commands.admin import add_admin, sign_in_as_admin

    add_admin(demo_path)
    sign_in_as_admin(monkeypatch)
    out = tmp_path / "log.xlsx"
    assert main(["audit", "export", "--db", str(demo_path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if x.startswith("操作日志链头"))
    digest = line.split("哈希 ")[1][:64]
    assert len(digest) == 64
    sheet = load_workbook(out, read_only=True)["校验"]
    assert next(sheet.iter_rows(values_only=True))[0] == "写出时的日志链头"
    assert main(["check", "--db", str(demo_path), "--audit-hash", digest[:16]]) == 0
    assert "未被改动" in capsys.readouterr().out
    # Rewriting the whole chain after the paper copy loses the hash that was written down.
    _rechain(demo_path, "DELETE FROM audit_entry WHERE id > 10")
    assert check_file(demo_path).ok  # recomputed: only the paper copy can tell
    assert main(["check", "--db", str(demo_path), "--audit-hash", digest[:16]]) == 1
    assert "被改写过" in capsys.readouterr().err


def _rechain(path: Path, edit: str) -> None:
    """Edit the log and recompute every hash and the head, triggers put back afterwards."""
    from desktop.models.safety import CHAIN_START, CHAINED_FIELDS, entry_digest

    conn = sqlite3.connect(path)
    saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in saved:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(edit)
    previous, last = CHAIN_START, 0
    for row in conn.execute(f"SELECT {', '.join(CHAINED_FIELDS)} FROM audit_entry ORDER BY id"):
        values = dict(zip(CHAINED_FIELDS, row, strict=True))
        previous, last = entry_digest(previous, values), values["id"]
        conn.execute("UPDATE audit_entry SET chain_hash = ? WHERE id = ?", (previous, last))
    conn.execute("UPDATE audit_chain_head SET entry_id = ?, chain_hash = ?", (last, previous))
    for _name, sql in saved:
        conn.execute(sql)
    conn.commit()
    conn.close()


def test_migration_chains_the_entries_already_written(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0008")
        for n in range(5):
            conn.execute(
                text(
                    "INSERT INTO audit_entry (at, user_name, source, table_name, record_id,"
                    " record_label, field, old_value, new_value, action, note) VALUES"
                    f" ('2026-11-0{n + 1} 08:00:00.000000', '王', 'app', 'household', {n},"
                    " 'H1', 'phone', NULL, '138', 'update', '')"
                )
            )
    old.dispose()
    engine = open_database(path)
    with engine.connect() as conn:
        hashes = conn.execute(text("SELECT chain_hash FROM audit_entry ORDER BY id")).scalars()
        assert all(len(h) == 64 for h in hashes)
        triggers = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        )
    assert {*TRIGGERS, "audit_chain_head_no_delete", "audit_chain_head_forward"} <= triggers
    engine.dispose()
    result = check_file(path)
    assert result.ok and result.chain.entries == 5 and result.chain.head_id == 5


def test_entries_written_before_nested_masking_are_masked_where_they_are_read(engine):
    """The log cannot be rewritten: what an older version stored is masked in view and export."""
    from desktop.models.safety import ROLE_ADMIN
    from desktop.services.actor import CurrentUser
    from desktop.services.context import AppServices
    from desktop.services.safety.audit_view import AuditQuery

    services = AppServices(engine=engine, user=CurrentUser("管理员", ROLE_ADMIN))
    with engine.begin() as conn:  # as migration 0007's code wrote it, straight into the table
        conn.execute(
            text(
                "INSERT INTO audit_entry (at, user_name, source, table_name, record_label, field,"
                " old_value, new_value, action, note) VALUES ('2026-11-30 09:00:00.000000',"
                " '王', 'app', 'comparison_case', '', 'persons', NULL, :new, 'update', '')"
            ),
            {
                "new": '[{"name": "林大", "id_number": "43092219700301011X",'
                ' "bank_account": "6228480012345678901"}]'
            },
        )
    shown = " ".join(" ".join(r.cells()) for r in services.audit_view.rows(AuditQuery()))
    listed = " ".join(r.new_value or "" for r in services.audit.entries())
    for text_seen in (shown, listed):
        assert "43092219700301011X" not in text_seen and "6228480012345678901" not in text_seen
        assert "430922********011X" in text_seen and "6228***********8901" in text_seen


def test_an_entrys_hash_is_the_frozen_format_of_the_entries_already_written():
    """Entries written before are verified with today's code: the hashed text must not drift.

    The expected hashes were computed with json.dumps(fields, ensure_ascii=False,
    separators=(",", ":")), the format migration 0009 chained the old entries with.
    """
    from datetime import datetime

    from desktop.models.safety import CHAIN_START, entry_digest

    entry = {
        "id": 7,
        "at": datetime(2024, 5, 20, 8, 30, 1, 123456),
        "user_name": "张三",
        "source": "窗口",
        "table_name": "member",
        "record_id": 12,
        "record_label": '王"五\\\n\t\x07',
        "household_id": None,
        "field": "name",
        "old_value": "a\u202eb",
        "new_value": "𠮷",
        "action": "update",
        "note": "",
    }
    assert entry_digest(CHAIN_START, entry) == (
        "10b32bc6938778b5575b8c5b6425a27ccee9f399423a879f9794396d8bf581b4"
    )
    # Read back from SQLite (the time as text), odd types as a careless writer might give.
    entry = entry | {
        "id": 8,
        "at": "2024-05-20 08:30:01.000001",
        "user_name": None,
        "source": "cli",
        "table_name": "x",
        "record_id": True,
        "record_label": 3.5,
        "household_id": False,
        "field": "f",
        "old_value": None,
        "new_value": "0",
        "action": "insert",
        "note": "备注 430922********1234",
    }
    assert entry_digest(CHAIN_START, entry) == (
        "ed3f3e1caed6025adb7ab026304648556feffb8e0117a0784ca1cbeb8860402f"
    )
