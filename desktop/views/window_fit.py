"""Every window fits the screen it opens on; buttons show the keys that press them.

A township office laptop has 1366×768 pixels, less the taskbar: a window or dialog taller or
wider than that hid its status line or its 保存/关闭 buttons below the screen's edge. The
`ScreenFitter`, installed on the application at start, shrinks every top-level window to the
available screen when it is shown and moves it inside; what no longer fits scrolls inside
the window (the form, the tables, the preview have scroll areas).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMainWindow, QWidget

from desktop.services.settings import load_settings, save_setting
from desktop.views.app_filter import AppEventFilter

# Title bar and borders when the window manager has not told us yet (Windows 10/11 at 100 %).
TITLE_BAR_PX = 32
BORDER_PX = 8


def available_rect(window: QWidget, at: QPoint | None = None) -> QRect:
    """The screen area (without taskbar) where the window opens, or of the screen at `at`."""
    screen = QGuiApplication.screenAt(at) if at is not None else None
    screen = screen or window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitted_geometry(window: QRect, frame: QRect, available: QRect) -> QRect:
    """The window's client rectangle shrunk and moved so that its frame lies inside `available`.

    `window` is the client area, `frame` the same window with title bar and borders (equal to
    `window` when the window manager has not drawn the frame yet).
    """
    left = window.left() - frame.left()
    top = window.top() - frame.top()
    right = frame.right() - window.right()
    bottom = frame.bottom() - window.bottom()
    if frame == window:
        left = right = bottom = BORDER_PX
        top = TITLE_BAR_PX
    width = min(window.width(), available.width() - left - right)
    height = min(window.height(), available.height() - top - bottom)
    x = min(max(window.x(), available.left() + left), available.right() - right - width + 1)
    y = min(max(window.y(), available.top() + top), available.bottom() - bottom - height + 1)
    return QRect(x, y, width, height)


def opening_geometry(saved: Any, available: QRect, default: QSize) -> QRect:
    """The client rectangle a window opens with on a screen whose free area is `available`.

    The one saved when it last closed (`{"x", "y", "width", "height"}`), moved and shrunk onto
    this screen; else `default`, centred, or the whole free area on a screen too small for it
    (a 1366×768 laptop), so the tables get every pixel there is.
    """
    try:
        rect = QRect(int(saved["x"]), int(saved["y"]), int(saved["width"]), int(saved["height"]))
    except (KeyError, TypeError, ValueError):
        rect = QRect()
    if rect.width() <= 0 or rect.height() <= 0:  # nothing saved (or nonsense): the default
        room = available.adjusted(BORDER_PX, TITLE_BAR_PX, -BORDER_PX, -BORDER_PX)
        if default.width() > room.width() or default.height() > room.height():
            return room
        rect = QRect(QPoint(), default)
        rect.moveCenter(available.center())
    return fitted_geometry(rect, rect, available)


def restore_geometry(window: QWidget, key: str, default: QSize) -> None:
    """Give a window the place and size it had when it last closed, fitted to the screen it
    opens on now (another screen, a smaller one); maximized if it was."""
    saved = load_settings().get(key)
    centre = None
    if isinstance(saved, dict):
        try:  # the screen it was on, if that screen is still there
            centre = QPoint(
                int(saved["x"]) + int(saved["width"]) // 2,
                int(saved["y"]) + int(saved["height"]) // 2,
            )
        except (KeyError, TypeError, ValueError):
            centre = None
    window.setGeometry(opening_geometry(saved, available_rect(window, centre), default))
    if isinstance(saved, dict) and saved.get("maximized"):
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def remember_geometry(window: QWidget, key: str) -> None:
    """Save a window's place and size (its normal one when maximized) for the next start."""
    rect = window.normalGeometry() if window.isMaximized() else window.geometry()
    if rect.isEmpty():
        rect = window.geometry()
    save_setting(
        key,
        {
            "x": rect.x(),
            "y": rect.y(),
            "width": rect.width(),
            "height": rect.height(),
            "maximized": window.isMaximized(),
        },
    )


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move a top-level window so that all of it is on the screen."""
    if window.isMaximized() or window.isFullScreen():
        return
    target = fitted_geometry(window.geometry(), window.frameGeometry(), available_rect(window))
    if target.size() != window.size():
        window.resize(target.size())
    if target.topLeft() != window.pos() and window.isVisible():
        window.move(target.topLeft() - (window.geometry().topLeft() - window.pos()))


class ScreenFitter(AppEventFilter):
    """Application event filter: every dialog and main window is fitted when it is shown."""

    def eventFilter(self, obj, event) -> bool:
        """Fit top-level dialogs and main windows on Show."""
        if (
            event.type() == QEvent.Type.Show
            and isinstance(obj, QDialog | QMainWindow)
            and obj.isWindow()
        ):
            fit_to_screen(obj)
        return False


def install_screen_fitter(app: QApplication) -> ScreenFitter:
    """Install the fitter on the application (kept alive as the application's child)."""
    return ScreenFitter.install(app)


def shortcut_text(sequence: QKeySequence) -> str:
    """How a key sequence reads on screen: Ctrl+S, Ctrl+Enter (as printed on the keyboard).

    The portable form: Qt's Chinese catalogue would turn Return into 回车 in one place and
    not in the tooltips and the guide, which name the key as it is printed.
    """
    text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
    return text.replace("Return", "Enter")


def bind_shortcut(
    button: QAbstractButton,
    sequence: QKeySequence | QKeySequence.StandardKey | str,
    window: QWidget | None = None,
) -> QShortcut:
    """Let a key press the button anywhere in `window`, and show it: 保存草稿 (Ctrl+S)."""
    keys = QKeySequence(sequence)
    shortcut = QShortcut(keys, window or button.window())
    shortcut.activated.connect(lambda: button.click() if button.isEnabled() else None)
    label = shortcut_text(keys)
    button.setText(f"{button.text()} ({label})")
    tip = button.toolTip()
    if label not in tip:
        button.setToolTip(f"{label}：{tip}" if tip else label)
    return shortcut
