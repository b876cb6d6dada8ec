"""A user's township grant (乡镇授权): one rule for every read and every write of a database.

On a county server a clerk works on the townships the county gave them; a user with no grant
(every user of a township's own PC, every administrator) works on all of them.

- Reads: `attach` puts one `before_execute` hook on the engine. Every SELECT that reaches the
  engine, through a session or a Core connection, gets `with_loader_criteria` for each place-
  bound model in `_criteria` (households, villages, forms, problems, comparison and inspection
  records …), so lists, searches, the tree, summaries and exports show only granted townships.
  Loads by identity (`Session.get`, refreshes, lazy loads) are left alone: an id comes from a
  list that was narrowed already, and a write to it is refused by the guard below, naming the
  township, instead of seeming not to exist. Plain-SQL readers (`fetch_tuples`) narrow their
  rows with `visible_ids`.
- Writes: `install` puts a `before_flush` guard on a session factory. A new, changed or deleted
  record that carries a township, a village or a household (before or after the change) in a
  township outside the grant raises PermissionDeniedError with the township's name.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, Engine, and_, event, inspect, or_, select
from sqlalchemy.orm import Session, sessionmaker, with_loader_criteria
from sqlalchemy.sql import Select

from desktop.errors import PermissionDeniedError
from desktop.models.campaign import FormRecord
from desktop.models.comparison import Case, Hit
from desktop.models.inspection import InspectionSampleEntry
from desktop.models.problem import Problem
from desktop.models.registry import Group, Household, Member, Township, Village
from desktop.models.safety import AuditEntry

# An execution option: this query looks a record's place up for the guard, never narrowed.
ALL_TOWNSHIPS = "all_townships"
# What the ORM passes when it loads by identity (Session.get, a refresh, a lazy load).
_IDENTITY_LOAD = "_sa_orm_load_options"
# The columns that put a record in a township, nearest first.
PLACE_COLUMNS = ("township_id", "village_id", "household_id")

_grants: weakref.WeakKeyDictionary[Engine, Callable[[], frozenset[int]]] = (
    weakref.WeakKeyDictionary()
)


def attach(engine: Engine, grant: Callable[[], frozenset[int]]) -> None:
    """Narrow every read on this engine to the townships `grant()` returns (empty: all)."""
    if engine not in _grants:
        event.listen(engine, "before_execute", _narrow, retval=True)
    _grants[engine] = grant


def granted(engine: Engine | Connection | None) -> frozenset[int]:
    """Return the township ids the acting user may work on; empty: every township."""
    if isinstance(engine, Connection):
        engine = engine.engine
    grant = _grants.get(engine) if engine is not None else None
    return grant() if grant is not None else frozenset()


def _criteria(ids: frozenset[int]) -> tuple:
    """The whole rule: which rows of each place-bound model a grant of `ids` shows."""
    villages = select(Village.id).where(Village.township_id.in_(ids))
    households = select(Household.id).where(Household.village_id.in_(villages))

    def of_household(column):
        return or_(column.is_(None), column.in_(households))

    rules = {
        Township: Township.id.in_(ids),
        Village: Village.township_id.in_(ids),
        Group: Group.village_id.in_(villages),
        Household: Household.village_id.in_(villages),
        Member: Member.household_id.in_(households),
        FormRecord: or_(
            FormRecord.household_id.in_(households),
            FormRecord.village_id.in_(villages),
            FormRecord.township_id.in_(ids),
        ),
        # A unit's problem (no village, no household) belongs to no township: every one sees it.
        Problem: or_(
            Problem.village_id.in_(villages),
            and_(Problem.village_id.is_(None), of_household(Problem.household_id)),
        ),
        Hit: of_household(Hit.household_id),
        Case: of_household(Case.household_id),
        InspectionSampleEntry: or_(
            InspectionSampleEntry.township_id.is_(None),
            InspectionSampleEntry.township_id.in_(ids),
        ),
    }
    return tuple(
        with_loader_criteria(model, rule, include_aliases=True) for model, rule in rules.items()
    )


def narrowed(stmt: Select, ids: frozenset[int]) -> Select:
    """Return a select narrowed to the townships `ids` (empty: unchanged)."""
    return stmt.options(*_criteria(ids)) if ids else stmt


def _narrow(conn, clauseelement, multiparams, params, execution_options):
    if (
        isinstance(clauseelement, Select)
        and not execution_options.get(ALL_TOWNSHIPS)
        and _IDENTITY_LOAD not in execution_options
        and not conn.get_execution_options().get(ALL_TOWNSHIPS)
    ):
        ids = granted(conn.engine)
        if ids:
            clauseelement = narrowed(clauseelement, ids)
    return clauseelement, multiparams, params


def visible_ids(conn: Connection, model) -> set[int] | None:
    """Return the ids of `model` the grant shows (None: every row), for plain-SQL readers."""
    if not granted(conn):
        return None
    return set(conn.execute(select(model.id)).scalars())


def install(sessions: sessionmaker) -> None:
    """Refuse, at every flush of the factory's sessions, a write outside the user's grant."""
    event.listen(sessions, "before_flush", _guard)


def _places(obj) -> Iterable[tuple[str, int]]:
    """Yield (place column, id) of a record as it is now and as it was before the change."""
    state = inspect(obj)
    if isinstance(obj, Township):
        yield "township_id", obj.id
        return
    for key in PLACE_COLUMNS:
        if key not in state.mapper.column_attrs:
            continue
        history = state.attrs[key].history
        for value in (*history.added, *history.unchanged, *history.deleted):
            if value is not None:
                yield key, value


def _guard(session: Session, _flush_context, _instances) -> None:
    ids = granted(session.get_bind())
    if not ids:
        return
    places: dict[str, set[int]] = {key: set() for key in PLACE_COLUMNS}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            continue
        if isinstance(obj, Township) and obj.id is None:
            raise PermissionDeniedError("您只获授权部分乡镇，不能新建乡镇；请联系县管理员")
        for key, value in _places(obj):
            places[key].add(value)
    if not any(places.values()):
        return
    with session.no_autoflush:
        townships = _townships_of(session, places)
        outside = townships - ids
        if outside:
            raise PermissionDeniedError(
                f"“{_names(session, outside)}”不在您的授权乡镇内"
                f"（您可以修改：{_names(session, ids)}），不能保存或删除该乡镇的记录"
            )


def _names(session: Session, township_ids) -> str:
    """The townships' names, joined with 、, read past the grant (they are named to refuse)."""
    names = session.scalars(
        select(Township.name)
        .where(Township.id.in_(township_ids))
        .order_by(Township.id)
        .execution_options(**{ALL_TOWNSHIPS: True})
    )
    return "、".join(names)


def _townships_of(session: Session, places: dict[str, set[int]]) -> set[int]:
    """Return the townships of the given townships, villages and households."""
    found = set(places["township_id"])
    everything = {ALL_TOWNSHIPS: True}
    if places["household_id"]:
        rows = session.execute(
            select(Household.village_id)
            .where(Household.id.in_(places["household_id"]))
            .execution_options(**everything)
        ).scalars()
        places["village_id"] |= set(rows)
    if places["village_id"]:
        rows = session.execute(
            select(Village.township_id)
            .where(Village.id.in_(places["village_id"]))
            .execution_options(**everything)
        ).scalars()
        found |= set(rows)
    return found
