"""Small pictures of evidence files (photos, scans, PDFs) for the problem dialog's list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileInfo, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QImageReader, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QFileIconProvider

THUMBNAIL_PX = 120  # the longer side; a 12-megapixel photo is read scaled, not whole


def _scaled_size(size: QSize, longest: int) -> QSize:
    if not size.isValid() or size.isEmpty():
        return QSize(longest, longest)
    return size.scaled(QSize(longest, longest), Qt.AspectRatioMode.KeepAspectRatio)


def _image(path: Path, longest: int) -> QImage | None:
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # a phone's photo stands as it was taken (EXIF)
    if not reader.canRead():
        return None
    reader.setScaledSize(_scaled_size(reader.size(), longest))
    image = reader.read()
    return None if image.isNull() else image


def _pdf_page(path: Path, longest: int) -> QImage | None:
    document = QPdfDocument()
    if document.load(str(path)) != QPdfDocument.Error.None_ or document.pageCount() < 1:
        return None
    page = document.pagePointSize(0).toSize()
    image = document.render(0, _scaled_size(page, longest))
    document.close()
    return None if image.isNull() else image


def _framed(image: QImage) -> QImage:
    """A thin grey edge, so that a white page stands out from the white list."""
    framed = QImage(image.size(), QImage.Format.Format_RGB32)
    framed.fill(QColor("white"))  # a PDF page renders on a transparent ground: paper is white
    painter = QPainter(framed)
    painter.drawImage(0, 0, image)
    painter.setPen(QColor("#9a9a9a"))
    painter.drawRect(0, 0, framed.width() - 1, framed.height() - 1)
    painter.end()
    return framed


def thumbnail(path: Path, longest: int = THUMBNAIL_PX) -> QIcon:
    """Return a picture of a file: the photo itself, a PDF's first page, else its type's icon."""
    image = None
    if path.is_file():
        image = _pdf_page(path, longest) if path.suffix.lower() == ".pdf" else _image(path, longest)
    if image is not None:
        return QIcon(QPixmap.fromImage(_framed(image)))
    return QFileIconProvider().icon(QFileInfo(str(path)))
