"""The semi-monthly 整改台账 as PDF: A4 landscape, the header row repeated on every page."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from desktop.printing import page
from desktop.printing.fonts import role_fonts
from desktop.printing.page import document, grid_style, page_number
from desktop.services.problems.report import COL_STATUS, LedgerTable

PAGE = landscape(A4)
MARGIN_MM = 10
CELL_PT = 7.5
CELL_PAD_MM = 0.8
TITLE_PT = 16
LATE_COLOUR = colors.Color(0.97, 0.84, 0.83)


def _styles():
    fonts = role_fonts()
    cell = page.text_style("cell", fonts.song, CELL_PT, 1.25)
    head = page.head_style(cell, fonts.heading)
    title = page.title_style(fonts.title, TITLE_PT, 1.4)
    period = ParagraphStyle("period", fontName=fonts.song, fontSize=10, leading=14)
    note = ParagraphStyle("note", fontName=fonts.song, fontSize=9, leading=13)
    return fonts, cell, head, title, period, note


def render_ledger_pdf(table: LedgerTable) -> bytes:
    """Draw the 整改台账 on A4 landscape pages and return the PDF bytes."""
    fonts, cell, head, title, period, note = _styles()
    out = BytesIO()
    doc = document(
        out, pagesize=PAGE, margin_mm=MARGIN_MM, title=table.title, font=fonts.song, footer_mm=2
    )
    data = [[Paragraph(escape(h), head) for h in table.headers]]
    for values in table.rows:
        data.append([Paragraph(escape(v), cell) for v in values])
    data.append([Paragraph(escape(v), cell) for v in table.total])
    widths = [c.pdf_mm * mm for c in table.columns]
    style = grid_style(CELL_PAD_MM, head_colour=page.HEAD_BLUE)
    for index in sorted(table.overdue_rows):
        style.append(("BACKGROUND", (COL_STATUS, index + 1), (COL_STATUS, index + 1), LATE_COLOUR))
    grid = Table(data, colWidths=widths, repeatRows=1, style=TableStyle(style))
    story = [
        Paragraph(escape(table.title), title),
        Paragraph(escape(f"报送时段：{table.period}"), period),
        Spacer(1, 2 * mm),
        grid,
        Spacer(1, 3 * mm),
        *[Paragraph(escape(line), note) for line in table.summary],
    ]
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()
