"""The 审批表 of a 清退 or 新增: A4 portrait, one box per level, room for the county to sign."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from desktop.printing.fonts import role_fonts
from desktop.printing.page import document, text_style, title_style
from desktop.services.comparison.documents import ApprovalSheet

PAGE = A4
MARGIN_MM = 18
LABEL_MM = 32
BODY_PT = 10.5
TITLE_PT = 18
BLOCK_MIN_MM = 45  # a blank opinion box leaves this much room to write, sign and seal by hand


def render_approval_pdf(sheet: ApprovalSheet) -> bytes:
    """Draw one 审批表 and return the PDF bytes."""
    fonts = role_fonts()
    body = text_style("body", fonts.song, BODY_PT, 1.5)
    label = ParagraphStyle("label", parent=body, fontName=fonts.heading, alignment=1)
    right = ParagraphStyle("right", parent=body, alignment=2)
    title = title_style(fonts.title, TITLE_PT, 1.5)
    width = PAGE[0] - 2 * MARGIN_MM * mm
    half = (width - 2 * LABEL_MM * mm) / 2

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    rows = [
        [p("地址", label), p(sheet.place), p("户编号", label), p(sheet.household_code)],
        [p("户主", label), p(sheet.head_name), p("贫困户属性", label), p(sheet.poverty_kind)],
        [p("涉及人员", label), p(_persons(sheet)), "", ""],
        [p("原因/认定依据", label), p(sheet.reason), "", ""],
        [p("比对疑点", label), p("\n".join(sheet.hits) or "无"), "", ""],
    ]
    heights: list[float | None] = [None] * len(rows)
    for block in sheet.blocks:
        signed = f"签字：{block.signer or '          '}    日期：{block.day or '    年  月  日'}"
        rows.append(
            [
                p(block.label, label),
                [p(block.text or ""), Spacer(1, 6 * mm), p(signed, right)],
                "",
                "",
            ]
        )
        heights.append(None if block.text else BLOCK_MIN_MM * mm)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), fonts.song),  # the empty cells of spans, too
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
    ]
    for index in range(2, len(rows)):
        style.append(("SPAN", (1, index), (3, index)))
    table = Table(
        rows,
        colWidths=[LABEL_MM * mm, half, LABEL_MM * mm, half],
        rowHeights=heights,
        style=TableStyle(style),
    )
    out = BytesIO()
    doc = document(out, pagesize=PAGE, margin_mm=MARGIN_MM, title=sheet.title, font=fonts.song)
    doc.build(
        [
            p(sheet.title, title),
            p(f"编号：{sheet.number}", right),
            Spacer(1, 2 * mm),
            table,
            Spacer(1, 4 * mm),
            p("（县扶贫办核定后盖章；核定结果由乡镇按本表录入系统，录入时注明签字人。）"),
        ]
    )
    return out.getvalue()


def _persons(sheet: ApprovalSheet) -> str:
    if not sheet.persons:
        return sheet.subject
    people = "；".join(f"{n}（{r}，{i}）" if i else f"{n}（{r}）" for n, r, i in sheet.persons)
    return f"{sheet.subject}：{people}"
