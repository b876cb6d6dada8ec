"""Seed 001's tables (附件2–6) as PDF for signature: A4 landscape, the paper's header with its
spans repeated on every page, check boxes drawn as boxes with a tick, signature lines, notes."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop.printing import page
from desktop.printing.fonts import role_fonts
from desktop.printing.page import document, grid_style, page_number
from desktop.services.standards.sheet_data import Check, Sheet

PAGE = landscape(A4)
MARGIN_MM = 10
CELL_PT = 9
HEAD_PT = 9
TITLE_PT = 16
LINE_PT = 10.5
NOTE_PT = 8.5
BOX_MM = 3.2
CELL_PAD_MM = 0.8
SIGN_GAP_MM = 6  # room to sign by hand under the table


class CheckBoxes(Flowable):
    """□有 □无 with a tick (√) drawn in the chosen box, as note 11 asks."""

    def __init__(self, check: Check, font: str, size: float) -> None:
        super().__init__()
        self.check, self.font, self.size = check, font, size
        self.width = 0
        self.height = BOX_MM * mm

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        c = self.canv
        box = BOX_MM * mm
        gap = 1.2 * mm
        words = [
            box + gap + c.stringWidth(o, self.font, self.size) + 2 * mm for o in self.check.options
        ]
        x = max(0.0, (self.width - sum(words)) / 2)
        c.setLineWidth(0.6)
        for i, option in enumerate(self.check.options):
            c.rect(x, 0, box, box)
            if i == self.check.chosen:
                c.setLineWidth(1)
                c.lines(
                    [
                        (x + 0.18 * box, 0.5 * box, x + 0.42 * box, 0.18 * box),
                        (x + 0.42 * box, 0.18 * box, x + 0.9 * box, 0.9 * box),
                    ]
                )
                c.setLineWidth(0.6)
            c.setFont(self.font, self.size)
            c.drawString(x + box + gap, 0.15 * box, option)
            x += words[i]


def _styles():
    fonts = role_fonts()
    cell = page.text_style("cell", fonts.song, CELL_PT, 1.25, alignment=1)
    left = ParagraphStyle("left", parent=cell, alignment=0)
    head = page.head_style(cell, fonts.heading, fontSize=HEAD_PT)
    title = page.title_style(fonts.title, TITLE_PT, 1.5)
    line = ParagraphStyle("line", fontName=fonts.song, fontSize=LINE_PT, leading=LINE_PT * 1.6)
    note = page.text_style("note", fonts.song, NOTE_PT, 1.45)
    return fonts, cell, left, head, title, line, note


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _para(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _spaced(text: str, style) -> Paragraph:
    """A line whose blanks are kept (“填报时间：      年    月    日”), for handwriting."""
    return Paragraph(escape(text).replace(" ", "&nbsp;"), style)


def _table(sheet: Sheet, fonts, cell, left, head) -> Table:
    width = len(sheet.columns)
    data: list[list] = [[""] * width for _ in range(sheet.header_rows)]
    style = grid_style(CELL_PAD_MM)
    for h in sheet.header:
        data[h.row][h.col] = _para(h.text, head)
        if h.rowspan > 1 or h.colspan > 1:
            style.append(("SPAN", (h.col, h.row), (h.col + h.colspan - 1, h.row + h.rowspan - 1)))
    for values in sheet.body():
        row = []
        for col, value in zip(sheet.columns, values, strict=True):
            if isinstance(value, Check):
                row.append(CheckBoxes(value, fonts.song, CELL_PT))
            else:
                row.append(_para(_text(value), left if col.key == "remark" else cell))
        data.append(row)
    if not sheet.body():
        data.append([""] * width)  # an empty table still has a row to write in by hand
    widths = [c.width_mm * mm for c in sheet.columns]
    return Table(data, colWidths=widths, repeatRows=sheet.header_rows, style=TableStyle(style))


def _story(sheet: Sheet, styles) -> list:
    fonts, cell, left, head, title, line, note = styles
    story: list = [_para(sheet.title, title)]
    for items in sheet.header_lines:
        story.append(_spaced("　　　".join(items), line))
    story += [
        Spacer(1, 2 * mm),
        _table(sheet, fonts, cell, left, head),
        Spacer(1, SIGN_GAP_MM * mm),
    ]
    for items in sheet.signatures:
        story.append(_spaced("　　　　　　　　　　　　".join(items), line))
    story.append(Spacer(1, 3 * mm))
    for i, text in enumerate(sheet.notes):
        story.append(_para(f"注：{text}" if i == 0 else f"　　{text}", note))
    if sheet.standard_note:
        story += [Spacer(1, 1.5 * mm), _para(sheet.standard_note, note)]
    return story


def render_sheets_pdf(sheets: list[Sheet]) -> bytes:
    """Draw each sheet from a new page; return the PDF bytes."""
    styles = _styles()
    out = BytesIO()
    title = sheets[0].title if sheets else ""
    doc = document(
        out, pagesize=PAGE, margin_mm=MARGIN_MM, title=title, font=styles[0].song, footer_mm=2
    )
    story: list = []
    for i, sheet in enumerate(sheets):
        if i:
            story.append(PageBreak())
        story += _story(sheet, styles)
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()
