"""Bulk writes: chunks written in order inside the caller's transaction."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import func, inspect, select

from desktop.models import Household, Member
from desktop.models.safety import AuditEntry
from desktop.services.actor import Actor
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import make_id
from desktop.services.registry.writer import write_households
from desktop.services.safety.audit import acting_as


def _households(n: int, start: int = 0) -> list[HouseholdData]:
    return [
        HouseholdData(
            code=f"H{i:05d}",
            county_name="桃江县",
            township_name="桃花江镇",
            village_name="花园村",
            group_name=f"{i % 3 + 1}组",
            phone="13800000000",
            members=[
                MemberData(
                    name="张三",
                    id_number=make_id(
                        "441521", datetime.date(1990, 1, 1) + datetime.timedelta(i), 1
                    ),
                    sex="男",
                    relation="户主",
                )
            ],
        )
        for i in range(start, start + n)
    ]


def test_many_chunks_land_in_order_with_the_importer_in_the_log(engine):
    with acting_as(Actor("导入员", "cli")), engine.begin() as conn:
        result = write_households(conn, _households(23), chunk=5)
    assert (result.created, result.members) == (23, 23)
    with engine.connect() as conn:
        codes = conn.execute(select(Household.code).order_by(Household.id)).scalars().all()
        users = set(conn.execute(select(AuditEntry.user_name)).scalars())
    assert codes == [f"H{i:05d}" for i in range(23)]
    assert users == {"导入员"}


def test_a_failing_chunk_fails_the_write_and_the_caller_rolls_back(engine):
    bad = _households(12)
    bad[11].members[0].name = None  # NOT NULL: the last chunk fails
    with pytest.raises(Exception), engine.begin() as conn:  # noqa: B017 - any driver error
        write_households(conn, bad, chunk=5)
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Household.id))).scalar() == 0
        assert conn.execute(select(func.count(Member.id))).scalar() == 0


def _indexes(engine) -> list[tuple]:
    """Every index with its table, columns and uniqueness (on either engine)."""
    with engine.connect() as conn:
        found = inspect(conn)
        return sorted(
            (table, index["name"], tuple(index["column_names"]), bool(index["unique"]))
            for table in found.get_table_names()
            for index in found.get_indexes(table)
        )


def test_a_large_write_into_an_empty_registry_leaves_every_index_in_place(engine):
    # 1,200 households into empty tables: the plain indexes are dropped and built again.
    before = _indexes(engine)
    with engine.begin() as conn:
        write_households(conn, _households(1200))
    assert _indexes(engine) == before
    if engine.dialect.name != "sqlite":
        return  # the query plan and the integrity check below are SQLite's
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM member WHERE id_number = ?", ("x",)
        ).all()
        assert "ix_member_id_number" in str(plan)
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_a_failed_large_write_rolls_back_with_its_indexes(engine):
    before = _indexes(engine)
    bad = _households(1200)
    bad[-1].members[0].name = None  # NOT NULL: the last chunk fails after the indexes went
    with pytest.raises(Exception), engine.begin() as conn:  # noqa: B017 - any driver error
        write_households(conn, bad)
    assert _indexes(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Household.id))).scalar() == 0
