"""Records as they travel: JSON rows that name their parents by uid, and each row's digest.

A row carries every column but the id. A foreign key to another exchanged record is that
record's uid; one to the shared catalogue is the item's number. The digest covers what a
person changes, not the bookkeeping (version, times, derived search text): two PCs holding
the same content compute the same digest, whatever their ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Table, select

import desktop.models  # noqa: F401  (registers every table on Base.metadata)
from desktop.models.base import Base
from desktop.models.exchange import EXCHANGED_TABLES
from desktop.models.problem import CatalogueItem

CATALOGUE = "catalogue_item"
# Bookkeeping and derived columns: sent along, never compared.
NOT_COMPARED = frozenset(
    {"uid", "version", "created_at", "updated_at", "updated_by", "search_text", "flags",
     "member_count"}
)  # fmt: skip
# Columns that the receiver keeps as it set them when the record arrived: a problem's
# number is unique per database, and two townships both have a 2020-001.
KEPT_LOCAL = {"problem": frozenset({"number"})}
# Chinese names of the tables, for conflicts and reports.
TABLE_LABELS = {
    "county": "县", "township": "乡镇", "village": "村", "village_group": "组",
    "household": "户", "member": "家庭成员", "campaign": "回头看批次", "form_record": "表格",
    "unit": "责任单位", "person": "责任人", "problem": "问题", "problem_event": "问题记录",
    "problem_extension": "问题延期", "problem_attachment": "问题附件",
}  # fmt: skip


def table(name: str) -> Table:
    """The table of an exchanged record."""
    return Base.metadata.tables[name]


def foreign_keys(name: str) -> dict[str, str]:
    """Column → the table it refers to, for one exchanged table."""
    return {
        c.name: next(iter(c.foreign_keys)).column.table.name
        for c in table(name).columns
        if c.foreign_keys
    }


def compared_columns(name: str) -> list[str]:
    """The columns of a table that a digest and a conflict compare."""
    skip = NOT_COMPARED | KEPT_LOCAL.get(name, frozenset())
    return [c.name for c in table(name).columns if c.name != "id" and c.name not in skip]


def plain_value(value):
    """A column value as JSON holds it: dates and times as ISO text."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def digest(name: str, row: Mapping) -> str:
    """The SHA-256 of what a person changes in a wire row (see NOT_COMPARED)."""
    shown = {key: row.get(key) for key in compared_columns(name)}
    text = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Names:
    """uid ↔ id of every exchanged record of one database, and the catalogue's numbers."""

    uid_of: dict[str, dict[int, str]] = field(default_factory=dict)
    id_of: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn) -> Names:
        """Read the names of every exchanged record (and catalogue item) of a database."""
        names = cls()
        for name in EXCHANGED_TABLES:
            t = table(name)
            pairs = conn.execute(select(t.c.id, t.c.uid)).all()
            names.uid_of[name] = dict(pairs)
            names.id_of[name] = {uid: id_ for id_, uid in pairs}
        items = conn.execute(select(CatalogueItem.id, CatalogueItem.number)).all()
        names.uid_of[CATALOGUE] = {id_: str(number) for id_, number in items}
        names.id_of[CATALOGUE] = {str(number): id_ for id_, number in items}
        return names

    def add(self, name: str, id_: int, uid: str) -> None:
        """Know a record inserted (or renamed) since loading."""
        old = self.uid_of[name].get(id_)
        if old is not None:
            self.id_of[name].pop(old, None)
        self.uid_of[name][id_] = uid
        self.id_of[name][uid] = id_

    def forget(self, name: str, uid: str) -> None:
        """Forget a deleted record."""
        id_ = self.id_of[name].pop(uid, None)
        if id_ is not None:
            self.uid_of[name].pop(id_, None)


def to_wire(name: str, values: Mapping, names: Names) -> dict:
    """A record's column values (a row or an ORM object's) as its package row."""
    keys = foreign_keys(name)
    row = {}
    for column in table(name).columns:
        if column.name == "id":
            continue
        value = values[column.name]
        if column.name in keys and value is not None:
            value = names.uid_of[keys[column.name]].get(value)
        row[column.name] = plain_value(value)
    return row


class MissingParent(LookupError):
    """A row names a parent record this database does not have."""

    def __init__(self, table_name: str, column: str, uid: str) -> None:
        super().__init__(table_name, column, uid)
        self.table_name, self.column, self.uid = table_name, column, uid


def from_wire(name: str, row: Mapping, names: Names) -> dict:
    """A package row as column values of this database (parents' uids → local ids)."""
    keys = foreign_keys(name)
    values = {}
    for column in table(name).columns:
        if column.name == "id" or column.name not in row:
            continue
        value = row[column.name]
        if value is not None:
            if column.name in keys:
                found = names.id_of[keys[column.name]].get(value)
                if found is None:
                    raise MissingParent(name, column.name, value)
                value = found
            elif isinstance(column.type, DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(column.type, Date):
                value = date.fromisoformat(value)
        values[column.name] = value
    return values


def label(name: str, row: Mapping) -> str:
    """A short Chinese label of a record for a conflict list: 户 4309… 张三."""
    shown = [
        str(row[key])
        for key in ("code", "head_name", "number", "name", "form_code", "original_name")
        if row.get(key)
    ]
    return f"{TABLE_LABELS.get(name, name)} {' '.join(shown[:2])}".strip()[:128]
