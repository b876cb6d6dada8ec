"""Matching department rows against every member, and every former member, of every household.

A county has 350,000 members and a department may send a million rows, so the match is dict
look-ups in Python over raw driver rows: one pass over the people builds the index, one pass
over the rows looks each one up. An 18-digit ID matches its old 15-digit form (both sides are
keyed by the 18-digit form); where a row has no ID, its name and birth date are the key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection
from stdnum.cn import ric

from desktop.models.base import utcnow
from desktop.models.bulk import insert_rows
from desktop.models.comparison import HIT_OPEN, MATCH_ID, MATCH_ID15, MATCH_NAME_BIRTH, Hit


def id_key(number: str) -> str:
    """Return the 18-digit form an ID is matched by: a 15-digit ID gains 19 and its check digit."""
    if len(number) == 15 and number.isdigit():
        body = number[:6] + "19" + number[6:]
        return body + ric.calc_check_digit(body + "0")
    return number


class Person(NamedTuple):
    """Someone a row may name: a member or a former member, and their household."""

    member_id: int | None
    former_member_id: int | None
    household_id: int | None
    name: str
    id_number: str


class Row(NamedTuple):
    """What matching reads of a department row."""

    row_id: int
    list_id: int
    id_key: str
    old_id: bool  # the department wrote a 15-digit ID
    name: str
    birth: str  # ISO date, "" when unknown


@dataclass
class PersonIndex:
    """Everyone of the registry, keyed by 18-digit ID and by (name, birth date)."""

    by_id: dict[str, list[tuple[Person, bool]]]  # id key → (person, their ID is 15 digits)
    # (name, ISO birth date) → (person, has a usable ID): everyone whose birth date is known
    by_name_birth: dict[tuple[str, str], list[tuple[Person, bool]]]
    people: int = 0


_MEMBERS_SQL = (
    "SELECT m.id, NULL, m.household_id, m.name, m.id_number, m.birth_date FROM member m"
    " JOIN household h ON h.id = m.household_id WHERE m.removed_on IS NULL"
)
_FORMER_SQL = (
    "SELECT NULL, f.id, f.household_id, f.name, f.id_number, f.birth_date FROM former_member f"
    " JOIN household h ON h.id = f.household_id WHERE 1"
)
_REGISTERED = " AND h.is_registered = 1 AND h.removed_on IS NULL"


def build_index(conn: Connection, *, household_ids: Iterable[int] | None = None) -> PersonIndex:
    """Index the people of registered households, or of the given households (an addition).

    Members already 清退 are left out; members who left a registered household are in.
    """
    by_id: dict[str, list[tuple[Person, bool]]] = {}
    by_name_birth: dict[tuple[str, str], list[tuple[Person, bool]]] = {}
    people = 0
    if household_ids is None:
        where = _REGISTERED
    else:
        where = " AND h.id IN ({})".format(",".join(str(int(i)) for i in household_ids) or "NULL")
    for sql in (_MEMBERS_SQL, _FORMER_SQL):
        for member_id, former_id, household_id, name, number, birth in conn.exec_driver_sql(
            sql + where
        ):
            people += 1
            person = Person(member_id, former_id, household_id, name, number)
            has_id = len(number) in (15, 18)
            if has_id:
                key = id_key(number) if len(number) == 15 else number
                by_id.setdefault(key, []).append((person, len(number) == 15))
            if birth:
                by_name_birth.setdefault((name, birth), []).append((person, has_id))
    return PersonIndex(by_id, by_name_birth, people)


def match(index: PersonIndex, rows: Iterable[Row]) -> list[tuple[Row, Person, str]]:
    """Return (row, person, how) for every row that names someone of the index.

    A row with an ID matches by ID; failing that, by name and the ID's birth date, but only
    people registered without an ID (anyone else would have matched by ID). A row without an
    ID matches everyone of that name and birth date.
    """
    by_id, by_name_birth = index.by_id.get, index.by_name_birth.get
    found = []
    for row in rows:
        if row.id_key:
            candidates = by_id(row.id_key)
            if candidates:
                for person, person_old in candidates:
                    how = MATCH_ID15 if (row.old_id or person_old) else MATCH_ID
                    found.append((row, person, how))
                continue
            birth = _birth_of(row.id_key)
            people = by_name_birth((row.name, birth)) if birth else None
            if people:
                found.extend(
                    (row, person, MATCH_NAME_BIRTH) for person, has_id in people if not has_id
                )
        elif row.birth:
            people = by_name_birth((row.name, row.birth))
            if people:
                found.extend((row, person, MATCH_NAME_BIRTH) for person, _has_id in people)
    return found


def _birth_of(key: str) -> str:
    if len(key) != 18 or not key[:14].isdigit():
        return ""
    return f"{key[6:10]}-{key[10:12]}-{key[12:14]}"


_ROWS_SQL = (
    "SELECT id, list_id, id_key, length(id_number) = 15, name, coalesce(birth_date, '')"
    " FROM department_row"
)


def stored_rows(conn: Connection, list_ids: Iterable[int]) -> Iterable[Row]:
    """Read the rows of some department lists as matching needs them."""
    ids = ",".join(str(int(i)) for i in list_ids)
    if not ids:
        return []
    make = Row._make
    return map(make, conn.exec_driver_sql(f"{_ROWS_SQL} WHERE list_id IN ({ids})"))


_HIT_COLUMNS = (
    "list_id", "row_id", "household_id", "member_id", "former_member_id", "member_name",
    "member_id_number", "match_kind", "status", "case_id", "created_at",
)  # fmt: skip


def save_hits(
    conn: Connection, found: list[tuple[Row, Person, str]], *, case_id: int | None = None
) -> int:
    """Write the hits not yet recorded (same row, same person) and return how many are new."""
    if not found:
        return 0
    list_ids = ",".join(str(i) for i in {row.list_id for row, _p, _h in found})
    known = {
        tuple(r)
        for r in conn.exec_driver_sql(
            "SELECT row_id, member_id, former_member_id FROM comparison_hit"
            f" WHERE list_id IN ({list_ids})"
            + ("" if case_id is None else f" AND case_id = {int(case_id)}")
        )
    }
    now = utcnow()
    rows = []
    for row, person, how in found:
        key = (row.row_id, person.member_id, person.former_member_id)
        if key in known:
            continue
        known.add(key)
        rows.append(
            (
                row.list_id, row.row_id, person.household_id, person.member_id,
                person.former_member_id, person.name, person.id_number, how,
                HIT_OPEN, case_id, now,
            )
        )  # fmt: skip
    insert_rows(conn, Hit.__table__, _HIT_COLUMNS, rows)
    return len(rows)


def current_list_ids(conn: Connection) -> list[int]:
    """Return the ids of the department lists in force (not replaced by a newer one)."""
    return [r[0] for r in conn.exec_driver_sql("SELECT id FROM department_list WHERE replaced = 0")]


def run_matching(conn: Connection, list_ids: Iterable[int] | None = None) -> int:
    """Match the lists in force (or the given ones) against the registry; return new hits."""
    ids = current_list_ids(conn) if list_ids is None else list(list_ids)
    if not ids:
        return 0
    found = match(build_index(conn), stored_rows(conn, ids))
    new = save_hits(conn, found)
    conn.exec_driver_sql(
        "UPDATE department_list SET matched_at = ? WHERE id IN ({})".format(
            ",".join(str(int(i)) for i in ids)
        ),
        (utcnow().isoformat(sep=" "),),
    )
    return new
