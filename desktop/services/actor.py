"""Who is acting: the signed-in user of a window, the actor a change is logged under, the OS user.

A leaf module: services and commands both import it, so that no service reaches into the
command line and `services/context.py` (which builds every service) imports no cycle.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from desktop.models.safety import SOURCE_APP, SOURCE_CLI


@dataclass
class CurrentUser:
    """Who is working: recorded with every change (“谁调查、谁签字、谁负责”)."""

    name: str = "系统"
    role: str = "admin"  # "clerk" 录入员, "reviewer" 审核员, "admin" 管理员
    id: int | None = None
    # The townships the county gave this user (乡镇授权); empty: every township.
    townships: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from where ('app' or 'cli')."""

    name: str
    source: str = SOURCE_APP


SYSTEM_ACTOR = Actor("系统", SOURCE_APP)


def os_user() -> str:
    """Return the operating-system user, under whose name command-line changes are logged."""
    try:
        return getpass.getuser()
    except Exception:
        return "命令行"


def cli_actor() -> Actor:
    """Return the operating-system user as the actor of a command-line change."""
    return Actor(os_user(), SOURCE_CLI)
