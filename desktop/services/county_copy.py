"""Copying a township's database into an empty county database, all or nothing.

The county's first start on a PostgreSQL server (or any empty database) takes a township's
SQLite file whole: every table in the order its foreign keys need, rows with their ids, in
one transaction on the target; the rows of each table are counted on both sides before the
commit, and any difference rolls everything back. Evidence files stay in the township's data
folder (their paths are copied as they are).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select, true, update

import desktop.models  # noqa: F401  (registers every table on Base.metadata)
from desktop.errors import AppError
from desktop.models.base import Base
from desktop.models.bulk import insert_rows
from desktop.models.database import current_revisions, make_engine
from desktop.models.setting import SETTING_EXCHANGE_KEY, SETTING_PC_ID

# Rows the migrations themselves write (the audit chain's head): taken over, not inserted.
_SEEDED = {"audit_chain_head"}
# What is the township PC's own and not the county's: its exchange packages and their
# bookkeeping, its PC id and exchange key (the county database makes its own PC id).
_NOT_COPIED = {"exchange_package", "exchange_record", "exchange_conflict", "exchange_audit_entry"}
_OWN_SETTINGS = (SETTING_PC_ID, SETTING_EXCHANGE_KEY)
_PAGE = 20_000


class CopyError(AppError):
    """The copy cannot start or did not match; the message says why, in Chinese."""


@dataclass(frozen=True)
class CopyResult:
    counts: dict[str, int]  # table → rows copied (equal on both sides)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _copied(table):
    """The condition of the rows of `table` that are copied (every row but the PC's own)."""
    if table.name == "database_setting":
        return table.c.key.not_in(_OWN_SETTINGS)
    return true()


def _count(conn, table) -> int:
    return conn.execute(select(func.count()).select_from(table).where(_copied(table))).scalar_one()


def copy_database(
    source: Path, target: Engine, progress: Callable[[str, int], None] | None = None
) -> CopyResult:
    """Copy the township file `source` into the empty, migrated database of `target`."""
    if not Path(source).is_file():
        raise CopyError(f"乡镇数据库文件不存在：{source}")
    src = make_engine(source)
    try:
        source_revisions = current_revisions(src)
        target_revisions = current_revisions(target)
        if source_revisions != target_revisions:
            raise CopyError(
                "乡镇数据库的结构版本（" + "、".join(sorted(source_revisions)) + "）与县数据库（"
                + "、".join(sorted(target_revisions)) + "）不同：请先用本版本程序打开乡镇数据库升级"
            )  # fmt: skip
        tables = [t for t in Base.metadata.sorted_tables if t.name not in _NOT_COPIED]
        counts: dict[str, int] = {}
        with src.connect() as s, target.begin() as d:
            for table in tables:
                if table.name not in _SEEDED and _count(d, table):
                    raise CopyError(f"县数据库不是空的（表 {table.name} 已有数据），未复制任何内容")
            for table in tables:
                keys = [c.name for c in table.columns]
                if table.name in _SEEDED:
                    for row in s.execute(select(table)).mappings():
                        d.execute(update(table).where(table.c.id == row["id"]).values(dict(row)))
                else:
                    result = s.execute(
                        select(*table.columns).where(_copied(table)).order_by(*table.primary_key)
                    )
                    while rows := [tuple(r) for r in result.fetchmany(_PAGE)]:
                        insert_rows(d, table, keys, rows)
                counts[table.name] = _count(s, table)
                if progress is not None:
                    progress(table.name, counts[table.name])
            differ = [
                f"{name}（乡镇 {n} 行，县 {_count(d, table)} 行）"
                for table in tables
                if (n := counts[(name := table.name)]) != _count(d, table)
            ]
            if differ:
                raise CopyError("复制后行数不符，已全部撤销：" + "；".join(differ))
    finally:
        src.dispose()
    return CopyResult(counts)
