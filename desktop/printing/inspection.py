"""Inspection PDFs: visit sheets (from their form descriptions), the sample list, the archive
index; and the renderers the quarterly archive is built with. Plain data in, PDF bytes out."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.printing.fonts import register_fonts
from desktop.printing.form_renderer import render_form
from desktop.printing.ledger_pdf import render_ledger_pdf
from desktop.printing.notice import NoticeData, render_notice
from desktop.printing.page import HEAD_GREY, document, grid_style, text_style, title_style
from desktop.services.forms.catalog import load_form
from desktop.services.inspections.data import ArchiveIndex, RoundNotice, SampleSheet, VisitSheet
from desktop.services.problems.report import LedgerTable

MARGIN_MM = 15
TITLE_PT = 16
BODY_PT = 10
CELL_PT = 9

# The sample list's columns (mm), adding up to A4 portrait's 180 mm between margins.
SAMPLE_COLUMNS = (
    ("序号", 10), ("类别", 17), ("镇", 22), ("村", 22), ("户主", 18), ("户编号", 35),
    ("状态", 14), ("调整原因", 42),
)  # fmt: skip
# The index's columns (mm), A4 landscape's 267 mm between margins.
INDEX_COLUMNS = (
    ("序号", 10), ("文件", 92), ("类别", 22), ("督查编号", 30), ("说明", 40), ("字节", 18),
    ("SHA-256", 55),
)  # fmt: skip


def render_visit_sheets(sheets: Sequence[VisitSheet]) -> bytes:
    """Draw visit sheets of one form (all villages, or all households) into one PDF."""
    codes = {s.form_code for s in sheets}
    if len(codes) != 1:
        raise ValueError("一次只能打印同一种走访记录表")
    return render_form(load_form(codes.pop()), list(sheets), on_missing="mark")


def _styles() -> dict[str, ParagraphStyle]:
    fonts = register_fonts()
    return {
        "title": title_style(fonts.main, TITLE_PT, 1.4),
        "body": text_style("body", fonts.main, BODY_PT, 1.45),
        "cell": text_style("cell", fonts.main, CELL_PT, 1.3),
        "cell_small": ParagraphStyle(
            "cell_small", fontName=fonts.main, fontSize=7, leading=8.5, wordWrap="CJK"
        ),
    }


def _table(columns, rows, st, small_cols: Sequence[int] = ()) -> Table:
    head = [Paragraph(escape(name), st["cell"]) for name, _ in columns]
    body = [
        [
            Paragraph(escape(str(v)), st["cell_small"] if i in small_cols else st["cell"])
            for i, v in enumerate(row)
        ]
        for row in rows
    ]
    style = TableStyle(grid_style(1.2, head_colour=HEAD_GREY, pad_vertical=False))
    return Table([head, *body], colWidths=[w * mm for _, w in columns], repeatRows=1, style=style)


def _document(pagesize, title: str) -> tuple[BytesIO, SimpleDocTemplate]:
    out = BytesIO()
    font = register_fonts().main
    return out, document(out, pagesize=pagesize, margin_mm=MARGIN_MM, title=title, font=font)


def render_sample(sheet: SampleSheet) -> bytes:
    """Draw a round's sample list (抽查名单): what was drawn, what was changed and why."""
    st = _styles()
    r = sheet.round
    title = f"{r.group_name}督查抽查名单"
    out, doc = _document(A4, title)
    info = [
        f"督查编号：{r.number}　　类型：{r.kind}　　督查组：{r.group_name}（组长：{r.leader}）",
        f"督查县区：{r.county_name}　　联络员：{r.liaison or '—'}　　督查时间：{r.dates_text}",
        f"被督查单位：{'、'.join(r.units) or '—'}",
        f"随机种子：{r.sample_seed if r.sample_seed is not None else '—'}"
        f"（{r.sample_year or r.start_date.year}年预脱贫户；同一种子、同一户籍数据可重现本名单）",
        f"抽查要求：{sheet.rule}",
    ]
    rows = [
        (
            e.seq,
            e.kind,
            e.township_name,
            e.village_name,
            e.head_name if e.is_household else "",
            e.household_code,
            e.state,
            e.reason,
        )
        for e in sheet.entries
    ]
    story = [Paragraph(escape(title), st["title"]), Spacer(1, 3 * mm)]
    story += [Paragraph(escape(line), st["body"]) for line in info]
    story += [Spacer(1, 3 * mm), _table(SAMPLE_COLUMNS, rows, st, small_cols=(5, 7))]
    if sheet.shortfalls:
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph("样本不足：", st["body"]))
        story += [Paragraph(escape(f"· {line}"), st["body"]) for line in sheet.shortfalls]
    doc.build(story)
    return out.getvalue()


def render_archive_index(index: ArchiveIndex) -> bytes:
    """Draw an archive's index (档案目录) with every file's size and SHA-256."""
    st = _styles()
    out, doc = _document(landscape(A4), index.title)
    lines = [
        f"季度：{index.quarter}　　移交日（季度最后一个工作日）：{index.handover_day:%Y-%m-%d}"
        f"　　制作时间：{index.made_at:%Y-%m-%d %H:%M}",
        f"督查轮次（{len(index.rounds)}）：{'、'.join(index.rounds) or '无'}",
        f"文件 {len(index.rows)} 个，每个文件的 SHA-256 校验值见下表；"
        "可用“huitoukan inspections verify 档案.zip”核对。",
    ]
    rows = [
        (r.seq, r.path, r.kind, r.round_number, r.description, r.size, r.sha256) for r in index.rows
    ]
    story = [Paragraph(escape(index.title), st["title"]), Spacer(1, 3 * mm)]
    story += [Paragraph(escape(line), st["body"]) for line in lines]
    story += [Spacer(1, 3 * mm), _table(INDEX_COLUMNS, rows, st, small_cols=(1, 6))]
    doc.build(story)
    return out.getvalue()


def notice_data(notice: RoundNotice) -> NoticeData:
    """The 整改函 layout's data for a round's notice."""
    return NoticeData(
        unit_name=notice.unit_name,
        issuer=notice.issuer,
        date=notice.date,
        deadline=notice.deadline,
        problems=notice.problems,
        doc_number=notice.doc_number,
        basis=notice.basis,
        copy_to=notice.copy_to,
        list_note=notice.list_note,
    )


class ArchiveRenderers:
    """The PDFs a quarterly archive holds, drawn by the printing layer for the service."""

    visit_sheets = staticmethod(render_visit_sheets)
    sample = staticmethod(render_sample)
    index = staticmethod(render_archive_index)

    @staticmethod
    def notice(notice: RoundNotice) -> bytes:
        """The 整改函 of a round to one unit, with its 问题清单 and 抄送."""
        return render_notice(notice_data(notice))

    @staticmethod
    def ledger(table: LedgerTable) -> bytes:
        """A 问题清单 as a ledger table (A4 landscape)."""
        return render_ledger_pdf(table)
