"""Fixtures of the form dialogs' tests: services on a demo township, a household, message boxes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.services.context import AppServices


@pytest.fixture
def services(demo_engine, tmp_path):
    return AppServices(demo_engine, db_path=tmp_path / "demo.sqlite3")


@pytest.fixture
def household_id(services):
    # A household with several members, so the counts and the member grid are prefilled.
    rows = [r for r in services.registry.household_rows() if r.member_count >= 3]
    return rows[0].id


@pytest.fixture
def boxes(monkeypatch):
    """Record message boxes instead of showing them; `answers` sets what question() returns."""
    log = {"shown": [], "answers": []}

    def record(kind):
        def show(parent, title, text, *args, **kwargs):
            log["shown"].append((kind, title, text))
            if kind == "question":
                # Dialogs left dirty by a test are discarded when pytest-qt closes them.
                return (
                    log["answers"].pop(0) if log["answers"] else QMessageBox.StandardButton.Discard
                )
            return QMessageBox.StandardButton.Ok

        return show

    for kind in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return log
