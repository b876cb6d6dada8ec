"""Wrong passwords are logged, slowed down and lock the account; common passwords are refused."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.safety import (
    ACTION_LOCK_ACCOUNT,
    ACTION_SIGN_IN_FAILED,
    ACTION_UNLOCK_ACCOUNT,
    AuditEntry,
)
from desktop.services.safety.auth import LOCK_AFTER, AuthError, AuthService
from desktop.services.unit_of_work import Database

PASSWORD = "Taohua-2020"


@pytest.fixture
def auth(engine):
    service = AuthService(Database(engine))
    service.create_first_admin("管理员", PASSWORD)
    return service


def actions(engine) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_common_passwords_are_refused(auth):
    admin = auth.sign_in("管理员", PASSWORD)
    clerk = auth.add_user(admin, "王录入", "clerk", "Wang-lu-2026")
    for weak in ("123456", "password", "888888", "aaaaaaaa", "Admin123"):
        with pytest.raises(AuthError, match="太常见"):
            auth.add_user(admin, "李录入", "clerk", weak)
        with pytest.raises(AuthError, match="太常见"):  # every way a password is set
            auth.change_password(admin, PASSWORD, weak)
        with pytest.raises(AuthError, match="太常见"):
            auth.reset_password(admin, clerk, weak)


def test_the_first_administrator_cannot_take_a_common_password(engine):
    with pytest.raises(AuthError, match="太常见"):
        AuthService(Database(engine)).create_first_admin("管理员", "123456")


def test_wrong_passwords_wait_then_lock_until_an_administrator_unlocks(auth, engine):
    start = datetime.datetime(2020, 5, 1, 8, 0, 0)
    at = start
    for n in range(1, LOCK_AFTER + 1):
        with pytest.raises(AuthError):
            auth.sign_in("管理员", "wrong", now=at)
        at += datetime.timedelta(seconds=61)  # past every wait
        if n == 3:  # a fourth try at once must wait
            with pytest.raises(AuthError, match="秒后再试"):
                auth.sign_in("管理员", PASSWORD, now=start + datetime.timedelta(seconds=2 * 61 + 1))
    assert actions(engine).count(ACTION_SIGN_IN_FAILED) == LOCK_AFTER
    assert ACTION_LOCK_ACCOUNT in actions(engine)
    with pytest.raises(AuthError, match="已锁定"):
        auth.sign_in("管理员", PASSWORD, now=at + datetime.timedelta(days=1))
    assert auth.locked(1)
    # A second administrator unlocks; the right password then works again.
    auth.db.engine  # noqa: B018  (same database)
    from desktop.services.actor import CurrentUser

    auth.unlock(CurrentUser("另一管理员", "admin", 99), 1)
    assert ACTION_UNLOCK_ACCOUNT in actions(engine)
    assert auth.sign_in("管理员", PASSWORD, now=at + datetime.timedelta(days=1)).name == "管理员"


def test_a_hundred_fast_tries_mostly_wait(auth):
    at = datetime.datetime(2020, 5, 1, 8, 0, 0)
    waited = 0
    for _ in range(100):
        try:
            auth.sign_in("管理员", "wrong", now=at)
        except AuthError as exc:
            waited += "秒后再试" in str(exc)
    assert waited >= 90  # only the first three were checked against the password


@pytest.mark.sqlite_only("backs up and restores the SQLite file")
def test_restoring_an_older_backup_keeps_wrong_passwords_and_the_lock(engine, db_path, tmp_path):
    from desktop.models.database import open_database
    from desktop.services.safety import backup as backup_service

    auth = AuthService(Database(engine))
    admin = auth.create_first_admin("管理员", PASSWORD)
    clerk_id = auth.add_user(admin, "李录入", "clerk", "Lu-ru-2026-mima")
    older = backup_service.write_backup(db_path, tmp_path / "older.sqlite3")  # before the tries
    at = datetime.datetime(2020, 5, 1, 8, 0, 0)
    for _n in range(LOCK_AFTER):
        with pytest.raises(AuthError):
            auth.sign_in("李录入", "wrong", now=at)
        at += datetime.timedelta(seconds=61)
    assert auth.locked(clerk_id)
    engine.dispose()
    backup_service.restore(older, db_path, tmp_path / "kept")
    restored = open_database(db_path)
    try:
        auth = AuthService(Database(restored))
        assert ACTION_SIGN_IN_FAILED not in actions(restored)  # the backup's log: no tries
        assert auth.locked(clerk_id)
        with pytest.raises(AuthError, match="已锁定"):
            auth.sign_in("李录入", "Lu-ru-2026-mima", now=at)
        auth.unlock(auth.sign_in("管理员", PASSWORD, now=at), clerk_id)
        assert auth.sign_in("李录入", "Lu-ru-2026-mima", now=at).name == "李录入"
    finally:
        restored.dispose()


def test_the_ledger_is_per_database_file(engine, db_path, tmp_path):
    from desktop.models.database import open_database

    auth = AuthService(Database(engine))
    auth.create_first_admin("管理员", PASSWORD)
    at = datetime.datetime(2020, 5, 1, 8, 0, 0)
    for _n in range(3):
        with pytest.raises(AuthError):
            auth.sign_in("管理员", "wrong", now=at)
    other = open_database(tmp_path / "other.sqlite3")
    try:
        elsewhere = AuthService(Database(other))
        elsewhere.create_first_admin("管理员", PASSWORD)
        assert elsewhere.sign_in("管理员", PASSWORD, now=at).name == "管理员"  # not slowed
    finally:
        other.dispose()
    with pytest.raises(AuthError, match="秒后再试"):
        auth.sign_in("管理员", PASSWORD, now=at)
