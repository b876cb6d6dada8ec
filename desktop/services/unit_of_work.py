"""One open database as the services see it: sessions, with the audit trail and the signed-form
guard installed, and one unit of work that several services share.

Every service receives a `Database` (never a bare engine) and opens its sessions through it:

    with self.db.session() as s:          # reading
        ...
    with self.db.unit_of_work() as s:     # changing: one transaction
        ...

A caller that needs several services' changes to commit or roll back together opens a unit of
work around them; every `session()` and `unit_of_work()` inside it, of any service built on the
same `Database`, joins it instead of starting its own transaction:

    with services.db.unit_of_work():
        verdict = services.comparison.record_verdict(...)
        services.problems.create(data, user.name)    # the problem the verdict raises
    # committed here together, with their audit entries; an exception rolls back all of it.

The listeners live on this object's session factory, installed by its constructor: a session
made any other way (`Session(engine)`) is neither audited nor guarded, so the code in desktop/
makes none (tests/test_layers.py checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from desktop.errors import ConnectionLostError
from desktop.models.database import lost_connection
from desktop.services.actor import Actor

_Row = TypeVar("_Row")


class Database:
    """The services' access to one open database: its sessions and its units of work."""

    def __init__(self, engine: Engine, actor: Callable[[], Actor] | None = None) -> None:
        """Build the session factory for an engine and install the safety listeners on it.

        `actor` says who makes the changes (the signed-in user, the OS user of a command);
        without one, the actor attached to the engine (or 系统) is used.
        """
        from desktop.services.safety import listeners

        self.engine = engine
        self._sessions = sessionmaker(engine)
        self.actor = actor or (lambda: listeners.engine_actor(engine))
        listeners.install(self._sessions, self.actor)
        self._active: ContextVar[Session | None] = ContextVar("unit_of_work", default=None)

    @property
    def in_unit_of_work(self) -> bool:
        """True inside a unit of work of this database (in this thread or task)."""
        return self._active.get() is not None

    @contextmanager
    def session(self, *, expire_on_commit: bool = True) -> Iterator[Session]:
        """Return a session for reading: the open unit of work's, or a new short one."""
        active = self._active.get()
        if active is not None:
            yield active
            return
        with self._told_lost(), self._sessions(expire_on_commit=expire_on_commit) as s:
            yield s

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Run the block as one transaction, or as part of the one already open.

        The outermost unit commits when its block ends and rolls back when an exception leaves
        it; an inner one only lends the outer session. Audit entries are written on the same
        connection, so they commit and roll back with the change they describe.
        """
        active = self._active.get()
        if active is not None:
            yield active
            return
        with self._told_lost(), self._sessions() as s, s.begin():
            token = self._active.set(s)
            try:
                yield s
            finally:
                self._active.reset(token)

    @contextmanager
    def _told_lost(self) -> Iterator[None]:
        """Turn a server connection lost mid-session into ConnectionLostError (in Chinese).

        Raised by the outermost unit only, after its rollback: nothing of it was written.
        """
        try:
            yield
        except DBAPIError as exc:
            if lost_connection(self.engine, exc):
                raise ConnectionLostError() from exc
            raise

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """Return a Core connection for reading: the open unit of work's, or a new one.

        The engine holds one connection; a second one inside a unit of work would wait for it.
        """
        active = self._active.get()
        if active is not None:
            yield active.connection()
            return
        with self._told_lost(), self.engine.connect() as conn:
            yield conn


def get_or_raise(
    s: Session, model: type[_Row], ident: object, error: Exception, *, lock: bool = False
) -> _Row:
    """Return the `model` row with this primary key; raise `error` (the Chinese message of
    what no longer exists) when there is none. `lock`: held until the commit (FOR UPDATE)."""
    found = s.get(model, ident, with_for_update=lock or None)
    if found is None:
        raise error
    return found
