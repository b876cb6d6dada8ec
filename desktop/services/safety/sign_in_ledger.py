"""The sign-in ledger: wrong passwords in a row per account, kept beside the database.

The audit log counts wrong passwords too, but it lives in the database: restoring an older
backup brought back that backup's log and with it a clean slate (an account locked after ten
wrong passwords was open again), and a restore onto a damaged database signed the
administrator in against a throwaway copy of the backup, so every try started from zero. This
ledger is a small JSON file in the data folder, keyed by the database file's path and the
account's name; a restore does not touch it. `AuthService` counts the larger of the two.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from desktop.paths import data_dir

LEDGER_FILE = "sign-in-ledger.json"


class SignInLedger:
    """Wrong passwords in a row of the accounts of one database file."""

    def __init__(self, file: Path, database: Path) -> None:
        self.file = Path(file)
        self.key = str(Path(database).resolve())

    @classmethod
    def for_database(cls, database: Path) -> SignInLedger:
        """Return the ledger of a database file, kept in the data folder."""
        return cls(data_dir() / LEDGER_FILE, database)

    @classmethod
    def for_engine(cls, engine: Engine) -> SignInLedger | None:
        """Return the ledger of an engine's database file; None for an in-memory database."""
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return cls.for_database(Path(database))

    def _load(self) -> dict:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        part = self.file.with_name(self.file.name + ".part")
        part.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(part, self.file)

    def failures(self, name: str) -> tuple[int, datetime | None]:
        """Return the account's wrong passwords in a row and when the last one was typed."""
        entry = self._load().get(self.key, {}).get(name)
        if not isinstance(entry, dict):
            return 0, None
        try:
            return int(entry["failures"]), datetime.fromisoformat(entry["last"])
        except (KeyError, TypeError, ValueError):
            return 0, None

    def failed(self, name: str, failures: int, at: datetime) -> None:
        """Record that the account now has `failures` wrong passwords in a row, the last at `at`."""
        data = self._load()
        data.setdefault(self.key, {})[name] = {"failures": failures, "last": at.isoformat()}
        with contextlib.suppress(OSError):  # the audit log still counts it
            self._save(data)

    def cleared(self, name: str) -> None:
        """Forget the account's wrong passwords (a good password, or an administrator's unlock)."""
        data = self._load()
        accounts = data.get(self.key, {})
        if name not in accounts:
            return
        del accounts[name]
        if not accounts:
            data.pop(self.key, None)
        with contextlib.suppress(OSError):  # a read-only data folder must not block signing in
            self._save(data)
