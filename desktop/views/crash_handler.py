"""The one global handler of unexpected errors: a Chinese message, the traceback in the log.

Views catch `AppError` (what a user can cause) where it happens. Anything else that escapes,
from the GUI thread, a Qt slot or a worker thread, ends here: the traceback goes to the log file
in the data folder (`paths.log_file`) and the user reads, in Chinese, that the last action may
not have finished, that saved data is safe, and where the log is. `run_app` installs it.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from desktop.errors import AppError
from desktop.paths import log_file

TITLE = "出错了"
UNEXPECTED = (
    "程序遇到了意外错误，刚才的操作可能没有完成。\n"
    "已经保存的数据不受影响；正在填写而未保存的表可在下次打开时恢复。\n\n"
    "错误详情已记录在：\n{path}\n如问题反复出现，请把这个文件发给技术人员。"
)
LOG_BYTES = 1_000_000  # one megabyte a file, three files kept
LOG_COUNT = 3

_log = logging.getLogger("desktop.crash")
_showing = threading.local()


def _logger() -> logging.Logger:
    path = log_file()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in _log.handlers):
        handler = RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_COUNT, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        _log.addHandler(handler)
        _log.setLevel(logging.INFO)
    return _log


def write_log(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> Path:
    """Write the traceback to the log file; return the file."""
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    logger = _logger()
    logger.error("未处理的异常（%s）\n%s", threading.current_thread().name, text)
    for handler in logger.handlers:
        handler.flush()
    return log_file()


def message_for(exc: BaseException, path: Path) -> str:
    """Return what the user reads: an AppError's own message, else the general one."""
    if isinstance(exc, AppError):
        return str(exc)
    return UNEXPECTED.format(path=path)


def handle(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log an uncaught exception and tell the user in Chinese (the excepthook)."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        path = write_log(exc_type, exc, tb)
    except OSError:  # a full or read-only disk: still tell the user
        path = log_file()
        traceback.print_exception(exc_type, exc, tb)
    _show(message_for(exc, path))


def _show(message: str) -> None:
    from PySide6.QtCore import QThread, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance()
    if app is None:
        print(message, file=sys.stderr)
        return
    if QThread.currentThread() is not app.thread():
        QTimer.singleShot(0, app, lambda: _show(message))  # widgets only on the GUI thread
        return
    if getattr(_showing, "active", False):  # an error while the box is open: logged only
        return
    _showing.active = True
    try:
        QMessageBox.critical(app.activeWindow(), TITLE, message)
    finally:
        _showing.active = False


def install() -> None:
    """Send every uncaught exception, of any thread, to `handle`."""
    sys.excepthook = handle
    threading.excepthook = lambda args: handle(args.exc_type, args.exc_value, args.exc_traceback)
