"""Running a service call off the GUI thread and getting its result back on it.

`run_in_background` for a plain call; `ProgressJob` for a long one the clerk can follow and
cancel (roster import and export, batch printing), and `JobDialog` for a dialog that runs one;
`call_keeping_window_alive` for a step the caller waits for (opening a big roster).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QWidget


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


ProgressFn = Callable[[int, str], None]


class ProgressJob(QObject):
    """A cancellable service call off the GUI thread, behind a progress dialog with 取消.

    `work(progress, cancelled)` runs in the thread pool: it may report through
    `progress(percent, text)` and should stop when `cancelled()` turns True. `on_done(result)`
    or `on_failed(message)` then runs on the GUI thread, after the progress dialog has closed.
    """

    progressed = Signal(int, str)

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        work: Callable[[ProgressFn, Callable[[], bool]], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None] | None = None,
        *,
        busy: bool = False,
        minimum_duration: int = 300,
    ) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._on_done = on_done
        self._on_failed = on_failed
        self._running = False
        self.progress = QProgressDialog(label, "取消", 0, 0 if busy else 100, parent)
        self.progress.setWindowTitle(title)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(minimum_duration)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        # Emitted on the worker thread, delivered to this QObject's slot on the GUI thread.
        self.progressed.connect(self._show_progress)
        self._work = work

    def start(self) -> None:
        """Show the progress dialog and start the work."""
        self._running = True
        self.progress.setValue(0)
        if self.progress.minimumDuration() == 0:
            self.progress.show()
        run_in_background(
            lambda: self._work(self.progressed.emit, self._cancel.is_set),
            self._finish_done,
            self._finish_failed,
            parent=self,
        )

    def is_running(self) -> bool:
        """True until the result has been delivered."""
        return self._running

    def cancelled(self) -> bool:
        """True once the clerk (or the caller) has cancelled."""
        return self._cancel.is_set()

    @Slot()
    def cancel(self) -> None:
        """Ask the work to stop; it rolls back or leaves nothing behind."""
        self._cancel.set()
        if self._running:
            self.progress.setLabelText("正在取消…")

    @Slot(int, str)
    def _show_progress(self, percent: int, text: str) -> None:
        progress = self.progress
        if not self._running or progress.wasCanceled():
            return
        # A modal QProgressDialog processes events inside setValue(), where the result may
        # arrive and close it: the label first, and nothing after.
        progress.setLabelText(text)
        progress.setValue(percent)

    def _close(self) -> None:
        self._running = False
        # QProgressDialog emits `canceled` when it closes: stop listening first.
        self.progress.canceled.disconnect(self.cancel)
        self.progress.close()
        self.progress.deleteLater()

    def _finish_done(self, result: Any) -> None:
        self._close()
        self._on_done(result)

    def _finish_failed(self, message: str) -> None:
        self._close()
        if self._on_failed is not None:
            self._on_failed(message)


class JobDialog(QDialog):
    """A dialog whose work runs as a ProgressJob (`self.job`): closing it while the job runs
    (Esc, 关闭, ×) cancels the job instead, and nothing of it is written."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: ProgressJob | None = None  # the running work

    def is_running(self) -> bool:
        """True while the work is under way."""
        return self.job is not None and self.job.is_running()

    @Slot()
    def cancel_job(self) -> None:
        """Cancel the running work."""
        if self.is_running():
            self.job.cancel()

    def reject(self) -> None:
        """Close, unless the work is still running (cancel it first)."""
        if self.is_running():
            self.cancel_job()
            return
        super().reject()


def call_keeping_window_alive(parent: QWidget | None, label: str, work: Callable[[], Any]) -> Any:
    """Return `work()`, run on a pool thread while this thread keeps painting windows.

    For a step the caller needs at once but that can take seconds (reading a county's roster
    takes about 5 s): Windows marks a window that does not answer for 5 s as not responding.
    A busy dialog shows after half a second; clicks and keys wait until the work is done.
    An exception of `work` is raised here, as if it had run in this thread.
    """
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def job() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # handed over to the caller's thread below
            outcome["error"] = exc

    busy = QProgressDialog(label, "", 0, 0, parent)
    busy.setCancelButton(None)  # a read cannot be stopped halfway; it is quick enough
    busy.setWindowTitle("请稍候")
    busy.setMinimumDuration(500)
    busy.setValue(0)  # starts the timer that shows the dialog after the minimum duration
    relay = run_in_background(job, lambda _r: loop.quit(), lambda _m: loop.quit())
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        # Windows are painted meanwhile, but clicks and keys wait: nothing starts twice.
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        QApplication.restoreOverrideCursor()
        busy.close()
        busy.deleteLater()
        relay.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
