"""Imports point down only: models, services and printing never pull in Qt widgets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
