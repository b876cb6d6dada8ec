"""Users, passwords, roles and what each role may do."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import AppError, PermissionDeniedError
from desktop.models.base import utcnow
from desktop.models.safety import ROLE_ADMIN, ROLE_CLERK, ROLE_LABELS, ROLE_REVIEWER, User

if TYPE_CHECKING:
    from desktop.services.unit_of_work import Database

from desktop.services.actor import CurrentUser

# Permissions, and the roles that hold them: the whole policy in one table.
VIEW_FULL_ID = "view_full_id"  # full ID numbers and bank accounts in a household's detail
EXPORT_FULL_IDS = "export_full_ids"  # an export with full ID numbers (logged)
UNLOCK_SIGNED_FORM = "unlock_signed_form"
EXPORT_AUDIT = "export_audit"
RESTORE_BACKUP = "restore_backup"
MANAGE_USERS = "manage_users"
CHANGE_SETTINGS = "change_settings"

PERMISSIONS: dict[str, frozenset[str]] = {
    VIEW_FULL_ID: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
    EXPORT_FULL_IDS: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
    UNLOCK_SIGNED_FORM: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
    EXPORT_AUDIT: frozenset({ROLE_ADMIN}),
    RESTORE_BACKUP: frozenset({ROLE_ADMIN}),
    MANAGE_USERS: frozenset({ROLE_ADMIN}),
    CHANGE_SETTINGS: frozenset({ROLE_ADMIN}),
}
PERMISSION_LABELS = {
    VIEW_FULL_ID: "查看完整身份证号和银行账号",
    EXPORT_FULL_IDS: "导出完整身份证号",
    UNLOCK_SIGNED_FORM: "解锁已签字的表",
    EXPORT_AUDIT: "导出操作日志",
    RESTORE_BACKUP: "从备份恢复数据库",
    MANAGE_USERS: "管理用户",
    CHANGE_SETTINGS: "修改备份设置",
}
ROLES = (ROLE_CLERK, ROLE_REVIEWER, ROLE_ADMIN)

MIN_PASSWORD_LENGTH = 6
# scrypt at n=2**14, r=8: about 16 MB and a few tens of milliseconds per check on an office PC.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**14, 8, 1, 32


class AuthError(AppError):
    """Signing in or managing users was refused; the message says why, in Chinese."""


@dataclass(frozen=True)
class UserInfo:
    """A user as the users dialog lists them (never the password hash)."""

    id: int
    name: str
    role: str
    active: bool
    created_at: datetime
    last_sign_in: datetime | None

    @property
    def role_label(self) -> str:
        """Return the role's Chinese name."""
        return ROLE_LABELS.get(self.role, self.role)


def can(user: CurrentUser, permission: str) -> bool:
    """True when the user's role holds the permission."""
    return user.role in PERMISSIONS.get(permission, frozenset())


def require(user: CurrentUser, permission: str) -> None:
    """Raise PermissionDeniedError unless the user's role holds the permission."""
    if not can(user, permission):
        allowed = "、".join(ROLE_LABELS[r] for r in ROLES if r in PERMISSIONS[permission])
        raise PermissionDeniedError(
            f"{ROLE_LABELS.get(user.role, user.role)}“{user.name}”无权"
            f"{PERMISSION_LABELS[permission]}（需要{allowed}）"
        )


