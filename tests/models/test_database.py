"""The database file: pragmas, migrations, upgrade in place after a backup."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from desktop.models import Base
from desktop.models.database import (
    DatabaseError,
    current_revisions,
    head_revisions,
    make_engine,
    open_database,
)
from desktop.services.unit_of_work import Database


@pytest.mark.sqlite_only("SQLite's pragmas and its one-connection engine")
def test_new_database_is_migrated_to_heads_with_safe_pragmas(engine):
    assert current_revisions(engine) == head_revisions()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_old_database_is_upgraded_in_place_after_a_backup(tmp_path):
    from alembic import command

    from desktop.models.database import _alembic_config

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO county (name, province, city) VALUES ('旧县', '', '')"))
    old.dispose()
    backups = tmp_path / "backups"
    engine = open_database(path, backup_dir=backups)
    assert current_revisions(engine) == head_revisions()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM county")).scalar() == "旧县"
    copies = list(backups.glob("*.sqlite3"))
    assert copies, "an upgrade must leave a backup copy of the old file"
    with sqlite3.connect(copies[0]) as backup:
        assert backup.execute("SELECT name FROM county").fetchone()[0] == "旧县"
    engine.dispose()


def test_database_of_a_newer_version_is_refused(db_path):
    engine = open_database(db_path)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('9999_future')"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="比本程序新"):
        open_database(db_path)


def test_a_file_that_is_not_a_database_gets_a_clear_message(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is a word document, not a database" * 100)
    with pytest.raises(DatabaseError, match="无法打开数据库文件"):
        open_database(path)


@pytest.mark.sqlite_only("SQLite's pragmas and its one-connection engine")
def test_queries_do_not_leak_references_to_none(engine):
    """A DB-API module that decrefs None (pysqlite3 0.6.1 on Python 3.11) aborts the app."""
    import sys

    from desktop.services.registry.service import RegistryService

    registry = RegistryService(Database(engine))
    from desktop.demo.township import build_demo

    build_demo(engine, households=30, seed=1)
    for _ in range(20):
        registry.household_rows()
    import gc

    gc.collect()
    gc.disable()  # a collection during the loop would free unrelated references to None
    try:
        before = sys.getrefcount(None)
        for _ in range(200):
            registry.household_rows()
            registry.village_summaries()
        after = sys.getrefcount(None)
    finally:
        gc.enable()
    assert after >= before - 20


@pytest.mark.sqlite_only("SQLite's pragmas and its one-connection engine")
def test_each_engine_holds_one_connection(engine):
    assert engine.pool.size() == 1


def test_schema_head_constant_names_the_newest_migration():
    from desktop.models.database import SCHEMA_HEAD

    assert head_revisions() == {SCHEMA_HEAD}  # one line of migrations, and the constant knows it
