"""Migration 0007 upgrades a database of revision 0006 and keeps its households and members."""

from __future__ import annotations

from sqlalchemy import inspect, text

from desktop.models.database import SCHEMA_HEAD, _alembic_config, make_engine, open_database
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database


def test_old_database_gains_comparison_tables_and_keeps_its_registry(tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite3"
    old = make_engine(path)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0006")
        conn.execute(text("INSERT INTO county (name, province, city) VALUES ('海丰县', '', '')"))
        conn.execute(text("INSERT INTO township (county_id, name) VALUES (1, '梅陇镇')"))
        conn.execute(
            text(
                "INSERT INTO village (township_id, name, code, is_poor_village, indicators, note)"
                " VALUES (1, '新村', '1', 0, '{}', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO household (code, village_id, head_name, poverty_kind, special_kind,"
                " is_registered, phone, bank_name, bank_account, helper_name, helper_phone,"
                " poverty_causes, note, member_count, flags, search_text, version, created_at,"
                " updated_at) VALUES ('H1', 1, '林一', '一般贫困户', '', 1, '', '', '', '', '',"
                " '[]', '', 1, 0, '', 1, '2018-06-01 00:00:00', '2018-06-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO member (household_id, seq, name, sex, id_number, relation, ethnicity,"
                " political_status, education, schooling, health, labour_ability, work_status,"
                " is_soldier, ins_serious_illness, ins_employee_pension, ins_resident_medical,"
                " ins_resident_pension, pension_status, extra) VALUES (1, 1, '林一', '男', '',"
                " '户主', '', '', '', '', '', '', '', 0, 0, 0, 0, 0, '', '{}')"
            )
        )
    old.dispose()
    engine = open_database(path)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == SCHEMA_HEAD
    tables = set(inspect(engine).get_table_names())
    assert {
        "former_member", "department_mapping", "department_list", "department_row",
        "comparison_hit", "comparison_case", "comparison_case_step", "comparison_evidence",
    } <= tables  # fmt: skip
    data = RegistryService(Database(engine)).get_household(1)
    assert data.members[0].name == "林一"
    with engine.connect() as conn:
        row = conn.execute(text("SELECT removed_on, removal_reason FROM household")).one()
    assert tuple(row) == (None, "")
    engine.dispose()
