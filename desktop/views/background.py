"""Running a service call off the GUI thread and getting its result back on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Lives in the GUI thread; its slots run there whichever thread emits."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None] | None,
        parent: QObject | None,
    ) -> None:
        super().__init__(parent)
        self._on_done = on_done
        self._on_failed = on_failed
        # Connected to this QObject's own slots: a queued connection into the GUI thread.
        # (A plain Python callable as receiver may run in the emitting thread.)
        self.done.connect(self._deliver_done)
        self.failed.connect(self._deliver_failed)

    @Slot(object)
    def _deliver_done(self, result: Any) -> None:
        assert threading.current_thread() is threading.main_thread()
        self._on_done(result)

    @Slot(str)
    def _deliver_failed(self, message: str) -> None:
        if self._on_failed is not None:
            self._on_failed(message)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # reported to the GUI thread, never lost in the pool
            self.relay.failed.emit(str(exc) or type(exc).__name__)
            return
        self.relay.done.emit(result)


_running: set[_Job] = set()  # keeps each job's Python object alive until it has run


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None] | None = None,
    parent: QObject | None = None,
) -> QObject:
    """Run `work()` in Qt's thread pool; call `on_done(result)` on the GUI thread.

    Returns the relay object; keep it (or give a parent) until the result arrives.
    """
    relay = _Relay(on_done, on_failed, parent)
    job = _Job(work, relay)
    job.setAutoDelete(False)
    _running.add(job)
    relay.done.connect(lambda _r: _running.discard(job))
    relay.failed.connect(lambda _m: _running.discard(job))
    QThreadPool.globalInstance().start(job)
    return relay
