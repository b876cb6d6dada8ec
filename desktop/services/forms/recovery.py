"""Recovery copies of unsaved form entries, so nothing typed is lost to a crash or power cut.

As the clerk types, the form dialog writes what is on screen to a small JSON file in the
user's recovery folder, keyed by database file, household and form. Saving or discarding the
entries removes the file; a file still present when the form is opened again means the last
session ended without either, and the dialog offers to restore it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from desktop.paths import recovery_dir

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
SUFFIX = ".json"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class RecoveryCopy:
    """What was on screen when the recovery copy was written."""

    db_key: str
    household_id: int
    form_code: str
    answers: dict
    accepted_warnings: dict = field(default_factory=dict)
    # The record version the entries were based on (None: the form had never been saved).
    base_version: int | None = None
    written_at: str = ""
    household_code: str = ""
    head_name: str = ""
    db_path: str = ""

    @property
    def written_at_text(self) -> str:
        """Return the local time of writing as 2018-06-03 14:05, for messages."""
        try:
            moment = datetime.datetime.fromisoformat(self.written_at)
        except ValueError:
            return self.written_at
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def db_key(db_path: Path | str | None) -> str:
    """Return a short stable key for a database file (one recovery folder serves many files)."""
    if db_path is None or str(db_path) == ":memory:":
        return "memory"
    resolved = os.path.normcase(str(Path(db_path).resolve()))
    return hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:16]


def _json_default(value):
    # Answers are JSON already; dates may slip in from date edits before they are stringified.
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in a recovery copy")


class FormRecovery:
    """The recovery copy of one form of one household in one database file."""

    def __init__(
        self,
        db_path: Path | str | None,
        household_id: int,
        form_code: str,
        folder: Path | None = None,
    ) -> None:
        self.db_path = "" if db_path is None else str(db_path)
        self.db_key = db_key(db_path)
        self.household_id = int(household_id)
        self.form_code = form_code
        self.folder = Path(folder) if folder is not None else recovery_dir()
        safe_code = _UNSAFE.sub("_", form_code) or "form"
        self.path = self.folder / f"{self.db_key}_{self.household_id}_{safe_code}{SUFFIX}"

    def exists(self) -> bool:
        """True when a recovery copy is waiting for this form."""
        return self.path.is_file()

    def write(
        self,
        answers: dict,
        accepted_warnings: dict | None = None,
        *,
        base_version: int | None = None,
        household_code: str = "",
        head_name: str = "",
    ) -> Path:
        """Write the entries atomically (temp file + os.replace); return the file's path."""
        payload = {
            "format": FORMAT_VERSION,
            "db_key": self.db_key,
            "db_path": self.db_path,
            "household_id": self.household_id,
            "form_code": self.form_code,
            "household_code": household_code,
            "head_name": head_name,
            "base_version": base_version,
            "written_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "answers": answers,
            "accepted_warnings": accepted_warnings or {},
        }
        text = json.dumps(payload, ensure_ascii=False, indent=1, default=_json_default)
        self.folder.mkdir(parents=True, exist_ok=True)
        # The temp file lives in the same folder so os.replace is a rename on one volume:
        # a reader sees either the old copy or the new one, never half a file.
        fd, temp_name = tempfile.mkstemp(
            prefix=self.path.stem + ".", suffix=".tmp", dir=self.folder
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return self.path

    def read(self) -> RecoveryCopy | None:
        """Return the waiting recovery copy, or None (an unreadable file is set aside)."""
        if not self.path.is_file():
            return None
        try:
            payload = json.loads(self.path.read_text(encoding="utf-8"))
            copy = _copy_from_payload(payload)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("unreadable recovery copy %s: %s", self.path, exc)
            self._set_aside()
            return None
        if (
            copy.db_key != self.db_key
            or copy.household_id != self.household_id
            or copy.form_code != self.form_code
        ):
            # A copy renamed by hand or a hash collision: never restore someone else's entries.
            return None
        return copy

    def discard(self) -> None:
        """Remove the recovery copy (the entries were saved or deliberately discarded)."""
        self.path.unlink(missing_ok=True)

    def _set_aside(self) -> None:
        # Keep the damaged file for a technician instead of deleting what may be the only copy.
        try:
            os.replace(self.path, self.path.with_suffix(".damaged"))
        except OSError:
            log.warning("could not set aside %s", self.path)


def _copy_from_payload(payload: dict) -> RecoveryCopy:
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        raise ValueError("not a recovery copy")
    return RecoveryCopy(
        db_key=str(payload["db_key"]),
        household_id=int(payload["household_id"]),
        form_code=str(payload["form_code"]),
        answers=payload["answers"],
        accepted_warnings=dict(payload.get("accepted_warnings") or {}),
        base_version=payload.get("base_version"),
        written_at=str(payload.get("written_at", "")),
        household_code=str(payload.get("household_code", "")),
        head_name=str(payload.get("head_name", "")),
        db_path=str(payload.get("db_path", "")),
    )


def pending_copies(db_path: Path | str | None, folder: Path | None = None) -> list[RecoveryCopy]:
    """Return every recovery copy waiting for a database file, oldest first (for start-up)."""
    folder = Path(folder) if folder is not None else recovery_dir()
    key = db_key(db_path)
    copies: list[RecoveryCopy] = []
    for path in sorted(folder.glob(f"{key}_*{SUFFIX}")):
        try:
            copy = _copy_from_payload(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if copy.db_key == key:
            copies.append(copy)
    copies.sort(key=lambda c: c.written_at)
    return copies
