"""Inserting and updating many rows at once: one interface, fast paths and a plain fallback.

The fast paths write through the driver, converting each column with its type's bind
processor (what lands is what Core would have written): SQLite's executemany when
`database.fast_bulk_writes` allows it, PostgreSQL's COPY when `database.copy_bulk_writes` does
(inserts; updates there go through Core's executemany, which psycopg 3 sends as one pipeline).
Any other connection gets plain SQLAlchemy Core statements with the same results. Rows given
with their ids move the table's id sequence on (`database.ids_taken`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Table, bindparam, insert, update

from desktop.models.base import new_uids
from desktop.models.database import (
    copy_bulk_writes,
    copy_rows,
    fast_bulk_writes,
    ids_taken,
    plain_indexes,
)


def insert_many(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys) with the driver's executemany.

    SQLAlchemy's own executemany spends about 20 µs a row building parameters; a county
    roster has 350,000 members and as many audit entries. Values are converted with each
    column type's bind processor, so what lands is what Core would have written.
    """
    if not rows:
        return
    keys = list(rows[0])
    insert_rows(conn, table, keys, map(tuple_getter(keys), rows))


def tuple_getter(keys: Sequence) -> Callable[[Any], tuple]:
    """Return a function that picks these keys (or indexes) of a row as a tuple.

    operator.itemgetter does it in C, but gives a bare value for one key and fails for none.
    """
    if not keys:
        return lambda _row: ()
    if len(keys) == 1:
        only = keys[0]
        return lambda row: (row[only],)
    return itemgetter(*keys)


def insert_rows(conn: Connection, table: Table, keys: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert rows given as tuples of values in the order of `keys` (see insert_many).

    Every column must be given: no Python-side default is applied, but for one: an exchanged
    table's `uid` (ExchangedMixin), which a bulk writer leaves out, gets a new one per row.
    The work goes column by
    column: each column type converts its values (a repeated date or an empty JSON value
    once), and a column holding one value in every row is written into the statement as a
    literal instead of being bound row by row. Binding costs the sqlite3 module more than one
    would think (measured: 0.24 µs for each None or bool, and a roster's members carry nine
    columns the roster never fills).
    """
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return
    if "uid" in table.c and "uid" not in keys:
        keys = (*keys, "uid")
        rows = [(*row, uid) for row, uid in zip(rows, new_uids(len(rows)), strict=True)]
    if copy_bulk_writes(conn):
        dialect = conn.dialect
        columns = [
            _bound_values(table.c[key].type, dialect, column)
            for key, column in zip(keys, zip(*rows, strict=True), strict=True)
        ]
        copy_rows(conn, table.name, list(keys), zip(*columns, strict=True))
    elif not fast_bulk_writes(conn):
        conn.execute(insert(table), [dict(zip(keys, row, strict=True)) for row in rows])
    else:
        _insert_driver(conn, table, keys, rows)
    if "id" in keys:
        ids_taken(conn, table.name)


def _insert_driver(conn: Connection, table: Table, keys: Sequence[str], rows: list[tuple]):
    """insert_rows through SQLite's executemany, constant columns written as literals."""
    sql_values, params = _parameters(conn, table, keys, rows)
    quote = conn.dialect.identifier_preparer.quote
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        conn.dialect.identifier_preparer.format_table(table),
        ", ".join(quote(k) for k in keys),
        ", ".join(sql_values),
    )
    conn.exec_driver_sql(sql, params)


