"""Start-up: Qt's own buttons, menus and calendar speak Chinese; the locale is Chinese."""

from __future__ import annotations

import re
import sys

import pytest
from PySide6.QtCore import QLocale, QTimer
from PySide6.QtWidgets import QApplication, QCalendarWidget, QDialogButtonBox, QMessageBox

from desktop.views.startup import install_chinese


@pytest.fixture
def chinese(qapp):
    """Qt's Chinese catalogues installed as at start, removed afterwards."""
    before = QLocale()
    translators = install_chinese(qapp)
    yield translators
    for translator in translators:
        QApplication.removeTranslator(translator)
    QLocale.setDefault(before)


def test_qt_catalogue_is_found(chinese):
    from desktop.views.startup import GapTranslator

    catalogues = [t for t in chinese if not isinstance(t, GapTranslator)]
    assert catalogues, "qtbase_zh_CN.qm was not found in Qt's or PySide6's translations"


def test_message_box_buttons_read_chinese(qtbot, chinese):
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "删除户",
        "确定删除？",
        QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
    )
    qtbot.addWidget(box)
    texts = {
        box.button(b).text().replace("&", "")
        for b in (box.StandardButton.Ok, box.StandardButton.Cancel)
    }
    assert texts == {"确定", "取消"}
    yes_no = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No
    )
    qtbot.addWidget(yes_no)
    texts = {b.text().replace("&", "") for b in yes_no.buttons()}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts), texts


def test_the_static_question_shows_chinese_buttons(qtbot, chinese):
    seen = []

    def read_and_close():
        box = QApplication.activeModalWidget()
        seen.extend(b.text().replace("&", "") for b in box.buttons())
        box.reject()

    QTimer.singleShot(0, read_and_close)
    QMessageBox.question(None, "打印", "打印全部？")
    assert seen and all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in seen), seen


def test_calendar_speaks_chinese(qtbot, chinese):
    calendar = QCalendarWidget()
    qtbot.addWidget(calendar)
    assert calendar.locale().language() == QLocale.Language.Chinese
    assert calendar.locale().dayName(1) in ("星期一", "周一")
    assert calendar.locale().monthName(1) == "一月"


def test_the_file_dialog_speaks_chinese_on_linux(qtbot, chinese):
    # Under Xvfb the 导入花名册 dialog read "Look in:" and "Files of type:" (Qt 6's labels carry
    # an accelerator, &Look in:, that qtbase_zh_CN.qm has no entry for).
    from PySide6.QtWidgets import QFileDialog, QLabel

    dialog = QFileDialog(None, "导入花名册")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    words = [re.sub(r"\(&[A-Z]\)", "", text) for text in labels]  # the accelerators aside
    assert words and not [text for text in words if re.search("[A-Za-z]", text)], labels
    assert "查找范围(&L)：" in labels and "文件类型(&T)：" in labels


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows shows its own print dialog, in the system's language"
)
def test_the_print_dialog_speaks_chinese_on_linux(qtbot, chinese):
    # Qt's own print dialog (Linux has no native one): every label and button of its pages.
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QAbstractButton, QLabel

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    texts = [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)]
    words = [re.sub(r"\(&[A-Z]\)|&", "", t) for t in texts if t.strip()]
    english = [t for t in words if re.search("[A-Za-z]{3,}", t)]
    assert words and not english, english
