"""Members who leave a household are kept as former members, so comparison still finds them.

Seed 000 compares the department lists against every person registered since the start, not
only those in the household today: a son who moved out and bought a car still counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from desktop.models.bulk import insert_many
from desktop.models.comparison import FormerMember
from desktop.models.registry import Member

REASON_EDITED = "在户信息中移除"
REASON_REIMPORTED = "重新导入花名册时不在户内"
REASON_HOUSEHOLD_DELETED = "整户删除"


def _key(id_number: str, name: str) -> tuple[str, str]:
    return (id_number, "") if id_number else ("", name)


def former_values(member, household_code: str, reason: str, who: str) -> dict:
    """Return the former_member row of a member (ORM object or row) who left today."""
    return {
        "household_id": member.household_id,
        "household_code": household_code,
        "name": member.name,
        "sex": member.sex or "",
        "id_number": member.id_number or "",
        "birth_date": member.birth_date,
        "relation": member.relation or "",
        "left_on": date.today(),
        "reason": reason,
        "recorded_by": who,
    }


def record_replaced_members(
    conn: Connection,
    household_codes: dict[int, str],
    new_members: Iterable[tuple[int, str, str]],
    who: str,
) -> int:
    """Keep the members of re-written households who are not among their new members.

    `household_codes` maps each re-written household's id to its 户编号; `new_members` gives
    (household id, ID number, name) of every member written. Called before the old members
    are deleted; returns how many were kept.
    """
    if not household_codes:
        return 0
    staying = {(h, *_key(i, n)) for h, i, n in new_members if h in household_codes}
    ids = list(household_codes)
    rows = []
    for start in range(0, len(ids), 500):
        for m in conn.execute(
            select(
                Member.household_id,
                Member.name,
                Member.sex,
                Member.id_number,
                Member.birth_date,
                Member.relation,
            ).where(Member.household_id.in_(ids[start : start + 500]))
        ):
            if (m.household_id, *_key(m.id_number, m.name)) not in staying:
                rows.append(
                    former_values(m, household_codes[m.household_id], REASON_REIMPORTED, who)
                )
    if rows:
        insert_many(conn, FormerMember.__table__, rows)
    return len(rows)


def keep_departed(
    session: Session, members: Iterable[Member], reason: str, who: str, *, detach: bool = False
) -> None:
    """Keep ORM members about to be deleted as former members, in the session's transaction.

    Written with Core, not as ORM objects: the member's deletion is what the audit trail
    records; this copy is bookkeeping derived from it. `detach` is for a household that is
    deleted as a whole (its id will not exist).
    """
    rows = []
    for member in members:
        household = member.household
        values = former_values(member, household.code if household is not None else "", reason, who)
        if detach:
            values["household_id"] = None
        rows.append(values)
    if rows:
        session.connection().execute(insert(FormerMember.__table__), rows)
