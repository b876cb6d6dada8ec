"""Where the application keeps the user's data (platformdirs: %LOCALAPPDATA% on Windows)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

from desktop import APP_ID

ENV_DATA_DIR = "HUITOUKAN_DATA_DIR"  # tests and portable installs point the data folder elsewhere


def data_dir() -> Path:
    """Return the user's data folder, creating it if needed."""
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else user_data_path(APP_ID, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    """Return the default database file in the user's data folder."""
    return data_dir() / "huitoukan.sqlite3"


def log_file() -> Path:
    """Return the log file in the user's data folder (tracebacks of unexpected errors)."""
    return data_dir() / "huitoukan.log"


def backups_dir() -> Path:
    """Return the folder of automatic backups."""
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def recovery_dir() -> Path:
    """Return the folder of recovery copies of unsaved form entries."""
    path = data_dir() / "recovery"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """Return the resources folder, in a source tree or a PyInstaller bundle."""
    import sys

    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
