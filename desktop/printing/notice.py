"""The 整改函 (seed 004) with its numbered 问题清单, laid out after GB/T 9704 as far as a PDF
allows: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm, 3号仿宋 body, 2号小标宋 title."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop.dates import chinese_date
from desktop.printing.fonts import role_fonts
from desktop.printing.page import text_style
from desktop.services.problems.data import NoticeProblem

# GB/T 9704-2012 page geometry (mm).
PAGE_W_MM, PAGE_H_MM = 210, 297
TOP_MM = 37  # 天头
LEFT_MM = 28  # 订口
BODY_W_MM, BODY_H_MM = 156, 225  # 版心
RIGHT_MM = PAGE_W_MM - LEFT_MM - BODY_W_MM
BOTTOM_MM = PAGE_H_MM - TOP_MM - BODY_H_MM
PAGE_NUMBER_DROP_MM = 7  # 页码 sits 7 mm below the 版心

# Type sizes in points (号 → pt) and the line pitch of 22 lines in the 版心.
SIZE_2 = 22  # 二号: title
SIZE_3 = 16  # 三号: body
SIZE_4 = 14  # 四号: page number
SIZE_5 = 10.5  # 五号: the 问题清单 table
LINE_PT = BODY_H_MM * mm / 22
CHAR_PT = SIZE_3
ISSUER_PT = 26
SEAL_ROOM_LINES = 2  # blank lines above the signature, where the seal presses down
RED = colors.Color(0.85, 0, 0)

# Widths of the 问题清单 columns (mm), adding up to the 版心 width.
LIST_COLUMNS = (
    ("序号", 11),
    ("问题编号", 18),
    ("问题对象", 24),
    ("问题描述", 40),
    ("整改要求", 29),
    ("整改时限", 18),
    ("责任人", 16),
)


@dataclass
class NoticeData:
    """Everything a 整改函 shows; plain data, no database."""

    unit_name: str  # 主送机关
    issuer: str  # 发文机关
    date: datetime.date  # 成文日期
    deadline: datetime.date  # 整改到位 by this day
    problems: Sequence[NoticeProblem]
    doc_number: str = ""  # 发文字号, e.g. 干扶函〔2020〕3号
    title: str = "关于限期整改脱贫攻坚问题的函"
    # How the problems were found, opening the main text; default: the 回头看 and 督查 in general.
    basis: str = ""
    copy_to: Sequence[str] = ()  # 抄送机关 (seed 004: the county's 党委 and 政府)
    list_note: str = ""  # printed under the 问题清单's title, e.g. the inspection round


class RedRule(Flowable):
    """The red separating line under the issuer's name (版头中的分隔线)."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width, self.height = width, 2 * mm

    def draw(self) -> None:
        """Draw the rule across the full 版心 width."""
        self.canv.setStrokeColor(RED)
        self.canv.setLineWidth(1.2)
        self.canv.line(0, self.height / 2, self.width, self.height / 2)


