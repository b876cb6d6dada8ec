"""AppServices: the one object a window or a command holds to reach every service of a database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from desktop.services.actor import Actor, CurrentUser
from desktop.services.unit_of_work import Database

if TYPE_CHECKING:
    from desktop.services.comparison.cases import CaseService
    from desktop.services.comparison.service import ComparisonService
    from desktop.services.exchange.service import ExchangeService
    from desktop.services.forms.service import FormService
    from desktop.services.inspections.service import InspectionService
    from desktop.services.problems.service import ProblemService
    from desktop.services.questionnaires.double_entry import DoubleEntryService
    from desktop.services.questionnaires.teams import TeamService
    from desktop.services.registry.service import RegistryService
    from desktop.services.roster.service import RosterService
    from desktop.services.safety.audit import AuditService
    from desktop.services.safety.audit_view import AuditViewService
    from desktop.services.safety.auth import AuthService
    from desktop.services.safety.maintenance import BackupService
    from desktop.services.standards.service import StandardsService


@dataclass
class AppServices:
    """Services of one open database; views receive this, never a session or an engine.

    Building it builds the database's session factory with the audit trail and the signed-form
    guard installed (see `unit_of_work.Database`); every service shares that one factory, so a
    unit of work (`services.db.unit_of_work()`) spans any of them.
    `actor` says under whose name changes are logged: by default the signed-in user (changes
    from the window); the command line passes the operating-system user.
    """

    engine: Engine
    db_path: Path | None = None
    user: CurrentUser = field(default_factory=CurrentUser)
    actor: Callable[[], Actor] | None = None
    # The county's server this window works on (its address without password), else None.
    server_address: str | None = None

    def __post_init__(self) -> None:
        from desktop.services.safety import audit as audit_service
        from desktop.services.safety import township_scope

        actor = self.actor or (lambda: Actor(self.user.name))
        # Core bulk writes (the roster import, the demo) take the actor from the engine.
        audit_service.attach(self.engine, actor)
        # Every read on the engine shows only the signed-in user's townships (empty: all).
        township_scope.attach(self.engine, lambda: self.user.townships)
        self.db = Database(self.engine, actor)

    @cached_property
    def auth(self) -> AuthService:
        """Users, sign-in, roles and permissions."""
        from desktop.services.safety.auth import AuthService

        return AuthService(self.db)

    @cached_property
    def audit(self) -> AuditService:
        """The audit trail: a record's history, the log's export, explicit entries."""
        from desktop.services.safety.audit import AuditService

        return AuditService(self.db, lambda: self.user)

    @cached_property
    def backups(self) -> BackupService:
        """Backing up the open database to a folder and restoring it from a file (logged)."""
        from desktop.services.safety.maintenance import BackupService

        return BackupService(self.db, self.db_path, self.audit)

    @cached_property
    def audit_view(self) -> AuditViewService:
        """The audit log as the window shows and exports it: filtered, labelled in Chinese."""
        from desktop.services.safety.audit_view import AuditViewService

        return AuditViewService(self.db, self.audit)

    @cached_property
    def registry(self) -> RegistryService:
        """Villages, households and members."""
        from desktop.services.registry.service import RegistryService

        return RegistryService(self.db)

    @cached_property
    def roster(self) -> RosterService:
        """The household roster as Excel: import and export."""
        from desktop.services.roster.service import RosterService

        return RosterService(self.db)

    @cached_property
    def forms(self) -> FormService:
        """Paper forms (核查表, 采集表): open, compute, check, save, sign, print data."""
        from desktop.services.forms.service import FormService

        return FormService(self.db, self.registry)

    @cached_property
    def problems(self) -> ProblemService:
        """Problems (整改): catalogue, ledger, timeline, extensions, evidence, 整改率."""
        from desktop.paths import data_dir
        from desktop.services.problems.service import ProblemService

        return ProblemService(self.db, data_dir())

    @cached_property
    def inspections(self) -> InspectionService:
        """督查 rounds: groups, samples, findings, the 整改函 clock, 整改率, the archive."""
        from desktop.services.inspections.service import InspectionService

        return InspectionService(self.db, self.problems)

    def unit_of_work(self):
        """Return a unit of work over every service: see `Database.unit_of_work`."""
        return self.db.unit_of_work()

    @cached_property
    def standards(self) -> StandardsService:
        """Standards of the campaigns, indicator values, their evaluation (seed 001 tables)."""
        from desktop.services.standards.service import StandardsService

        return StandardsService(self.db)

    @cached_property
    def comparison(self) -> ComparisonService:
        """Department lists, matching and hits (疑点)."""
        from desktop.services.comparison.service import ComparisonService

        return ComparisonService(self.db)

    @cached_property
    def cases(self) -> CaseService:
        """清退 and 新增 cases and their three-level decision."""
        from desktop.paths import data_dir
        from desktop.services.comparison.cases import CaseService

        return CaseService(self.db, data_dir())

    @cached_property
    def exchange(self) -> ExchangeService:
        """Exchange packages between offline PCs (a township and its county)."""
        from desktop.paths import data_dir
        from desktop.services.exchange.service import ExchangeService

        return ExchangeService(self.db, data_dir(), lambda: self.user)

    @cached_property
    def teams(self) -> TeamService:
        """排查组, 排查小组, assignments by day and the review of questionnaires."""
        from desktop.services.questionnaires.teams import TeamService

        return TeamService(self.db)

    @cached_property
    def double_entry(self) -> DoubleEntryService:
        """Questionnaires keyed twice: differences, resolution, each clerk's error rate."""
        from desktop.services.questionnaires.double_entry import DoubleEntryService

        return DoubleEntryService(self.db)
