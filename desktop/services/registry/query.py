"""Filtering and sorting the households table in memory: fast at county scale.

Measured on 100,000 rows: QSortFilterProxyModel.sort takes seconds, Python's sorted() plus a
model reset about 55 ms, so the table filters and sorts here and the Qt model only shows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from desktop.services.registry.data import HouseholdRow
from desktop.services.registry.rules import pinyin_key

# Column keys of the households table, in display order.
SORT_KEYS: dict[str, Callable[[HouseholdRow], object]] = {
    "code": lambda r: r.code,
    "village": lambda r: _name_key(r.village_name),
    "group": lambda r: group_key(r.group_name),
    "head": lambda r: _name_key(r.head_name),
    "members": lambda r: r.member_count,
    "kind": lambda r: r.kind,
    "registered": lambda r: r.is_registered,
    "exit_year": lambda r: r.exit_year or 9999,
    "income": lambda r: -1.0 if r.income_per_capita is None else r.income_per_capita,
    "phone": lambda r: r.phone,
    "form_state": lambda r: r.form_state,
    "flags": lambda r: (r.flags.bit_count(), r.flags),
}

NOT_EXITED = -1  # exit_year filter value meaning 未脱贫


# Cached keys: a sort of 100,000 rows then allocates no new key objects, which keeps the
# garbage collector (and the sort) quick.
@cache
def _name_key(name: str) -> str:
    return f"{pinyin_key(name)}\x00{name}"


@cache
def group_key(text: str) -> tuple[int, str]:
    """How groups sort: by the number in their name (2组 before 10组), unnumbered last."""
    digits = "".join(c for c in text if c.isdigit())
    return (int(digits) if digits else 10**6, text)


@dataclass
class HouseholdFilter:
    """What the clerk asked for: search text and the filter choices."""

    text: str = ""
    household_ids: set[int] | None = None  # from the navigation tree
    village_id: int | None = None
    kind: str = ""
    exit_year: int | None = None  # a year, or NOT_EXITED
    flags: int = 0  # any of these bits
    registered: bool | None = None

    def is_empty(self) -> bool:
        """True when nothing restricts the rows."""
        return (
            not self.text.strip()
            and self.household_ids is None
            and self.village_id is None
            and not self.kind
            and self.exit_year is None
            and not self.flags
            and self.registered is None
        )


def normalize_query(text: str) -> str:
    """Normalise search input: NFKC (full-width to half-width), trimmed, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def warm_sort_keys(rows: Sequence[HouseholdRow]) -> None:
    """Compute the pinyin sort keys of names ahead of time (off the GUI thread).

    The first sort by a name column would otherwise load pypinyin's dictionaries and spell
    every name while the clerk waits.
    """
    for r in rows:
        _name_key(r.head_name)
        _name_key(r.village_name)
        group_key(r.group_name)


def filter_rows(rows: Sequence[HouseholdRow], f: HouseholdFilter) -> list[HouseholdRow]:
    """Return the rows that match every criterion of the filter, in their given order."""
    result: list[HouseholdRow] = list(rows)
    if f.household_ids is not None:
        ids = f.household_ids
        result = [r for r in result if r.id in ids]
    if f.village_id is not None:
        result = [r for r in result if r.village_id == f.village_id]
    if f.kind:
        result = [r for r in result if r.kind == f.kind]
    if f.exit_year is not None:
        if f.exit_year == NOT_EXITED:
            result = [r for r in result if r.is_registered and r.exit_year is None]
        else:
            result = [r for r in result if r.exit_year == f.exit_year]
    if f.flags:
        result = [r for r in result if r.flags & f.flags]
    if f.registered is not None:
        result = [r for r in result if r.is_registered == f.registered]
    for word in normalize_query(f.text).split():
        result = [r for r in result if word in r.search_text]
    return result


def sort_rows(
    rows: Sequence[HouseholdRow], key: str, descending: bool = False
) -> list[HouseholdRow]:
    """Return the rows sorted by a column key (stable; ties keep 户编号 order)."""
    return sorted(rows, key=SORT_KEYS[key], reverse=descending)
