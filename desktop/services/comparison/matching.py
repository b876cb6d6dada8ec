"""Matching department lists against every member, and every former member, of every household.

A county has 350,000 members and its departments send a million rows, so the match is set and
dict look-ups over plain lists: one pass over the people builds the index, one pass over a
list's ID column finds the rows whose key is in it. An 18-digit ID matches its old 15-digit
form (both sides are keyed by the 18-digit form); where a row has no ID, its name and birth
date are the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection
from stdnum.cn import ric

from desktop.models.base import utcnow
from desktop.models.comparison import HIT_OPEN, MATCH_ID, MATCH_ID15, MATCH_NAME_BIRTH
from desktop.services.comparison.columns import ListColumns


def id_key(number: str) -> str:
    """Return the 18-digit form an ID is matched by: a 15-digit ID gains 19 and its check digit."""
    if len(number) == 15 and number.isdigit():
        body = number[:6] + "19" + number[6:]
        return body + ric.calc_check_digit(body + "0")
    return number


# A person is the raw row of the queries below, kept as it comes from the driver:
# (member id, former member id, household id, name, ID number, birth date).
MEMBER_ID, FORMER_ID, HOUSEHOLD_ID, NAME, ID_NUMBER, BIRTH = range(6)


@dataclass
class PersonIndex:
    """Everyone of the registry (or of some households), keyed for matching."""

    by_id: dict[str, tuple | list[tuple]]  # 18-digit key → person, or several people
    no_id: dict[tuple[str, str], list[tuple]]  # (name, birth) → people registered without ID
    people: list[tuple]
    _by_name_birth: dict[tuple[str, str], list[tuple]] | None = None

    @property
    def by_name_birth(self) -> dict[tuple[str, str], list[tuple]]:
        """(name, birth) → everyone with a known birth date; built when first needed."""
        if self._by_name_birth is None:
            index: dict[tuple[str, str], list[tuple]] = {}
            for p in self.people:
                if p[BIRTH]:
                    index.setdefault((p[NAME], p[BIRTH]), []).append(p)
            self._by_name_birth = index
        return self._by_name_birth


_MEMBERS_SQL = (
    "SELECT m.id, NULL, m.household_id, m.name, m.id_number, coalesce(m.birth_date, '')"
    " FROM member m JOIN household h ON h.id = m.household_id WHERE m.removed_on IS NULL"
)
_FORMER_SQL = (
    "SELECT NULL, f.id, f.household_id, f.name, f.id_number, coalesce(f.birth_date, '')"
    " FROM former_member f JOIN household h ON h.id = f.household_id WHERE 1"
)
_REGISTERED = " AND h.is_registered = 1 AND h.removed_on IS NULL"


def _raw(conn: Connection):
    # The driver's own cursor on the same connection (and transaction): SQLAlchemy's result
    # rows cost more than the query for a county's 350,000 members.
    return conn.connection.driver_connection


def build_index(conn: Connection, *, household_ids: Iterable[int] | None = None) -> PersonIndex:
    """Index the people of registered households, or of the given households (an addition).

    Members already 清退 are left out; members who left a registered household are in.
    """
    if household_ids is None:
        where = _REGISTERED
    else:
        where = " AND h.id IN ({})".format(",".join(str(int(i)) for i in household_ids) or "NULL")
    raw = _raw(conn)
    people = raw.execute(_MEMBERS_SQL + where).fetchall()
    people += raw.execute(_FORMER_SQL + where).fetchall()
    by_id: dict[str, tuple | list[tuple]] = {}
    no_id: dict[tuple[str, str], list[tuple]] = {}
    get = by_id.get
    for person in people:
        key = person[ID_NUMBER]
        if len(key) != 18:
            if len(key) == 15:
                key = id_key(key)
            else:
                if person[BIRTH]:
                    no_id.setdefault((person[NAME], person[BIRTH]), []).append(person)
                continue
        known = get(key)
        if known is None:
            by_id[key] = person
        elif type(known) is list:
            known.append(person)
        else:
            by_id[key] = [known, person]
    return PersonIndex(by_id, no_id, people)


def match(index: PersonIndex, columns: ListColumns) -> list[tuple[int, tuple, str]]:
    """Return (row index, person, how) for every row of a list that names someone.

    A row with an ID matches by ID; failing that, by name and the ID's birth date, but only
    people registered without an ID (anyone else would have matched by ID). A row without an
    ID matches everyone of that name and birth date.
    """
    by_id = index.by_id
    keys, names, numbers = columns.id_keys, columns.names, columns.id_numbers
    found: list[tuple[int, tuple, str]] = []
    for i in [i for i, k in enumerate(keys) if k in by_id]:
        known = by_id[keys[i]]
        old_row = len(numbers[i]) == 15
        for person in known if type(known) is list else (known,):
            old = old_row or len(person[ID_NUMBER]) == 15
            found.append((i, person, MATCH_ID15 if old else MATCH_ID))
    if index.no_id:
        names_without_id = {name for name, _birth in index.no_id}
        for i in [i for i, n in enumerate(names) if n in names_without_id]:
            key = keys[i]
            if not key or key in by_id:
                continue
            birth = _birth_of(key)
            for person in index.no_id.get((names[i], birth), ()) if birth else ():
                found.append((i, person, MATCH_NAME_BIRTH))
    without = [i for i, k in enumerate(keys) if not k]
    if without:
        by_name_birth, births = index.by_name_birth, columns.births
        for i in without:
            for person in by_name_birth.get((names[i], births[i]), ()) if births[i] else ():
                found.append((i, person, MATCH_NAME_BIRTH))
    return found


def _birth_of(key: str) -> str:
    if len(key) != 18 or not key[:14].isdigit():
        return ""
    return f"{key[6:10]}-{key[10:12]}-{key[12:14]}"


def load_lists(conn: Connection, list_ids: Iterable[int]) -> Iterator[ListColumns]:
    """Read stored lists back, column by column."""
    raw = _raw(conn)
    for list_id in list_ids:
        blob = raw.execute("SELECT data FROM department_list WHERE id = ?", (list_id,)).fetchone()
        if blob and blob[0]:
            yield ListColumns.decode(list_id, blob[0])


def current_list_ids(conn: Connection) -> list[int]:
    """Return the ids of the department lists in force (not replaced by a newer one)."""
    return [r[0] for r in _raw(conn).execute("SELECT id FROM department_list WHERE replaced = 0")]


_ROW_SQL = (
    "INSERT INTO department_row (list_id, row_number, id_number, id_key, name, birth_date,"
    " detail) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_HIT_SQL = (
    "INSERT INTO comparison_hit (list_id, row_id, household_id, member_id, former_member_id,"
    " member_name, member_id_number, match_kind, status, case_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def record_hits(
    conn: Connection,
    columns: ListColumns,
    found: list[tuple[int, tuple, str]],
    *,
    case_id: int | None = None,
) -> int:
    """Write the rows that named someone and the hits not yet recorded; return the new hits.

    A hit is new unless the same row already named the same person (in the same case, for
    the comparison of a proposed addition).
    """
    if not found:
        return 0
    raw = _raw(conn)
    list_id = columns.list_id
    stored = dict(
        raw.execute(
            "SELECT row_number, id FROM department_row WHERE list_id = ?", (list_id,)
        ).fetchall()
    )
    missing = sorted({i for i, _p, _h in found if columns.row_numbers[i] not in stored})
    if missing:
        raw.executemany(
            _ROW_SQL,
            [
                (
                    list_id, columns.row_numbers[i], columns.id_numbers[i], columns.id_keys[i],
                    columns.names[i], columns.births[i] or None, columns.detail_of(i),
                )
                for i in missing
            ],
        )  # fmt: skip
        stored = dict(
            raw.execute(
                "SELECT row_number, id FROM department_row WHERE list_id = ?", (list_id,)
            ).fetchall()
        )
    sql = "SELECT row_id, member_id, former_member_id FROM comparison_hit WHERE list_id = ?"
    params: tuple = (list_id,)
    if case_id is not None:
        sql += " AND case_id = ?"
        params += (case_id,)
    known = set(raw.execute(sql, params).fetchall())
    now = utcnow().isoformat(sep=" ")
    rows = []
    for i, person, how in found:
        row_id = stored[columns.row_numbers[i]]
        key = (row_id, person[MEMBER_ID], person[FORMER_ID])
        if key in known:
            continue
        known.add(key)
        rows.append(
            (
                list_id, row_id, person[HOUSEHOLD_ID], person[MEMBER_ID], person[FORMER_ID],
                person[NAME], person[ID_NUMBER], how, HIT_OPEN, case_id, now,
            )
        )  # fmt: skip
    raw.executemany(_HIT_SQL, rows)
    return len(rows)


def run_matching(conn: Connection, list_ids: Iterable[int] | None = None) -> int:
    """Match the lists in force (or the given ones) against the registry; return new hits."""
    ids = current_list_ids(conn) if list_ids is None else list(list_ids)
    if not ids:
        return 0
    index = build_index(conn)
    new = sum(record_hits(conn, cols, match(index, cols)) for cols in load_lists(conn, ids))
    now = utcnow().isoformat(sep=" ")
    _raw(conn).executemany(
        "UPDATE department_list SET matched_at = ? WHERE id = ?", [(now, i) for i in ids]
    )
    return new
