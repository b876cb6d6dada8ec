"""PrintPreviewDialog: a PDF on screen before it is saved or sent to the printer at 100%."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# Zoom choices as shown; None entries are the fit modes.
ZOOM_CHOICES: tuple[tuple[str, float | None, QPdfView.ZoomMode], ...] = (
    ("适合宽度", None, QPdfView.ZoomMode.FitToWidth),
    ("整页", None, QPdfView.ZoomMode.FitInView),
    ("50%", 0.5, QPdfView.ZoomMode.Custom),
    ("75%", 0.75, QPdfView.ZoomMode.Custom),
    ("100%", 1.0, QPdfView.ZoomMode.Custom),
    ("125%", 1.25, QPdfView.ZoomMode.Custom),
    ("150%", 1.5, QPdfView.ZoomMode.Custom),
    ("200%", 2.0, QPdfView.ZoomMode.Custom),
)
ZOOM_STEP = 1.25
MAX_PRINT_DPI = 600  # a page image above this only slows the spooler down
MAX_LISTED_PLACES = 8

MissingCharacters = Mapping[str, Sequence[str]]  # character → places (户, field) that use it


def missing_characters_text(missing: MissingCharacters) -> str:
    """Return the Chinese warning that lists characters no font can print, and where."""
    lines = ["以下字符在所有可用字体中都没有，打印出来会缺字，请核对后手写补上或改用常用字："]
    for char, places in missing.items():
        code = f"U+{ord(char):04X}" if len(char) == 1 else ""
        shown = "、".join(list(places)[:MAX_LISTED_PLACES])
        more = f" 等{len(places)}处" if len(places) > MAX_LISTED_PLACES else ""
        where = f"：{shown}{more}" if shown else ""
        lines.append(f"“{char}”（{code}）{where}")
    return "\n".join(lines)


def missing_from_places(places: Iterable[tuple[str, str, str]]) -> dict[str, list[str]]:
    """Turn the printer's (户编号, field, characters) findings into character → places."""
    out: dict[str, list[str]] = {}
    for code, field, chars in places:
        where = f"{code} {field}".strip()
        for char in dict.fromkeys(chars):
            if where not in out.setdefault(char, []):
                out[char].append(where)
    return out


