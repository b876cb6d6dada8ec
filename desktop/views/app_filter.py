"""The base of the application-wide event filters (Ctrl+C in tables, windows fitted to the
screen): one object on the application sees the events of every widget."""

from __future__ import annotations

from typing import Self

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication


class AppEventFilter(QObject):
    """An event filter for the whole application; subclasses say what eventFilter does."""

    @classmethod
    def install(cls, app: QApplication) -> Self:
        """Install one on the application (kept alive as the application's child)."""
        installed = cls(app)
        app.installEventFilter(installed)
        return installed
