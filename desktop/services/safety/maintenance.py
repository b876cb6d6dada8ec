"""BackupService: backing up and restoring the open database, each step in the audit trail."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.models.database import upgrade
from desktop.models.safety import ACTION_BACKUP, ACTION_RESTORE
from desktop.paths import backups_dir
from desktop.services.safety import backup as backup_service

if TYPE_CHECKING:
    from desktop.services.safety.audit import AuditService
    from desktop.services.unit_of_work import Database


class BackupService:
    """Backups of one open database file: to a folder (a USB stick), and back from a file."""

    def __init__(self, db: Database, db_path: Path | None, audit: AuditService) -> None:
        self.db = db
        self.db_path = Path(db_path) if db_path else None
        self.audit = audit

    def back_up_to(self, folder: Path, password: str | None = None) -> Path:
        """Copy the database into a folder, check the copy and log it; return the copy.

        Outside the data folder the copy is encrypted with `password` (see backup_crypto).
        """
        target = backup_service.backup_to_folder(self.db_path, folder, password)
        self.audit.log(ACTION_BACKUP, "database", note=f"备份到 {target}")
        return target

    def check_backup(self, source: Path, password: str | None = None) -> backup_service.CheckResult:
        """Check a backup before restoring it (an encrypted one with its password).

        Raises BackupError for a wrong password or a changed encrypted file.
        """
        with backup_service.opened_backup(source, password) as plain:
            result = backup_service.check_file(plain)
        return replace(result, message=result.message.replace(plain.name, Path(source).name))

    def restore_from(self, source: Path, password: str | None = None) -> Path | None:
        """Swap a checked backup in (the current file is kept first) and log it.

        An encrypted backup is decrypted with `password` first; a wrong one changes nothing.
        Every connection is closed for the swap; a backup of an older version gets the
        current schema. Returns where the replaced database was kept.
        """
        with backup_service.opened_backup(source, password) as plain:
            self.db.engine.dispose()
            kept = backup_service.restore(plain, self.db_path, backups_dir())
        upgrade(self.db.engine, backup_dir=backups_dir())
        self.audit.log(ACTION_RESTORE, "database", note=f"从 {source} 恢复；原数据库另存为 {kept}")
        return kept
