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
from desktop.models.registry import Township
from desktop.models.safety import (
    ACTION_LOCK_ACCOUNT,
    ACTION_SIGN_IN,
    ACTION_SIGN_IN_FAILED,
    ACTION_UNLOCK_ACCOUNT,
    ACTION_UPDATE,
    ROLE_ADMIN,
    ROLE_CLERK,
    ROLE_LABELS,
    ROLE_REVIEWER,
    AuditEntry,
    User,
    UserTownship,
)

if TYPE_CHECKING:
    from desktop.services.unit_of_work import Database

from desktop.services.actor import CurrentUser
from desktop.services.safety.sign_in_ledger import SignInLedger

# Permissions, and the roles that hold them: the whole policy in one table.
VIEW_FULL_ID = "view_full_id"  # full ID numbers and bank accounts in a household's detail
EXPORT_FULL_IDS = "export_full_ids"  # an export with full ID numbers (logged)
UNLOCK_SIGNED_FORM = "unlock_signed_form"
EXPORT_AUDIT = "export_audit"
RESTORE_BACKUP = "restore_backup"
MANAGE_USERS = "manage_users"
CHANGE_SETTINGS = "change_settings"
CHANGE_STANDARD = "change_standard"  # a campaign's income standard by year
# The three levels of a 清退 or 新增 (seed 000): each is its own permission.
VERIFY_CASE = "verify_case"
REVIEW_CASE = "review_case"
APPROVE_CASE = "approve_case"
REVIEW_QUESTIONNAIRE = "review_questionnaire"
# A package holds full ID numbers and changes many records at once (services/exchange).
EXCHANGE_PACKAGES = "exchange_packages"

PERMISSIONS: dict[str, frozenset[str]] = {
    VIEW_FULL_ID: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
    EXPORT_FULL_IDS: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
    UNLOCK_SIGNED_FORM: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
    EXPORT_AUDIT: frozenset({ROLE_ADMIN}),
    RESTORE_BACKUP: frozenset({ROLE_ADMIN}),
    MANAGE_USERS: frozenset({ROLE_ADMIN}),
    CHANGE_SETTINGS: frozenset({ROLE_ADMIN}),
    CHANGE_STANDARD: frozenset({ROLE_ADMIN}),
    VERIFY_CASE: frozenset({ROLE_CLERK, ROLE_REVIEWER, ROLE_ADMIN}),
    REVIEW_CASE: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
    APPROVE_CASE: frozenset({ROLE_ADMIN}),
    REVIEW_QUESTIONNAIRE: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
    EXCHANGE_PACKAGES: frozenset({ROLE_REVIEWER, ROLE_ADMIN}),
}
PERMISSION_LABELS = {
    VIEW_FULL_ID: "查看完整身份证号和银行账号",
    EXPORT_FULL_IDS: "导出完整身份证号",
    UNLOCK_SIGNED_FORM: "解锁已签字的表",
    EXPORT_AUDIT: "导出操作日志",
    RESTORE_BACKUP: "从备份恢复数据库",
    MANAGE_USERS: "管理用户",
    CHANGE_SETTINGS: "修改备份设置",
    CHANGE_STANDARD: "设定脱贫标准（收入标准）",
    VERIFY_CASE: "录入工作队核实情况（清退、新增）",
    REVIEW_CASE: "录入镇（街道）审核意见",
    APPROVE_CASE: "录入县核定结果",
    REVIEW_QUESTIONNAIRE: "审核调查问卷（通过、退回）",
    EXCHANGE_PACKAGES: "设置交换密钥，导出、导入交换包（含完整身份证号），处理交换冲突",
}
ROLES = (ROLE_CLERK, ROLE_REVIEWER, ROLE_ADMIN)
# What every role may do; the rest is PERMISSIONS.
EVERY_ROLE_MAY = (
    "录入和修改户籍、成员、核查表、采集表和整改问题，打印表格，导出名册（身份证号遮挡）"
)

