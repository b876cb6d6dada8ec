"""Installing the audit trail and the signed-form guard on a session factory, explicitly.

`desktop.services.unit_of_work.Database` calls `install` on the factory it builds; nothing is
attached to SQLAlchemy's global `Session` class, so importing a module changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from desktop.services.actor import Actor
from desktop.services.forms import standard_watch
from desktop.services.questionnaires import review_lock
from desktop.services.safety import audit, form_lock, township_scope


def install(sessions: sessionmaker, actor: Callable[[], Actor]) -> None:
    """Log every change made through the factory's sessions, guard signed forms and grants."""
    form_lock.install(sessions)
    # A clerk granted some townships writes only records of those (township_scope.attach
    # narrows the reads).
    township_scope.install(sessions)
    # A questionnaire under review or passed is read-only, whoever tries to change it.
    review_lock.install(sessions)
    audit.install(sessions, actor)
    # A campaign's standard changed under completed or signed forms: each form says so.
    standard_watch.install(sessions, actor)


def engine_actor(engine: Engine) -> Actor:
    """Return who acts on an engine when nobody is named: its attached user, else 系统."""
    return audit.current_actor(engine)
