"""Migration 0006: form records of an existing database keep their household and answers, and
a record may now be about a village or a township (exactly one subject)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from desktop.models.database import _alembic_config, make_engine, open_database


def test_existing_form_records_survive_and_gain_a_subject(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0005")
        conn.execute(
            text("INSERT INTO county (name, province, city) VALUES ('桃江县', '湖南省', '益阳市')")
        )
        conn.execute(text("INSERT INTO township (county_id, name) VALUES (1, '桃花江镇')"))
        conn.execute(
            text(
                "INSERT INTO village (township_id, name, code, is_poor_village, indicators, note)"
                " VALUES (1, '竹金村', '1', 0, '{}', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO campaign (name, province_profile, standard_year, income_threshold,"
                " income_formula, is_current) VALUES ('回头看', 'hunan', 2020, 4000, 'x', 1)"
            )
        )
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(household)"))]
        values = {c: "''" for c in columns if c not in ("id",)}
        values.update(village_id="1", code="'001'", version="1", member_count="2", group_id="NULL")
        values.update(is_registered="1", exit_year="NULL", income_per_capita="NULL")
        values.update(
            {c: "NULL" for c in ("count_hukou", "count_card", "count_system", "count_actual")}
        )
        values.update(poverty_causes="'[]'", flags="'[]'", created_at="'2020-01-01'")
        values.update(updated_at="'2020-01-01'")
        conn.execute(
            text(
                f"INSERT INTO household ({', '.join(values)}) VALUES ({', '.join(values.values())})"
            )
        )
        conn.execute(
            text(
                "INSERT INTO form_record (household_id, campaign_id, form_code, state, answers,"
                " accepted_warnings, version, paper_outdated, note, updated_by, created_at,"
                " updated_at) VALUES (1, 1, 'verification', 'signed', '{\"head_name\": \"周超\"}',"
                " '{}', 3, 0, '', '甲', '2020-04-01', '2020-04-01')"
            )
        )
    old.dispose()

    engine = open_database(path)
    with engine.begin() as conn:
        row = conn.execute(
            text(
                "SELECT household_id, village_id, answers, computed, standard, version"
                " FROM form_record"
            )
        ).one()
        assert row[0] == 1 and row[1] is None and "周超" in row[2] and row[5] == 3
        assert row[3] == "{}" and row[4] == "{}"
        conn.execute(
            text(
                "INSERT INTO form_record (village_id, campaign_id, form_code, state, answers,"
                " accepted_warnings, computed, standard, version, paper_outdated, note,"
                " updated_by, created_at, updated_at) VALUES (1, 1, 'exit_check', 'draft', '{}',"
                " '{}', '{}', '{}', 1, 0, '', '甲', '2020-04-01', '2020-04-01')"
            )
        )
    with pytest.raises(IntegrityError), engine.begin() as conn:  # two subjects at once
        conn.execute(
            text(
                "INSERT INTO form_record (household_id, village_id, campaign_id, form_code, state,"
                " answers, accepted_warnings, computed, standard, version, paper_outdated, note,"
                " updated_by, created_at, updated_at) VALUES (1, 1, 1, 'other', 'draft', '{}',"
                " '{}', '{}', '{}', 1, 0, '', '甲', '2020-04-01', '2020-04-01')"
            )
        )
    engine.dispose()
