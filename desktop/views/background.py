"""Running a service call off the GUI thread and getting its result back on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # reported to the GUI thread, never lost in the pool
            self.relay.failed.emit(str(exc))
            return
        self.relay.done.emit(result)


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None] | None = None,
    parent: QObject | None = None,
) -> QObject:
    """Run `work()` in Qt's thread pool; call `on_done(result)` on the GUI thread.

    Returns the relay object; keep it (or give a parent) until the result arrives.
    """
    relay = _Relay(parent)
    relay.done.connect(on_done)
    if on_failed is not None:
        relay.failed.connect(on_failed)
    QThreadPool.globalInstance().start(_Job(work, relay))
    return relay
