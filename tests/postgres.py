"""The tests' PostgreSQL server: set HUITOUKAN_TEST_POSTGRES to a URL (scripts/postgres.sh
starts one on loopback) and the database fixtures of tests/conftest.py open PostgreSQL
databases instead of SQLite files.

Each schema (empty, demo, 青神县 demo) is built once per run in a template database; every
test gets its own copy (CREATE DATABASE … TEMPLATE, a file copy on the server) and it is
dropped afterwards. HUITOUKAN_TEST_POSTGRES_REQUIRED=1 turns a missing server into a failure
instead of a skip (CI sets it, so that the PostgreSQL run cannot pass by skipping).
"""

from __future__ import annotations

import itertools
import os

import pytest

ENV_URL = "HUITOUKAN_TEST_POSTGRES"
ENV_REQUIRED = "HUITOUKAN_TEST_POSTGRES_REQUIRED"


def server_url() -> str | None:
    """Return the server URL the tests should use, or None for SQLite files."""
    return os.environ.get(ENV_URL) or None


class Server:
    """Creates and drops the tests' databases on one server (an AUTOCOMMIT admin engine)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        from desktop.models.database import make_engine

        self.url = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
        self._admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        self._names = itertools.count(1)
        self._prefix = f"hk_test_{os.getpid()}"
        self._created: list[str] = []

    def check(self) -> None:
        """Connect once; skip (or fail, when required) the PostgreSQL tests without a server."""
        try:
            with self._admin.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as exc:
            if os.environ.get(ENV_REQUIRED) == "1":
                pytest.fail(f"PostgreSQL server {self.url.host}:{self.url.port} missing: {exc}")
            pytest.skip(f"no PostgreSQL server at {self.url.host}:{self.url.port}: {exc}")

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        """Create an empty database (or a copy of a template); return its URL."""
        name = f"{self._prefix}_{next(self._names)}"
        copy = f" TEMPLATE {template}" if template else ""
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}{copy}")
        self._created.append(name)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._created.remove(name)

    def close(self) -> None:
        for name in list(self._created):
            with self._admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._admin.dispose()


def template_name(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database


def same_database(engine) -> str:
    """Return what open_database takes to open the engine's database a second time."""
    if engine.dialect.name == "postgresql":
        return engine.url.render_as_string(hide_password=False)
    return engine.url.database
