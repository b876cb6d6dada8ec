"""The daily list of a 排查小组 (seed 003): the pair, the day, the households to visit with
village, 组, 户主, 户编号 and questionnaire, and the lines where the two reviewers sign
(“谁调查、谁签字、谁负责”). Plain data in, PDF bytes out; A4 portrait, fonts embedded.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from desktop.dates import chinese_date
from desktop.printing.fonts import register_fonts
from desktop.printing.page import (
    HEAD_GREY,
    document,
    grid_style,
    page_number,
    text_style,
    title_style,
)
from desktop.services.questionnaires.team_data import DailyList

MARGIN_MM = 15
FOOTER_MM = 6
TITLE_PT = 16
BODY_PT = 10.5
CELL_PT = 10
ROW_MM = 9  # tall enough to tick a row by hand at the door
FORM_NAMES = {"hunan_registered": "附件1", "hunan_unregistered": "附件2"}

# The households table's columns (mm), adding up to the 180 mm between A4's margins.
COLUMNS = (
    ("序号", 12), ("村", 24), ("组", 16), ("户主", 22), ("户编号", 42), ("问卷", 16),
    ("入户情况", 48),
)  # fmt: skip
# The signature block, one row per reviewer: 排查人员, name, 签名, the line to sign, 日期, date.
SIGN_WIDTHS = (22, 30, 16, 62, 16, 34)
SIGN_ROW_MM = 14


def _styles() -> dict[str, ParagraphStyle]:
    fonts = register_fonts()
    return {
        "title": title_style(fonts.title, TITLE_PT, 1.4),
        "body": text_style("body", fonts.main, BODY_PT, 1.5),
        "cell": text_style("cell", fonts.main, CELL_PT, 1.3),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _title(daily: DailyList, st) -> list:
    return [_p("脱贫质量“回头看”入户排查当日名单", st["title"]), Spacer(1, 3 * mm)]


def _header(daily: DailyList, st) -> list:
    pair = daily.pair
    members = "、".join(f"{m.name}（{m.unit}）" if m.unit else m.name for m in pair.members)
    lines = (
        f"乡镇：{daily.township}　排查组：{pair.village}排查组　排查小组：第{pair.seq}小组",
        f"排查人员：{members}",
        f"日期：{chinese_date(daily.day)}　共 {len(daily.rows)} 户",
    )
    return [*(_p(line, st["body"]) for line in lines), Spacer(1, 3 * mm)]


def _households(daily: DailyList, st) -> list:
    head = [_p(name, st["cell"]) for name, _ in COLUMNS]
    body = [
        [
            _p(str(n), st["cell"]),
            _p(r.village, st["cell"]),
            _p(r.group, st["cell"]),
            _p(r.head_name, st["cell"]),
            _p(r.household_code, st["cell"]),
            _p(FORM_NAMES.get(r.form_code, r.form_code), st["cell"]),
            "",
        ]
        for n, r in enumerate(daily.rows, 1)
    ]
    if not body:
        body = [[_p("当日没有分配农户", st["cell"]), "", "", "", "", "", ""]]
    table = Table(
        [head, *body],
        colWidths=[w * mm for _, w in COLUMNS],
        rowHeights=[None] + [ROW_MM * mm] * len(body),
        repeatRows=1,
    )
    style = grid_style(1.2, font=register_fonts().main, head_colour=HEAD_GREY)
    if not daily.rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    return [table, Spacer(1, 8 * mm)]


def _signatures(daily: DailyList, st) -> list:
    rows = [
        [_p("排查人员", st["cell"]), _p(m.name, st["cell"]), _p("签名", st["cell"]), "",
         _p("日期", st["cell"]), _p("年　　月　　日", st["cell"])]
        for m in daily.pair.members
    ]  # fmt: skip
    table = Table(
        rows, colWidths=[w * mm for w in SIGN_WIDTHS], rowHeights=[SIGN_ROW_MM * mm] * len(rows)
    )
    table.setStyle(TableStyle(grid_style(1.2, font=register_fonts().main)))
    note = _p("注：此次排查实行“谁调查、谁签字、谁负责”；问卷由到户排查人员审核签字。", st["body"])
    return [table, Spacer(1, 3 * mm), note]


# The boxes of the page, in the order they are drawn.
PARTS = (_title, _header, _households, _signatures)


def daily_list_pdf(daily: DailyList) -> bytes:
    """Draw one pair's list of one day on A4 portrait; return the PDF bytes."""
    st = _styles()
    out = BytesIO()
    title = f"{daily.pair.label} {chinese_date(daily.day)} 入户排查名单"
    doc = document(
        out,
        pagesize=A4,
        margin_mm=MARGIN_MM,
        title=title,
        font=register_fonts().main,
        footer_mm=FOOTER_MM,
    )
    story = [flowable for part in PARTS for flowable in part(daily, st)]
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()
