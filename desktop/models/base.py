"""The declarative base shared by every model."""

import os
import uuid
from datetime import datetime

from sqlalchemy import DateTime, Integer, MetaData, String, case, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints keep Alembic's batch migrations on SQLite deterministic.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of all 回头看工作台 models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time, naive, in local wall-clock time as clerks read it."""
    return datetime.now().replace(microsecond=0)


def new_uid() -> str:
    """Return a new record uid: a random UUID as text, unique across every PC."""
    return str(uuid.uuid4())


def new_uids(count: int) -> list[str]:
    """Return `count` new uids at once, as new_uid writes them (random version-4 UUIDs).

    From one read of the system's random source: 0.8 µs a uid against uuid4's 3.5 µs, which
    is 1.2 s of CPU for the 450,000 households and members of a county roster.
    """
    raw = os.urandom(16 * count).hex()
    variant = "89ab"  # RFC 4122: the variant's two high bits are 10
    return [
        f"{raw[i : i + 8]}-{raw[i + 8 : i + 12]}-4{raw[i + 13 : i + 16]}-"
        f"{variant[int(raw[i + 16], 16) & 3]}{raw[i + 17 : i + 20]}-{raw[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


class ExchangedMixin:
    """A record that travels in exchange packages between PCs (services/exchange).

    Its `uid` names it on every PC (ids are per database and collide); set on insert by the
    model, by `bulk.insert_rows` for bulk writes, and by migration 0013 for older rows.
    """

    uid: Mapped[str] = mapped_column(String(36), default=new_uid, index=True, unique=True)


class StoredFileMixin:
    """A file copied into the data folder: where it lies, its name, checksum, size, who added it.

    The 整改 evidence of a problem and the 比对 evidence of a case are kept the same way (the
    checksum shows when a copy was changed behind the application's back).
    """

    path: Mapped[str] = mapped_column(String(255))  # relative to the data folder, / separated
    original_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(64), default="")
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def count_where(condition):
    """An aggregate counting the rows of a group where `condition` holds (0, never NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
