"""The 清退人员花名册 and the 新增贫困人口花名册 as PDF: A4 landscape, header row on every page."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from desktop.printing import page
from desktop.printing.fonts import role_fonts
from desktop.printing.page import document, grid_style, page_number
from desktop.services.comparison.documents import SIGNATURES, RosterTable
from desktop.services.comparison.rosters_xlsx import write_roster_xlsx

PAGE = landscape(A4)
MARGIN_MM = 10
CELL_PT = 8
CELL_PAD_MM = 0.8
TITLE_PT = 16


def render_roster_pdf(table: RosterTable) -> bytes:
    """Draw a roster on A4 landscape pages with room to sign; return the PDF bytes."""
    fonts = role_fonts()
    cell = page.text_style("cell", fonts.song, CELL_PT, 1.3)
    head = page.head_style(cell, fonts.heading)
    title = page.title_style(fonts.title, TITLE_PT, 1.5)
    line = ParagraphStyle("line", fontName=fonts.song, fontSize=10, leading=15)
    out = BytesIO()
    doc = document(
        out, pagesize=PAGE, margin_mm=MARGIN_MM, title=table.title, font=fonts.song, footer_mm=2
    )
    data = [[Paragraph(escape(h), head) for h in table.headers]]
    data += [[Paragraph(escape(v), cell) for v in values] for values in table.rows]
    if not table.rows:
        data.append([Paragraph("本时段无核定记录", cell)] + [""] * (len(table.columns) - 1))
    style = grid_style(CELL_PAD_MM, font=fonts.song, head_colour=page.HEAD_BLUE)
    if not table.rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    grid = Table(
        data,
        colWidths=[c.pdf_mm * mm for c in table.columns],
        repeatRows=1,
        style=TableStyle(style),
    )
    plain = TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.song)])
    signatures = Table(
        [[Paragraph(escape(s), line) for s in SIGNATURES]],
        colWidths=[(PAGE[0] - 2 * MARGIN_MM * mm) / len(SIGNATURES)] * len(SIGNATURES),
        style=plain,
    )
    story = [
        Paragraph(escape(table.title), title),
        Table(
            [
                [
                    Paragraph(escape(f"填报单位：{table.scope}"), line),
                    Paragraph(escape(table.period), line),
                ]
            ],
            colWidths=[(PAGE[0] - 2 * MARGIN_MM * mm) / 2] * 2,
            style=plain,
        ),
        Spacer(1, 2 * mm),
        grid,
        Spacer(1, 3 * mm),
        Paragraph(escape(table.total), line),
        Spacer(1, 8 * mm),
        signatures,
    ]
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()


def write_roster_file(table: RosterTable, path: Path) -> Path:
    """Write a roster as .pdf or .xlsx, by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_roster_pdf(table))
        return path
    return write_roster_xlsx(table, path)
