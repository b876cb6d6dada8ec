"""Reading and writing one database's side of an exchange: the digests agreed with a peer,
the packages sent and received, and the ORM class of each exchanged table."""

from __future__ import annotations

from functools import cache

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from desktop.models.base import Base
from desktop.models.exchange import DIRECTION_RECEIVED, ExchangePackage
from desktop.models.exchange import ExchangeRecord as Agreed


@cache
def model(name: str) -> type:
    """The ORM class of an exchanged table."""
    return next(m.class_ for m in Base.registry.mappers if m.local_table.name == name)


def agreed(s: Session, peer: str) -> dict[tuple[str, str], str]:
    """(table, uid) → the digest this database and `peer` last agreed on."""
    rows = s.execute(
        select(Agreed.table_name, Agreed.uid, Agreed.digest).where(Agreed.peer_pc == peer)
    )
    return {(t, u): d for t, u, d in rows}


def save_agreed(
    s: Session, peer: str, before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]
) -> None:
    """Write what changed between two states of `agreed` (Core: bookkeeping, not logged)."""
    conn = s.connection()
    gone = [key for key in before if key not in after]
    for table_name, uid in gone:
        conn.execute(
            delete(Agreed).where(
                Agreed.peer_pc == peer, Agreed.table_name == table_name, Agreed.uid == uid
            )
        )
    changed = [(k, d) for k, d in after.items() if k in before and before[k] != d]
    for (table_name, uid), digest in changed:
        conn.execute(
            update(Agreed)
            .where(Agreed.peer_pc == peer, Agreed.table_name == table_name, Agreed.uid == uid)
            .values(digest=digest)
        )
    new = [
        {"peer_pc": peer, "table_name": t, "uid": u, "digest": d}
        for (t, u), d in after.items()
        if (t, u) not in before
    ]
    if new:
        conn.execute(insert(Agreed), new)


def last_package(s: Session, direction: str, source: str, destination: str):
    """The last package sent (or received) between these two PCs, or None."""
    return s.scalar(
        select(ExchangePackage)
        .where(
            ExchangePackage.direction == direction,
            ExchangePackage.source_pc == source,
            ExchangePackage.destination_pc == destination,
        )
        .order_by(ExchangePackage.sequence.desc())
        .limit(1)
    )


def township_pc(s: Session, township: str, here: str) -> str | None:
    """The PC whose packages for this one came from `township` (the last one), or None."""
    return s.scalar(
        select(ExchangePackage.source_pc)
        .where(
            ExchangePackage.direction == DIRECTION_RECEIVED,
            ExchangePackage.destination_pc == here,
            ExchangePackage.township == township,
        )
        .order_by(ExchangePackage.id.desc())
        .limit(1)
    )


def received(s: Session, source: str, destination: str, sequence: int):
    """The package with this number taken in from `source`, or None."""
    return s.scalar(
        select(ExchangePackage).where(
            ExchangePackage.direction == DIRECTION_RECEIVED,
            ExchangePackage.source_pc == source,
            ExchangePackage.destination_pc == destination,
            ExchangePackage.sequence == sequence,
        )
    )
