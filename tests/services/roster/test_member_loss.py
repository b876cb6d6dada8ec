"""A partial roster never removes members silently: removals are shown, chosen and logged."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.database import open_database
from desktop.models.registry import Member
from desktop.models.safety import ACTION_IMPORT_DELETE, ACTION_IMPORT_INSERT, AuditEntry
from desktop.services.registry.idcard import mask_id
from desktop.services.roster.importer import import_roster
from desktop.services.unit_of_work import Database
from tests.roster_samples import clean_rows, person_id, write_xlsx


def members(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(Member.name)).scalars())


def entries(engine, action) -> list[AuditEntry]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def partial_file(tmp_path):
    """H001 without 李梅 (row 3 of the first file), with a new son 张小军."""
    rows = clean_rows()
    wife = rows.pop(1)
    son = dict(rows[1], 姓名="张小军", 证件号码=person_id(40, "男", 2010))
    rows.insert(2, son)
    return write_xlsx(tmp_path / "partial.xlsx", rows), wife


def test_partial_roster_is_refused_and_lists_the_removals(tmp_path, engine):
    assert import_roster(Database(engine), write_xlsx(tmp_path / "all.xlsx", clean_rows())).written
    before = members(engine)
    source, wife = partial_file(tmp_path)
    result = import_roster(Database(engine), source)
    assert not result.written and members(engine) == before
    assert [(m.name, m.household_code) for m in result.removed] == [("李梅", "H001")]
    shown = f"李梅（{mask_id(wife['证件号码'])}）"
    found = [e for e in result.errors if e.value == shown]
    assert found and "删除" in found[0].message and found[0].row == 2
    text = "\n".join(result.summary_lines())
    assert wife["证件号码"] not in text and shown in text


def test_removals_chosen_are_written_and_each_member_is_logged(tmp_path, engine):
    assert import_roster(Database(engine), write_xlsx(tmp_path / "all.xlsx", clean_rows())).written
    source, wife = partial_file(tmp_path)
    result = import_roster(Database(engine), source, remove_missing=True)
    assert result.written, result.summary_lines()
    assert "李梅" not in members(engine) and "张小军" in members(engine)
    removed = entries(engine, ACTION_IMPORT_DELETE)
    assert [e.record_label for e in removed] == ["李梅"]
    assert json.loads(removed[0].old_value) == {
        "姓名": "李梅",
        "身份证号": mask_id(wife["证件号码"]),
    }
    added = [
        e.record_label for e in entries(engine, ACTION_IMPORT_INSERT) if e.table_name == "member"
    ]
    assert added == ["张小军"]
    text = "\n".join(result.summary_lines())
    assert "删除成员 1 人" in text and "新增成员 1 人" in text


def test_skip_invalid_skips_a_household_that_would_lose_members(tmp_path, engine):
    assert import_roster(Database(engine), write_xlsx(tmp_path / "all.xlsx", clean_rows())).written
    source, _wife = partial_file(tmp_path)
    result = import_roster(Database(engine), source, skip_invalid=True)
    assert result.written and result.skipped_households == 1
    assert "李梅" in members(engine) and "张小军" not in members(engine)


def test_command_line_needs_remove_missing(tmp_path, db_path):
    def run(*extra):
        return subprocess.run(
            [sys.executable, "-m", "desktop", "roster", "import", *extra, "--db", str(db_path)],
            capture_output=True, encoding="utf-8", timeout=120,
        )  # fmt: skip

    assert run(str(write_xlsx(tmp_path / "all.xlsx", clean_rows()))).returncode == 0
    source, wife = partial_file(tmp_path)
    refused = run(str(source))
    assert refused.returncode == 1 and "--remove-missing" in refused.stdout
    assert wife["证件号码"] not in refused.stdout
    assert run(str(source), "--remove-missing").returncode == 0
    engine = open_database(db_path)
    assert "李梅" not in members(engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Member.id))).scalar() == 6
    engine.dispose()


def test_id_numbers_in_the_summary_and_the_error_report_are_masked(tmp_path, engine):
    """A wrong check digit, a duplicate, a sex that disagrees: each message shows the ID masked
    (the report's copy of the input keeps the file's own cells, for the clerk to correct)."""
    from openpyxl import load_workbook

    from desktop.services.roster.report import write_error_report

    rows = clean_rows()
    wrong = rows[1]["证件号码"][:-1] + ("1" if rows[1]["证件号码"][-1] == "0" else "0")
    rows[1]["证件号码"] = wrong
    rows[4]["证件号码"] = rows[3]["证件号码"]
    rows[5]["性别"] = "男"
    source = write_xlsx(tmp_path / "r.xlsx", rows)
    result = import_roster(Database(engine), source)
    assert not result.written and result.errors
    report = load_workbook(write_error_report(result, source, tmp_path / "report.xlsx"))
    notes = [r[-1] for r in report.worksheets[0].iter_rows(min_row=2, values_only=True)]
    summary = [" ".join(map(str, r)) for r in report["错误汇总"].iter_rows(values_only=True)]
    shown = "\n".join([*result.summary_lines(), *map(str, notes), *summary])
    for number in (wrong, rows[3]["证件号码"], rows[5]["证件号码"]):
        assert number not in shown
    assert mask_id(wrong) in shown and mask_id(rows[3]["证件号码"]) in shown
