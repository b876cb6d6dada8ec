"""Exchange packages between offline PCs: what was sent and received, what each peer was last
sent, the conflicts waiting for a person, and the audit entries other PCs sent along."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, utcnow

# The records that travel in a package, parents before children (their uid column is
# ExchangedMixin's). Audit entries travel too, into ExchangeAuditEntry.
EXCHANGED_TABLES = (
    "county", "township", "village", "village_group", "household", "member", "campaign",
    "form_record", "unit", "person", "problem", "problem_event", "problem_extension",
    "problem_attachment",
)  # fmt: skip

DIRECTION_SENT = "sent"
DIRECTION_RECEIVED = "received"

CONFLICT_OPEN = "open"  # 待处理
CONFLICT_KEPT = "kept"  # 保留本机
CONFLICT_TAKEN = "taken"  # 采用对方
CONFLICT_LABELS = {CONFLICT_OPEN: "待处理", CONFLICT_KEPT: "保留本机", CONFLICT_TAKEN: "采用对方"}


class ExchangePackage(Base):
    """One package this database sent or received: who to whom, its number and digest."""

    __tablename__ = "exchange_package"
    __table_args__ = (UniqueConstraint("direction", "source_pc", "destination_pc", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # sent, received
    source_pc: Mapped[str] = mapped_column(String(36))
    destination_pc: Mapped[str] = mapped_column(String(36))
    township: Mapped[str] = mapped_column(String(64), default="")  # 乡镇 of the package
    sequence: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the signed manifest
    previous_digest: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)  # when the source made it
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # when sent / imported here
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # table → rows, 删除, 日志, 附件
    # Sent packages: the last audit entry they carried (the next one starts after it).
    audit_upto: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    user_name: Mapped[str] = mapped_column(String(64), default="")


class ExchangeRecord(Base):
    """The digest of a record as this database and one peer PC last agreed on it.

    Written when a record is sent to the peer or taken from it. A record whose digest now
    differs was changed here since; a peer's record arriving with a digest other than this one
    was changed there. Both at once is a conflict.
    """

    __tablename__ = "exchange_record"
    __table_args__ = (UniqueConstraint("peer_pc", "table_name", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_pc: Mapped[str] = mapped_column(String(36))
    table_name: Mapped[str] = mapped_column(String(64))
    uid: Mapped[str] = mapped_column(String(36))
    digest: Mapped[str] = mapped_column(String(64))


class ExchangeConflict(Base):
    """A record both sides changed since their last exchange: not applied, for a person."""

    __tablename__ = "exchange_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_package.id", ondelete="CASCADE"), index=True
    )
    peer_pc: Mapped[str] = mapped_column(String(36))
    table_name: Mapped[str] = mapped_column(String(64))
    uid: Mapped[str] = mapped_column(String(36), index=True)
    label: Mapped[str] = mapped_column(String(128), default="")
    ours: Mapped[dict | None] = mapped_column(JSON)  # None: deleted here
    theirs: Mapped[dict | None] = mapped_column(JSON)  # None: deleted there
    theirs_digest: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(8), default=CONFLICT_OPEN, index=True)
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ExchangeAuditEntry(Base):
    """An audit entry another PC sent: kept as it was written there, chain hash included.

    The receiver's own log stays its own chain (its entries say what the import changed).
    """

    __tablename__ = "exchange_audit_entry"
    __table_args__ = (UniqueConstraint("source_pc", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_pc: Mapped[str] = mapped_column(String(36))
    entry_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_name: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(8), default="")
    table_name: Mapped[str] = mapped_column(String(64), default="")
    record_id: Mapped[int | None] = mapped_column(Integer)
    record_label: Mapped[str] = mapped_column(String(128), default="")
    household_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(128), default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    chain_hash: Mapped[str | None] = mapped_column(String(64))