MIN_PASSWORD_LENGTH = 6
# Wrong passwords in a row: from the third one on, each waits twice as long (2 s … 60 s);
# the tenth locks the account until an administrator unlocks it. Kept in the audit log, which
# cannot be edited, so that restarting the program does not reset the count.
THROTTLE_AFTER = 3
MAX_WAIT_SECONDS = 60
LOCK_AFTER = 10
# The commonest passwords (leaked-password lists, and what Chinese offices tend to choose).
COMMON_PASSWORDS = frozenset(
    [
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "1234567890",
        "111111",
        "000000",
        "888888",
        "666666",
        "123123",
        "112233",
        "654321",
        "121212",
        "520520",
        "521521",
        "5201314",
        "147258",
        "147258369",
        "159357",
        "123321",
        "abc123",
        "abcdef",
        "a123456",
        "a12345",
        "aa123456",
        "qwerty",
        "qwerty123",
        "password",
        "password1",
        "passw0rd",
        "admin",
        "admin123",
        "admin888",
        "root",
        "1q2w3e",
        "1q2w3e4r",
        "qwe123",
        "iloveyou",
        "woaini",
        "11111111",
        "88888888",
        "66666666",
        "00000000",
        "12341234",
        "asdfgh",
        "zxcvbn",
        "123qwe",
        "123abc",
        "abc12345",
        "test123",
        "user123",
        "huitoukan",
    ]
)  # scrypt at n=2**14, r=8: about 16 MB and a few tens of milliseconds per check on an office PC.
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
    real_name: str = ""
    # The townships granted (id, name), in id order; empty: every township.
    townships: tuple[tuple[int, str], ...] = ()

    @property
    def role_label(self) -> str:
        """Return the role's Chinese name."""
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def townships_label(self) -> str:
        """Return the granted townships as the users dialog shows them (全部乡镇 when none)."""
        return grant_label(name for _id, name in self.townships)


ALL_TOWNSHIPS_LABEL = "全部乡镇"


def grant_label(names) -> str:
    """Return township names joined with 、, or 全部乡镇 when there are none."""
    return "、".join(names) or ALL_TOWNSHIPS_LABEL


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
    if password.lower() in COMMON_PASSWORDS or len(set(password)) == 1:
        raise AuthError("这个密码太常见，很容易被猜中，请换一个（可以混合字母、数字和符号）")


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


def role_duties(role: str) -> tuple[list[str], list[str]]:
    """Return (what the role may do, what it may not), in Chinese, read from PERMISSIONS."""
    may = [EVERY_ROLE_MAY]
    may_not = []
    for permission, label in PERMISSION_LABELS.items():
        (may if role in PERMISSIONS[permission] else may_not).append(label)
    return may, may_not


def _check_real_name(real_name: str) -> str:
    real_name = real_name.strip()
    if len(real_name) > 32:
        raise AuthError("姓名不能超过 32 个字")
    return real_name


def _current(user: User) -> CurrentUser:
    # An administrator manages the grants and works on every township.
    grant = () if user.role == ROLE_ADMIN else (g.township_id for g in user.township_grants)
    return CurrentUser(name=user.name, role=user.role, id=user.id, townships=frozenset(grant))


