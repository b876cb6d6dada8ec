"""Users, passwords, roles and permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.safety import ROLE_ADMIN, ROLE_CLERK, ROLE_REVIEWER, User
from desktop.services.actor import CurrentUser
from desktop.services.safety.auth import (
    EXPORT_AUDIT,
    MANAGE_USERS,
    RESTORE_BACKUP,
    UNLOCK_SIGNED_FORM,
    VIEW_FULL_ID,
    AuthError,
    AuthService,
    PermissionDeniedError,
    can,
    hash_password,
    verify_password,
)
from desktop.services.unit_of_work import Database


@pytest.fixture
def auth(engine):
    return AuthService(Database(engine))


@pytest.fixture
def admin(auth):
    return auth.create_first_admin("王站长", "secret-1")


def test_first_run_creates_the_administrator_once(auth):
    assert not auth.has_users()
    admin = auth.create_first_admin(" 王站长 ", "secret-1")
    assert (admin.name, admin.role) == ("王站长", ROLE_ADMIN)
    assert auth.has_users()
    with pytest.raises(AuthError, match="已有用户"):
        auth.create_first_admin("李四", "secret-2")


def test_password_is_stored_as_salted_scrypt_never_in_clear(auth, admin, engine):
    auth.add_user(admin, "李录入", ROLE_CLERK, "secret-1")
    with Session(engine) as s:
        users = s.scalars(select(User)).all()
    assert all("secret-1" not in (u.password_hash + u.password_salt) for u in users)
    assert users[0].password_salt != users[1].password_salt  # same password, different hash
    assert users[0].password_hash != users[1].password_hash
    assert users[0].password_params.startswith("scrypt:n=16384")


def test_hash_round_trip_and_wrong_password():
    digest, salt, params = hash_password("正确的密码")
    assert verify_password("正确的密码", digest, salt, params)
    assert not verify_password("错误的密码", digest, salt, params)


def test_sign_in(auth, admin):
    user = auth.sign_in("王站长", "secret-1")
    assert (user.name, user.role, user.id) == ("王站长", ROLE_ADMIN, admin.id)
    with pytest.raises(AuthError, match="用户名或密码不正确"):
        auth.sign_in("王站长", "wrong-pw")
    with pytest.raises(AuthError, match="用户名或密码不正确"):
        auth.sign_in("没有这个人", "secret-1")


def test_disabled_user_cannot_sign_in(auth, admin):
    uid = auth.add_user(admin, "李录入", ROLE_CLERK, "secret-1")
    auth.set_active(admin, uid, False)
    with pytest.raises(AuthError, match="已停用"):
        auth.sign_in("李录入", "secret-1")


def test_only_administrators_manage_users(auth, admin):
    auth.add_user(admin, "李录入", ROLE_CLERK, "secret-1")
    clerk = auth.sign_in("李录入", "secret-1")
    with pytest.raises(PermissionDeniedError, match="无权管理用户"):
        auth.add_user(clerk, "赵某", ROLE_CLERK, "secret-1")
    with pytest.raises(AuthError, match="已有名为"):
        auth.add_user(admin, "李录入", ROLE_REVIEWER, "secret-1")
    with pytest.raises(AuthError, match="至少要 6 位"):
        auth.add_user(admin, "赵某", ROLE_CLERK, "123")


def test_last_administrator_is_kept(auth, admin):
    with pytest.raises(AuthError, match="至少要保留一名"):
        auth.set_role(admin, admin.id, ROLE_CLERK)
    with pytest.raises(AuthError, match="至少要保留一名"):
        auth.set_active(admin, admin.id, False)
    other = auth.add_user(admin, "副站长", ROLE_ADMIN, "secret-1")
    auth.set_role(admin, admin.id, ROLE_REVIEWER)
    assert {u.name: u.role for u in auth.users()} == {"王站长": ROLE_REVIEWER, "副站长": ROLE_ADMIN}
    assert other


def test_change_and_reset_password(auth, admin):
    with pytest.raises(AuthError, match="原密码不正确"):
        auth.change_password(admin, "nope-nope", "new-secret")
    auth.change_password(admin, "secret-1", "new-secret")
    auth.sign_in("王站长", "new-secret")
    uid = auth.add_user(admin, "李录入", ROLE_CLERK, "secret-1")
    auth.reset_password(admin, uid, "reset-pw")
    assert auth.sign_in("李录入", "reset-pw").id == uid


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ROLE_CLERK, set()),
        (ROLE_REVIEWER, {VIEW_FULL_ID, UNLOCK_SIGNED_FORM}),
        (
            ROLE_ADMIN,
            {VIEW_FULL_ID, UNLOCK_SIGNED_FORM, EXPORT_AUDIT, RESTORE_BACKUP, MANAGE_USERS},
        ),
    ],
)
def test_role_permissions(role, expected):
    user = CurrentUser("某人", role)
    checked = {VIEW_FULL_ID, UNLOCK_SIGNED_FORM, EXPORT_AUDIT, RESTORE_BACKUP, MANAGE_USERS}
    assert {p for p in checked if can(user, p)} == expected
