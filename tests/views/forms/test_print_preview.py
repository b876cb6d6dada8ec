"""Print preview: shows the PDF's pages, saves the bytes, prints A4 at the PDF's orientation."""

from __future__ import annotations

import io

import pypdf
import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from desktop.views.forms.print_preview import PrintPreviewDialog, missing_characters_text

A4_LANDSCAPE_PT = landscape(A4)


def make_pdf(pages: int, size=A4_LANDSCAPE_PT) -> bytes:
    """Return a small PDF with numbered pages of the given size."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size)
    for number in range(pages):
        pdf.rect(40, 40, size[0] - 80, size[1] - 80)
        pdf.drawString(60, size[1] - 60, f"page {number + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def no_message_boxes(monkeypatch):
    shown = []
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(
            QMessageBox, kind, lambda *a, _k=kind, **kw: shown.append((_k, a[1:3])) or 0
        )
    return shown


def test_preview_shows_every_page_and_the_paper(qtbot):
    dialog = PrintPreviewDialog(make_pdf(3), "核查表_HX001", None)
    qtbot.addWidget(dialog)
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.page_count() == 3
    assert dialog.is_landscape()
    assert "共 3 页" in dialog.pages_label.text()
    assert "297×210" in dialog.pages_label.text()
    assert "横向" in dialog.pages_label.text()
    assert dialog.print_button.isEnabled()
    assert not dialog.warning_label.isVisibleTo(dialog)


def test_portrait_pdf_is_recognised(qtbot):
    dialog = PrintPreviewDialog(make_pdf(1, A4), "采集表", None)
    qtbot.addWidget(dialog)
    assert not dialog.is_landscape()
    printer = dialog.make_printer()
    assert printer.pageLayout().orientation().name == "Portrait"


def test_zoom_controls(qtbot):
    dialog = PrintPreviewDialog(make_pdf(1), "x", None)
    qtbot.addWidget(dialog)
    dialog.zoom_combo.setCurrentText("150%")
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert dialog.view.zoomFactor() == pytest.approx(1.5)
    dialog.zoom_in_button.click()
    assert dialog.view.zoomFactor() == pytest.approx(1.875)
    assert dialog.zoom_label.text() == "188%"
    dialog.zoom_combo.setCurrentText("整页")
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitInView
    dialog.zoom_out_button.click()
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.Custom


def test_save_pdf_writes_the_same_bytes(qtbot, tmp_path, monkeypatch, no_message_boxes):
    data = make_pdf(2)
    dialog = PrintPreviewDialog(data, "核查表_HX001", None)
    qtbot.addWidget(dialog)
    target = tmp_path / "out"
    asked = []

    def fake_save(parent, title, name, filters):
        asked.append(name)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    dialog.save_button.click()
    assert asked == ["核查表_HX001.pdf"]
    assert (tmp_path / "out.pdf").read_bytes() == data
    assert dialog.saved_path == tmp_path / "out.pdf"
    assert no_message_boxes[0][0] == "information"


def test_print_is_a4_full_page_in_the_pdf_orientation(qtbot, tmp_path):
    dialog = PrintPreviewDialog(make_pdf(2), "x", None)
    qtbot.addWidget(dialog)
    printer = dialog.make_printer()
    printer.setResolution(150)  # keep the test fast
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert dialog.print_to(printer) == 2
    pages = pypdf.PdfReader(out).pages
    assert len(pages) == 2
    for page in pages:
        width_mm = float(page.mediabox.width) * 25.4 / 72
        height_mm = float(page.mediabox.height) * 25.4 / 72
        assert width_mm == pytest.approx(297, abs=0.5)
        assert height_mm == pytest.approx(210, abs=0.5)


def test_unprintable_characters_are_listed_before_the_preview(qtbot, monkeypatch, no_message_boxes):
    missing = {"𠮷": ["HX001 户主姓名", "HX007 A1姓名"]}
    monkeypatch.setattr(PrintPreviewDialog, "exec", lambda self: 0)
    saved, accepted = PrintPreviewDialog.run(make_pdf(1), "x", None, missing)
    assert (saved, accepted) == (None, False)
    kind, (_title, text) = no_message_boxes[0]
    assert kind == "warning"
    assert "𠮷" in text and "U+20BB7" in text and "HX001 户主姓名" in text


def test_warning_banner_inside_the_dialog(qtbot):
    dialog = PrintPreviewDialog(make_pdf(1), "x", None, {"䶮": ["HX002 户主姓名"]})
    qtbot.addWidget(dialog)
    assert dialog.warning_label.isVisibleTo(dialog)
    assert "䶮" in dialog.warning_label.text()


def test_many_places_are_shortened():
    text = missing_characters_text({"𠮷": [f"HX{i:03d}" for i in range(20)]})
    assert "等20处" in text and "HX019" not in text


def test_broken_pdf_disables_printing(qtbot):
    dialog = PrintPreviewDialog(b"not a pdf", "x", None)
    qtbot.addWidget(dialog)
    assert not dialog.print_button.isEnabled()
    assert "无法显示" in dialog.pages_label.text()


def _page_painted(dialog: PrintPreviewDialog) -> bool:
    """True when the viewport shows ink (the page's frame), not only paper and background."""
    image = dialog.view.viewport().grab().toImage()
    for y in range(0, image.height(), 5):
        for x in range(0, image.width(), 5):
            if image.pixelColor(x, y).lightness() < 90:
                return True
    return False


@pytest.fixture
def app_style(qapp):
    """The application's style sheet, as the window runs with it."""
    from desktop.views.startup import apply_style

    before = qapp.styleSheet()
    apply_style(qapp)
    yield
    qapp.setStyleSheet(before)


@pytest.mark.parametrize("pages", [1, 60])
@pytest.mark.parametrize("size", [(1000, 760), (1366, 768), (1920, 1000)])
def test_first_page_shows_at_fit_width_with_the_app_style(qtbot, app_style, pages, size):
    # A one-page preview at 适合宽度 used to hang for 20-100 s: the page's height at the fitted
    # width sat between the viewport's height with and without the vertical scroll bar, so the
    # bar came and went for ever. The page must show, and the bar must stay where it is.
    dialog = PrintPreviewDialog(make_pdf(pages), "核查表", None)
    qtbot.addWidget(dialog)
    dialog.resize(*size)
    dialog.show()
    assert dialog.zoom_combo.currentText() == "适合宽度"
    qtbot.waitUntil(lambda: _page_painted(dialog), timeout=3000)
    bar = dialog.view.verticalScrollBar()
    seen = set()
    for _ in range(20):
        qtbot.wait(10)
        seen.add(bar.isVisible())
    assert seen == {True}
