"""Bulk inserts and updates land exactly what Core's statements would have written.

Every test runs twice: through the driver (SQLite's fast path) and through the plain
SQLAlchemy fallback that another database engine would get.
"""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    text,
)

from desktop.models.bulk import insert_many, insert_rows, update_many


@pytest.fixture(autouse=True, params=["driver", "core fallback"])
def bulk_path(request, monkeypatch):
    """Run the test on the fast path, then again with the fast path refused."""
    if request.param == "core fallback":
        monkeypatch.setattr("desktop.models.bulk.fast_bulk_writes", lambda conn: False)
    return request.param


KEYS = ("id", "name", "flag", "ratio", "born", "at", "extra", "note")


def _tables():
    metadata = MetaData()

    def table(name: str) -> Table:
        return Table(
            name,
            metadata,
            Column("id", Integer, primary_key=True),
            Column("name", String(32)),
            Column("flag", Boolean),
            Column("ratio", Float),
            Column("born", Date),
            Column("at", DateTime),
            Column("extra", JSON),
            Column("note", String(32)),
        )

    return metadata, table("by_core"), table("by_driver")


def _stored(conn, table: Table) -> list[tuple]:
    columns = ", ".join(f"{k}, typeof({k})" for k in KEYS)
    return conn.execute(text(f"SELECT {columns} FROM {table.name} ORDER BY id")).all()


AT = datetime.datetime(2026, 11, 23, 8, 30, 5)
ROWS = [
    # Constant columns (flag, at, note) become literals; the others are bound.
    (1, "张三", False, 1.5, datetime.date(1985, 5, 5), AT, {}, "it's"),
    (2, "O'Brien", False, None, None, AT, {"a": [1, 2]}, "it's"),
    (3, "", False, 0.0, datetime.date(1985, 5, 5), AT, [], "it's"),
]


VARYING = [  # every column differs from row to row: all bound, none a literal
    (*r[:2], flag, *r[3:5], AT + datetime.timedelta(days=n), r[6], f"note {n}")
    for n, (r, flag) in enumerate(zip(ROWS, (True, None, False), strict=True))
]


@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], [(*r[:2], True, *r[3:]) for r in ROWS], VARYING])
def test_driver_rows_equal_core_rows(rows):
    engine = create_engine("sqlite://")
    metadata, by_core, by_driver = _tables()
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(by_core), [dict(zip(KEYS, r, strict=True)) for r in rows])
        insert_rows(conn, by_driver, KEYS, rows)
        assert _stored(conn, by_driver) == _stored(conn, by_core)
        back = conn.execute(select(by_driver).order_by(by_driver.c.id)).all()
    assert [tuple(r) for r in back] == [tuple(r) for r in rows]


def test_a_datetime_in_a_date_column_keeps_its_date_as_core_does():
    engine = create_engine("sqlite://")
    metadata, by_core, by_driver = _tables()
    metadata.create_all(engine)
    rows = [{"id": i, "born": born} for i, born in enumerate((AT, datetime.date(9, 1, 2)))]
    with engine.begin() as conn:
        conn.execute(insert(by_core), rows)
        insert_many(conn, by_driver, rows)
        assert _stored(conn, by_driver) == _stored(conn, by_core)
        assert conn.execute(select(by_driver.c.born)).scalars().all() == [
            AT.date(),
            datetime.date(9, 1, 2),
        ]


def test_a_constant_text_with_quotes_and_question_marks_is_kept_exactly():
    engine = create_engine("sqlite://")
    metadata, _by_core, table = _tables()
    metadata.create_all(engine)
    odd = "a'b?c;--%s\"d"
    with engine.begin() as conn:
        insert_many(conn, table, [{"id": i, "name": odd, "note": None} for i in (1, 2)])
        assert conn.execute(select(table.c.name, table.c.note)).all() == [(odd, None)] * 2


def test_nothing_to_insert_is_fine():
    engine = create_engine("sqlite://")
    metadata, _by_core, table = _tables()
    metadata.create_all(engine)
    with engine.begin() as conn:
        insert_rows(conn, table, KEYS, [])
        insert_many(conn, table, [])
        assert conn.execute(select(table)).all() == []


def test_update_many_sets_what_core_sets_and_counts_up():
    engine = create_engine("sqlite://")
    metadata, by_core, by_driver = _tables()
    metadata.create_all(engine)
    changes = [
        {"b_id": 1, "name": "李四", "flag": True, "born": None, "extra": {"b": 2}, "ratio": 2.0},
        {"b_id": 3, "name": "王'五", "flag": True, "born": AT.date(), "extra": {}, "ratio": 2.0},
    ]
    with engine.begin() as conn:
        for table in (by_core, by_driver):
            insert_rows(conn, table, KEYS, ROWS)
        conn.execute(
            by_core.update()
            .where(by_core.c.id == bindparam("b_id"))
            .values(ratio=by_core.c.ratio + 1),
            [{k: v for k, v in c.items() if k != "ratio"} for c in changes],
        )
        update_many(
            conn,
            by_driver,
            [{k: v for k, v in c.items() if k != "ratio"} for c in changes],
            by=("b_id", "id"),
            increment=("ratio",),
        )
        assert _stored(conn, by_driver) == _stored(conn, by_core)
        assert conn.execute(select(by_driver.c.name, by_driver.c.ratio)).all() == [
            ("李四", 2.5),
            ("O'Brien", None),
            ("王'五", 1.0),
        ]


@pytest.mark.parametrize("rows", [ROWS, VARYING])
def test_copy_on_postgresql_lands_what_core_lands_and_moves_the_ids_on(engine, rows, bulk_path):
    """PostgreSQL's COPY path (the fallback when refused), against Core's executemany."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: set HUITOUKAN_TEST_POSTGRES (scripts/postgres.sh)")
    if bulk_path == "core fallback":
        pytest.skip("the SQLite fast path refused changes nothing on PostgreSQL")
    metadata, by_core, by_driver = _tables()
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(by_core), [dict(zip(KEYS, r, strict=True)) for r in rows])
        insert_rows(conn, by_driver, KEYS, rows)
        stored = [conn.execute(select(t).order_by(t.c.id)).all() for t in (by_core, by_driver)]
        assert stored[1] == stored[0]
        assert [tuple(r) for r in stored[1]] == [tuple(r) for r in rows]
        # The ids were given: the next row without one must not collide with them.
        conn.execute(insert(by_driver), [{"name": "新"}])
        assert conn.execute(select(by_driver.c.id).where(by_driver.c.name == "新")).scalar() == 4


def test_uids_made_in_a_batch_are_distinct_version_4_uuids_as_new_uid_writes():
    import uuid

    from desktop.models.base import new_uid, new_uids

    made = new_uids(5000)
    assert len(set(made)) == 5000
    for made_uid in (*made[:200], new_uid()):
        parsed = uuid.UUID(made_uid)
        assert (str(parsed), parsed.version, parsed.variant) == (made_uid, 4, uuid.RFC_4122)
    assert new_uids(0) == []
