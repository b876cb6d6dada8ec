"""Every window fits the screen it opens on; buttons show the keys that press them.

A township office laptop has 1366×768 pixels, less the taskbar: a window or dialog taller or
wider than that hid its status line or its 保存/关闭 buttons below the screen's edge. The
`ScreenFitter`, installed on the application at start, shrinks every top-level window to the
available screen when it is shown and moves it inside; what no longer fits scrolls inside
the window (the form, the tables, the preview have scroll areas).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMainWindow, QWidget

# Title bar and borders when the window manager has not told us yet (Windows 10/11 at 100 %).
TITLE_BAR_PX = 32
BORDER_PX = 8


def available_rect(window: QWidget) -> QRect:
    """The screen area (without taskbar) where the window opens."""
    screen = window.screen() or QGuiApplication.primaryScreen()
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


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move a top-level window so that all of it is on the screen."""
    if window.isMaximized() or window.isFullScreen():
        return
    target = fitted_geometry(window.geometry(), window.frameGeometry(), available_rect(window))
    if target.size() != window.size():
        window.resize(target.size())
    if target.topLeft() != window.pos() and window.isVisible():
        window.move(target.topLeft() - (window.geometry().topLeft() - window.pos()))


class ScreenFitter(QObject):
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
    fitter = ScreenFitter(app)
    app.installEventFilter(fitter)
    return fitter


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
