"""Backups of the county's PostgreSQL database with pg_dump, where this PC has it.

A server database is not a file to copy: `pg_dump --format custom` writes it whole (every
table, the triggers of the audit log included) and `pg_restore --list` reads the dump back
before it counts as a backup. Outside the data folder the dump is encrypted under the backup
key, as the township's file backups are. Where pg_dump is not installed the clerk is told so
(the county's administrator backs the server up there). Restoring over a shared database is
the administrator's job on the server (pg_restore), not a clerk's button.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from desktop.models.database import dump_command, server_failure
from desktop.paths import backups_dir
from desktop.services.safety import backup_crypto
from desktop.services.safety.backup import (
    PART_SUFFIX,
    BackupError,
    backup_target,
    os_reason,
)
from desktop.services.safety.backup_crypto import BackupKey, BackupPasswordError

SUFFIX = ".pgdump"
MSG_NO_PG_DUMP = (
    "本机没有安装 PostgreSQL 的 pg_dump，不能备份服务器上的县数据库：请安装 PostgreSQL 客户端"
    "（与服务器同一版本或更新），或请县里的管理员在服务器上备份"
)
MSG_SERVER_RESTORE = (
    "县数据库在服务器上，多人共用：恢复须由县里的管理员在服务器上用 pg_restore 完成，"
    "本程序不在这里覆盖共用的数据库"
)
TIMEOUT_S = 3600
log = logging.getLogger(__name__)


def _run(engine: Engine, tool: str, target: Path) -> None:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(MSG_NO_PG_DUMP)
    argv, extra = dump_command(engine, target, tool)
    argv[0] = path
    done = subprocess.run(
        argv, env={**os.environ, **extra}, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    if done.returncode != 0:
        said = (done.stderr or done.stdout or "").strip()
        log.warning("%s failed (%s): %s", tool, done.returncode, said)
        if "version mismatch" in said:
            reason = (
                "本机 pg_dump 的版本比服务器旧，请安装与服务器同一版本或更新的 PostgreSQL 客户端"
            )
        else:
            reason = server_failure(str(engine.url), Exception(said)).split("：", 1)[-1]
        raise BackupError(f"{tool} 未能完成：{reason}（详情已写入日志）")


def dump_to_folder(engine: Engine, folder: Path, key: BackupKey | None) -> Path:
    """Dump the server database into a folder, read the dump back; return the file."""
    folder = Path(folder)
    name, target, encrypted = backup_target(folder, engine.url.database or "县数据库", SUFFIX, key)
    part = (backups_dir() if encrypted else folder) / (name + SUFFIX + PART_SUFFIX)
    part.parent.mkdir(parents=True, exist_ok=True)
    try:
        _run(engine, "pg_dump", part)
        _run(engine, "pg_restore", part)  # --list: the dump reads back whole
        if encrypted:
            backup_crypto.encrypt_file(part, target, key)
            backup_crypto.verify_file(target, key)
        else:
            os.replace(part, target)
    except (BackupError, BackupPasswordError) as exc:
        raise BackupError(f"备份失败：{exc}（{folder}）") from exc
    except subprocess.TimeoutExpired as exc:
        raise BackupError(
            f"备份失败：pg_dump 超过 {TIMEOUT_S // 60} 分钟未完成（{folder}）"
        ) from exc
    except OSError as exc:  # a full or pulled-out stick, a read-only folder
        raise BackupError(f"备份失败：{os_reason(exc)}（{folder}）") from exc
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    return target
