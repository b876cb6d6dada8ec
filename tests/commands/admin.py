"""An administrator in a test database, and the environment a script signs in with."""

from __future__ import annotations

from pathlib import Path

from desktop.commands.admin import ENV_ADMIN, ENV_ADMIN_PASSWORD
from desktop.models.database import open_database
from desktop.services.context import AppServices

ADMIN_NAME = "王站长"
ADMIN_PASSWORD = "Zhan-2026-huitou"


def add_admin(path: Path | str, name: str = ADMIN_NAME, password: str = ADMIN_PASSWORD) -> None:
    """Create the database's first administrator, as the window's first start does."""
    engine = open_database(path)
    try:
        AppServices(engine=engine).auth.create_first_admin(name, password)
    finally:
        engine.dispose()


def sign_in_as_admin(monkeypatch, name: str = ADMIN_NAME, password: str = ADMIN_PASSWORD) -> None:
    """Give privileged commands an administrator's name and password, as a script would."""
    monkeypatch.setenv(ENV_ADMIN, name)
    monkeypatch.setenv(ENV_ADMIN_PASSWORD, password)


def admin_env(env: dict | None = None) -> dict:
    """Return an environment (for a subprocess) with the administrator's credentials."""
    import os

    return {**(env or os.environ), ENV_ADMIN: ADMIN_NAME, ENV_ADMIN_PASSWORD: ADMIN_PASSWORD}
