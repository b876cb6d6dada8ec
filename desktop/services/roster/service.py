"""RosterService: the household roster of one open database, imported and exported as Excel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop.services.roster.export import export_roster
from desktop.services.roster.importer import RosterImportResult, import_roster

if TYPE_CHECKING:
    from desktop.services.unit_of_work import Database


class RosterService:
    """Roster import and export on this database, so that views never hold the engine."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def import_file(self, path: Path | str, **options) -> RosterImportResult:
        """Import a roster file, all or nothing; `options` as importer.import_roster's."""
        return import_roster(self.db, path, **options)

    def export_file(self, path: Path | str, **options) -> int:
        """Export the roster; `options` as export.export_roster's; return rows written."""
        return export_roster(self.db, path, **options)