class AuthService:
    """Users of one database: first administrator, signing in, adding users, passwords."""

    def __init__(self, db: Database, ledger: SignInLedger | None = None) -> None:
        """`ledger` keeps wrong passwords outside the database (by default the ledger of the
        engine's file); a restore cannot reset it."""
        self.db = db
        self.ledger = ledger if ledger is not None else SignInLedger.for_engine(db.engine)

    def has_users(self) -> bool:
        """True once the first administrator exists."""
        with self.db.session() as s:
            return bool(s.scalar(select(func.count(User.id))))

    def create_first_admin(self, name: str, password: str, real_name: str = "") -> CurrentUser:
        """Create the administrator on first run and sign in as them (logged); refused once
        any user exists."""
        name = _check_name(name)
        real_name = _check_real_name(real_name)
        _check_password(password)
        now = utcnow()
        with self.db.unit_of_work() as s:
            if s.scalar(select(func.count(User.id))):
                raise AuthError("已有用户，不能再创建首个管理员；请用管理员账号登录后添加用户")
            user = self._new_user(s, name, ROLE_ADMIN, password, real_name)
            user.last_sign_in = now  # creating the account signs in: 上次登录 is now
            s.add(self._entry(user.id, user.name, ACTION_SIGN_IN, now, "首次使用，创建管理员"))
            return _current(user)

    def sign_in(self, name: str, password: str, *, now: datetime | None = None) -> CurrentUser:
        """Check a name and password; return the signed-in user.

        Wrong passwords are logged; after THROTTLE_AFTER in a row the next try must wait, and
        after LOCK_AFTER the account is locked until an administrator unlocks it.
        """
        now = now or utcnow()
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.name == name.strip()))
            if user is None:
                raise AuthError("用户名或密码不正确")
            user_id, user_name = user.id, user.name
            failures, last_failure = self._streak(s, user_id, user_name)
        if failures >= LOCK_AFTER:
            raise AuthError(
                f"账号“{user_name}”因连续 {failures} 次密码错误已锁定，请管理员在“用户管理”中解锁"
            )
        wait = self._wait_seconds(failures, last_failure, now)
        if wait > 0:
            raise AuthError(f"密码连续错误 {failures} 次，请 {wait} 秒后再试")
        with self.db.session() as s:
            user = s.get(User, user_id)
            good = verify_password(
                password, user.password_hash, user.password_salt, user.password_params
            )
        if not good:
            self._log(user_id, user_name, ACTION_SIGN_IN_FAILED, now, f"第 {failures + 1} 次")
            if self.ledger is not None:
                self.ledger.failed(user_name, failures + 1, now)
            if failures + 1 >= LOCK_AFTER:
                self._log(user_id, user_name, ACTION_LOCK_ACCOUNT, now, f"连续 {LOCK_AFTER} 次")
                raise AuthError(
                    f"密码连续错误 {LOCK_AFTER} 次，账号“{user_name}”已锁定，请管理员解锁"
                )
            raise AuthError("用户名或密码不正确")
        with self.db.unit_of_work() as s:
            user = s.get(User, user_id)
            if not user.active:
                raise AuthError(f"用户“{user.name}”已停用，请联系管理员")
            user.last_sign_in = now
            s.add(self._entry(user_id, user_name, ACTION_SIGN_IN, now, ""))
            signed_in = _current(user)
        if self.ledger is not None:
            self.ledger.cleared(user_name)
        return signed_in

    def locked(self, user_id: int) -> bool:
        """True while an account is locked by wrong passwords."""
        with self.db.session() as s:
            user = self._get(s, user_id)
            return self._streak(s, user_id, user.name)[0] >= LOCK_AFTER

    def unlock(self, acting: CurrentUser, user_id: int) -> None:
        """Unlock an account locked by wrong passwords (administrators only; logged)."""
        require(acting, MANAGE_USERS)
        with self.db.session() as s:
            user = self._get(s, user_id)
            name = user.name
        self._log(user_id, name, ACTION_UNLOCK_ACCOUNT, utcnow(), f"由 {acting.name} 解锁")
        if self.ledger is not None:
            self.ledger.cleared(name)

    def _streak(self, s: Session, user_id: int, name: str) -> tuple[int, datetime | None]:
        """Return the wrong passwords in a row and the last one: the audit log's count, or the
        ledger's when it holds more (a restored older log, a sign-in against a backup)."""
        failures, last = self._failures(s, user_id)
        if self.ledger is not None:
            kept, kept_last = self.ledger.failures(name)
            if kept > failures:
                return kept, max(d for d in (last, kept_last) if d is not None)
        return failures, last

    @staticmethod
    def _failures(s: Session, user_id: int) -> tuple[int, datetime | None]:
        """Return the wrong passwords in a row (since the last success or unlock) and the last."""
        recent = s.execute(
            select(AuditEntry.action, AuditEntry.at)
            .where(
                AuditEntry.table_name == User.__tablename__,
                AuditEntry.record_id == user_id,
                AuditEntry.action.in_(
                    (ACTION_SIGN_IN, ACTION_SIGN_IN_FAILED, ACTION_UNLOCK_ACCOUNT)
                ),
            )
            .order_by(AuditEntry.id.desc())
            .limit(LOCK_AFTER + 1)
        ).all()
        failures = 0
        for action, _at in recent:
            if action != ACTION_SIGN_IN_FAILED:
                break
            failures += 1
        return failures, (recent[0][1] if failures else None)

    @staticmethod
    def _wait_seconds(failures: int, last_failure: datetime | None, now: datetime) -> int:
        if failures < THROTTLE_AFTER or last_failure is None:
            return 0
        wait = min(2 ** (failures - THROTTLE_AFTER + 1), MAX_WAIT_SECONDS)
        left = wait - (now - last_failure).total_seconds()
        return max(0, int(left + 0.999))

    def _entry(self, user_id: int, name: str, action: str, at: datetime, note: str):
        source = self.db.actor().source
        return AuditEntry(
            at=at, user_name=name, source=source, table_name=User.__tablename__,
            record_id=user_id, record_label=name, field="", action=action, note=note,
        )  # fmt: skip

    def _log(self, user_id: int, name: str, action: str, at: datetime, note: str) -> None:
        with self.db.unit_of_work() as s:
            s.add(self._entry(user_id, name, action, at, note))

    def users(self) -> list[UserInfo]:
        """Return every user, administrators first."""
        with self.db.session() as s:
            rows = s.scalars(select(User).order_by(User.name)).all()
            grants: dict[int, list[tuple[int, str]]] = {}
            for user_id, township_id, name in s.execute(
                select(UserTownship.user_id, Township.id, Township.name)
                .join(Township, Township.id == UserTownship.township_id)
                .order_by(Township.id)
            ):
                grants.setdefault(user_id, []).append((township_id, name))
            infos = [
                UserInfo(
                    u.id,
                    u.name,
                    u.role,
                    u.active,
                    u.created_at,
                    u.last_sign_in,
                    u.real_name,
                    tuple(grants.get(u.id, ())),
                )
                for u in rows
            ]
        return sorted(infos, key=lambda u: (-ROLES.index(u.role), u.name))

    def add_user(
        self, acting: CurrentUser, name: str, role: str, password: str, real_name: str = ""
    ) -> int:
        """Add a user (administrators only); return the new id."""
        require(acting, MANAGE_USERS)
        name = _check_name(name)
        real_name = _check_real_name(real_name)
        _check_role(role)
        _check_password(password)
        with self.db.unit_of_work() as s:
            if s.scalar(select(User.id).where(User.name == name)):
                raise AuthError(f"已有名为“{name}”的用户")
            return self._new_user(s, name, role, password, real_name).id

    def set_real_name(self, acting: CurrentUser, user_id: int, real_name: str) -> None:
        """Set a user's real name (姓名): administrators for anyone, everyone for themself."""
        if acting.id != user_id:
            require(acting, MANAGE_USERS)
        real_name = _check_real_name(real_name)
        with self.db.unit_of_work() as s:
            self._get(s, user_id).real_name = real_name

    def set_townships(self, acting: CurrentUser, user_id: int, township_ids) -> None:
        """Grant a user the townships they may work on (administrators only; none: all);
        the change is logged with the townships' names."""
        require(acting, MANAGE_USERS)
        wanted = set(township_ids)
        with self.db.unit_of_work() as s:
            user = self._get(s, user_id)
            names = dict(s.execute(select(Township.id, Township.name)).all())
            unknown = wanted - set(names)
            if unknown:
                raise AuthError(f"乡镇已不存在（编号 {'、'.join(map(str, sorted(unknown)))}）")
            before = {g.township_id for g in user.township_grants}
            if before == wanted:
                return
            user.township_grants = [g for g in user.township_grants if g.township_id in wanted]
            for township_id in sorted(wanted - before):
                user.township_grants.append(UserTownship(township_id=township_id))
            note = (
                f"乡镇授权：{grant_label(names[i] for i in sorted(before))}"
                f" → {grant_label(names[i] for i in sorted(wanted))}（由 {acting.name}）"
            )
            s.add(self._entry(user.id, user.name, ACTION_UPDATE, utcnow(), note))

    def township_ids(self, names) -> list[int]:
        """Return the ids of townships named (the command line's --townships); unknown: error."""
        wanted = [n.strip() for n in names if n.strip()]
        with self.db.session() as s:
            found = dict(
                s.execute(select(Township.name, Township.id).where(Township.name.in_(wanted))).all()
            )
        missing = [n for n in wanted if n not in found]
        if missing:
            raise AuthError(f"没有这个乡镇：{'、'.join(missing)}")
        return [found[n] for n in wanted]

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
    def _new_user(s: Session, name: str, role: str, password: str, real_name: str = "") -> User:
        digest, salt, params = hash_password(password)
        user = User(
            name=name,
            real_name=real_name,
            role=role,
            password_hash=digest,
            password_salt=salt,
            password_params=params,
            active=True,
        )
        s.add(user)
        s.flush()
        return user
