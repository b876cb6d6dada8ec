"""Helpers shared by the command-line sub-commands."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from desktop.models.database import DatabaseError, db_target, is_server_url, open_database
from desktop.paths import backups_dir, default_db_path
from desktop.services.actor import CurrentUser, cli_actor, os_user

if TYPE_CHECKING:
    from desktop.services.context import AppServices


def iso_date(text: str) -> datetime.date:
    """An argparse type for a date option, written as 2020-05-01."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式不对：{text}（应写成 2020-05-01）") from None


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """Add the `--db PATH` option (default: the database in the user's data folder); a
    `postgresql://…` URL names a county's PostgreSQL database instead."""
    parser.add_argument(
        "--db",
        type=db_target,
        default=None,
        help="数据库文件（默认：用户数据目录中的数据库），或 PostgreSQL 地址 postgresql://…",
    )


_held_locks: list = []  # held until the command's process exits


def open_db(args: argparse.Namespace, *, lock: bool = True) -> Engine:
    """Open the database named by `--db` for a command, or exit with the reason in Chinese.

    The command takes the same lock as the window (one writer process per file; a window
    open on the file makes the command wait for it to close) and every change it makes is
    logged under the operating-system user's name.
    """
    from desktop.services.safety import audit as audit_service
    from desktop.services.safety import form_lock  # noqa: F401  (listeners)
    from desktop.services.safety.backup import AlreadyOpenError, DatabaseLock

    if is_server_url(args.db):
        # A server: several clerks at once, so no file lock, no network-share refusal.
        try:
            engine = open_database(args.db)
        except DatabaseError as exc:
            fail(str(exc))
            raise  # unreachable; fail exits
        audit_service.attach(engine, cli_actor)
        return engine
    path = Path(args.db or default_db_path())
    from desktop.services.safety.backup import network_reason

    reason = network_reason(path)  # the window refuses a network share; so does every command
    if reason:
        fail(reason)
    if lock:
        held = DatabaseLock(path)
        try:
            held.acquire()
        except AlreadyOpenError as exc:
            fail(str(exc), 3)
        _held_locks.append(held)
        from desktop.services.safety.backup import clean_debris

        clean_debris(path, backups_dir())  # a killed backup or restore: ours to clean now
    try:
        engine = open_database(path, backup_dir=backups_dir())
    except DatabaseError as exc:
        fail(str(exc))
        raise  # unreachable; fail exits
    audit_service.attach(engine, cli_actor)
    return engine


def open_services(args: argparse.Namespace, *, lock: bool = True) -> AppServices:
    """Open the database named by `--db` as the command line's AppServices.

    The same services as the window's, with the audit trail and the signed-form guard
    installed on their session factory; changes are logged under the operating-system user,
    who holds the whole file and so acts as an administrator.
    """
    from desktop.models.safety import ROLE_ADMIN
    from desktop.services.context import AppServices

    engine = open_db(args, lock=lock)
    path = None if is_server_url(args.db) else Path(engine.url.database)
    return AppServices(engine, path, CurrentUser(os_user(), ROLE_ADMIN), actor=cli_actor)


def user_message(exc: BaseException, db: str | None = None) -> str:
    """Return one Chinese sentence for a failure that reached the command line's top: what
    went wrong and where (the file the system named, else the database the command worked on)."""
    from desktop.errors import AppError
    from desktop.services.safety.backup import os_reason

    if isinstance(exc, AppError):
        return str(exc)
    db = str(db) if db else None
    if isinstance(exc, OSError) or "sqlite" in type(exc).__module__ or hasattr(exc, "orig"):
        cause = getattr(exc, "orig", None) or exc
        where = getattr(cause, "filename", None) or (
            f"数据库 {db}" if db and not is_server_url(db) else None
        )
        return f"操作未能完成：{os_reason(cause)}" + (f"（{where}）" if where else "")
    return "操作未能完成：程序内部出错，详细信息已记入日志文件 cli-errors.log（数据目录中）"


def log_failure(exc: BaseException) -> None:
    """Keep the traceback of an unexpected failure in the data folder, not on the screen."""
    import traceback

    from desktop.paths import data_dir

    try:
        with (data_dir() / "cli-errors.log").open("a", encoding="utf-8") as log:
            log.write("".join(traceback.format_exception(exc)) + "\n")
    except OSError:
        pass


def release_locks() -> None:
    """Release the locks the command took (at its end)."""
    while _held_locks:
        _held_locks.pop().release()


def fail(message: str, code: int = 2) -> None:
    """Print a message to stderr and exit."""
    print(message, file=sys.stderr)
    sys.exit(code)
