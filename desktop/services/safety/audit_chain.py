"""The audit log's hash chain: every entry is appended here, and here the chain is verified.

The triggers make the log append-only against the application, not against someone holding the
file: drop them, delete entries, recreate them. So each entry carries the SHA-256 of the entry
before it and of its own fields (`models.safety.entry_digest`), and one head row names the last
entry and its hash. Whoever removes, changes or slips in an entry must then recompute every
hash after it and move the head; the head hash that `audit export` prints (to be written on
paper) shows that too.

Every writer goes through `append`: the ORM listener of each session, the bulk writes of a
roster import, the explicit entries (exports, backups, sign-ins), so that ids are given in
order, each entry hashes the one before it, and ID numbers are masked in every text, whoever
wrote the entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.orm import Session

from desktop.models.bulk import insert_many
from desktop.models.safety import (
    ACTION_LABELS,
    CHAIN_START,
    CHAINED_FIELDS,
    AuditChainHead,
    AuditEntry,
    entry_digest,
)
from desktop.services.safety.privacy import mask_ids_in_text

HEAD_ID = 1
_MASKED_TEXTS = ("record_label", "old_value", "new_value", "note")
_BULK = 200  # past this many rows the driver's executemany (models/bulk.py) writes them


def _head(conn: Connection) -> tuple[int, str]:
    """Return (next id, previous hash), holding the head row for this transaction."""
    row = conn.execute(
        select(AuditChainHead.entry_id, AuditChainHead.chain_hash)
        .where(AuditChainHead.id == HEAD_ID)
        .with_for_update()  # a server database: the second writer waits here
    ).first()
    last_id = conn.execute(select(func.max(AuditEntry.id))).scalar() or 0
    if row is None:  # a schema built without the migration (create_all): start the head now
        previous = (
            conn.execute(select(AuditEntry.chain_hash).where(AuditEntry.id == last_id)).scalar()
            if last_id
            else None
        ) or CHAIN_START
        conn.execute(
            insert(AuditChainHead).values(id=HEAD_ID, entry_id=last_id, chain_hash=previous)
        )
        return last_id + 1, previous
    # An entry past the head was written around the chain: it shows as the first break.
    return max(row.entry_id, last_id) + 1, row.chain_hash


def _seal(conn: Connection, rows: list[dict]) -> None:
    next_id, previous = _head(conn)
    masked: dict[str, str] = {}  # a batch repeats its texts (one note for 30,000 forms)
    for offset, row in enumerate(rows):
        for key in _MASKED_TEXTS:
            text = row.get(key)
            if text:
                done = masked.get(text)
                if done is None:
                    done = masked[text] = mask_ids_in_text(text)
                row[key] = done
        row["id"] = next_id + offset
        previous = entry_digest(previous, row)
        row["chain_hash"] = previous
    conn.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(entry_id=rows[-1]["id"], chain_hash=previous)
    )


def append(conn: Connection, rows: list[dict]) -> None:
    """Append entries (dicts of AuditEntry's columns, the same keys each) to the chained log."""
    if not rows:
        return
    _seal(conn, rows)
    if len(rows) > _BULK:
        insert_many(conn, AuditEntry.__table__, rows)  # 100,000 entries on a county import
    else:
        conn.execute(insert(AuditEntry), rows)


def seal_pending(session: Session) -> None:
    """Chain the AuditEntry objects a session is about to insert (sign-ins, added with `add`)."""
    pending = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not pending:
        return
    rows = []
    for obj in sorted(pending, key=lambda o: o.at or datetime.min):
        values = {}
        for column in AuditEntry.__table__.columns:
            value = getattr(obj, column.key)
            if value is None and column.default is not None and column.key != "id":
                default = column.default.arg
                value = default(None) if callable(default) else default
                setattr(obj, column.key, value)
            values[column.key] = value
        rows.append((obj, values))
    _seal(session.connection(), [values for _obj, values in rows])
    for obj, values in rows:
        for key in ("id", "chain_hash", *_MASKED_TEXTS):
            setattr(obj, key, values[key])


# --- verifying ---------------------------------------------------------------------------

CHAIN_COLUMNS = (*CHAINED_FIELDS, "chain_hash")


@dataclass(frozen=True)
class ChainReport:
    """What a walk along the chain found; `message` is one Chinese sentence."""

    ok: bool
    message: str
    entries: int = 0
    head_id: int = 0
    head_hash: str = ""
    broken_id: int | None = None


def _who(values: dict) -> str:
    at = values["at"]
    when = at if isinstance(at, str) else at.isoformat(sep=" ", timespec="seconds")
    action = ACTION_LABELS.get(values["action"], values["action"])
    return f"#{values['id']}（{when[:19]}，{values['user_name'] or '系统'}，{action}）"


def verify(rows: Iterable[tuple], head: tuple[int, str] | None) -> ChainReport:
    """Walk entries (tuples in CHAIN_COLUMNS order, by id) and compare the head (id, hash)."""
    previous, last_id, count = CHAIN_START, 0, 0
    for row in rows:
        values = dict(zip(CHAIN_COLUMNS, row, strict=True))
        expected = entry_digest(previous, values)
        if values["chain_hash"] != expected:
            gap = values["id"] - last_id - 1
            why = (
                f"它之前少了 {gap} 条（#{last_id + 1}–#{values['id'] - 1}）"
                if gap > 0
                else "没有链哈希，是绕过程序写入的"
                if not values["chain_hash"]
                else "它或它之前的一条被改动过"
            )
            return ChainReport(
                False,
                f"操作日志的哈希链在第 {count + 1} 条 {_who(values)} 处断开：{why}",
                count,
                broken_id=values["id"],
            )
        previous, last_id, count = expected, values["id"], count + 1
    if head is None:
        return ChainReport(False, "操作日志缺少链头记录，可能被改动过", count)
    head_id, head_hash = head
    if head_id > last_id:
        return ChainReport(
            False,
            f"操作日志的链头指向 #{head_id}，但日志只到 #{last_id}："
            f"最后 {head_id - last_id} 条被删除",
            count,
            broken_id=last_id + 1,
        )
    if head_id < last_id or head_hash != previous:
        return ChainReport(
            False,
            f"操作日志的链头（#{head_id}）与最后一条 #{last_id} 对不上，可能被改动过",
            count,
            broken_id=head_id + 1,
        )
    return ChainReport(True, f"操作日志 {count} 条，哈希链完整", count, head_id, head_hash)


def chain_sql() -> tuple[str, str]:
    """Return the queries that read the chain: its entries in order, and the head."""
    entries = f"SELECT {', '.join(CHAIN_COLUMNS)} FROM audit_entry ORDER BY id"
    head = f"SELECT entry_id, chain_hash FROM audit_chain_head WHERE id = {HEAD_ID}"
    return entries, head


def verify_connection(conn: Connection) -> ChainReport:
    """Verify the chain of the database a connection is open on."""
    entries, head = chain_sql()
    row = conn.exec_driver_sql(head).first()
    return verify(conn.exec_driver_sql(entries), tuple(row) if row else None)


def head_of(conn: Connection) -> tuple[int, str]:
    """Return the chain's head: the last entry's id and hash (to be written on paper)."""
    row = conn.execute(
        select(AuditChainHead.entry_id, AuditChainHead.chain_hash).where(
            AuditChainHead.id == HEAD_ID
        )
    ).first()
    return (row.entry_id, row.chain_hash) if row else (0, CHAIN_START)
