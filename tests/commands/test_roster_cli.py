"""`huitoukan roster template|import|export` from the command line."""

from __future__ import annotations

import subprocess
import sys

from openpyxl import load_workbook
from sqlalchemy import func, select

from desktop.cli import main
from desktop.models.database import open_database
from desktop.models.registry import Household
from desktop.services.roster.template import HEADERS
from tests.commands.admin import ADMIN_NAME, add_admin, sign_in_as_admin
from tests.roster_samples import clean_rows, write_xlsx


def household_count(db_path) -> int:
    engine = open_database(db_path)
    with engine.connect() as conn:
        count = conn.execute(select(func.count(Household.id))).scalar()
    engine.dispose()
    return count


def test_template_command(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["roster", "template", "--out", str(out)]) == 0
    assert [c.value for c in load_workbook(out).active[1]] == list(HEADERS)
    assert "模板" in capsys.readouterr().out


def test_import_then_export(tmp_path, db_path, capsys, monkeypatch):
    source = write_xlsx(tmp_path / "r.xlsx", clean_rows())
    assert main(["roster", "import", str(source), "--db", str(db_path)]) == 0
    assert "已导入 3 户" in capsys.readouterr().out
    assert household_count(db_path) == 3
    out = tmp_path / "o.xlsx"
    assert main(["roster", "export", "--db", str(db_path), "--out", str(out)]) == 0
    rows = list(load_workbook(out).active.values)
    assert len(rows) == 7 and "*" in rows[1][8]
    add_admin(db_path)
    sign_in_as_admin(monkeypatch)  # full ID numbers: an administrator
    assert main(["roster", "export", "--db", str(db_path), "--out", str(out), "--full-ids"]) == 0
    assert "*" not in list(load_workbook(out).active.values)[1][8]


def test_rejected_import_exits_1_with_errors_and_report(tmp_path, db_path):
    rows = clean_rows()
    rows[1]["证件号码"] = 430922197001020011.0
    source = write_xlsx(tmp_path / "r.xlsx", rows)
    report = tmp_path / "report.xlsx"
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "roster", "import", str(source), "--db", str(db_path),
         "--report", str(report)],
        capture_output=True,
        encoding="utf-8",
    )  # fmt: skip
    assert result.returncode == 1
    assert "第3行 I列（证件号码）" in result.stdout and "全部未导入" in result.stdout
    assert report.exists()
    assert household_count(db_path) == 0


def test_skip_invalid_imports_the_rest(tmp_path, db_path, capsys):
    rows = clean_rows()
    rows[5]["民族"] = "火星族"
    source = write_xlsx(tmp_path / "r.xlsx", rows)
    assert main(["roster", "import", str(source), "--db", str(db_path), "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "有错误的 1 户未导入" in out and "第7行 K列（民族）" in out
    assert household_count(db_path) == 2


def test_full_id_export_is_logged_under_the_administrator(tmp_path, demo_engine, monkeypatch):
    from sqlalchemy import select

    from desktop.cli import main
    from desktop.models.safety import AuditEntry

    db = demo_engine.url.database
    add_admin(db)
    sign_in_as_admin(monkeypatch)
    out = tmp_path / "full.xlsx"
    assert main(["roster", "export", "--db", db, "--out", str(out), "--full-ids"]) == 0
    with demo_engine.connect() as conn:
        entry = conn.execute(
            select(AuditEntry).where(AuditEntry.field == "full_ids").order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None and entry.user_name == ADMIN_NAME
    assert "含完整身份证号" in entry.note


def test_a_writing_command_waits_for_the_window_to_close(tmp_path, demo_engine, capsys):
    import pytest

    from desktop.cli import main
    from desktop.services.safety.backup import DatabaseLock

    db = demo_engine.url.database
    with DatabaseLock(db), pytest.raises(SystemExit) as stop:  # a window holds the file
        main(["roster", "import", str(tmp_path / "none.xlsx"), "--db", db])
    assert stop.value.code == 3
    assert "已在另一个回头看工作台窗口中打开" in capsys.readouterr().err
