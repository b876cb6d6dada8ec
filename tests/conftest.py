"""Shared fixtures: offscreen Qt, a private data folder, fresh databases.

The databases are SQLite files, or PostgreSQL databases when HUITOUKAN_TEST_POSTGRES names a
server (tests/postgres.py); a test that only makes sense on a SQLite file carries
`@pytest.mark.sqlite_only("why")` and is skipped there.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from desktop.models.database import open_database
from desktop.paths import ENV_DATA_DIR
from tests.postgres import Server, server_url, template_name


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test needs a SQLite file; skipped on PostgreSQL"
    )


def pytest_collection_modifyitems(config, items):
    if server_url() is None:
        return
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if mark is not None:
            reason = mark.args[0] if mark.args else "SQLite only"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL server of this run, or None when the tests use SQLite files."""
    url = server_url()
    if url is None:
        yield None
        return
    server = Server(url)
    server.check()
    yield server
    server.close()


def _pg_template(server, build=None) -> str:
    """Create a migrated database (built further by `build`) to copy; return its name."""
    url = server.create()
    engine = open_database(url)
    try:
        if build is not None:
            build(engine)
    finally:
        engine.dispose()
    return template_name(url)


def _pg_copy(server, template: str):
    url = server.create(template)
    engine = open_database(url)
    yield engine
    engine.dispose()
    server.drop(url)


@pytest.fixture(scope="session")
def _pg_empty_template(pg_server):
    return None if pg_server is None else _pg_template(pg_server)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Point the user's data folder at a temporary folder for every test."""
    folder = tmp_path / "userdata"
    folder.mkdir()
    monkeypatch.setenv(ENV_DATA_DIR, str(folder))
    return folder


@pytest.fixture
def db_path(tmp_path):
    """Return the path of a database file that does not exist yet."""
    return tmp_path / "test.sqlite3"


@pytest.fixture
def engine(request, pg_server):
    """Return an engine on a new, migrated, empty database (file, or PostgreSQL database)."""
    if pg_server is not None:
        yield from _pg_copy(pg_server, request.getfixturevalue("_pg_empty_template"))
        return
    engine = open_database(request.getfixturevalue("db_path"))
    yield engine
    engine.dispose()


_DEMO_DATA: dict[str, object] = {}  # the demo's evidence files, by template


def _build_template(tmp_path_factory, pg_server, folder: str, *, sichuan: bool):
    """Build the demo once: a SQLite file to copy, or a PostgreSQL template database's name."""
    from desktop.demo.township import build_demo

    path = tmp_path_factory.mktemp(folder) / "demo.sqlite3"

    def build(engine):
        build_demo(engine, households=300, seed=7, data_dir=path.parent / "data", sichuan=sichuan)

    _DEMO_DATA[folder] = path.parent / "data"
    if pg_server is not None:
        return _pg_template(pg_server, build)
    engine = open_database(path)
    build(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory, pg_server):
    return _build_template(tmp_path_factory, pg_server, "demo", sichuan=False)


@pytest.fixture(scope="session")
def _sichuan_template(tmp_path_factory, pg_server):
    return _build_template(tmp_path_factory, pg_server, "sichuan", sichuan=True)


@pytest.fixture(scope="session")
def demo_data_dir(_demo_template):
    """The folder of the small demo's evidence files (beside its template, on either engine)."""
    return _DEMO_DATA["demo"]


def _copy_of(template, pg_server, path):
    if pg_server is not None:
        yield from _pg_copy(pg_server, template)
        return
    from desktop.models.database import backup_file

    backup_file(template, path)
    engine = open_database(path)
    yield engine
    engine.dispose()


@pytest.fixture
def sichuan_engine(_sichuan_template, pg_server, tmp_path):
    """Return an engine on a copy of the demo with its 青神县 township (seed 001's tables)."""
    yield from _copy_of(_sichuan_template, pg_server, tmp_path / "sichuan.sqlite3")


@pytest.fixture
def demo_engine(_demo_template, pg_server, tmp_path):
    """Return an engine on a copy of a small demo township (300 households, 26 villages)."""
    yield from _copy_of(_demo_template, pg_server, tmp_path / "demo.sqlite3")


@pytest.fixture(autouse=True)
def fresh_signal_hub():
    """Give every test its own signal hub, so windows of earlier tests hear nothing."""
    yield
    import sys

    signals = sys.modules.get("desktop.views.signals")
    if signals is not None:
        signals._hub = None


@pytest.fixture
def without_psycopg(monkeypatch):
    """Imports of the PostgreSQL driver fail, as on a PC where it is not installed."""
    import builtins

    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name == "psycopg" or name.startswith("psycopg."):
            raise ImportError("No module named 'psycopg'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
