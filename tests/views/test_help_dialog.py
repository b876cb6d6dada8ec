"""帮助: a Chinese user guide with pictures of the real screens, and the list of shortcuts."""

from __future__ import annotations

import re

from desktop.services.context import AppServices
from desktop.views.help_dialog import (
    ShortcutsDialog,
    UserGuideDialog,
    guide_path,
    shortcut_rows,
)


def test_the_guide_is_chinese_and_its_pictures_are_there():
    text = guide_path().read_text(encoding="utf-8")
    assert text.startswith("# 回头看工作台 使用说明")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(pictures) >= 5
    for picture in pictures:
        assert (guide_path().parent / picture).is_file(), picture


def test_the_guide_opens_with_its_pictures(qtbot):
    dialog = UserGuideDialog()
    qtbot.addWidget(dialog)
    html = dialog.browser.toHtml()
    assert "填写入户核查表" in dialog.browser.toPlainText()
    assert "images/main.png" in html


def test_the_shortcut_list_has_every_menu_key_and_the_guide_agrees(qtbot, demo_engine, tmp_path):
    from desktop.views.main_window import MainWindow

    window = MainWindow(AppServices(demo_engine, db_path=tmp_path / "demo.sqlite3"))
    qtbot.addWidget(window)
    rows = dict(shortcut_rows(window.menu_actions()))
    assert rows["刷新"] == "F5"
    assert rows["填写入户核查表"] == "F6"
    assert rows["使用说明"] == "F1"
    guide = guide_path().read_text(encoding="utf-8")
    for text, keys in rows.items():
        assert keys in guide, f"the guide's shortcut table lacks {text} ({keys})"
    dialog = ShortcutsDialog(list(rows.items()))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(rows)


def test_the_guides_pictures_fit_the_window_without_scrolling_sideways(qtbot):
    dialog = UserGuideDialog()
    qtbot.addWidget(dialog)
    dialog.resize(900, 640)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.browser.horizontalScrollBar().maximum() == 0, timeout=3000)
    dialog.resize(1300, 700)  # wider: the pictures grow back, up to their own size
    qtbot.waitUntil(lambda: dialog.browser.document().idealWidth() > 900, timeout=3000)
