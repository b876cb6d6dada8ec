"""Migration 0013 gives every exchanged record a uid, older rows included, and comes back
down without losing a row (on SQLite, rebuilding a parent table would cascade-delete)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from desktop.models.database import _alembic_config, make_engine
from desktop.models.exchange import EXCHANGED_TABLES

PLACES = (
    "INSERT INTO county (name, province, city) VALUES ('桃江县', '', '')",
    "INSERT INTO township (county_id, name) VALUES (1, '桃花江镇')",
    "INSERT INTO village (township_id, name, code, is_poor_village, indicators, note, aid_unit)"
    " VALUES (1, '花园村', '1', 1, '{}', '', '')",
)
HOUSEHOLDS = tuple(
    "INSERT INTO household (code, village_id, head_name, poverty_kind, special_kind,"
    " is_registered, phone, bank_name, bank_account, helper_name, helper_phone, poverty_causes,"
    " note, removal_reason, member_count, flags, search_text, version, created_at, updated_at)"
    f" VALUES ('43092200{n}', 1, '户主{n}', '', '', 1, '', '', '', '', '', '[]', '', '', 1, 0,"
    " '', 1, '2020-05-01 00:00:00', '2020-05-01 00:00:00')"
    for n in (1, 2)
)
MEMBERS = tuple(
    "INSERT INTO member (household_id, seq, name, sex, id_number, relation, ethnicity,"
    " political_status, education, schooling, health, labour_ability, work_status, is_soldier,"
    " ins_serious_illness, ins_employee_pension, ins_resident_medical, ins_resident_pension,"
    f" pension_status, extra, removal_reason) VALUES ({n}, 1, '户主{n}', '', '', '户主', '', '',"
    " '', '', '', '', '', 0, 0, 0, 0, 0, '', '{}', '')"
    for n in (1, 2)
)


def _uids(conn, table: str) -> list[str]:
    return [row[0] for row in conn.execute(text(f"SELECT uid FROM {table}"))]


def test_older_rows_get_distinct_uids_and_the_way_down_keeps_them(tmp_path):
    from alembic import command

    engine = make_engine(tmp_path / "old.sqlite3")
    try:
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "0011")
            for statement in (*PLACES, *HOUSEHOLDS, *MEMBERS):
                conn.execute(text(statement))
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "0013")
            members = _uids(conn, "member")
            households = _uids(conn, "household")
            assert len(set(members + households)) == 4 and all(len(u) == 36 for u in members)
            for table in EXCHANGED_TABLES:
                assert "" not in _uids(conn, table)
        with pytest.raises(IntegrityError), engine.begin() as conn:  # a second uid-less row
            conn.execute(
                text("INSERT INTO unit (name, kind, phone, note) VALUES ('甲', '', '', '')")
            )
            conn.execute(
                text("INSERT INTO unit (name, kind, phone, note) VALUES ('乙', '', '', '')")
            )
        with engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0013-1")
            assert conn.execute(text("SELECT count(*) FROM member")).scalar() == 2
            assert conn.execute(text("SELECT count(*) FROM household")).scalar() == 2
            columns = [row[1] for row in conn.execute(text("PRAGMA table_info(member)"))]
            assert "uid" not in columns
    finally:
        engine.dispose()
