"""Migration 0005: indicator storage, and a one-county database's campaign gets its county."""

from __future__ import annotations

from sqlalchemy import inspect, text

from desktop.models.database import _alembic_config, make_engine, open_database
from desktop.services.standards.service import StandardsService
from desktop.services.unit_of_work import Database


def test_a_one_county_database_keeps_its_campaign_and_gains_indicator_storage(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0004")
        conn.execute(text("INSERT INTO county (name, province, city) VALUES ('青神县', '', '')"))
        conn.execute(
            text(
                "INSERT INTO campaign (name, province_profile, standard_year, income_threshold,"
                " income_formula, is_current) VALUES ('回头看', 'sichuan', 2017, 3100, 'x', 1)"
            )
        )
    old.dispose()
    engine = open_database(path)
    assert "household_indicator" in inspect(engine).get_table_names()
    assert "indicator" in {c["name"] for c in inspect(engine).get_columns("problem")}
    [campaign] = StandardsService(Database(engine)).campaigns()
    assert campaign.county_name == "青神县" and campaign.thresholds == {}
    assert campaign.standard_revision == 1 and campaign.standard_code == "sichuan_2017"
    engine.dispose()
