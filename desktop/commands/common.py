"""Helpers shared by the command-line sub-commands."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy import Engine

from desktop.models.database import DatabaseError, open_database
from desktop.paths import backups_dir, default_db_path


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """Add the `--db PATH` option (default: the database in the user's data folder)."""
    parser.add_argument(
        "--db", type=Path, default=None, help="数据库文件（默认：用户数据目录中的数据库）"
    )


def open_db(args: argparse.Namespace) -> Engine:
    """Open the database named by `--db`, or exit with the reason in Chinese."""
    path = args.db or default_db_path()
    try:
        return open_database(path, backup_dir=backups_dir())
    except DatabaseError as exc:
        fail(str(exc))
        raise  # unreachable; fail exits


def fail(message: str, code: int = 2) -> None:
    """Print a message to stderr and exit."""
    print(message, file=sys.stderr)
    sys.exit(code)


def os_user() -> str:
    """Return the operating-system user, under whose name command-line changes are logged."""
    try:
        return getpass.getuser()
    except Exception:
        return "命令行"
