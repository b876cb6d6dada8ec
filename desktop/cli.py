"""The one dispatcher of `huitoukan`: the window by default, sub-commands, or the self-test.

Every entry point (the console and windowed launchers, `python -m desktop`, the installer's
executables) calls `main`; app.py, selftest.py and the commands never import this module, so
no import cycle runs through the entry points.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from desktop import APP_NAME, __version__

# Each module registers its own sub-commands.
COMMAND_MODULES = (
    "desktop.commands.demo",
    "desktop.commands.roster",
    "desktop.commands.problems",
    "desktop.commands.safety",
    "desktop.commands.print_cmd",
    "desktop.commands.inspections",
    "desktop.commands.sheet",
    "desktop.commands.compare",
    "desktop.commands.forms_cmd",
    "desktop.commands.county",
    "desktop.commands.exchange",
)


def _db_argument(value: str) -> Path | str:
    """A `--db` value: a file path, or a PostgreSQL URL kept as written."""
    from desktop.commands.common import db_target  # SQLAlchemy only once a database is named

    return db_target(value)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every sub-command."""
    parser = argparse.ArgumentParser(prog="huitoukan", description=f"{APP_NAME} {__version__}")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--db", type=_db_argument, default=None, help="打开指定的数据库文件或 PostgreSQL 地址"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def utf8_when_redirected() -> None:
    """Write UTF-8 to pipes and files, whatever the Windows code page.

    A console shows every character through the console's own Unicode interface, but output
    redirected to a file or a pipe is encoded with the code page, and code page 1252 (English
    Windows) has no Chinese at all. The installed executables run in Python's UTF-8 mode and
    already write UTF-8 there; this makes `python -m desktop` and the scripts behave the same.
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "reconfigure"):
            continue  # the windowed executable has no console streams
        try:
            redirected = not stream.isatty()
        except (OSError, ValueError):
            continue
        if redirected and (stream.encoding or "").replace("-", "").lower() != "utf8":
            stream.reconfigure(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; without a sub-command, open the main window."""
    argv = sys.argv[1:] if argv is None else argv
    utf8_when_redirected()
    if "--self-test" in argv:
        from desktop.selftest import run_self_test

        return run_self_test()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        from desktop.app import run_app

        return run_app(args.db)
    from desktop.commands.common import log_failure, release_locks, user_message

    try:
        return int(args.func(args) or 0)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # one Chinese sentence, never a traceback or a library's English
        log_failure(exc)
        print(user_message(exc, getattr(args, "db", None)), file=sys.stderr)
        return 2
    finally:
        release_locks()
