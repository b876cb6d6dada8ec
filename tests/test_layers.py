"""Imports point down only: every desktop → desktop import is checked against a table of rooms.

The rooms and the arrows between them are the ones docs/architecture.md draws. A new cycle,
an upward arrow (a service importing a view, a view importing a model), a command imported by
anything but the dispatcher, or a session made outside services/unit_of_work.py fails here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# APP_NAME, the error family, the folders, how a date is written in Chinese.
LEAVES = {"desktop", "desktop.errors", "desktop.paths", "desktop.dates"}
# Which rooms each room may import (besides itself). A module belongs to the longest room
# that prefixes its name; "desktop" alone is the package's __init__.
ALLOWED: dict[str, set[str]] = {
    "desktop": set(),
    "desktop.errors": set(),
    "desktop.dates": set(),
    "desktop.paths": {"desktop"},
    "desktop.__main__": {"desktop.cli"},
    # The one dispatcher: the window, the commands or the self-test.
    "desktop.cli": {*LEAVES, "desktop.app", "desktop.selftest", "desktop.commands"},
    # Composition roots below the dispatcher: they open the database and build the services.
    "desktop.app": {*LEAVES, "desktop.views", "desktop.services", "desktop.models", "desktop.demo"},
    "desktop.selftest": {
        *LEAVES,
        "desktop.app",
        "desktop.views",
        "desktop.printing",
        "desktop.services",
        "desktop.engine",
        "desktop.models",
        "desktop.demo",
    },
    "desktop.commands": {
        *LEAVES,
        "desktop.printing",
        "desktop.services",
        "desktop.engine",
        "desktop.models",
        "desktop.demo",
    },
    "desktop.demo": {*LEAVES, "desktop.services", "desktop.engine", "desktop.models"},
    "desktop.views": {*LEAVES, "desktop.services", "desktop.printing", "desktop.engine"},
    "desktop.printing": {*LEAVES, "desktop.engine", "desktop.services"},
    "desktop.services": {*LEAVES, "desktop.engine", "desktop.models"},
    "desktop.engine": {*LEAVES},
    "desktop.models": {"desktop.errors"},
}
# Printing takes plain data: the services' dataclasses, never their sessions.
FORBIDDEN: dict[str, set[str]] = {
    "desktop.printing": {"desktop.services.unit_of_work", "desktop.services.context"},
}
# Only the unit of work makes sessions: the audit trail and the signed-form guard are
# installed on its session factory, so a session made elsewhere would write unaudited.
SESSION_MAKERS = {"Session", "sessionmaker", "scoped_session"}
SESSION_HOME = "desktop.services.unit_of_work"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _desktop_modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in sorted((ROOT / "desktop").rglob("*.py"))
        if "migrations" not in p.parts  # Alembic loads those itself
    }


def _type_checking_only(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(n) for n in ast.walk(node))
    return hidden


def _imports(name: str, path: Path, modules) -> set[str]:
    """Every desktop module `name` imports, at the top or inside a function (not for typing)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "desktop")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "desktop":
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in modules else target)
    found.discard(name)
    return found


def import_edges() -> dict[str, set[str]]:
    """Return module → the desktop modules it imports, for every module of desktop/."""
    modules = _desktop_modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def room_of(module: str) -> str:
    """Return the room (a key of ALLOWED) a module belongs to."""
    rooms = [r for r in ALLOWED if module == r or (r != "desktop" and module.startswith(r + "."))]
    return max(rooms, key=len)


def forbidden_edges(edges: dict[str, set[str]]) -> list[str]:
    """Return every import the table does not allow, as 'module → module (room → room)'."""
    bad = []
    for source, targets in sorted(edges.items()):
        here = room_of(source)
        for target in sorted(targets):
            there = room_of(target)
            refused = there != here and there not in ALLOWED[here]
            refused |= any(
                target == f or target.startswith(f + ".") for f in FORBIDDEN.get(here, ())
            )
            if refused:
                bad.append(f"{source} → {target} ({here} → {there})")
    return bad


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the import cycles (strongly connected groups of two or more modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in edges:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_import_follows_the_table_of_rooms():
    assert forbidden_edges(import_edges()) == []


def test_no_import_cycle_anywhere_in_desktop():
    assert cycles(import_edges()) == []


def test_the_table_refuses_an_upward_arrow_a_command_and_a_cycle():
    """The checks can fail: a service importing a view, a view a model, anyone a command."""
    edges = {
        "desktop.services.registry.service": {"desktop.views.signals"},
        "desktop.views.main_window": {"desktop.models.registry"},
        "desktop.app": {"desktop.commands.common"},
        "desktop.printing.notice": {"desktop.services.unit_of_work"},
        "desktop.services.a": {"desktop.services.b"},
        "desktop.services.b": {"desktop.services.a"},
    }
    assert len(forbidden_edges(edges)) == 4
    assert cycles(edges) == [["desktop.services.a", "desktop.services.b"]]


def test_only_the_unit_of_work_makes_sessions():
    offenders = []
    for name, path in _desktop_modules().items():
        if name == SESSION_HOME:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if called in SESSION_MAKERS:
                    offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def _modules(package: str) -> list[str]:
    folder = ROOT / package.replace(".", "/")
    return [
        ".".join((package, *p.relative_to(folder).with_suffix("").parts))
        for p in sorted(folder.rglob("*.py"))
        if p.stem != "__init__" and "migrations" not in p.parts  # Alembic loads those itself
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("desktop.models", ("PySide6",)),
        # The form engine: no Qt, no database, nothing above it.
        (
            "desktop.engine",
            (
                "PySide6",
                "sqlalchemy",
                "desktop.models",
                "desktop.services",
                "desktop.printing",
                "desktop.views",
            ),
        ),
        ("desktop.services", ("PySide6",)),
        ("desktop.printing", ("PySide6.QtWidgets", "PySide6.QtGui", "sqlalchemy.orm")),
    ],
)
def test_lower_layers_do_not_import_upper_ones(package, forbidden):
    modules = _modules(package)
    if not modules:
        pytest.skip(f"{package} has no modules yet")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({forbidden!r}))\n"
        "print('\\n'.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "", (
        f"{package} pulls in {result.stdout.split()[:5]}…: printing takes plain data (dataclasses "
        "from a module that does not import sqlalchemy.orm) and returns PDF bytes"
    )


def test_views_never_open_a_session():
    offenders = []
    for path in (ROOT / "desktop" / "views").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "Session(" in source or "from sqlalchemy" in source or "import sqlalchemy" in source:
            offenders.append(path.name)
    assert offenders == []
