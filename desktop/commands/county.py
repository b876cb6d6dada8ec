"""`huitoukan county copy`: a township's database file into an empty county database."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.commands.common import add_db_argument, fail, open_db


def register(subparsers) -> None:
    """Add the `county` command and its `copy`."""
    county = subparsers.add_parser("county", help="县级数据库：把乡镇数据库复制进来")
    jobs = county.add_subparsers(dest="county_command", metavar="操作", required=True)
    copy = jobs.add_parser(
        "copy", help="把一个乡镇的数据库文件整体复制到空的县数据库（全部或全不，复制后核对行数）"
    )
    copy.add_argument("source", type=Path, help="乡镇数据库文件（.sqlite3）")
    add_db_argument(copy)
    copy.set_defaults(func=run_copy)


def run_copy(args: argparse.Namespace) -> int:
    """Copy the township file into the county database named by --db."""
    from desktop.services.county_copy import CopyError, copy_database

    engine = open_db(args)
    try:
        result = copy_database(args.source, engine)
    except CopyError as exc:
        fail(str(exc), 1)
    finally:
        engine.dispose()
    print(f"已复制 {result.total} 行，{len(result.counts)} 张表，两边行数一致：")
    for name, count in result.counts.items():
        if count:
            print(f"  {name}  {count}")
    return 0
