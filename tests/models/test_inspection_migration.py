"""Migration 0004 upgrades a database of revision 0003 to hold inspection rounds, keeping data."""

from __future__ import annotations

from sqlalchemy import inspect, text

from desktop.models.database import (
    SCHEMA_HEAD,
    _alembic_config,
    current_revisions,
    make_engine,
    open_database,
)


def test_a_0003_database_gains_rounds_and_the_pre_exit_state(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0003")
        conn.execute(text("INSERT INTO county (name, province, city) VALUES ('桃江县', '', '')"))
        conn.execute(text("INSERT INTO township (county_id, name) VALUES (1, '桃花江镇')"))
        conn.execute(
            text(
                "INSERT INTO village (township_id, name, code, is_poor_village, indicators, note)"
                " VALUES (1, '花园村', '1', 1, '{}', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO household (code, village_id, head_name, poverty_kind, special_kind,"
                " is_registered, phone, bank_name, bank_account, helper_name, helper_phone,"
                " poverty_causes, note, member_count, flags, search_text, version, created_at,"
                " updated_at) VALUES ('H1', 1, '刘建国', '一般贫困户', '', 1, '', '', '', '', '',"
                " '[]', '', 1, 0, '', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    old.dispose()
    engine = open_database(path)
    assert current_revisions(engine) == {SCHEMA_HEAD}  # and every later migration
    tables = set(inspect(engine).get_table_names())
    assert {
        "inspection_group", "inspection_coverage", "inspection_round", "inspection_round_unit",
        "inspection_sample_entry", "inspection_finding",
    } <= tables  # fmt: skip
    with engine.connect() as conn:
        row = conn.execute(text("SELECT head_name, planned_exit_year FROM household")).one()
        village = conn.execute(text("SELECT name, aid_unit FROM village")).one()
    assert tuple(row) == ("刘建国", None)
    assert tuple(village) == ("花园村", "")
    engine.dispose()
