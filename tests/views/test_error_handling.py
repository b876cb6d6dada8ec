"""Views catch AppError: a domain's own error class never narrows what a view shows in Chinese.

A view that caught only RegistryError let a PermissionDeniedError from the same call reach the
crash handler. Views catch the family's own classes (desktop/errors.py: AppError, CancelledError,
…); a handler for a domain's subclass is allowed only where the same `try` also catches AppError
(or wider) after it, for a message of its own (“数据库已打开”, a form's field issues).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from desktop.errors import AppError

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "desktop" / "views"
FAMILY = AppError.__module__


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Map each name a module imports from desktop (anywhere in it) to its module."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("desktop"):
            for alias in node.names:
                names[alias.asname or alias.name] = node.module
    return names


def _caught(handler: ast.ExceptHandler, names: dict[str, str]) -> list[type]:
    if handler.type is None:
        return [BaseException]
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    found = []
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in names:
            found.append(getattr(importlib.import_module(names[node.id]), node.id))
        elif isinstance(node, ast.Name) and isinstance(__builtins__, dict):
            found.append(__builtins__.get(node.id, object))
        elif isinstance(node, ast.Name):
            found.append(getattr(__builtins__, node.id, object))
    return [c for c in found if isinstance(c, type)]


def narrow_handlers() -> list[str]:
    """Return every `except` of a view catching a domain's AppError subclass with no fallback."""
    offenders = []
    for path in sorted(VIEWS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _imported_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Try):
                continue
            caught = [_caught(h, names) for h in node.handlers]
            for i, classes in enumerate(caught):
                narrow = [c for c in classes if issubclass(c, AppError) and c.__module__ != FAMILY]
                wider_later = any(
                    issubclass(AppError, c) for later in caught[i + 1 :] for c in later
                )
                if narrow and not wider_later:
                    line = node.handlers[i].lineno
                    where = path.relative_to(ROOT).as_posix()
                    offenders.append(f"{where}:{line} {', '.join(c.__name__ for c in narrow)}")
    return offenders


def test_views_catch_app_error_not_a_domain_subclass():
    assert narrow_handlers() == []
