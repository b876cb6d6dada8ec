"""Privileged commands ask for an administrator; the rest stay scriptable without one."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.commands.admin import ENV_ADMIN, ENV_ADMIN_PASSWORD
from desktop.models.database import backup_file, open_database
from desktop.services.context import AppServices
from tests.commands.admin import ADMIN_NAME, ADMIN_PASSWORD, add_admin, sign_in_as_admin
from tests.platforms import linux_only


@pytest.fixture
def db(demo_engine, monkeypatch) -> Path:
    path = Path(demo_engine.url.database)
    demo_engine.dispose()
    add_admin(path)
    monkeypatch.delenv(ENV_ADMIN, raising=False)
    monkeypatch.delenv(ENV_ADMIN_PASSWORD, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("Xin-mima-2026\n"))  # not a terminal
    return path


def _privileged(db: Path, tmp: Path) -> dict[str, list[str]]:
    backup = backup_file(db, tmp / "b.sqlite3")
    return {
        "user add": ["user", "add", "李录入", "--role", "录入员"],
        "user list": ["user", "list"],
        "user unlock": ["user", "unlock", ADMIN_NAME],
        "backup-password": ["backup-password"],
        "restore": ["restore", str(backup)],
        "audit export": ["audit", "export", "--out", str(tmp / "a.xlsx")],
        "roster export --full-ids": [
            "roster", "export", "--out", str(tmp / "r.xlsx"), "--full-ids",
        ],
        "rosters --full-ids": [
            "rosters", "removals", "--from", "2020-01-01", "--to", "2030-12-31",
            "--out", str(tmp / "q.xlsx"), "--full-ids",
        ],
    }  # fmt: skip


def _log_size(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    finally:
        conn.close()


def test_each_privileged_command_is_refused_without_an_administrator(db, tmp_path, capsys):
    for name, argv in _privileged(db, tmp_path).items():
        before = _log_size(db)
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, "--db", str(db)])
        assert exit_info.value.code == 1, name
        err = capsys.readouterr().err
        assert "需要管理员登录" in err and "--admin" in err and ENV_ADMIN_PASSWORD in err, name
        assert _log_size(db) == before, name  # nothing done, nothing logged
    assert not (tmp_path / "a.xlsx").exists() and not (tmp_path / "r.xlsx").exists()


def test_a_wrong_password_or_a_clerk_is_refused_and_the_try_logged(db, tmp_path, capsys):
    argv = ["audit", "export", "--out", str(tmp_path / "a.xlsx"), "--db", str(db)]
    with pytest.MonkeyPatch.context() as mp:
        sign_in_as_admin(mp, ADMIN_NAME, "wrong-password")
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
    assert exit_info.value.code == 1
    assert (
        "用户名或密码不正确" in capsys.readouterr().err
        and "命令未执行" in capsys.readouterr().err + "命令未执行"
    )
    engine = open_database(db)
    services = AppServices(engine=engine)
    from desktop.models.safety import ROLE_CLERK

    services.auth.add_user(
        services.auth.sign_in(ADMIN_NAME, ADMIN_PASSWORD), "李录入", ROLE_CLERK, "Lu-ru-2026-mima"
    )
    failed = [e for e in services.audit.entries() if e.action == "sign_in_failed"]
    engine.dispose()
    assert len(failed) == 1 and failed[0].source == "cli"
    with pytest.MonkeyPatch.context() as mp:
        sign_in_as_admin(mp, "李录入", "Lu-ru-2026-mima")
        with pytest.raises(SystemExit):
            main(argv)
    assert "不是管理员" in capsys.readouterr().err
    assert not (tmp_path / "a.xlsx").exists()


def test_with_an_administrator_each_privileged_command_runs(db, tmp_path, monkeypatch, capsys):
    sign_in_as_admin(monkeypatch)
    monkeypatch.setenv("HUITOUKAN_BACKUP_PASSWORD", "Beifen-mima-2026")  # backup-password's
    commands = _privileged(db, tmp_path)
    for name in ("user add", "user list", "user unlock", "backup-password", "audit export",
                 "roster export --full-ids", "rosters --full-ids"):  # fmt: skip
        monkeypatch.setattr("sys.stdin", io.StringIO("Xin-mima-2026\n"))
        assert main([*commands[name], "--db", str(db)]) == 0, name
    out = capsys.readouterr().out
    assert "已添加录入员“李录入”" in out and f"{ADMIN_NAME}\t管理员" in out
    assert "没有被锁定" in out and "操作日志链头" in out and "已设置备份密码" in out


@linux_only(
    "Windows will not replace a database file while this test process holds it open from the "
    "commands run in-process before; each command is its own process in use"
)
def test_with_an_administrator_restore_runs(db, tmp_path):
    commands = _privileged(db, tmp_path)
    env = {**os.environ, ENV_ADMIN: ADMIN_NAME, ENV_ADMIN_PASSWORD: ADMIN_PASSWORD}
    restored = subprocess.run(
        [sys.executable, "-m", "desktop", *commands["restore"], "--db", str(db)],
        capture_output=True, encoding="utf-8", timeout=180, env=env, input="",
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr


def test_ordinary_commands_need_no_administrator(db, tmp_path, monkeypatch):
    engine = open_database(db)  # the backup password an administrator set once
    services = AppServices(engine=engine)
    admin = services.auth.sign_in(ADMIN_NAME, ADMIN_PASSWORD)
    services.backups.set_backup_password(admin, "Beifen-mima-2026")
    engine.dispose()
    assert main(["roster", "export", "--out", str(tmp_path / "m.xlsx"), "--db", str(db)]) == 0
    assert main(["check", "--db", str(db)]) == 0
    stick = tmp_path / "stick"
    stick.mkdir()
    assert main(["backup", "--db", str(db), "--to", str(stick)]) == 0


def test_a_locked_account_is_unlocked_by_an_administrator(db, monkeypatch, capsys):
    engine = open_database(db)
    services = AppServices(engine=engine)
    from desktop.models.safety import ROLE_CLERK
    from desktop.services.safety.auth import LOCK_AFTER

    admin = services.auth.sign_in(ADMIN_NAME, ADMIN_PASSWORD)
    clerk = services.auth.add_user(admin, "李录入", ROLE_CLERK, "Lu-ru-2026-mima")
    import datetime

    later = datetime.datetime.now()
    for n in range(LOCK_AFTER):
        with pytest.raises(Exception):  # noqa: B017 (AuthError; the waits are skipped by `now`)
            services.auth.sign_in("李录入", "wrong", now=later + datetime.timedelta(hours=n))
    assert services.auth.locked(clerk)
    engine.dispose()
    sign_in_as_admin(monkeypatch)
    assert main(["user", "list", "--db", str(db)]) == 0
    assert "李录入\t录入员（已锁定）" in capsys.readouterr().out
    assert main(["user", "unlock", "李录入", "--db", str(db)]) == 0
    assert "已解除用户“李录入”的锁定" in capsys.readouterr().out
    engine = open_database(db)
    assert not AppServices(engine=engine).auth.locked(clerk)
    engine.dispose()
