"""A township's SQLite file copied into an empty county database (PostgreSQL when the tests
run there), all or nothing, counted table by table."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.models.database import open_database
from desktop.models.registry import Household, Member
from desktop.models.safety import AuditEntry
from desktop.services.county_copy import CopyError, copy_database
from desktop.services.safety.audit_chain import verify_connection


@pytest.fixture(scope="module")
def township_file(tmp_path_factory):
    from desktop.demo.township import build_demo

    path = tmp_path_factory.mktemp("township") / "乡镇.sqlite3"
    engine = open_database(path)
    build_demo(engine, households=40, seed=3, data_dir=path.parent / "data", sichuan=False)
    engine.dispose()
    return path


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Household, Member, AuditEntry)
        )


def test_every_table_is_copied_with_its_ids_and_the_ids_go_on(township_file, engine):
    source = open_database(township_file)
    expected = _counts(source)
    with source.connect() as conn:
        first = conn.execute(select(Household.id, Household.code).order_by(Household.id)).first()
    source.dispose()
    result = copy_database(township_file, engine)
    assert _counts(engine) == expected
    assert result.counts["household"] == expected[0] and result.total > sum(expected)
    with engine.begin() as conn:
        assert conn.execute(select(Household.code).where(Household.id == first.id)).scalar() == (
            first.code
        )
        # The next household gets the next id, not one of the copied ones.
        village_id = conn.execute(select(Household.village_id)).scalars().first()
        new_id = conn.execute(
            Household.__table__.insert()
            .values(code="9" * 16, village_id=village_id, head_name="新户", is_registered=False)
            .returning(Household.id)
        ).scalar_one()
        assert (
            new_id
            > conn.execute(select(func.max(Household.id)).where(Household.id < new_id)).scalar()
        )
        # The audit chain came along whole: its head matches the copied entries.
        report = verify_connection(conn)
        assert report.ok, report.message
        assert report.entries == expected[2]


def test_a_county_database_with_data_is_refused_and_keeps_what_it_had(township_file, engine):
    copy_database(township_file, engine)
    before = _counts(engine)
    with pytest.raises(CopyError, match="县数据库不是空的"):
        copy_database(township_file, engine)
    assert _counts(engine) == before


def test_a_copy_that_fails_halfway_leaves_the_county_database_empty(
    township_file, engine, monkeypatch
):
    import desktop.services.county_copy as county_copy

    real = county_copy.insert_rows

    def failing(conn, table, keys, rows):
        if table.name == "audit_entry":
            raise RuntimeError("断电")
        real(conn, table, keys, rows)

    monkeypatch.setattr(county_copy, "insert_rows", failing)
    with pytest.raises(RuntimeError, match="断电"):
        copy_database(township_file, engine)
    assert _counts(engine) == (0, 0, 0)


def test_a_missing_file_is_named(engine, tmp_path):
    with pytest.raises(CopyError, match="乡镇数据库文件不存在"):
        copy_database(tmp_path / "没有.sqlite3", engine)
