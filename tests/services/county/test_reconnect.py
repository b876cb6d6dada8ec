"""The county server goes away mid-session: the clerk is told in Chinese, nothing half-written,
and the next save connects anew."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from desktop.errors import ConnectionLostError
from desktop.models.registry import Township
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database


def _cut_every_other_connection(engine) -> int:
    """What a server restart does to this window's connections: terminate them."""
    admin = create_engine(engine.url, poolclass=NullPool)
    try:
        with admin.connect() as conn:
            return conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        admin.dispose()


def test_a_connection_cut_mid_save_is_said_and_the_next_save_works(pg_server, engine):
    if pg_server is None:
        pytest.skip("needs the PostgreSQL server of scripts/test_postgres.sh")
    db = Database(engine)
    registry = RegistryService(db)
    registry.create_township("桃江县", "桃花江镇")
    with pytest.raises(ConnectionLostError, match="连接中断") as caught, db.unit_of_work() as s:
        s.add(Township(name="修山镇", county_id=s.query(Township).first().county_id))
        s.flush()
        assert _cut_every_other_connection(engine) >= 1
        s.execute(text("SELECT 1"))
    assert "填写的内容仍在屏幕上" in str(caught.value)
    # The next unit of work connects anew; the cut one left nothing behind.
    with db.session() as s:
        names = sorted(t.name for t in s.query(Township))
    assert names == ["桃花江镇"]
    registry.create_township("桃江县", "修山镇")
    assert registry.has_township()


def test_sqlite_errors_are_not_taken_for_a_lost_server(engine, pg_server):
    if pg_server is not None:
        pytest.skip("the SQLite half of the rule")
    from sqlalchemy.exc import OperationalError

    from desktop.models.database import lost_connection

    error = OperationalError("INSERT", {}, Exception("database or disk is full"))
    assert not lost_connection(engine, error)