def hash_password(password: str, salt: bytes | None = None) -> tuple[str, str, str]:
    """Return (hash hex, salt hex, parameters) of a password with scrypt and a fresh salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_LEN
    )
    params = f"scrypt:n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P},len={SCRYPT_LEN}"
    return digest.hex(), salt.hex(), params


def verify_password(password: str, hash_hex: str, salt_hex: str, params: str) -> bool:
    """True when the password matches the stored hash under its stored parameters."""
    scheme, _, rest = params.partition(":")
    if scheme != "scrypt":
        return False
    values = dict(part.split("=", 1) for part in rest.split(","))
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=bytes.fromhex(salt_hex),
        n=int(values["n"]),
        r=int(values["r"]),
        p=int(values["p"]),
        dklen=int(values["len"]),
        maxmem=256 * 1024 * 1024,
    )
    return hmac.compare_digest(digest.hex(), hash_hex)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"密码至少要 {MIN_PASSWORD_LENGTH} 位")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise AuthError("用户名不能为空")
    if len(name) > 64:
        raise AuthError("用户名不能超过 64 个字")
    return name


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AuthError(f"未知的角色：{role}")


def _current(user: User) -> CurrentUser:
    return CurrentUser(name=user.name, role=user.role, id=user.id)


class AuthService:
    """Users of one database: first administrator, signing in, adding users, passwords."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def has_users(self) -> bool:
        """True once the first administrator exists."""
        with self.db.session() as s:
            return bool(s.scalar(select(func.count(User.id))))

    def create_first_admin(self, name: str, password: str) -> CurrentUser:
        """Create the administrator on first run; refused once any user exists."""
        name = _check_name(name)
        _check_password(password)
        with self.db.unit_of_work() as s:
            if s.scalar(select(func.count(User.id))):
                raise AuthError("已有用户，不能再创建首个管理员；请用管理员账号登录后添加用户")
            user = self._new_user(s, name, ROLE_ADMIN, password)
            return _current(user)

    def sign_in(self, name: str, password: str) -> CurrentUser:
        """Check a name and password; return the signed-in user."""
        with self.db.unit_of_work() as s:
            user = s.scalar(select(User).where(User.name == name.strip()))
            if user is None or not verify_password(
                password, user.password_hash, user.password_salt, user.password_params
            ):
                raise AuthError("用户名或密码不正确")
            if not user.active:
                raise AuthError(f"用户“{user.name}”已停用，请联系管理员")
            user.last_sign_in = utcnow()
            return _current(user)

    def users(self) -> list[UserInfo]:
        """Return every user, administrators first."""
        with self.db.session() as s:
            rows = s.scalars(select(User).order_by(User.name)).all()
            infos = [
                UserInfo(u.id, u.name, u.role, u.active, u.created_at, u.last_sign_in) for u in rows
            ]
        return sorted(infos, key=lambda u: (-ROLES.index(u.role), u.name))

    def add_user(self, acting: CurrentUser, name: str, role: str, password: str) -> int:
        """Add a user (administrators only); return the new id."""
        require(acting, MANAGE_USERS)
        name = _check_name(name)
        _check_role(role)
        _check_password(password)
        with self.db.unit_of_work() as s:
            if s.scalar(select(User.id).where(User.name == name)):
                raise AuthError(f"已有名为“{name}”的用户")
            return self._new_user(s, name, role, password).id

    def change_password(self, user: CurrentUser, old: str, new: str) -> None:
        """Change one's own password after checking the old one."""
        _check_password(new)
        with self.db.unit_of_work() as s:
            row = s.get(User, user.id) if user.id is not None else None
            if row is None or not verify_password(
                old, row.password_hash, row.password_salt, row.password_params
            ):
                raise AuthError("原密码不正确")
            self._set_password(row, new)

    def reset_password(self, acting: CurrentUser, user_id: int, new: str) -> None:
        """Set another user's password (administrators only)."""
        require(acting, MANAGE_USERS)
        _check_password(new)
        with self.db.unit_of_work() as s:
            self._set_password(self._get(s, user_id), new)

    def set_role(self, acting: CurrentUser, user_id: int, role: str) -> None:
        """Change a user's role; the last active administrator keeps the role."""
        require(acting, MANAGE_USERS)
        _check_role(role)
        with self.db.unit_of_work() as s:
            user = self._get(s, user_id)
            if user.role == ROLE_ADMIN and role != ROLE_ADMIN:
                self._keep_one_admin(s, user)
            user.role = role

    def set_active(self, acting: CurrentUser, user_id: int, active: bool) -> None:
        """Enable or disable a user; the last active administrator stays enabled."""
        require(acting, MANAGE_USERS)
        with self.db.unit_of_work() as s:
            user = self._get(s, user_id)
            if not active and user.role == ROLE_ADMIN:
                self._keep_one_admin(s, user)
            user.active = active

    def _keep_one_admin(self, s: Session, user: User) -> None:
        others = s.scalar(
            select(func.count(User.id)).where(
                User.role == ROLE_ADMIN, User.active.is_(True), User.id != user.id
            )
        )
        if not others:
            raise AuthError("至少要保留一名启用的管理员")

    @staticmethod
    def _get(s: Session, user_id: int) -> User:
        user = s.get(User, user_id)
        if user is None:
            raise AuthError("该用户已不存在")
        return user

    @staticmethod
    def _set_password(user: User, password: str) -> None:
        user.password_hash, user.password_salt, user.password_params = hash_password(password)

    @staticmethod
    def _new_user(s: Session, name: str, role: str, password: str) -> User:
        digest, salt, params = hash_password(password)
        user = User(
            name=name,
            role=role,
            password_hash=digest,
            password_salt=salt,
            password_params=params,
            active=True,
        )
        s.add(user)
        s.flush()
        return user
