"""The demo township: plausible, valid, and the same for the same seed."""

from sqlalchemy import func, select

from desktop.demo.township import build_demo
from desktop.models import Household, Member
from desktop.models.database import open_database
from desktop.services.registry.idcard import check_id
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database


def test_demo_has_26_villages_valid_ids_and_some_defects(demo_engine):
    registry = RegistryService(Database(demo_engine))
    assert len(registry.village_summaries()) == 26
    with demo_engine.connect() as conn:
        ids = conn.execute(select(Member.id_number)).scalars().all()
        flagged = conn.execute(select(func.count()).where(Household.flags != 0)).scalar()
    assert len(ids) == len(set(ids))  # a real ID number is unique
    checks = [check_id(i) for i in ids]
    assert all(c.ok for c in checks)
    assert sum(1 for c in checks if c.warnings) == 0
    assert flagged > 0


def test_same_seed_same_data(tmp_path):
    def names(seed, name):
        engine = open_database(tmp_path / name)
        build_demo(engine, households=40, seed=seed)
        with engine.connect() as conn:
            return conn.execute(select(Member.name, Member.id_number).order_by(Member.id)).all()

    assert names(5, "a.sqlite3") == names(5, "b.sqlite3")
    assert names(5, "c.sqlite3") != names(6, "d.sqlite3")


def test_a_large_demo_is_a_county_of_several_townships(tmp_path):
    engine = open_database(tmp_path / "county.sqlite3")
    result = build_demo(engine, households=15000, seed=1)
    assert result.townships >= 3
    assert result.households == 15000
    with engine.connect() as conn:
        ids = conn.execute(select(Member.id_number)).scalars().all()
    assert len(ids) == len(set(ids))
    assert "个乡镇" in RegistryService(Database(engine)).title()
