"""Shared fixtures: offscreen Qt, a private data folder, fresh databases."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from desktop.models.database import open_database
from desktop.paths import ENV_DATA_DIR


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
def engine(db_path):
    """Return an engine on a new, migrated, empty database file."""
    engine = open_database(db_path)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    from desktop.demo.township import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    engine = open_database(path)
    build_demo(engine, households=300, seed=7, data_dir=path.parent / "data", sichuan=False)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _sichuan_template(tmp_path_factory):
    from desktop.demo.township import build_demo

    path = tmp_path_factory.mktemp("sichuan") / "demo.sqlite3"
    engine = open_database(path)
    build_demo(engine, households=300, seed=7, data_dir=path.parent / "data")
    engine.dispose()
    return path


@pytest.fixture
def sichuan_engine(_sichuan_template, tmp_path):
    """Return an engine on a copy of the demo with its 青神县 township (seed 001's tables)."""
    from desktop.models.database import backup_file

    path = tmp_path / "sichuan.sqlite3"
    backup_file(_sichuan_template, path)
    engine = open_database(path)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_engine(_demo_template, tmp_path):
    """Return an engine on a copy of a small demo township (300 households, 26 villages)."""
    from desktop.models.database import backup_file

    path = tmp_path / "demo.sqlite3"
    backup_file(_demo_template, path)
    engine = open_database(path)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def fresh_signal_hub():
    """Give every test its own signal hub, so windows of earlier tests hear nothing."""
    yield
    import sys

    signals = sys.modules.get("desktop.views.signals")
    if signals is not None:
        signals._hub = None
