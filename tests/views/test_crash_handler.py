"""The global handler: unexpected errors are logged with their traceback and told in Chinese."""

from __future__ import annotations

import sys
import threading

import pytest

from desktop.errors import StaleRecordError
from desktop.paths import log_file
from desktop.views import crash_handler


@pytest.fixture
def shown(qapp, monkeypatch):
    """The message boxes the handler opens, as (title, text), instead of showing them."""
    from PySide6.QtWidgets import QMessageBox

    messages: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text: messages.append((title, text))
    )
    return messages


def _raise_in_a_slot():
    raise RuntimeError("模拟的意外错误")


def test_an_unexpected_error_is_logged_and_shown_in_chinese(shown, data_dir):
    try:
        _raise_in_a_slot()
    except RuntimeError:
        crash_handler.handle(*sys.exc_info())
    title, text = shown[0]
    assert title == "出错了"
    assert "意外错误" in text and "已经保存的数据不受影响" in text and str(log_file()) in text
    assert log_file().parent == data_dir
    logged = log_file().read_text(encoding="utf-8")
    assert "Traceback" in logged and "_raise_in_a_slot" in logged and "模拟的意外错误" in logged


def test_an_app_error_no_view_caught_shows_its_own_message(shown):
    try:
        raise StaleRecordError()
    except StaleRecordError:
        crash_handler.handle(*sys.exc_info())
    assert shown == [("出错了", "该记录已被其他人修改，请关闭后重新打开再改")]
    assert "StaleRecordError" in log_file().read_text(encoding="utf-8")


def test_install_catches_errors_of_worker_threads(shown, qtbot, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    crash_handler.install()
    assert sys.excepthook is crash_handler.handle
    worker = threading.Thread(target=_raise_in_a_slot, name="导入线程")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)  # shown on the GUI thread
    assert "意外错误" in shown[0][1]
    assert "导入线程" in log_file().read_text(encoding="utf-8")
