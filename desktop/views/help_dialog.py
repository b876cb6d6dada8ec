"""帮助: the user guide (Chinese, with pictures of the real screens) and the list of shortcuts."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, QUrl
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.paths import resources_dir
from desktop.views.window_fit import shortcut_text

GUIDE_NAME = "user_guide.md"


def guide_path() -> Path:
    """The user guide shipped in resources/help (pictures in resources/help/images)."""
    return resources_dir() / "help" / GUIDE_NAME


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what it does, keys) for every action that has keys, in menu order, without duplicates."""
    rows, seen = [], set()
    for action in actions:
        keys = "、".join(shortcut_text(k) for k in action.shortcuts() if not k.isEmpty())
        text = action.text().replace("&", "").rstrip("…")
        if keys and (text, keys) not in seen:
            seen.add((text, keys))
            rows.append((text, keys))
    return rows


def window_keys() -> list[tuple[str, str]]:
    """Keys that work inside dialogs and tables rather than as menu entries."""
    return [
        ("保存（户、问题、表单草稿）", shortcut_text(QKeySequence(QKeySequence.StandardKey.Save))),
        ("完成表单（检查无误后）", "Ctrl+Enter"),
        ("表单的打印预览", shortcut_text(QKeySequence(QKeySequence.StandardKey.Print))),
        ("在户籍表中：从搜索框到找到的第一户 / 打开选中的户", "↓ 或 Enter / Enter"),
        ("复制选中的行（含表头，可直接粘贴到 Excel/WPS）", "Ctrl+C"),
        ("日期栏打开日历", "F4 或 Alt+↓"),
        ("下一栏 / 上一栏", "Tab / Shift+Tab"),
        ("关闭对话框（有未保存的修改时会先询问）", "Esc"),
    ]


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut of the window, read from its actions."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("快捷键一览")
        self.resize(560, 560)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["功能", "快捷键"])
        for row, (text, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(text))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    @classmethod
    def run(
        cls, actions: Iterable[QAction], parent: QWidget | None = None
    ) -> tuple[list[tuple[str, str]], bool]:
        """Show the shortcuts of these actions and of the dialogs; return (rows, True)."""
        rows = shortcut_rows(actions) + window_keys()
        cls(rows, parent).exec()
        return rows, True


IMAGE_MARGIN_PX = 24  # the document's margins and a little air


def fit_images(document: QTextDocument, width: int) -> None:
    """Shrink the document's pictures to `width` (never enlarge them), keeping their shape.

    The guide's screenshots are 1366 pixels wide: at their own size a clerk had to scroll
    sideways to read each of them on the laptop they were taken on.
    """
    cursor = QTextCursor(document)
    block = document.begin()
    while block.isValid():
        # A picture inside a list item stands to the right of its bullet: the room is less.
        fmt = block.blockFormat()
        indent = fmt.leftMargin() + fmt.indent() * document.indentWidth()
        if block.textList() is not None:
            indent += block.textList().format().indent() * document.indentWidth()
        room = max(int(width - indent), 100)
        for part in block:
            fragment = part.fragment()
            image_format = fragment.charFormat().toImageFormat()
            if not fragment.charFormat().isImageFormat():
                continue
            picture = document.resource(
                QTextDocument.ResourceType.ImageResource, QUrl(image_format.name())
            )
            if not isinstance(picture, QImage | QPixmap) or picture.isNull():
                continue
            shown = min(picture.width(), room)
            image_format.setWidth(shown)
            image_format.setHeight(picture.height() * shown / picture.width())
            cursor.setPosition(fragment.position())
            cursor.setPosition(
                fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
            )
            cursor.setCharFormat(image_format)
        block = block.next()


class UserGuideDialog(QDialog):
    """The user guide, with pictures of the real screens, readable without internet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("使用说明 — 回头看工作台")
        self.resize(980, 720)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        path = guide_path()
        if path.exists():
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
            self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(path.parent) + "/"))
        else:
            self.browser.setPlainText(f"找不到使用说明文件：{path}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.browser.viewport().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        """The guide's pictures follow the width of the page they are shown on."""
        if obj is self.browser.viewport() and event.type() == QEvent.Type.Resize:
            fit_images(self.browser.document(), event.size().width() - IMAGE_MARGIN_PX)
        return super().eventFilter(obj, event)

    @classmethod
    def run(cls, parent: QWidget | None = None) -> tuple[None, bool]:
        """Show the guide (帮助 → 使用说明, F1)."""
        cls(parent).exec()
        return None, True
