"""The one signal hub: whoever changes data emits, other views listen."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SignalHub(QObject):
    """Cross-view notifications; views never call each other directly."""

    # The registry changed: households or villages added, edited, deleted or imported.
    registry_changed = Signal()
    # One household changed (its id); listeners refresh that row or reload.
    household_changed = Signal(int)
    # A form's answers or state changed (household id, form code).
    form_changed = Signal(int, str)
    # Problems (整改) changed.
    problems_changed = Signal()
    # Department lists, 疑点 or 清退/新增 cases changed.
    comparison_changed = Signal()
    # The signed-in user changed.
    user_changed = Signal()
    # A status-bar message for the main window.
    status_message = Signal(str)


_hub: SignalHub | None = None


def hub() -> SignalHub:
    """Return the application's signal hub, creating it on first use."""
    global _hub
    if _hub is None:
        _hub = SignalHub()
    return _hub
