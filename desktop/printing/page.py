"""What the table reports share: the document with its margins, the page number, the grid style
and the paragraph styles (title, text, table head) their paper's sizes are filled into.

The 整改台账, the 花名册, seed 001's sheets, the 审批表 and the 督查 lists each lay out their own
story; the page they stand on and the grid their tables are ruled with are set up here once.
"""

from __future__ import annotations

from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from desktop import APP_NAME
from desktop.printing.fonts import role_fonts

FOOTER_PT = 9
# The shaded head row of a table: pale blue (台账, 花名册) or grey (督查 and 排查 lists).
HEAD_BLUE = colors.Color(0.87, 0.9, 0.94)
HEAD_GREY = colors.Color(0.92, 0.92, 0.92)
FOOTER_MM = 5  # the page number's baseline above the paper's lower edge


def document(
    out: BinaryIO,
    *,
    pagesize: tuple[float, float],
    margin_mm: float,
    title: str,
    font: str,
    footer_mm: float = 0,
) -> SimpleDocTemplate:
    """Return a reproducible document with equal margins (plus footer_mm below for 第 N 页)."""
    return SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin_mm * mm,
        rightMargin=margin_mm * mm,
        topMargin=margin_mm * mm,
        bottomMargin=(margin_mm + footer_mm) * mm,
        title=title,
        author=APP_NAME,
        invariant=1,
        initialFontName=font,  # else reportlab references Helvetica, which is not embedded
    )


def page_number(canvas, doc) -> None:
    """Draw 第 N 页 centred at the foot of the page (onFirstPage/onLaterPages of a build)."""
    canvas.saveState()
    canvas.setFont(role_fonts().song, FOOTER_PT)
    canvas.drawCentredString(doc.pagesize[0] / 2, FOOTER_MM * mm, f"第 {doc.page} 页")
    canvas.restoreState()


def grid_style(
    pad_mm: float,
    *,
    line: float = 0.5,
    font: str = "",
    head_colour=None,
    pad_vertical: bool = True,
) -> list:
    """Return a ruled grid, cells centred upright and padded (a shaded head row if asked;
    pad_vertical=False: left and right only, reportlab's own padding above and below)."""
    style: list = [("GRID", (0, 0), (-1, -1), line, colors.black)]
    if font:
        style.append(("FONTNAME", (0, 0), (-1, -1), font))  # the empty cells of spans, too
    style.append(("VALIGN", (0, 0), (-1, -1), "MIDDLE"))
    if head_colour is not None:
        style.append(("BACKGROUND", (0, 0), (-1, 0), head_colour))
    style += [
        (side, (0, 0), (-1, -1), pad_mm * mm)
        for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
        if pad_vertical or side in ("LEFTPADDING", "RIGHTPADDING")
    ]
    return style


def title_style(font: str, pt: float, leading: float) -> ParagraphStyle:
    """Return a centred title of pt points, its lines leading × pt apart (kept on one line)."""
    return ParagraphStyle("title", fontName=font, fontSize=pt, leading=pt * leading, alignment=1)


def text_style(name: str, font: str, pt: float, leading: float, **more) -> ParagraphStyle:
    """Return text of pt points, lines leading × pt apart, wrapping between any two Chinese
    characters; more sets the rest (alignment, indents)."""
    return ParagraphStyle(
        name, fontName=font, fontSize=pt, leading=pt * leading, wordWrap="CJK", **more
    )


def head_style(cell: ParagraphStyle, font: str, **more) -> ParagraphStyle:
    """Return a table's head: the cell's text in the heading font, centred."""
    return ParagraphStyle("head", parent=cell, fontName=font, alignment=1, **more)
