"""Migration 0012 gives users township grants; every user of an older database keeps all."""

from __future__ import annotations

from sqlalchemy import inspect, text

from desktop.models.database import SCHEMA_HEAD, _alembic_config, make_engine, open_database
from desktop.services.context import AppServices


def test_a_0011_database_keeps_every_user_unrestricted(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0011")
        conn.execute(text("INSERT INTO county (name, province, city) VALUES ('桃江县', '', '')"))
        conn.execute(text("INSERT INTO township (county_id, name) VALUES (1, '桃花江镇')"))
        conn.execute(
            text(
                "INSERT INTO app_user (name, real_name, role, password_hash, password_salt,"
                " password_params, active, created_at) VALUES ('李录入', '', 'clerk', 'x', 'y',"
                " 'scrypt:n=16384,r=8,p=1,len=32', 1, '2026-01-01 00:00:00')"
            )
        )
    old.dispose()
    engine = open_database(path)
    assert SCHEMA_HEAD >= "0012"  # upgraded through 0012 (and whatever came after)
    assert "user_township" in inspect(engine).get_table_names()
    services = AppServices(engine)
    (clerk,) = services.auth.users()
    assert (clerk.name, clerk.townships, clerk.townships_label) == ("李录入", (), "全部乡镇")
    engine.dispose()