def update_many(
    conn: Connection,
    table: Table,
    rows: list[dict],
    *,
    by: tuple[str, str],
    increment: Sequence[str] = (),
) -> None:
    """Update rows (dicts with the same keys) through the driver, converted as in insert_rows.

    `by` names the row key that holds each row's match and the column it matches, such as
    ("b_id", "id"); every other key is a column to set. Columns in `increment` go up by one.
    """
    if not rows:
        return
    key, column = by
    keys = [k for k in rows[0] if k != key]
    if not fast_bulk_writes(conn):
        _update_plain(conn, table, rows, key, column, keys, increment)
        return
    sql_values, params = _parameters(
        conn, table, [*keys, column], list(map(tuple_getter([*keys, key]), rows))
    )
    quote = conn.dialect.identifier_preparer.quote
    sets = [f"{quote(k)} = {v}" for k, v in zip(keys, sql_values[:-1], strict=True)]
    sets += [f"{quote(k)} = {quote(k)} + 1" for k in increment]
    sql = "UPDATE {} SET {} WHERE {} = {}".format(
        conn.dialect.identifier_preparer.format_table(table),
        ", ".join(sets),
        quote(column),
        sql_values[-1],
    )
    conn.exec_driver_sql(sql, params)


def _update_plain(conn, table, rows, key, column, keys, increment) -> None:
    """update_many through SQLAlchemy Core: one executemany of a statement with bound values."""
    values = {k: bindparam(f"v_{k}") for k in keys}
    values.update({k: table.c[k] + 1 for k in increment})
    statement = update(table).where(table.c[column] == bindparam("v__match")).values(values)
    params = [{"v__match": row[key], **{f"v_{k}": row[k] for k in keys}} for row in rows]
    conn.execute(statement, params)


def _parameters(conn: Connection, table: Table, keys: Sequence[str], rows: list[tuple]):
    """Return the SQL of each column (? or a literal) and the parameter tuples, converted."""
    dialect = conn.dialect
    count = len(rows)
    columns: list[Sequence] = list(zip(*rows, strict=True))
    sql_values = []
    for i, key in enumerate(keys):
        column = columns[i] = _bound_values(table.c[key].type, dialect, columns[i])
        first = column[0]
        literal = _literal(first) if column.count(first) == count else None
        sql_values.append("?" if literal is None else literal)
    varying = [column for column, sql in zip(columns, sql_values, strict=True) if sql == "?"]
    return sql_values, (list(zip(*varying, strict=True)) if varying else [()] * count)


def _bound_values(column_type, dialect, values: Sequence) -> Sequence:
    """Return a column's values converted by its type's bind processor, as Core would."""
    proc = column_type.dialect_impl(dialect).bind_processor(dialect)
    if proc is None:
        return values
    if isinstance(column_type, JSON):
        # Most JSON cells are empty ({} or []): serialise those once, not once per row.
        blank = {dict: proc({}), list: proc([])}

        def convert(value):
            return blank[type(value)] if not value and type(value) in blank else proc(value)

        return list(map(convert, values))
    if _is_date(column_type):
        if column_type.python_type is date and all(proc(d) == d.isoformat() for d in _PROBES):
            # The dialect stores a Date as ISO text: date.isoformat, in C, writes the same.
            iso = date.isoformat  # the date part even of a datetime, as the processor does
            return [value if value is None else iso(value) for value in values]
        # Dates repeat (birth dates, the time of the write): convert each one once.
        memo = {value: proc(value) for value in set(values)}
        return list(map(memo.__getitem__, values))
    if isinstance(column_type, Boolean):
        # True, False, None and nothing else (the processor refuses the rest): three calls,
        # not one per row (1.9 million flags on a county import).
        memo = {value: proc(value) for value in set(values)}
        return list(map(memo.__getitem__, values))
    return list(map(proc, values))


_PROBES = (date(1, 1, 1), date(1985, 5, 5), date(9999, 12, 31))


def _literal(value) -> str | None:
    """Return a value as an SQL literal, or None when it is better bound as a parameter."""
    if value is None:
        return "NULL"
    kind = type(value)
    if kind is bool or kind is int:
        return str(int(value))
    if kind is float:
        return repr(value) if math.isfinite(value) else None
    if kind is str and "\x00" not in value and len(value) < 1000:
        return "'" + value.replace("'", "''") + "'"
    return None


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
        indexes += plain_indexes(conn, table.name)
    for name, _sql in indexes:
        conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _name, sql in indexes:
        conn.exec_driver_sql(sql)
