"""Migration 0002 upgrades a registry-only database (revision 0001) to hold problems."""

from __future__ import annotations

from sqlalchemy import inspect, text

from desktop.models.database import _alembic_config, make_engine, open_database
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database


def test_registry_database_gains_problem_tables_and_keeps_its_data(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO county (name, province, city) VALUES ('舒城县', '', '')"))
        conn.execute(text("INSERT INTO township (county_id, name) VALUES (1, '干汊河镇')"))
        conn.execute(
            text(
                "INSERT INTO village (township_id, name, code, is_poor_village, indicators, note)"
                " VALUES (1, '七门堰村', '1', 0, '{}', '')"
            )
        )
    old.dispose()
    engine = open_database(path)
    tables = set(inspect(engine).get_table_names())
    assert {
        "catalogue_area", "catalogue_item", "inspection_category", "indicator_department",
        "unit", "person", "problem", "problem_event", "problem_extension", "problem_attachment",
    } <= tables  # fmt: skip
    service = ProblemService(Database(engine), tmp_path)
    service.ensure_reference_data()
    assert "七门堰村" in {u.name for u in service.units()}
    assert service.issuer_default() == "干汊河镇扶贫工作站"
    engine.dispose()
