"""BackupService: backing up and restoring the open database, each step in the audit trail."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select

from desktop.models.database import is_server, upgrade
from desktop.models.safety import ACTION_BACKUP, ACTION_RESTORE, ACTION_UPDATE
from desktop.models.setting import SETTING_BACKUP_KEY, DatabaseSetting
from desktop.paths import backups_dir
from desktop.services.safety import backup as backup_service
from desktop.services.safety import backup_crypto, server_backup
from desktop.services.safety.auth import CHANGE_SETTINGS, require
from desktop.services.safety.backup_crypto import BackupKey, BackupPasswordError

if TYPE_CHECKING:
    from desktop.services.actor import CurrentUser
    from desktop.services.safety.audit import AuditService
    from desktop.services.unit_of_work import Database


class BackupService:
    """Backups of one open database file: to a folder (a USB stick), and back from a file."""

    def __init__(self, db: Database, db_path: Path | None, audit: AuditService) -> None:
        self.db = db
        self.db_path = Path(db_path) if db_path else None
        self.audit = audit

    def backup_key(self) -> BackupKey | None:
        """Return the key derived from the administrator's backup password, or None (not set)."""
        with self.db.connection() as conn:
            text = conn.execute(
                select(DatabaseSetting.value).where(DatabaseSetting.key == SETTING_BACKUP_KEY)
            ).scalar()
        if not text:
            return None
        try:
            return BackupKey.from_text(text)
        except BackupPasswordError as exc:
            raise backup_service.BackupError(str(exc)) from None

    def has_backup_password(self) -> bool:
        """True once an administrator has set the backup password."""
        return self.backup_key() is not None

    def set_backup_password(self, acting: CurrentUser, password: str) -> None:
        """Set (or change) the backup password: administrators only, logged without it.

        Only the key scrypt derives from it is kept, written with Core so that the audit
        trail, which copies the columns an ORM change touches, never holds it.
        """
        require(acting, CHANGE_SETTINGS)
        try:
            key = backup_crypto.derive_backup_key(password)
        except BackupPasswordError as exc:
            raise backup_service.BackupError(str(exc)) from None
        changed = self.has_backup_password()
        with self.db.unit_of_work() as s:
            conn = s.connection()
            conn.execute(delete(DatabaseSetting).where(DatabaseSetting.key == SETTING_BACKUP_KEY))
            conn.execute(
                insert(DatabaseSetting).values(key=SETTING_BACKUP_KEY, value=key.to_text())
            )
            self.audit.log(
                ACTION_UPDATE,
                "database",
                note=f"{'更改' if changed else '设置'}备份密码（{acting.name}）",
            )

    def back_up_to(self, folder: Path) -> Path:
        """Copy the database into a folder, check the copy and log it; return the copy.

        Outside the data folder the copy is encrypted under the backup key (see
        backup_crypto); without a backup password set, such a backup is refused.
        """
        key = self.backup_key() if backup_service.leaves_data_folder(folder) else None
        if is_server(self.db.engine):
            target = server_backup.dump_to_folder(self.db.engine, folder, key)
        else:
            target = backup_service.backup_to_folder(self.db_path, folder, key)
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
        if is_server(self.db.engine):
            raise backup_service.BackupError(server_backup.MSG_SERVER_RESTORE)
        with backup_service.opened_backup(source, password) as plain:
            self.db.engine.dispose()
            kept = backup_service.restore(plain, self.db_path, backups_dir())
        upgrade(self.db.engine, backup_dir=backups_dir())
        self.audit.log(ACTION_RESTORE, "database", note=f"从 {source} 恢复；原数据库另存为 {kept}")
        return kept