class BlackRule(Flowable):
    """A 版记 rule across the 版心 (GB/T 9704: black, about 0.35 mm)."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width, self.height = width, 1.5 * mm

    def draw(self) -> None:
        """Draw the rule across the full 版心 width."""
        self.canv.setStrokeColor(colors.black)
        self.canv.setLineWidth(1.0)
        self.canv.line(0, self.height / 2, self.width, self.height / 2)


def _styles():
    fonts = role_fonts()
    body = ParagraphStyle(
        "body",
        fontName=fonts.body,
        fontSize=SIZE_3,
        leading=LINE_PT,
        firstLineIndent=2 * CHAR_PT,
        wordWrap="CJK",
        alignment=4,
    )
    return {
        "issuer": ParagraphStyle(
            "issuer",
            fontName=fonts.title,
            fontSize=ISSUER_PT,
            leading=ISSUER_PT * 1.3,
            alignment=1,
            textColor=RED,
        ),
        "number": ParagraphStyle("number", parent=body, firstLineIndent=0, alignment=1),
        "title": text_style("title", fonts.title, SIZE_2, 1.45, alignment=1),
        "body": body,
        "addressee": ParagraphStyle("addressee", parent=body, firstLineIndent=0),
        # 成文日期 右空四字; 署名 centred over the date.
        "date": ParagraphStyle(
            "date", parent=body, firstLineIndent=0, alignment=2, rightIndent=4 * CHAR_PT
        ),
        "attachment_head": ParagraphStyle(
            "attachment_head", parent=body, fontName=fonts.heading, firstLineIndent=0
        ),
        "cell": text_style("cell", fonts.body, SIZE_5, 1.35),
        "cell_head": ParagraphStyle(
            "cell_head",
            fontName=fonts.heading,
            fontSize=SIZE_5,
            leading=SIZE_5 * 1.35,
            alignment=1,
        ),
    }


def _page_number(canvas, doc) -> None:
    # GB/T 9704: 4号半角宋体, “— 1 —”, odd pages right and even pages left, 空一字.
    fonts = role_fonts()
    canvas.saveState()
    canvas.setFont(fonts.song, SIZE_4)
    text = f"— {doc.page} —"
    y = (BOTTOM_MM - PAGE_NUMBER_DROP_MM) * mm - SIZE_4 * 0.8
    if doc.page % 2:
        canvas.drawRightString((LEFT_MM + BODY_W_MM) * mm - SIZE_4, y, text)
    else:
        canvas.drawString(LEFT_MM * mm + SIZE_4, y, text)
    canvas.restoreState()


def _signature_block(data: NoticeData, st) -> KeepTogether:
    date_text = chinese_date(data.date)
    # Centre the issuer's name over the date: pad it on the right by half the length difference.
    pad = 4 * CHAR_PT + max(0, (len(date_text) - len(data.issuer))) * CHAR_PT / 2
    issuer_style = ParagraphStyle("issuer_sign", parent=st["date"], rightIndent=pad)
    return KeepTogether(
        [
            Spacer(1, SEAL_ROOM_LINES * LINE_PT),
            Paragraph(escape(data.issuer), issuer_style),
            Paragraph(escape(date_text), st["date"]),
        ]
    )


def _copy_block(data: NoticeData, st) -> KeepTogether:
    """版记: 抄送 between two rules, after the 问题清单 (the letter and its list both go)."""
    body_w = BODY_W_MM * mm
    style = ParagraphStyle(
        "copy", parent=st["body"], firstLineIndent=0, leftIndent=CHAR_PT, fontSize=SIZE_4,
        leading=LINE_PT, rightIndent=CHAR_PT,
    )  # fmt: skip
    text = f"抄送：{'，'.join(data.copy_to)}。"
    return KeepTogether(
        [
            Spacer(1, LINE_PT),
            BlackRule(body_w),
            Paragraph(escape(text), style),
            BlackRule(body_w),
        ]
    )


def _problem_table(data: NoticeData, st) -> Table:
    head = [Paragraph(escape(name), st["cell_head"]) for name, _ in LIST_COLUMNS]
    rows = [head]
    for n, p in enumerate(data.problems, 1):
        # Break after 年 so that a date never splits inside a number.
        deadline = (
            f"{p.deadline.year}年\n{p.deadline.month}月{p.deadline.day}日"
            if p.deadline
            else "立行立改"
        )
        values = (str(n), p.number, p.target, p.description, p.measures, deadline, p.person_name)
        rows.append([Paragraph(escape(v or "").replace("\n", "<br/>"), st["cell"]) for v in values])
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            # A Table sets its cells' font (Helvetica unless told) even for Paragraph cells.
            ("FONTNAME", (0, 0), (-1, -1), role_fonts().body),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 1), (0, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 1.5 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 1.5 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ]
    )
    return Table(rows, colWidths=[w * mm for _, w in LIST_COLUMNS], repeatRows=1, style=style)


def _main_text(data: NoticeData) -> list[str]:
    n = len(data.problems)
    basis = data.basis or "根据脱贫攻坚“回头看”排查和督查情况"
    return [
        f"{basis}，经梳理，你单位存在问题{n}个（详见附件问题清单）。"
        f"现将问题清单函告你单位，请高度重视，逐项制定整改措施，明确整改责任人，"
        f"于{chinese_date(data.deadline)}前整改到位，并将整改情况书面报送{data.issuer}。",
        "确因特殊情况需要延长整改时限的，应在时限届满前及时报告原因，并明确延长后的时限。"
        "整改完成情况及整改率将列入年度扶贫开发考核。",
        "特此函告。",
    ]


def render_notice(data: NoticeData) -> bytes:
    """Draw the 整改函 and its 问题清单 and return the PDF bytes."""
    if not data.problems:
        raise ValueError(f"“{data.unit_name}”没有未销号的问题，无需发整改函")
    st = _styles()
    out = BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        title=data.title,
        author=data.issuer,
        invariant=1,
        # Else every page's resources name Helvetica, which is not embedded.
        initialFontName=role_fonts().body,
    )
    # One frame exactly the 版心, without platypus's default 6 pt padding.
    frame = Frame(
        LEFT_MM * mm,
        BOTTOM_MM * mm,
        BODY_W_MM * mm,
        BODY_H_MM * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_number)])
    body_w = BODY_W_MM * mm
    story: list = [Paragraph(escape(data.issuer), st["issuer"]), Spacer(1, LINE_PT * 0.5)]
    if data.doc_number:
        story.append(Paragraph(escape(data.doc_number), st["number"]))
    story += [
        RedRule(body_w),
        Spacer(1, LINE_PT),
        Paragraph(escape(data.title), st["title"]),
        Spacer(1, LINE_PT),
        Paragraph(escape(f"{data.unit_name}："), st["addressee"]),
    ]
    story += [Paragraph(escape(text), st["body"]) for text in _main_text(data)]
    story += [
        Spacer(1, LINE_PT),
        Paragraph(escape(f"附件：{data.unit_name}问题清单"), st["body"]),
        _signature_block(data, st),
        PageBreak(),
        Paragraph("附件", st["attachment_head"]),
        Spacer(1, LINE_PT * 0.5),
        Paragraph(escape(f"{data.unit_name}问题清单"), st["title"]),
        *([Paragraph(escape(data.list_note), st["number"])] if data.list_note else []),
        Spacer(1, LINE_PT * 0.5),
        _problem_table(data, st),
    ]
    if data.copy_to:
        story.append(_copy_block(data, st))
    doc.build(story)
    return out.getvalue()
