"""Migrations 0010 and 0011 upgrade a 0009 database to hold review teams and double entries."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from desktop.models.database import (
    SCHEMA_HEAD,
    _alembic_config,
    current_revisions,
    make_engine,
    open_database,
)


def test_a_0009_database_gains_the_team_tables(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0009")
        conn.execute(text("INSERT INTO county (name, province, city) VALUES ('桃江县', '', '')"))
        conn.execute(text("INSERT INTO township (county_id, name) VALUES (1, '桃花江镇')"))
        conn.execute(
            text(
                "INSERT INTO village (township_id, name, code, is_poor_village, indicators, note,"
                " aid_unit) VALUES (1, '花园村', '1', 1, '{}', '', '')"
            )
        )
    old.dispose()
    engine = open_database(path)
    assert current_revisions(engine) == {SCHEMA_HEAD}
    tables = set(inspect(engine).get_table_names())
    assert {"reviewer", "review_team", "review_pair", "review_assignment", "verify_entry"} <= tables
    with engine.begin() as conn:
        assert conn.execute(text("SELECT name FROM village")).scalar() == "花园村"
        conn.execute(
            text(
                "INSERT INTO reviewer (name, unit, phone, is_county_cadre) VALUES"
                " ('付建明', '县扶贫办', '', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO review_team (village_id, name, leader, note)"
                " VALUES (1, '花园村排查组', '', '')"
            )
        )
    with pytest.raises(IntegrityError), engine.begin() as conn:  # a pair is two people
        conn.execute(
            text("INSERT INTO review_pair (team_id, seq, first_id, second_id) VALUES (1, 1, 1, 1)")
        )
    engine.dispose()
