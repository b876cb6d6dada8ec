"""Inserting many rows at once through the driver, with each column type's conversion."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from operator import itemgetter

from sqlalchemy import JSON, Boolean, Connection, Table


def insert_many(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys) with the driver's executemany.

    SQLAlchemy's own executemany spends about 20 µs a row building parameters; a county
    roster has 350,000 members and as many audit entries. Values are converted with each
    column type's bind processor, so what lands is what Core would have written.
    """
    if not rows:
        return
    keys = list(rows[0])
    getter = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    insert_rows(conn, table, keys, map(getter, rows))


def insert_rows(conn: Connection, table: Table, keys: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert rows given as tuples of values in the order of `keys` (see insert_many).

    Every column must be given: no Python-side default is applied.
    """
    dialect = conn.dialect
    preparer = dialect.identifier_preparer
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        preparer.format_table(table),
        ", ".join(preparer.quote(k) for k in keys),
        ", ".join("?" * len(keys)),
    )
    converters = []
    for i, key in enumerate(keys):
        column_type = table.c[key].type
        if isinstance(column_type, Boolean):
            continue  # sqlite3 stores Python's bool as 0/1 itself: the processor only costs time
        proc = column_type.dialect_impl(dialect).bind_processor(dialect)
        if proc is None:
            continue
        # Most JSON cells are empty ({} or []): serialise those once, not once per row.
        blank = {dict: proc({}), list: proc([])} if isinstance(column_type, JSON) else {}
        # Dates repeat (birth dates, the time of the write): remember each one converted.
        memo = {} if _is_date(column_type) else None
        converters.append((i, proc, blank, memo))
    params = list(rows) if not converters else [_convert(row, converters) for row in rows]
    if params:
        conn.exec_driver_sql(sql, params)


def _convert(row: tuple, converters: list) -> tuple:
    values = list(row)  # a list so that columns convert in place
    for i, proc, blank, memo in converters:
        value = values[i]
        if memo is not None:
            done = memo.get(value)
            if done is None:
                done = memo[value] = proc(value)
            values[i] = done
        elif not value and type(value) in blank:
            values[i] = blank[type(value)]
        else:
            values[i] = proc(value)
    return tuple(values)


def _is_date(column_type) -> bool:
    try:
        return issubclass(column_type.python_type, date)  # Date, and DateTime (a subclass)
    except NotImplementedError:
        return False


@contextmanager
def indexes_deferred(conn: Connection, adding: dict[Table, int]) -> Iterator[None]:
    """Drop the plain indexes of tables about to grow a lot, and build them again afterwards.

    `adding` says how many rows each table will receive. SQLite builds an index from sorted
    rows faster than it updates it row by row (measured: 350,000 members 2.4 → 1.6 s, plus
    0.3 s to build), which pays when a table at least doubles. Unique indexes stay, so that a
    duplicate is still refused at once. DDL is transactional in SQLite: if the block fails, the
    caller's rollback brings the indexes back.
    """
    quote = conn.dialect.identifier_preparer.quote
    indexes = []
    for table, rows in adding.items():
        if rows < 1000:
            continue
        held = conn.exec_driver_sql(f"SELECT count(*) FROM {quote(table.name)}").scalar_one()
        if rows < held:
            continue
        indexes += conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
            (table.name,),
        ).all()
    for name, _sql in indexes:
        conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _name, sql in indexes:
        conn.exec_driver_sql(sql)
