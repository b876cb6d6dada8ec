"""Taking a verified package in: each record inserted, updated, left alone or held as a
conflict, by comparing three digests: the package's row, this database's copy, and the one
the two PCs last agreed on.

| here            | there (package)     | what happens                                  |
|-----------------|---------------------|-----------------------------------------------|
| missing         | any, never agreed   | inserted (a township, a village created too)  |
| same as there   | —                   | nothing; agreed                               |
| unchanged       | changed             | updated from the package                      |
| changed         | unchanged           | nothing (this change goes out next time)      |
| changed         | changed differently | a conflict, not applied: a person chooses     |

A record found by neither uid nor natural key (a township's name in its county, a
household's 户编号 …) is new. One found by natural key takes the package's uid, so that the
same household entered on two PCs becomes one record (and a conflict where they differ). A
signed form or a questionnaire under review is not overwritten: the change is a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from desktop.models.campaign import FORM_STATE_SIGNED
from desktop.models.exchange import (
    CONFLICT_OPEN,
    EXCHANGED_TABLES,
    ExchangeAuditEntry,
    ExchangeConflict,
    ExchangeRecord,
)
from desktop.models.problem import Problem
from desktop.models.safety import ACTION_IMPORT_DELETE, ACTION_IMPORT_INSERT, ACTION_IMPORT_UPDATE
from desktop.services.exchange import rows
from desktop.services.exchange.keys import ExchangeError
from desktop.services.exchange.records import model
from desktop.services.questionnaires.review_lock import lock_message
from desktop.services.safety.audit import annotate
from desktop.services.safety.form_lock import SIGNED_CONTENT

# A record with no uid match is looked for by these columns (its parents' local ids).
NATURAL_KEYS = {
    "county": ("name",),
    "township": ("county_id", "name"),
    "village": ("township_id", "name"),
    "village_group": ("village_id", "name"),
    "household": ("code",),
    "campaign": ("county_id", "name"),
    "form_record": ("household_id", "village_id", "township_id", "campaign_id", "form_code"),
    "unit": ("name",),
}
_CHUNK = 500


@dataclass
class MergeCounts:
    """What an import did, per table."""

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    unchanged: int = 0
    audit: int = 0

    def add(self, which: dict[str, int], name: str) -> None:
        which[name] = which.get(name, 0) + 1


@dataclass
class Merge:
    """One package being taken into one session."""

    s: Session
    names: rows.Names
    peer: str
    agreed: dict[tuple[str, str], str]  # changed in place; saved by the caller
    package_id: int
    note: str  # 交换包 桃花江镇 第 3 号, on every audit entry the import writes
    township: str = ""
    counts: MergeCounts = field(default_factory=MergeCounts)

    # --- rows -----------------------------------------------------------------------------

    def take_rows(self, by_table: dict[str, list[dict]]) -> None:
        """Insert, update or hold as conflicts every row of the package, parents first."""
        for name in EXCHANGED_TABLES:
            incoming = by_table.get(name) or []
            if not incoming:
                continue
            local = self._local(name, [row["uid"] for row in incoming])
            added = []
            for row in incoming:
                obj = local.get(row["uid"]) or self._natural_match(name, row)
                created = self._take(name, row, obj)
                if created is not None:
                    added.append((created, row["uid"]))
            self.s.flush()
            for obj, uid in added:
                self.names.add(name, obj.id, uid)

    def _local(self, name: str, uids: list[str]) -> dict:
        cls = model(name)
        found = {}
        for start in range(0, len(uids), _CHUNK):
            chunk = uids[start : start + _CHUNK]
            found.update({o.uid: o for o in self.s.scalars(select(cls).where(cls.uid.in_(chunk)))})
        return found

    def _values(self, name: str, row: dict) -> dict:
        try:
            return rows.from_wire(name, row, self.names)
        except rows.MissingParent as missing:
            parent = rows.foreign_keys(name)[missing.column]
            raise ExchangeError(
                f"交换包中的{rows.label(name, row)}所属的{rows.TABLE_LABELS.get(parent, parent)}"
                f"本机没有，包里也没有（可能在本机已删除）；未导入任何内容"
            ) from None

    def _natural_match(self, name: str, row: dict):
        keys = NATURAL_KEYS.get(name)
        if keys is None:
            return None
        values = self._values(name, row)
        cls = model(name)
        conditions = [
            getattr(cls, k).is_(None) if values.get(k) is None else getattr(cls, k) == values[k]
            for k in keys
        ]
        with self.s.no_autoflush:
            found = self.s.scalar(select(cls).where(and_(*conditions)).limit(1))
        if found is None or found.uid == row["uid"]:
            return found
        # The same record under two uids (entered on both PCs, or the county's 桃江县 that
        # every township has). Known only here: it takes the package's uid. Already traded
        # with another PC under its own: the package's uid stands for it in this import.
        old, new = found.uid, row["uid"]
        traded = self.s.scalar(
            select(ExchangeRecord.id)
            .where(ExchangeRecord.table_name == name, ExchangeRecord.uid == old)
            .where(ExchangeRecord.peer_pc != self.peer)
            .limit(1)
        )
        if traded is not None:
            self.names.id_of[name][new] = found.id
            return found
        if (name, old) in self.agreed:
            self.agreed[(name, new)] = self.agreed.pop((name, old))
        found.uid = new
        self.names.add(name, found.id, new)
        return found

    def _take(self, name: str, row: dict, obj):
        """Apply one row; return the object when it was inserted (its id after the flush)."""
        uid = row["uid"]
        theirs = rows.digest(name, row)
        base = self.agreed.get((name, uid))
        if obj is None:
            if base is not None:
                if theirs != base:  # deleted here, changed there
                    self._conflict(name, uid, None, row, theirs)
                return None  # deleted here, unchanged there: the deletion goes out next time
            created = model(name)(**self.insert_values(name, row))
            self.s.add(created)
            annotate(self.s, created, ACTION_IMPORT_INSERT, self.note)
            self.agreed[(name, uid)] = theirs
            self.counts.add(self.counts.inserted, name)
            return created
        ours_row = self.wire_of(name, obj)
        ours = rows.digest(name, ours_row)
        if ours == theirs:
            self.agreed[(name, uid)] = theirs
            self.counts.unchanged += 1
        elif base == theirs:
            self.counts.unchanged += 1  # changed only here
        elif base == ours and not self._locked(name, obj, row):
            self.apply(name, obj, row)
            self.agreed[(name, uid)] = theirs
            self.counts.add(self.counts.updated, name)
        else:
            self._conflict(name, uid, ours_row, row, theirs)
        return None

    def wire_of(self, name: str, obj) -> dict:
        """A local record as its package row."""
        return rows.to_wire(
            name, {c.name: getattr(obj, c.name) for c in rows.table(name).columns}, self.names
        )

    def insert_values(self, name: str, row: dict) -> dict:
        """A package row's values for a new local record (a clashing problem number renamed)."""
        values = self._values(name, row)
        if name == "problem":
            values["number"] = self._free_number(values["number"])
        return values

    def _free_number(self, number: str) -> str:
        # Problem numbers are unique per database and every township starts at 001.
        candidate, n = number, 1
        while self.s.scalar(select(Problem.id).where(Problem.number == candidate)) is not None:
            suffix = f"（{self.township}）" if n == 1 else f"（{self.township}{n}）"
            candidate, n = (number + suffix)[:32], n + 1
        return candidate

    def _locked(self, name: str, obj, row: dict) -> bool:
        """True when a signed form (or a questionnaire under review) would change."""
        if name != "form_record":
            return False
        values = self._values(name, row)
        changes = {k for k in SIGNED_CONTENT if values.get(k) != getattr(obj, k)}
        if obj.state == FORM_STATE_SIGNED and changes:
            return True
        if obj.household_id is None:
            return False
        return bool(lock_message(self.s, obj.household_id, obj.form_code, obj.campaign_id))

    def apply(self, name: str, obj, row: dict, note: str | None = None) -> None:
        """Take a package row's values into a local record (a new version of it)."""
        values = self._values(name, row)
        kept = rows.KEPT_LOCAL.get(name, frozenset()) | {"uid", "version"}
        changed = False
        for key, value in values.items():
            if key not in kept and getattr(obj, key) != value:
                setattr(obj, key, value)
                changed = True
        if changed and hasattr(obj, "version"):
            obj.version = (obj.version or 0) + 1
        annotate(self.s, obj, ACTION_IMPORT_UPDATE, note or self.note)

    def _conflict(self, name: str, uid: str, ours: dict | None, theirs: dict | None, digest: str):
        open_one = self.s.scalar(
            select(ExchangeConflict).where(
                ExchangeConflict.peer_pc == self.peer,
                ExchangeConflict.table_name == name,
                ExchangeConflict.uid == uid,
                ExchangeConflict.status == CONFLICT_OPEN,
            )
        )
        conflict = open_one or ExchangeConflict(peer_pc=self.peer, table_name=name, uid=uid)
        conflict.package_id = self.package_id
        conflict.label = rows.label(name, theirs or ours or {})
        conflict.ours, conflict.theirs, conflict.theirs_digest = ours, theirs, digest
        if open_one is None:
            self.s.add(conflict)
        annotate(self.s, conflict, ACTION_IMPORT_INSERT, self.note)
        self.counts.conflicts += 1

    # --- deletions ------------------------------------------------------------------------

    def take_deletions(self, by_table: dict[str, list[str]]) -> None:
        """Delete what the peer deleted, children first, unless it was changed here since."""
        for name in reversed(EXCHANGED_TABLES):
            uids = by_table.get(name) or []
            local = self._local(name, list(uids))
            for uid in uids:
                base = self.agreed.get((name, uid))
                obj = local.get(uid)
                if obj is None:
                    self.agreed.pop((name, uid), None)
                    continue
                ours_row = self.wire_of(name, obj)
                if base is not None and rows.digest(name, ours_row) == base:
                    self.remove(name, obj)
                    self.agreed.pop((name, uid), None)
                else:
                    self._conflict(name, uid, ours_row, None, "")
            self.s.flush()

    def remove(self, name: str, obj, note: str | None = None) -> None:
        """Delete a local record (its children go with it, as the models cascade)."""
        annotate(self.s, obj, ACTION_IMPORT_DELETE, note or self.note)
        self.s.delete(obj)
        self.names.forget(name, obj.uid)
        self.counts.add(self.counts.deleted, name)

    # --- audit entries --------------------------------------------------------------------

    def take_audit(self, entries: Iterable[dict]) -> None:
        """Keep the peer's audit entries as they were written there (each once)."""
        entries = list(entries)
        if not entries:
            return
        known = set(
            self.s.scalars(
                select(ExchangeAuditEntry.entry_id).where(
                    ExchangeAuditEntry.source_pc == self.peer,
                    ExchangeAuditEntry.entry_id >= min(e["id"] for e in entries),
                )
            )
        )
        fresh = []
        for entry in entries:
            if entry["id"] in known:
                continue
            values = {k: v for k, v in entry.items() if k not in ("id", "at")}
            values.update(entry_id=entry["id"], at=datetime.fromisoformat(entry["at"]))
            fresh.append({**values, "source_pc": self.peer})
        if fresh:
            self.s.execute(ExchangeAuditEntry.__table__.insert(), fresh)
        self.counts.audit += len(fresh)
