"""Users of the application and the audit trail (“谁调查、谁签字、谁负责”)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from json.encoder import encode_basestring  # json.dumps's, in C

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, utcnow

# Role codes as stored; their Chinese names are in ROLE_LABELS.
ROLE_CLERK = "clerk"  # 录入员
ROLE_REVIEWER = "reviewer"  # 审核员
ROLE_ADMIN = "admin"  # 管理员
ROLE_LABELS = {ROLE_CLERK: "录入员", ROLE_REVIEWER: "审核员", ROLE_ADMIN: "管理员"}

# Where a change came from.
SOURCE_APP = "app"
SOURCE_CLI = "cli"

# What happened; Chinese names in ACTION_LABELS.
ACTION_INSERT = "insert"
ACTION_UPDATE = "update"
ACTION_DELETE = "delete"
ACTION_IMPORT_INSERT = "import_insert"
ACTION_IMPORT_UPDATE = "import_update"
ACTION_IMPORT_DELETE = "import_delete"
ACTION_SIGN = "sign"
ACTION_UNLOCK = "unlock"
ACTION_EXPORT = "export"
ACTION_BACKUP = "backup"
ACTION_RESTORE = "restore"
ACTION_SIGN_IN = "sign_in"
ACTION_SIGN_IN_FAILED = "sign_in_failed"
ACTION_LOCK_ACCOUNT = "lock_account"
ACTION_UNLOCK_ACCOUNT = "unlock_account"
ACTION_LABELS = {
    ACTION_INSERT: "新增",
    ACTION_UPDATE: "修改",
    ACTION_DELETE: "删除",
    ACTION_IMPORT_INSERT: "导入新增",
    ACTION_IMPORT_UPDATE: "导入更新",
    ACTION_IMPORT_DELETE: "导入删除",
    ACTION_SIGN: "标记已签字",
    ACTION_UNLOCK: "解锁已签字表",
    ACTION_EXPORT: "导出",
    ACTION_BACKUP: "备份",
    ACTION_RESTORE: "恢复",
    ACTION_SIGN_IN: "登录",
    ACTION_SIGN_IN_FAILED: "登录失败",
    ACTION_LOCK_ACCOUNT: "账号锁定",
    ACTION_UNLOCK_ACCOUNT: "解除账号锁定",
}


class User(Base):
    """A person who signs in to the application, with a role and a slow salted password hash."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    real_name: Mapped[str] = mapped_column(String(64), default="")  # 姓名, as the name signed
    role: Mapped[str] = mapped_column(String(16), default=ROLE_CLERK)
    # hashlib.scrypt output and its per-user salt, hex; parameters kept so they can grow later.
    password_hash: Mapped[str] = mapped_column(String(128))
    password_salt: Mapped[str] = mapped_column(String(64))
    password_params: Mapped[str] = mapped_column(String(64))  # "scrypt:n=16384,r=8,p=1,len=32"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_sign_in: Mapped[datetime | None] = mapped_column(DateTime)

    # The townships the county gave this user; none: every township (services/safety/
    # township_scope.py enforces it).
    township_grants: Mapped[list[UserTownship]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserTownship.township_id"
    )


class UserTownship(Base):
    """One township a user may see and edit (a county server's 乡镇授权)."""

    __tablename__ = "user_township"
    __table_args__ = (UniqueConstraint("user_id", "township_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="township_grants")


class AuditEntry(Base):
    """One recorded change: who, when, which record, which field, old and new value.

    Append-only: triggers created by the migration refuse UPDATE and DELETE. Chained: each
    entry carries `chain_hash`, the SHA-256 of the previous entry's hash and its own fields
    (`entry_digest`), so an entry removed, changed or slipped in past the triggers breaks the
    chain from there on; `AuditChainHead` names the last entry and its hash.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_name: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(8), default=SOURCE_APP)
    table_name: Mapped[str] = mapped_column(String(64), default="")
    record_id: Mapped[int | None] = mapped_column(Integer)
    record_label: Mapped[str] = mapped_column(String(128), default="")
    # The household a member's, a form's or a problem's change belongs to: its history shows them.
    household_id: Mapped[int | None] = mapped_column(Integer, index=True)
    field: Mapped[str] = mapped_column(String(128), default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16), default=ACTION_UPDATE)
    # Why: the reason of an unlock, the file of an export or a restore.
    note: Mapped[str] = mapped_column(Text, default="")
    chain_hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """The one row naming the audit log's last entry and its chain hash.

    Every writer reads it (locked, on a server database) before appending, so that two
    transactions cannot both chain onto the same entry; entries cut off the end of the log
    show as a head that points past the last entry. Triggers refuse deleting it and moving it
    backwards.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer, default=0)
    chain_hash: Mapped[str] = mapped_column(String(64), default="")


# The fields an entry's hash covers, in this order. The format is frozen: entries already
# written were hashed with it (migration 0009 chained the entries before it).
CHAINED_FIELDS = (
    "id", "at", "user_name", "source", "table_name", "record_id", "record_label",
    "household_id", "field", "old_value", "new_value", "action", "note",
)  # fmt: skip
CHAIN_START = "0" * 64  # the "previous hash" of the first entry


@lru_cache(maxsize=64)  # the entries of one change share one moment
def _chained_at(value) -> str:
    if isinstance(value, str):  # read straight from SQLite's text: hash the time it means
        value = datetime.fromisoformat(value)
    return value.isoformat(sep=" ", timespec="microseconds")


_AFTER_AT = tuple(name for name in CHAINED_FIELDS if name != "at")


def _json(value) -> str:
    """One value as json.dumps(…, ensure_ascii=False) writes it inside the hashed list."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return encode_basestring(value if isinstance(value, str) else str(value))


def entry_digest(previous: str, values: dict) -> str:
    """Return the chain hash of an entry (its column values) that follows `previous`.

    The hashed text is the JSON list [previous, at, id, user_name, …] in CHAINED_FIELDS order,
    as json.dumps(fields, ensure_ascii=False, separators=(",", ":")) writes it, built here
    without json.dumps's encoder per call (a standard change chains 30,000 entries at once).
    """
    text = ",".join(map(_json, map(values.get, _AFTER_AT)))
    head = f"[{encode_basestring(previous)},{encode_basestring(_chained_at(values['at']))},"
    return hashlib.sha256(f"{head}{text}]".encode()).hexdigest()
