"""Both forms on a 1366×768 laptop and a 1920×1080 screen, with the application's style sheet.

The paper shows whole: nothing scrolls sideways, no grid runs past the form's edge, no
check box or label is cut (是（开办时间）, 是（购买时间）, the 致贫原因 boxes), and the sizes
the form gives its text are the ones on screen although the app's sheet sets every font.
"""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel

from desktop.views import window_fit
from desktop.views.window_fit import install_screen_fitter
from tests.views.forms.test_form_dialog import open_dialog

SCREENS = {
    "1366×768": QRect(0, 0, 1366, 728),  # less a 40-pixel taskbar
    "1920×1080": QRect(0, 0, 1920, 1040),
}


@pytest.fixture(params=sorted(SCREENS))
def screen(request, qapp, monkeypatch):
    """A screen of that size, the app's style sheet and the fitter installed, as at start."""
    from desktop.views.startup import apply_style

    rect = SCREENS[request.param]
    monkeypatch.setattr(window_fit, "available_rect", lambda *_args: QRect(rect))
    before = qapp.styleSheet()
    apply_style(qapp)
    assert "font-size" in qapp.styleSheet()  # the sheet that used to override the form's fonts
    fitter = install_screen_fitter(qapp)
    yield rect
    qapp.removeEventFilter(fitter)
    fitter.deleteLater()
    qapp.setStyleSheet(before)


def cut_widgets(view) -> list[str]:
    """Every check box or label of the form drawn smaller than its text needs."""
    cut = []
    for box in view.findChildren(QCheckBox):
        need = box.sizeHint()
        if box.isVisible() and (box.width() < need.width() or box.height() < need.height() - 2):
            cut.append(f"□{box.text()!r} {box.size().toTuple()} < {need.toTuple()}")
    for label in view.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            short = label.heightForWidth(label.width()) > label.height() + 1
        else:
            short = label.sizeHint().width() > label.width() + 1
        if short:
            cut.append(f"{label.text()!r} {label.size().toTuple()}")
    return cut


@pytest.mark.parametrize("code", ["verification", "collection"])
def test_the_whole_paper_shows_without_scrolling_sideways(
    qtbot, services, household_id, boxes, screen, code
):
    dialog = open_dialog(qtbot, services, household_id, code)
    qtbot.wait(20)
    assert dialog.frameGeometry().width() <= screen.width()
    assert dialog.scroll.horizontalScrollBar().maximum() == 0
    assert dialog.scroll.viewport().width() >= dialog.view.width()
    for grid in dialog.view.findChildren(QFrame, "grid"):
        right = grid.mapTo(dialog.view, grid.rect().topRight()).x()
        assert right < dialog.view.width()  # no grid cut on the right (14 px on the 核查表)
    assert cut_widgets(dialog.view) == []
    # The buttons stay on screen.
    bottom = dialog.close_button.mapTo(dialog, dialog.close_button.rect().bottomLeft())
    assert 0 < bottom.y() <= dialog.height() <= screen.height()


def test_the_long_box_labels_are_whole_at_1366(qtbot, services, household_id, boxes, screen):
    dialog = open_dialog(qtbot, services, household_id, "verification")
    qtbot.wait(20)
    for field, text in (("has_business", "是（开办时间）"), ("has_car", "是（购买时间）")):
        box = dialog.view.editors[field].boxes["是"]
        assert box.text().replace("\n", "") == text  # the paper's words, on one or two lines
        assert box.width() >= box.sizeHint().width()
        assert box.font().pointSizeF() >= 6.5  # shrunk at most to a legible size
        assert dialog.view.field_text(field) == ""  # nothing chosen yet
        box.click()
        assert dialog.view.field_text(field) == text  # the text the paper prints
    causes = dialog.view.editors["poverty_causes"].boxes.values()
    assert min(b.font().pointSizeF() for b in causes) >= 7.5  # 致贫原因 legible at 100 %
    tops = sorted({b.mapTo(dialog.view, b.rect().topLeft()).y() for b in causes})
    heights = {b.height() for b in causes}
    assert all(b - a >= min(heights) for a, b in itertools.pairwise(tops))  # no overlap


def test_the_form_sets_its_own_text_sizes_under_the_app_sheet(
    qtbot, services, household_id, boxes, screen
):
    dialog = open_dialog(qtbot, services, household_id, "collection")
    grid = next(iter(dialog.view.member_grids.values()))
    assert grid.font().pointSizeF() == 8.0  # the member grid's 23 columns, as designed
    assert grid.horizontalHeader().font().pointSizeF() == 7.0
    title = dialog.view.findChild(QLabel, "formTitle")
    assert title.font().pointSizeF() == 15.0 and title.font().bold()
