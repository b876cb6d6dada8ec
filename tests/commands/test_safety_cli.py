"""`huitoukan backup | restore | check | audit export | user` from the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop.cli import main
from desktop.models.database import open_database
from desktop.models.safety import AuditEntry
from desktop.services.context import AppServices
from desktop.services.safety.backup import DatabaseLock
from tests.commands.admin import ADMIN_NAME, add_admin, sign_in_as_admin


@pytest.fixture
def demo_path(demo_engine) -> Path:
    path = Path(demo_engine.url.database)
    demo_engine.dispose()
    return path


def _damage(path: Path) -> None:
    with path.open("r+b") as f:
        f.seek(path.stat().st_size // 2)
        f.write(b"\xff" * 8192)


def test_check_passes_a_good_file(demo_path, capsys):
    assert main(["check", "--db", str(demo_path)]) == 0
    assert "数据库文件完好" in capsys.readouterr().out


def test_check_fails_with_the_reason_for_a_damaged_or_unknown_file(demo_path, tmp_path, capsys):
    _damage(demo_path)
    assert main(["check", "--db", str(demo_path)]) == 1
    assert "已损坏" in capsys.readouterr().err
    other = tmp_path / "other.sqlite3"
    other.write_bytes(b"not a database at all" * 50)
    assert main(["check", "--db", str(other)]) == 1
    assert "不是 SQLite 数据库" in capsys.readouterr().err


def test_backup_damage_restore_from_the_command_line(demo_path, tmp_path, capsys, monkeypatch):
    add_admin(demo_path)
    sign_in_as_admin(monkeypatch)  # the database is damaged: an administrator of the backup
    monkeypatch.setenv("HUITOUKAN_BACKUP_PASSWORD", "Beifen-mima-2026")
    assert main(["backup-password", "--db", str(demo_path)]) == 0
    stick = tmp_path / "stick"
    stick.mkdir()
    assert main(["backup", "--db", str(demo_path), "--to", str(stick)]) == 0
    copy = next(stick.glob("*.htkbak"))
    _damage(demo_path)
    assert main(["restore", str(copy), "--db", str(demo_path)]) == 0
    out = capsys.readouterr().out
    assert "已从" in out and "原数据库已另存为" in out
    assert main(["check", "--db", str(demo_path)]) == 0
    engine = open_database(demo_path)
    with Session(engine) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "restore")).one()
    engine.dispose()
    assert (entry.user_name, entry.source) == (ADMIN_NAME, "cli")


def test_restore_refuses_a_damaged_backup(demo_path, tmp_path, capsys):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(demo_path.read_bytes())
    _damage(bad)
    before = demo_path.read_bytes()
    with pytest.raises(SystemExit) as exit_info:
        main(["restore", str(bad), "--db", str(demo_path)])
    assert exit_info.value.code == 1
    assert "当前数据库未作任何改动" in capsys.readouterr().err
    assert demo_path.read_bytes() == before


def test_restore_is_refused_while_a_window_has_the_database(demo_path, tmp_path, capsys):
    with DatabaseLock(demo_path), pytest.raises(SystemExit) as exit_info:
        main(["restore", str(tmp_path / "any.sqlite3"), "--db", str(demo_path)])
    assert exit_info.value.code == 3
    assert "另一个回头看工作台窗口" in capsys.readouterr().err


def test_audit_export_of_a_period_logged_under_the_administrator(
    demo_path, tmp_path, capsys, monkeypatch
):
    add_admin(demo_path)
    sign_in_as_admin(monkeypatch)
    engine = open_database(demo_path)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_entry (at, user_name, source, table_name, record_label, field,"
                " action, note) VALUES ('2026-03-02 10:00:00', '李录入', 'app', 'household',"
                " 'H1', 'phone', 'update', '')"
            )
        )
    engine.dispose()
    out = tmp_path / "log.xlsx"
    args = ["audit", "export", "--db", str(demo_path), "--out", str(out)]
    assert main([*args, "--from", "2026-03-01", "--to", "2026-03-31"]) == 0
    assert "已导出 1 条" in capsys.readouterr().out
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[1][1] == "李录入"
    engine = open_database(demo_path)
    with Session(engine) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        signed_in = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "sign_in", AuditEntry.source == "cli")
        ).one()  # the command's own sign-in (creating the first administrator signs in too)
    engine.dispose()
    assert (entry.user_name, entry.source) == (ADMIN_NAME, "cli")
    assert signed_in.user_name == ADMIN_NAME
    with pytest.raises(SystemExit):
        main([*args, "--from", "2026-13-01"])
    assert "日期格式" in capsys.readouterr().err


def test_user_add_and_list(db_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("secret-1\n"))
    with pytest.raises(SystemExit):  # the first user is the administrator
        main(["user", "add", "李录入", "--role", "clerk", "--db", str(db_path)])
    assert "第一个用户须是管理员" in capsys.readouterr().err
    assert main(["user", "add", "王站长", "--role", "管理员", "--db", str(db_path)]) == 0
    sign_in_as_admin(monkeypatch, "王站长", "secret-1")
    monkeypatch.setattr("sys.stdin", io.StringIO("secret-2\n"))
    assert main(["user", "add", "李录入", "--role", "clerk", "--db", str(db_path)]) == 0
    assert main(["user", "list", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "王站长\t管理员" in out and "李录入\t录入员" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    with pytest.raises(SystemExit):
        main(["user", "add", "赵某", "--role", "clerk", "--db", str(db_path)])
    assert "密码至少要 6 位" in capsys.readouterr().err


def test_a_damaged_database_restore_signs_in_against_the_backup_slowed_down(
    demo_path, tmp_path, capsys, monkeypatch
):
    # Each try signs in against a fresh copy of the backup: the ledger beside the database
    # still counts them, so the fourth waits even with the right password.
    from desktop.services.safety.backup import write_backup

    add_admin(demo_path)
    copy = write_backup(demo_path, tmp_path / "备份.sqlite3")
    _damage(demo_path)
    damaged = demo_path.read_bytes()
    sign_in_as_admin(monkeypatch, ADMIN_NAME, "wrong-password")
    for _n in range(3):
        with pytest.raises(SystemExit) as exit_info:
            main(["restore", str(copy), "--db", str(demo_path)])
        assert exit_info.value.code == 1 and "用户名或密码不正确" in capsys.readouterr().err
    sign_in_as_admin(monkeypatch)  # the right password, at once
    with pytest.raises(SystemExit) as exit_info:
        main(["restore", str(copy), "--db", str(demo_path)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and "秒后再试" in err, err
    assert demo_path.read_bytes() == damaged  # nothing restored


def test_user_add_and_grant_townships(demo_path, monkeypatch, capsys):
    add_admin(demo_path)
    sign_in_as_admin(monkeypatch)
    engine = open_database(demo_path)
    AppServices(engine=engine).registry.create_township("桃江县", "西河镇")
    engine.dispose()
    monkeypatch.setattr("sys.stdin", io.StringIO("secret-2\n"))
    db = ["--db", str(demo_path)]
    assert main(["user", "add", "李录入", "--role", "录入员", "--townships", "桃花江镇", *db]) == 0
    assert main(["user", "list", *db]) == 0
    assert "李录入\t录入员\t桃花江镇" in capsys.readouterr().out
    assert main(["user", "grant", "李录入", "--townships", "桃花江镇，西河镇", *db]) == 0
    assert "可以查看和修改：桃花江镇、西河镇" in capsys.readouterr().out
    assert main(["user", "grant", "李录入", "--townships", "全部乡镇", *db]) == 0
    assert "可以查看和修改：全部乡镇" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["user", "grant", "李录入", "--townships", "不存在镇", *db])
    assert "没有这个乡镇：不存在镇" in capsys.readouterr().err
    engine = open_database(demo_path)
    with Session(engine) as s:
        notes = s.scalars(select(AuditEntry.note).where(AuditEntry.note.like("乡镇授权%"))).all()
    engine.dispose()
    assert len(notes) == 3 and notes[1].startswith("乡镇授权：桃花江镇 → 桃花江镇、西河镇")
