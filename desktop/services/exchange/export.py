"""What goes into a package for one peer: every record changed since the last package to it.

A record is changed when its digest is not the one last agreed with that peer (sent to it or
taken from it); a record agreed on and no longer here is sent as deleted. The parents of
every record sent go along (unchanged ones cost the receiver nothing), so that a receiver
that lacks a township or a village creates it. The county sends a township only what belongs
to it (its villages' households, forms and problems, and the units, people and campaigns
they name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.exchange import EXCHANGED_TABLES
from desktop.models.safety import AuditEntry
from desktop.services.exchange import rows

# How a record belongs to a township: the first of these parents that is set.
OWNERS = {
    "village": ("township_id",),
    "village_group": ("village_id",),
    "household": ("village_id",),
    "member": ("household_id",),
    "form_record": ("household_id", "village_id", "township_id"),
    "problem": ("household_id", "village_id"),
    "problem_event": ("problem_id",),
    "problem_extension": ("problem_id",),
    "problem_attachment": ("problem_id",),
}
AUDIT_COLUMNS = [c.name for c in AuditEntry.__table__.columns]


@dataclass
class Contents:
    """The rows, deletions, audit entries and files of one package, and what it agrees."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)
    audit: list[dict] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    missing_files: list[str] = field(default_factory=list)
    agreed: dict[tuple[str, str], str] = field(default_factory=dict)  # after sending
    audit_upto: int = 0

    def counts(self) -> dict[str, int]:
        """table → rows sent, and the deletions, audit entries and files."""
        counts = {name: len(found) for name, found in self.rows.items() if found}
        counts["删除"] = sum(map(len, self.deleted.values()))
        counts["日志"] = len(self.audit)
        counts["附件"] = len(self.files)
        return counts


def _owner(name: str, row: dict, township_of: dict[str, dict[str, str]]) -> str | None:
    if name == "township":
        return row["uid"]
    for column in OWNERS.get(name, ()):
        parent = rows.foreign_keys(name)[column]
        if row.get(column) is not None:
            return township_of[parent].get(row[column])
    return None


def collect(
    s: Session,
    names: rows.Names,
    agreed: dict[tuple[str, str], str],
    *,
    township_uid: str | None,
    audit_after: int,
    data_dir: Path,
) -> Contents:
    """Gather what a package to a peer carries (`township_uid`: only that township's)."""
    conn = s.connection()
    wire: dict[str, dict[str, dict]] = {}
    township_of: dict[str, dict[str, str]] = {}
    in_scope: dict[str, set[str]] = {}
    for name in EXCHANGED_TABLES:
        t = rows.table(name)
        found = {}
        for values in conn.execute(select(t).order_by(t.c.id)).mappings():
            row = rows.to_wire(name, values, names)
            found[row["uid"]] = row
        wire[name] = found
        township_of[name] = {u: _owner(name, r, township_of) for u, r in found.items()}
        in_scope[name] = (
            set(found)
            if township_uid is None
            else {u for u, owner in township_of[name].items() if owner == township_uid}
        )
    _close_over_parents(wire, in_scope)
    digests = {
        (name, uid): rows.digest(name, wire[name][uid])
        for name in EXCHANGED_TABLES
        for uid in in_scope[name]
    }
    sent = {name: set() for name in EXCHANGED_TABLES}
    for (name, uid), digest in digests.items():
        if agreed.get((name, uid)) != digest:
            sent[name].add(uid)
    _close_over_parents(wire, sent)
    contents = Contents()
    after = dict(agreed)
    for name in EXCHANGED_TABLES:
        contents.rows[name] = [wire[name][uid] for uid in wire[name] if uid in sent[name]]
        for uid in sent[name]:
            after[(name, uid)] = digests.get((name, uid)) or rows.digest(name, wire[name][uid])
    for name, uid in agreed:
        if uid not in wire.get(name, {}):
            contents.deleted.setdefault(name, []).append(uid)
            after.pop((name, uid))
    contents.agreed = after
    _attach_files(contents, data_dir)
    _collect_audit(conn, contents, names, in_scope, township_uid, audit_after)
    return contents


def _close_over_parents(wire, chosen: dict[str, set[str]]) -> None:
    """Add the parents of every chosen row (children come after parents in the tables'
    order, so one pass from the last table back reaches every ancestor)."""
    for name in reversed(EXCHANGED_TABLES):
        for column, parent in rows.foreign_keys(name).items():
            if parent not in chosen:
                continue
            for uid in chosen[name]:
                ref = wire[name][uid].get(column)
                if ref is not None and ref in wire[parent]:
                    chosen[parent].add(ref)


def _attach_files(contents: Contents, data_dir: Path) -> None:
    for row in contents.rows.get("problem_attachment", []):
        path = Path(data_dir) / row["path"]
        try:
            contents.files[row["sha256"]] = path.read_bytes()
        except OSError:
            contents.missing_files.append(row["path"])


def _collect_audit(conn, contents, names, in_scope, township_uid, audit_after: int) -> None:
    t = AuditEntry.__table__
    entries = conn.execute(select(t).where(t.c.id > audit_after).order_by(t.c.id)).mappings()
    households = {names.id_of["household"][u] for u in in_scope["household"]}
    local = {(name, names.id_of[name][u]) for name in in_scope for u in in_scope[name]}
    for entry in entries:
        contents.audit_upto = entry["id"]
        if township_uid is not None and (
            entry["household_id"] not in households
            and (entry["table_name"], entry["record_id"]) not in local
        ):
            continue
        contents.audit.append({k: rows.plain_value(entry[k]) for k in AUDIT_COLUMNS})
