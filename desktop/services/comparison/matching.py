"""Matching department lists against every member, and every former member, of every household.

A county has 350,000 members and its departments send a million rows, so the match is set and
dict look-ups over plain lists: the index holds only the keys (an 18-digit ID, or a name and a
birth date, each to a person's reference), one pass over a list's ID column finds the rows
whose key is in it, and only the people found are read in full. An 18-digit ID matches its
old 15-digit form (both sides are keyed by the 18-digit form); where a row has no ID, its name
and birth date are the key.

The index of the whole registry is kept on the connection between imports (a county sends
seven lists in a row) for as long as the database is unchanged: `models.database.change_stamp`
says so, and an import, which changes no person and no household, keeps it valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import Connection
from stdnum.cn import ric

from desktop.models.base import utcnow
from desktop.models.comparison import HIT_OPEN, MATCH_ID, MATCH_ID15, MATCH_NAME_BIRTH
from desktop.models.database import change_stamp, driver_connection
from desktop.services.comparison.columns import ListColumns


def id_key(number: str) -> str:
    """Return the 18-digit form an ID is matched by: a 15-digit ID gains 19 and its check digit."""
    if len(number) == 15 and number.isdigit():
        body = number[:6] + "19" + number[6:]
        return body + ric.calc_check_digit(body + "0")
    return number


# A person found is the raw row of _PEOPLE_SQL, kept as it comes from the driver:
# (member id, former member id, household id, name, ID number, birth date).
MEMBER_ID, FORMER_ID, HOUSEHOLD_ID, NAME, ID_NUMBER, BIRTH = range(6)
# Between a name and a birth date in a key: a character no name holds.
_SEP = "\x1f"

# A person's reference in the index: a member's id, or a former member's id negated.
# The SQL is what SQLite and PostgreSQL both read: TRUE for a flag, a birth date cast to text
# (ISO on both), the separator as a literal character.
_MEMBERS = "member m JOIN household h ON h.id = m.household_id WHERE m.removed_on IS NULL"
_FORMER = "former_member m JOIN household h ON h.id = m.household_id WHERE TRUE"
_REGISTERED = " AND h.is_registered = TRUE AND h.removed_on IS NULL"
_BIRTH = "coalesce(CAST({}birth_date AS TEXT), '')"
_IDS_SQL = (
    "SELECT m.id_number, m.id FROM {members}{where} AND length(m.id_number) = 18"
    " UNION ALL SELECT m.id_number, -m.id FROM {former}{where} AND length(m.id_number) = 18"
)
_OTHER_SQL = (  # old 15-digit IDs and people without a usable ID: few
    "SELECT m.id, m.id_number, m.name, " + _BIRTH.format("m.") + " FROM {members}{where}"
    " AND length(m.id_number) <> 18 UNION ALL SELECT -m.id, m.id_number, m.name, "
    + _BIRTH.format("m.")
    + " FROM {former}{where} AND length(m.id_number) <> 18"
)
_NAME_KEY = "m.name || '" + _SEP + "' || " + _BIRTH.format("m.")
_NAME_BIRTH_SQL = (
    f"SELECT {_NAME_KEY}, m.id FROM {{members}}{{where}} AND m.birth_date IS NOT NULL"
    f" UNION ALL SELECT {_NAME_KEY}, -m.id FROM {{former}}{{where}} AND m.birth_date IS NOT NULL"
)
_PEOPLE_SQL = (
    "SELECT id, NULL, household_id, name, id_number, " + _BIRTH.format("") + " FROM member"
    " WHERE id IN ({})"
)
_FORMER_PEOPLE_SQL = (
    "SELECT NULL, id, household_id, name, id_number, " + _BIRTH.format("") + " FROM former_member"
    " WHERE id IN ({})"
)
_CHUNK = 500  # ids in one IN (…): well below every SQLite's limit of bound values
_CACHE = "comparison.registry_index"


def _raw(conn: Connection):
    # The driver's own connection (and transaction): SQLAlchemy's result rows cost more than
    # the query for a county's 350,000 members.
    return driver_connection(conn)


def _keyed(pairs: list[tuple[str, int]]) -> dict[str, int | list[int]]:
    """Return key → reference, or → every reference of a key that several people share."""
    index: dict[str, int | list[int]] = dict(pairs)
    if len(index) != len(pairs):  # a key twice: one person in two households, or namesakes
        # dict() kept the last reference of each key: the others point at the shared keys.
        shared = {k for k, r in pairs if index[k] != r}
        for key in shared:
            index[key] = []
        for key, ref in pairs:
            if key in shared:
                index[key].append(ref)
    return index


class PersonIndex:
    """Everyone of the registry (or of some households), keyed for matching."""

    def __init__(self, conn: Connection, where: str) -> None:
        raw = _raw(conn)
        self._sql = {"members": _MEMBERS, "former": _FORMER, "where": where}
        pairs = raw.execute(_IDS_SQL.format(**self._sql)).fetchall()
        self.old_ids: set[int] = set()  # people registered with a 15-digit ID
        self.no_id: dict[str, list[int]] = {}  # name and birth → people without a usable ID
        for ref, number, name, birth in raw.execute(_OTHER_SQL.format(**self._sql)):
            if len(number) == 15:
                pairs.append((id_key(number), ref))
                self.old_ids.add(ref)
            elif birth:
                self.no_id.setdefault(name + _SEP + birth, []).append(ref)
        self.by_id = _keyed(pairs)
        self._by_name_birth: dict[str, int | list[int]] | None = None

    def by_name_birth(self, conn: Connection) -> dict[str, int | list[int]]:
        """Return name and birth → everyone with a known birth date; read when first needed."""
        if self._by_name_birth is None:
            sql = _NAME_BIRTH_SQL.format(**self._sql)
            self._by_name_birth = _keyed(_raw(conn).execute(sql).fetchall())
        return self._by_name_birth

    def __len__(self) -> int:
        return sum(len(v) if type(v) is list else 1 for v in self.by_id.values()) + sum(
            len(v) for v in self.no_id.values()
        )


def build_index(conn: Connection, *, household_ids: Iterable[int] | None = None) -> PersonIndex:
    """Index the people of registered households, or of the given households (an addition).

    Members already 清退 are left out; members who left a registered household are in.
    """
    if household_ids is None:
        return PersonIndex(conn, _REGISTERED)
    ids = ",".join(str(int(i)) for i in household_ids) or "NULL"
    return PersonIndex(conn, f" AND h.id IN ({ids})")


def registry_index(conn: Connection, stamp: tuple | None = None) -> PersonIndex:
    """Return the index of every registered household, kept while the database is unchanged.

    `stamp`: the database's change stamp when the transaction began, if it has written since
    (what it wrote changed no person).
    """
    stamp = change_stamp(conn) if stamp is None else stamp
    cached = conn.connection.info.get(_CACHE)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    index = build_index(conn)
    if stamp is not None:
        conn.connection.info[_CACHE] = (stamp, index)
    return index


def keep_index(conn: Connection, index: PersonIndex, since: tuple | None) -> None:
    """Say that the index still holds: the transaction since `since` changed nobody.

    Called by an import at the end of its transaction, all written: its own rows changed the
    stamp, so the index is remembered under the new one, unless another connection wrote in
    the meantime.
    """
    now = change_stamp(conn)
    if since is not None and now is not None and now[0] == since[0]:
        conn.connection.info[_CACHE] = (now, index)
    else:
        conn.connection.info.pop(_CACHE, None)


def _refs(known) -> tuple | list:
    return known if type(known) is list else (known,)


def match(
    conn: Connection, index: PersonIndex, columns: ListColumns
) -> list[tuple[int, tuple, str]]:
    """Return (row index, person, how) for every row of a list that names someone.

    A row with an ID matches by ID; failing that, by name and the ID's birth date, but only
    people registered without an ID (anyone else would have matched by ID). A row without an
    ID matches everyone of that name and birth date.
    """
    by_id, old_ids = index.by_id, index.old_ids
    keys, names, numbers = columns.id_keys, columns.names, columns.id_numbers
    found: list[tuple[int, int, str]] = []
    for i in [i for i, k in enumerate(keys) if k in by_id]:
        old_row = len(numbers[i]) == 15
        for ref in _refs(by_id[keys[i]]):
            found.append((i, ref, MATCH_ID15 if old_row or ref in old_ids else MATCH_ID))
    if index.no_id:
        names_without_id = {key.split(_SEP)[0] for key in index.no_id}
        for i in [i for i, n in enumerate(names) if n in names_without_id]:
            key = keys[i]
            if not key or key in by_id:
                continue
            birth = _birth_of(key)
            for ref in index.no_id.get(names[i] + _SEP + birth, ()) if birth else ():
                found.append((i, ref, MATCH_NAME_BIRTH))
    without = [i for i, k in enumerate(keys) if not k]
    if without:
        by_name_birth, births = index.by_name_birth(conn), columns.births
        for i in without:
            known = by_name_birth.get(names[i] + _SEP + births[i]) if births[i] else None
            for ref in _refs(known) if known is not None else ():
                found.append((i, ref, MATCH_NAME_BIRTH))
    people = _people(conn, {ref for _i, ref, _how in found})
    return [(i, people[ref], how) for i, ref, how in found]


def _people(conn: Connection, refs: set[int]) -> dict[int, tuple]:
    """Return reference → the person's row, for the people a list named."""
    raw, people = _raw(conn), {}
    for sql, ids, sign in (
        (_PEOPLE_SQL, sorted(r for r in refs if r > 0), 1),
        (_FORMER_PEOPLE_SQL, sorted(-r for r in refs if r < 0), -1),
    ):
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for row in raw.execute(sql.format(",".join(map(str, chunk)))):
                people[sign * (row[MEMBER_ID] if sign > 0 else row[FORMER_ID])] = row
    return people


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
    sql = "SELECT id FROM department_list WHERE replaced = FALSE"
    return [r[0] for r in _raw(conn).execute(sql)]


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
    index = registry_index(conn)
    new = sum(record_hits(conn, cols, match(conn, index, cols)) for cols in load_lists(conn, ids))
    now = utcnow().isoformat(sep=" ")
    _raw(conn).executemany(
        "UPDATE department_list SET matched_at = ? WHERE id = ?", [(now, i) for i in ids]
    )
    return new
