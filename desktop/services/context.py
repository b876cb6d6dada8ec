"""AppServices: the one object a window holds to reach every service of an open database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from desktop.services.actor import Actor, CurrentUser
from desktop.services.problems.service import ProblemService
from desktop.services.registry.service import RegistryService

if TYPE_CHECKING:
    from desktop.services.forms.service import FormService
    from desktop.services.safety.audit import AuditService
    from desktop.services.safety.auth import AuthService


@dataclass
class AppServices:
    """Services of one open database; views receive this, never a session or an engine."""

    engine: Engine
    db_path: Path | None = None
    user: CurrentUser = field(default_factory=CurrentUser)

    def __post_init__(self) -> None:
        # Every change through this database is logged under the signed-in user; importing
        # form_lock installs the guard that keeps signed forms unchanged.
        from desktop.services.safety import audit as audit_service
        from desktop.services.safety import form_lock  # noqa: F401

        audit_service.attach(self.engine, lambda: Actor(self.user.name))

    @cached_property
    def auth(self) -> AuthService:
        """Users, sign-in, roles and permissions."""
        from desktop.services.safety.auth import AuthService

        return AuthService(self.engine)

    @cached_property
    def audit(self) -> AuditService:
        """The audit trail: a record's history, the log's export, explicit entries."""
        from desktop.services.safety.audit import AuditService

        return AuditService(self.engine, lambda: self.user)

    @cached_property
    def registry(self) -> RegistryService:
        """Villages, households and members."""
        return RegistryService(self.engine)

    @cached_property
    def forms(self) -> FormService:
        """Paper forms (核查表, 采集表): open, compute, check, save, sign, print data."""
        from desktop.services.forms.service import FormService

        return FormService(self.engine, self.registry)

    @cached_property
    def problems(self) -> ProblemService:
        """Problems (整改): catalogue, ledger, timeline, extensions, evidence, 整改率."""
        from desktop.paths import data_dir

        return ProblemService(self.engine, data_dir())