class PrintPreviewDialog(QDialog):
    """Shows a PDF with zoom, 保存PDF… and 打印… (A4, 100% scale, the PDF's orientation)."""

    def __init__(
        self,
        pdf_bytes: bytes,
        suggested_name: str,
        parent: QWidget | None = None,
        missing: MissingCharacters | None = None,
    ) -> None:
        super().__init__(parent)
        self.pdf_bytes = bytes(pdf_bytes)
        self.suggested_name = suggested_name
        self.missing = dict(missing or {})
        self.saved_path: Path | None = None
        self.setWindowTitle(f"打印预览 — {suggested_name}")
        self.resize(1000, 760)

        # The buffer must outlive the document: QPdfDocument reads from it lazily.
        self._bytes = QByteArray(self.pdf_bytes)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setPageSpacing(12)
        # At 适合宽度 a page whose fitted height lies between the viewport's height with and
        # without a vertical scroll bar made the bar come and go for ever (a white page, the
        # window busy for a minute, with the style sheet's scroll bars). A bar that is always
        # there keeps the viewport's width, and so the zoom, fixed.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)

        self.warning_label = QLabel(self)
        self.warning_label.setWordWrap(True)
        self.warning_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning_label.setStyleSheet(
            "QLabel { background: #fff4d6; border: 1px solid #e0a800; padding: 6px; }"
        )
        self.warning_label.setVisible(bool(self.missing))
        if self.missing:
            self.warning_label.setText(missing_characters_text(self.missing))

        self.zoom_combo = QComboBox(self)
        for text, _factor, _mode in ZOOM_CHOICES:
            self.zoom_combo.addItem(text)
        self.zoom_out_button = QPushButton("缩小", self)
        self.zoom_in_button = QPushButton("放大", self)
        self.zoom_label = QLabel(self)
        self.pages_label = QLabel(self)
        self.save_button = QPushButton("保存PDF…", self)
        self.print_button = QPushButton("打印…", self)
        self.close_button = QPushButton("关闭", self)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("缩放：", self))
        bar.addWidget(self.zoom_combo)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_in_button)
        bar.addWidget(self.zoom_label)
        bar.addSpacing(16)
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        bar.addWidget(self.save_button)
        bar.addWidget(self.print_button)
        bar.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.warning_label)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

        self.zoom_combo.currentIndexChanged.connect(self._on_zoom_combo_changed)
        self.zoom_in_button.clicked.connect(lambda: self._step_zoom(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self._step_zoom(1 / ZOOM_STEP))
        self.save_button.clicked.connect(self._on_save_clicked)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.close_button.clicked.connect(self.reject)

        ok = self.document.status() == QPdfDocument.Status.Ready
        self.save_button.setEnabled(ok)
        self.print_button.setEnabled(ok and self.page_count() > 0)
        if ok:
            self.pages_label.setText(f"共 {self.page_count()} 页 · {self._paper_text()}")
        else:
            self.pages_label.setText("无法显示此PDF")
        self.zoom_combo.setCurrentIndex(0)
        self._on_zoom_combo_changed(0)

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def run(
        cls,
        pdf_bytes: bytes,
        suggested_name: str,
        parent: QWidget | None = None,
        missing: MissingCharacters | None = None,
    ) -> tuple[Path | None, bool]:
        """Warn about unprintable characters, show the preview; return (saved path, accepted)."""
        if missing:
            QMessageBox.warning(parent, "有字符无法打印", missing_characters_text(missing))
        dialog = cls(pdf_bytes, suggested_name, parent, missing)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.saved_path, accepted

    # --- document facts -----------------------------------------------------------------

    def page_count(self) -> int:
        """Return the number of pages of the shown PDF."""
        return self.document.pageCount()

    def is_landscape(self) -> bool:
        """True when the first page is wider than it is tall (the 核查表)."""
        if self.page_count() == 0:
            return False
        size = self.document.pagePointSize(0)
        return size.width() > size.height()

    def _paper_text(self) -> str:
        if self.page_count() == 0:
            return ""
        size = self.document.pagePointSize(0)
        mm_w, mm_h = size.width() * 25.4 / 72, size.height() * 25.4 / 72
        orientation = "横向" if self.is_landscape() else "纵向"
        return f"{mm_w:.0f}×{mm_h:.0f} 毫米（{orientation}）"

    # --- zoom ---------------------------------------------------------------------------

    def _on_zoom_combo_changed(self, index: int) -> None:
        _text, factor, mode = ZOOM_CHOICES[index]
        self.view.setZoomMode(mode)
        if factor is not None:
            self.view.setZoomFactor(factor)
        self._show_zoom()

    def _step_zoom(self, ratio: float) -> None:
        factor = max(0.1, min(8.0, self.view.zoomFactor() * ratio))
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom:
            # Leaving a fit mode: start from the fitted size, not from the last custom factor.
            factor = max(0.1, min(8.0, self._fitted_factor() * ratio))
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(factor)
        self._show_zoom()

    def _show_zoom(self) -> None:
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom:
            self.zoom_label.setText(f"{self.view.zoomFactor() * 100:.0f}%")
        else:
            self.zoom_label.setText("")

    def _fitted_factor(self) -> float:
        if self.page_count() == 0:
            return 1.0
        points = self.document.pagePointSize(0)
        # QPdfView draws 1 point as 1/72 inch at the screen's logical dpi at factor 1.
        dpi = self.view.logicalDpiX() or 96
        width_px = points.width() * dpi / 72
        return max(0.1, (self.view.viewport().width() - 24) / width_px)

    # --- saving and printing ------------------------------------------------------------

    def _on_save_clicked(self) -> None:
        name = self.suggested_name
        if not name.lower().endswith(".pdf"):
            name += ".pdf"
        path, _filter = QFileDialog.getSaveFileName(self, "保存PDF", name, "PDF 文件 (*.pdf)")
        if not path:
            return
        try:
            self.save_to(Path(path))
        except OSError as exc:
            QMessageBox.critical(self, "保存失败", f"无法写入文件 {path}：{exc.strerror or exc}")
            return
        QMessageBox.information(self, "已保存", f"已保存到 {path}")

    def save_to(self, path: Path) -> Path:
        """Write the PDF bytes to a file (a .pdf suffix is added when missing)."""
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        path.write_bytes(self.pdf_bytes)
        self.saved_path = path
        return path

    def make_printer(self) -> QPrinter:
        """Return a printer set to A4 at the PDF's orientation with no margins (100% scale)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        orientation = (
            QPageLayout.Orientation.Landscape
            if self.is_landscape()
            else QPageLayout.Orientation.Portrait
        )
        printer.setPageOrientation(orientation)
        # Full page: coordinates start at the paper's corner, so the PDF's own margins hold.
        printer.setFullPage(True)
        return printer

    def _on_print_clicked(self) -> None:
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.print_to(printer)
        except RuntimeError as exc:
            QMessageBox.critical(self, "打印失败", str(exc))
            return
        self.accept()

    def print_to(self, printer: QPrinter) -> int:
        """Print every page at 100% scale onto the printer; return the number of pages sent."""
        painter = QPainter()
        if not painter.begin(printer):
            raise RuntimeError("无法连接打印机，请检查打印机是否已开启并连接")
        try:
            dpi = min(printer.resolution(), MAX_PRINT_DPI)
            pages = self.page_count()
            for index in range(pages):
                if index:
                    printer.newPage()
                points = self.document.pagePointSize(index)
                image_size = QSize(
                    round(points.width() * dpi / 72), round(points.height() * dpi / 72)
                )
                image = self.document.render(index, image_size)
                # Paper size in device pixels of the printer: the page is drawn 1:1 in mm.
                scale = printer.resolution() / 72
                target = QRect(0, 0, round(points.width() * scale), round(points.height() * scale))
                painter.drawImage(target, image)
        finally:
            painter.end()
        return pages
