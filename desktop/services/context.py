"""AppServices: the one object a window holds to reach every service of an open database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from desktop.services.problem_service import ProblemService
from desktop.services.registry_service import RegistryService


@dataclass
class CurrentUser:
    """Who is working: recorded with every change (“谁调查、谁签字、谁负责”)."""

    name: str = "系统"
    role: str = "admin"  # "clerk" 录入员, "reviewer" 审核员, "admin" 管理员
    id: int | None = None


@dataclass
class AppServices:
    """Services of one open database; views receive this, never a session or an engine."""

    engine: Engine
    db_path: Path | None = None
    user: CurrentUser = field(default_factory=CurrentUser)

    @cached_property
    def registry(self) -> RegistryService:
        """Villages, households and members."""
        return RegistryService(self.engine)

    @cached_property
    def problems(self) -> ProblemService:
        """Problems (整改): catalogue, ledger, timeline, extensions, evidence, 整改率."""
        from desktop.paths import data_dir

        return ProblemService(self.engine, data_dir())
