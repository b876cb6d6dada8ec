"""Per-user settings kept as JSON in the data folder (last database, window state)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from desktop.models.database import is_server_url
from desktop.paths import data_dir

SETTINGS_FILE = "settings.json"


def _path() -> Path:
    return data_dir() / SETTINGS_FILE


def load_settings() -> dict[str, Any]:
    """Return the saved settings; an unreadable file counts as empty."""
    try:
        return json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_setting(key: str, value: Any) -> None:
    """Save one setting atomically (temp file then replace)."""
    settings = load_settings()
    settings[key] = value
    path = _path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(settings, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def last_database() -> Path | str | None:
    """Return the database opened last: a file that still exists, or a server's address."""
    value = load_settings().get("last_database")
    if value and is_server_url(value):
        return value
    if value and Path(value).exists():
        return Path(value)
    return None
