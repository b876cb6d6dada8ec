"""Work off the GUI thread: results and errors come back, and windows keep being served."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QTimer

from desktop.services.roster.sheet import RosterError
from desktop.views.background import call_keeping_window_alive


def test_the_result_comes_back_and_the_gui_thread_kept_serving_events(qtbot):
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    worker = []

    def work():
        worker.append(threading.current_thread() is threading.main_thread())
        time.sleep(0.3)
        return 42

    assert call_keeping_window_alive(None, "正在读取…", work) == 42
    timer.stop()
    assert worker == [False]  # it ran on another thread
    assert len(ticks) >= 5  # while the GUI thread went on delivering timer events


def test_the_work_s_error_is_raised_in_the_caller_s_thread(qtbot):
    def work():
        raise RosterError("无法读取文件 坏.xlsx")

    with pytest.raises(RosterError, match=r"坏\.xlsx"):
        call_keeping_window_alive(None, "正在读取…", work)
