"""Draw a paper form from its description as a print-exact PDF (reportlab; no Qt, no database).

The static part of each page (grid, labels, units, empty boxes, signature lines) is laid out once
per description and drawn once per document into a PDF Form XObject; every household's page
reuses it and adds only its values, ticks and the print stamp. Geometry comes from the
description in millimetres; the constants below are the only other measures.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from desktop.engine import (
    Cell,
    FormDescription,
    GridColumn,
    GridSection,
    RepeatSection,
    SignatureItem,
    is_blank,
)
from desktop.errors import FontError
from desktop.printing.fonts import FontSet, char_name, register_fonts

# Page furniture (mm), besides what the description gives.
TITLE_BLOCK_MM = 12.0  # the title line at the top of the first page
HEADER_BLOCK_MM = 8.0  # 区（县）：＿＿ line under the title
SECTION_TITLE_MM = 6.5  # “一、基本信息” above a section's grid
SECTION_GAP_MM = 2.0  # space after a section
SIGNATURE_GAP_MM = 4.0  # space between the grid and the signature lines
CELL_PAD_MM = 0.8  # text keeps this far from grid lines
BOX_MM = 2.6  # side of a check box □
BOX_GAP_MM = 0.7  # box to its text
ITEM_GAP_MM = 2.2  # between two box items on one line
CAPTION_PT = 6.0  # “开办时间” in the corner of an input
STAMP_PT = 6.5  # the print stamp in the bottom margin
STAMP_DROP_MM = 5.0  # stamp baseline above the paper's bottom edge
SIGN_LINE_MM = 0.2
LINE_SPACING = 1.18  # leading as a multiple of the font size
SMALLEST_PT = 3.0  # below min_pt text only shrinks this far, then it is clipped to its cell
MEMBER_KEY = "members"

CONTINUED = "（续）"
BLANK_STAMP = "空白表"


class MissingGlyphsError(FontError, ValueError):
    """Characters that no available font has; printing them would drop them silently."""

    def __init__(self, places: list[tuple[str, str, str]]) -> None:
        self.places = places  # (户编号, field label, characters)
        chars = "".join(dict.fromkeys(c for _, _, text in places for c in text))
        lines = [f"户编号 {code or '—'}，{label}：{'、'.join(map(char_name, text))}"
                 for code, label, text in places[:20]]  # fmt: skip
        more = f"\n……另有 {len(places) - 20} 处" if len(places) > 20 else ""
        super().__init__(
            f"以下 {len(chars)} 个字在已安装的字体中都没有，打印会缺字：\n"
            + "\n".join(lines)
            + more
            + "\n请安装含这些字的字体（如 Windows 的“宋体-ExtB”），"
            "或改用 --force 以“〔U+编码〕”标出后打印。"
        )
        self.chars = chars


# --------------------------------------------------------------------------- text fitting


@dataclass(frozen=True)
class Line:
    """One line of fitted text: offset from the box's lower-left corner, size, font runs."""

    dx: float
    dy: float
    size: float
    runs: tuple[tuple[str, str, float], ...]  # (font, text, x offset within the line)


@dataclass(frozen=True)
class Fitted:
    """Text fitted in a box: its lines, and whether it had to be clipped."""

    lines: tuple[Line, ...]
    clipped: bool = False


_TOKEN = re.compile(r"[A-Za-z0-9.,:/%+\-()（）]+|\s|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")
_NO_LINE_END = set("（《「『【(")


@lru_cache(maxsize=200_000)
def _width(font: str, text: str) -> float:
    # Width at 1 pt; the same strings recur on every household's page.
    return pdfmetrics.stringWidth(text, font, 1.0)


def _run_width(runs: tuple[tuple[str, str], ...]) -> float:
    return sum(_width(font or _MAIN[0], text) for font, text in runs)


_MAIN: list[str] = [""]  # the main font's name, set when fonts are registered


def _wrap(fonts: FontSet, text: str, max_width: float, font: str) -> list[str]:
    """Greedy line breaking: CJK anywhere, Latin words and numbers kept whole when possible."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens = _TOKEN.findall(paragraph)
        current, width = "", 0.0
        for token in tokens:
            w = _run_width(fonts.runs(token, font))
            if current and width + w > max_width and token not in _NO_LINE_START:
                if token.isspace():
                    lines.append(current)
                    current, width = "", 0.0
                    continue
                carry = ""
                while current and current[-1] in _NO_LINE_END and len(current) > 1:
                    carry = current[-1] + carry  # an opening bracket moves to the next line
                    current = current[:-1]
                lines.append(current)
                current, width = carry, _run_width(fonts.runs(carry, font)) if carry else 0.0
            if not current and token.isspace():
                continue
            if w > max_width and len(token) > 1:  # a long number: break it by characters
                for char in token:
                    cw = _run_width(fonts.runs(char, font))
                    if current and width + cw > max_width:
                        lines.append(current)
                        current, width = "", 0.0
                    current += char
                    width += cw
                continue
            current += token
            width += w
        lines.append(current)
    return lines


def fit_text(
    fonts: FontSet,
    text: str,
    width: float,
    height: float,
    size: float,
    min_size: float,
    align: str = "center",
    font: str | None = None,
) -> Fitted:
    """Fit text in a box (points): shrink from `size` towards `min_size`, wrapping as needed."""
    return _fit(fonts, text, round(width, 2), round(height, 2), size, min_size, align,
                font or fonts.main)  # fmt: skip


@lru_cache(maxsize=100_000)
def _fit(
    fonts: FontSet,
    text: str,
    width: float,
    height: float,
    size: float,
    min_size: float,
    align: str,
    font: str,
) -> Fitted:
    text = text.strip()
    if not text or width <= 0 or height <= 0:
        return Fitted(())
    one_line = _run_width(fonts.runs(text, font))
    clipped = False
    s = size
    while True:
        if "\n" not in text and one_line * s <= width and s * LINE_SPACING <= height + 0.01:
            lines = [text]
            break
        lines = _wrap(fonts, text, width / s, font)
        if len(lines) * s * LINE_SPACING <= height + 0.01 and all(
            _run_width(fonts.runs(line, font)) * s <= width + 0.01 for line in lines
        ):
            break
        floor = min_size if s > min_size else SMALLEST_PT
        if s <= SMALLEST_PT:
            clipped = True
            break
        s = max(floor, s - 0.5) if s > min_size else max(SMALLEST_PT, s - 0.25)
    leading = s * LINE_SPACING
    block = leading * len(lines)
    # Baselines: the block is centred vertically; CJK glyphs sit about 0.12 em below centre.
    top = (height + block) / 2
    out = []
    for i, line in enumerate(lines):
        runs = fonts.runs(line, font)
        w = _run_width(runs) * s
        dx = 0.0 if align == "left" else (width - w if align == "right" else (width - w) / 2)
        dy = top - leading * i - leading / 2 - s * 0.35
        x = 0.0
        placed = []
        for run_font, run_text in runs:
            placed.append((run_font, run_text, x))
            x += _width(run_font or fonts.main, run_text) * s
        out.append(Line(max(dx, 0.0) if align != "right" else dx, dy, s, tuple(placed)))
    return Fitted(tuple(out), clipped)


# --------------------------------------------------------------------------- page layout


@dataclass
class Slot:
    """Where one answer goes on a page (points, lower-left origin)."""

    field: str
    x: float
    y: float
    w: float
    h: float
    kind: str  # "text", "ticks" (boxes drawn statically), "date", "circles" (①② circled)
    size: float = 9.0
    min_size: float = 4.5
    align: str = "center"
    cell: Cell | None = None
    boxes: dict[Any, tuple[float, float]] = field(default_factory=dict)  # value → box corner
    label: str = ""


@dataclass
class MemberGrid:
    """The member grid on a page: where rows start, column edges, which members it shows."""

    section: RepeatSection
    x: float
    top: float  # y of the top of the first member row
    row_h: float
    columns: list[tuple[GridColumn, float, float]]  # column, x, width
    number_x: float
    number_w: float
    first: int  # index of the first member shown on this page
    size: float
    min_size: float


@dataclass
class PageTemplate:
    """One kind of page: static drawing (once per document) and the slots for values."""

    name: str
    static: list[Callable[[Canvas], None]] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    members: MemberGrid | None = None
    continuation: bool = False
    # Every grid cell with its rectangle (points): what tests and previews locate text by.
    cells: list[tuple[Cell, tuple[float, float, float, float]]] = field(default_factory=list)


@dataclass
class Layout:
    """All page templates of a description, laid out once."""

    description: FormDescription
    width: float
    height: float
    pages: list[PageTemplate]
    continuation: PageTemplate | None
    static_texts: list[str]


def _pt(v_mm: float) -> float:
    return v_mm * mm


class _Builder:
    """Lays out a description's pages top to bottom, collecting drawing steps and slots."""

    def __init__(self, description: FormDescription, fonts: FontSet) -> None:
        self.d = description
        self.fonts = fonts
        page = description.page
        self.width, self.height = _pt(page.width_mm), _pt(page.height_mm)
        self.left = _pt(page.margins.left)
        self.top = self.height - _pt(page.margins.top)
        self.bottom = _pt(page.margins.bottom)
        self.line = _pt(description.style.line_mm)
        self.texts: list[str] = []
        self.pages: list[PageTemplate] = []
        self.page: PageTemplate
        self.y = self.top

    # --- primitives recorded as static steps ---------------------------------------------

    def text(self, text: str, x: float, y: float, w: float, h: float, size: float,
             align: str = "center", min_size: float | None = None, font: str | None = None,
             bold: bool = False) -> None:  # fmt: skip
        """Record a label fitted into a box."""
        self.texts.append(text)
        fitted = fit_text(self.fonts, text, w, h, size, min_size or self.d.style.min_pt, align,
                          font)  # fmt: skip
        self.page.static.append(
            lambda c: _draw_fitted(c, fitted, x, y, bold=bold, clip=(x, y, w, h))
        )

    def rect(self, x: float, y: float, w: float, h: float, width: float | None = None) -> None:
        """Record a rectangle outline."""
        lw = self.line if width is None else width
        self.page.static.append(lambda c: _draw_rect(c, x, y, w, h, lw))

    def hline(self, x1: float, x2: float, y: float, width: float = _pt(SIGN_LINE_MM)) -> None:
        """Record a horizontal line (a line to write or sign on)."""
        self.page.static.append(lambda c: _draw_line(c, x1, y, x2, y, width))

    # --- pages -------------------------------------------------------------------------

    def new_page(self, name: str, continuation: bool = False) -> None:
        """Start a page template."""
        self.page = PageTemplate(name=name, continuation=continuation)
        self.pages.append(self.page)
        self.y = self.top

    def fits(self, height_pt: float) -> bool:
        """True when a block of this height fits above the bottom margin."""
        return self.y - height_pt >= self.bottom - 0.01

    def title(self, text: str) -> None:
        """The form's title, centred."""
        h = _pt(TITLE_BLOCK_MM)
        self.text(text, self.left, self.y - h, self.width - 2 * self.left, h,
                  self.d.style.title_pt, font=self.fonts.title,
                  bold=not self.fonts.title_is_bold)  # fmt: skip
        self.y -= h

    def header(self) -> None:
        """区（县）：＿＿ 镇（街道）：＿＿ … on one line; the values print above the lines."""
        if not self.d.header:
            return
        h = _pt(HEADER_BLOCK_MM)
        x = self.left
        size = self.d.style.label_pt + 1.5
        for item in self.d.header:
            label = f"{item.label}："
            lw = _run_width(self.fonts.runs(label)) * size + 1
            w = _pt(item.width_mm)
            self.text(label, x, self.y - h, lw, h, size, align="left")
            self.hline(x + lw, x + w - _pt(4), self.y - h + _pt(1.8))
            self.page.slots.append(
                Slot(item.code, x + lw, self.y - h + _pt(1.9), w - lw - _pt(4), h - _pt(2.4),
                     "text", size, 4.5, "center", label=item.label)
            )  # fmt: skip
            x += w
        self.y -= h

    def section_title(self, text: str) -> None:
        """“一、基本信息” flush left above its grid."""
        h = _pt(SECTION_TITLE_MM)
        self.text(text, self.left, self.y - h, self.width - 2 * self.left, h,
                  self.d.style.section_pt, align="left", font=self.fonts.title,
                  bold=not self.fonts.title_is_bold)  # fmt: skip
        self.y -= h

    # --- grid sections -------------------------------------------------------------------

    def grid(self, s: GridSection) -> None:
        """A section's grid: cell borders, labels, captions, units, boxes; slots for inputs."""
        if s.title:
            self.section_title(s.title)
        x0, y0 = self.left, self.y
        label_pt = s.label_pt or self.d.style.label_pt
        value_pt = s.value_pt or self.d.style.value_pt
        covered = set()
        for cell in s.cells:
            for r in range(cell.row, cell.end_row):
                for col in range(cell.col, cell.end_col):
                    covered.add((r, col))
            cx, cy, cw, ch = s.cell_rect_mm(cell)
            x, y, w, h = x0 + _pt(cx), y0 - _pt(cy + ch), _pt(cw), _pt(ch)
            self.rect(x, y, w, h)
            self.page.cells.append((cell, (x, y, w, h)))
            if cell.is_input:
                self.input_cell(cell, x, y, w, h, label_pt, value_pt)
            else:
                self.label_cell(cell, x, y, w, h, label_pt, s.label_align)
        for r in range(len(s.rows_mm)):
            for col in range(len(s.columns_mm)):
                if (r, col) not in covered:
                    x = x0 + _pt(sum(s.columns_mm[:col]))
                    y = y0 - _pt(sum(s.rows_mm[: r + 1]))
                    self.rect(x, y, _pt(s.columns_mm[col]), _pt(s.rows_mm[r]))
        self.rect(x0, y0 - _pt(s.height_mm), _pt(s.width_mm), _pt(s.height_mm), self.line * 2)
        self.y = y0 - _pt(s.height_mm) - _pt(SECTION_GAP_MM)

    def label_cell(self, cell: Cell, x, y, w, h, label_pt: float, default_align: str) -> None:
        """A printed label, padded inside its box."""
        pad = _pt(CELL_PAD_MM)
        self.text(cell.label or "", x + pad, y + pad / 2, w - 2 * pad, h - pad,
                  cell.font_pt or label_pt, align=cell.align or default_align)  # fmt: skip

    def input_cell(self, cell: Cell, x, y, w, h, label_pt: float, value_pt: float) -> None:
        """An input: caption and unit drawn statically; boxes too; the value gets a slot."""
        pad = _pt(CELL_PAD_MM)
        ix, iy, iw, ih = x + pad, y + pad / 2, w - 2 * pad, h - pad
        if cell.caption:
            ch = CAPTION_PT * LINE_SPACING
            self.text(cell.caption, ix, y + h - ch - 0.5, iw, ch, CAPTION_PT, align="left")
            ih -= ch
        if cell.unit and not cell.unit_blank_only:
            uw = min(_run_width(self.fonts.runs(cell.unit)) * label_pt + 1, iw / 2)
            self.text(cell.unit, ix + iw - uw, iy, uw, ih, label_pt, align="right")
            iw -= uw + _pt(0.5)
        size = cell.font_pt or value_pt
        align = cell.value_align
        if cell.boxes:
            slot = Slot(
                cell.field or "", ix, iy, iw, ih, "ticks", size, cell=cell, label=cell.label or ""
            )
            self.boxes(cell, slot, label_pt if cell.font_pt is None else cell.font_pt, align)
        else:
            slot = Slot(cell.field or "", ix, iy, iw, ih, "text", size, self.d.style.min_pt, align,
                        cell=cell, label=cell.label or "")  # fmt: skip
        self.page.slots.append(slot)

    def boxes(self, cell: Cell, slot: Slot, size: float, align: str) -> None:
        """Lay out □ items in the cell; remember each box so a tick can be drawn in it."""
        if cell.type == "bool":
            items = [(True, cell.box_label)]
        else:
            items = [(v, cell.choice_text(v)) for v in cell.choices]
        box = _pt(BOX_MM)
        while True:
            rows = self._flow(items, slot.w, size, cell.layout == "vertical")
            line_h = max(size * LINE_SPACING, box + 1)
            widest = max(row[-1][2] + row[-1][3] for row in rows)
            if (len(rows) * line_h <= slot.h + 0.01 and widest <= slot.w + 0.01) or (
                size <= SMALLEST_PT
            ):
                break
            size -= 0.25
            box = min(box, size * 0.95)
        top = slot.y + (slot.h + len(rows) * line_h) / 2
        for i, row in enumerate(rows):
            row_w = row[-1][2] + row[-1][3]
            offset = 0.0 if align == "left" else (slot.w - row_w) / 2
            base_y = top - line_h * (i + 1)
            for value, text, dx, iw in row:
                bx = slot.x + offset + dx
                by = base_y + (line_h - box) / 2
                slot.boxes[value] = (bx, by, box)
                self.rect(bx, by, box, box, self.line)
                if text:
                    tx = bx + box + _pt(BOX_GAP_MM)
                    self.text(text, tx, base_y, iw - box - _pt(BOX_GAP_MM) + 1, line_h, size,
                              align="left", min_size=size)  # fmt: skip

    def _flow(self, items, width: float, size: float, vertical: bool):
        box = min(_pt(BOX_MM), size * 0.95)
        rows: list[list[tuple[Any, str, float, float]]] = [[]]
        x = 0.0
        for value, text in items:
            tw = _run_width(self.fonts.runs(text)) * size if text else 0.0
            iw = box + (_pt(BOX_GAP_MM) + tw if text else 0.0)
            if rows[-1] and (vertical or x + iw > width):
                rows.append([])
                x = 0.0
            rows[-1].append((value, text, x, iw))
            x += iw + _pt(ITEM_GAP_MM)
        return rows

    # --- the member grid -----------------------------------------------------------------

    def repeat(self, s: RepeatSection, first: int, title_suffix: str = "") -> None:
        """The member grid: header row, numbered empty rows, and where each value goes."""
        if s.title:
            self.section_title(s.title + title_suffix)
        x0, y0 = self.left, self.y
        label_pt = s.label_pt or self.d.style.label_pt
        value_pt = s.value_pt or self.d.style.value_pt
        head_h, row_h = _pt(s.header_height_mm), _pt(s.row_height_mm)
        pad = _pt(CELL_PAD_MM) / 2
        columns = []
        x = x0
        nw = _pt(s.number_width_mm)
        self.rect(x, y0 - head_h, nw, head_h)
        self.text(s.number_label, x + pad, y0 - head_h, nw - 2 * pad, head_h, label_pt)
        x += nw
        for col in s.columns:
            w = _pt(col.width_mm)
            self.rect(x, y0 - head_h, w, head_h)
            self.text(col.label, x + pad, y0 - head_h + pad, w - 2 * pad, head_h - 2 * pad,
                      label_pt, min_size=SMALLEST_PT)  # fmt: skip
            columns.append((col, x + pad, w - 2 * pad))
            x += w
        top = y0 - head_h
        for r in range(s.rows_per_page):
            yy = top - row_h * (r + 1)
            xx = x0
            self.rect(xx, yy, nw, row_h)
            xx += nw
            for col in s.columns:
                self.rect(xx, yy, _pt(col.width_mm), row_h)
                xx += _pt(col.width_mm)
        total_h = head_h + row_h * s.rows_per_page
        self.rect(x0, y0 - total_h, _pt(s.width_mm), total_h, self.line * 2)
        self.page.members = MemberGrid(s, x0, top, row_h, columns, x0, nw, first, value_pt,
                                       self.d.style.min_pt)  # fmt: skip
        self.y = y0 - total_h - _pt(SECTION_GAP_MM)

    # --- signatures ------------------------------------------------------------------------

    def signatures(self) -> None:
        """Signature lines and 年 月 日, with room to sign by hand."""
        if not self.d.signatures:
            return
        self.y -= _pt(SIGNATURE_GAP_MM)
        row_h = _pt(self.d.signature_row_mm)
        size = self.d.style.label_pt + 2
        for row in self.d.signatures:
            x = self.left
            base = self.y - row_h + _pt(2.5)
            for item in row:
                self.signature_item(item, x, base, size)
                x += _pt(item.width_mm)
            self.y -= row_h

    def signature_item(self, item: SignatureItem, x: float, base: float, size: float) -> None:
        """One signature: “label：” then a line, or ＿＿年＿＿月＿＿日."""
        label = f"{item.label}："
        lw = _run_width(self.fonts.runs(label)) * size + 1
        h = size * LINE_SPACING
        self.text(label, x, base - size * 0.3, lw, h, size, align="left", min_size=size)
        end = x + _pt(item.width_mm) - _pt(5)
        start = x + lw
        if item.kind == "date":
            gap = (end - start) / 3
            unit_w = _run_width(self.fonts.runs("年")) * size + 1
            slot = Slot(
                item.field or "", start, base, end - start, h, "date", size, label=item.label
            )
            for i, unit in enumerate("年月日"):
                seg_start = start + gap * i
                seg_end = seg_start + gap - unit_w
                self.hline(seg_start + _pt(1), seg_end, base - 1)
                self.text(unit, seg_end, base - size * 0.3, unit_w, h, size, min_size=size)
                slot.boxes[i] = (seg_start + _pt(1), base, seg_end - seg_start - _pt(1))
            if item.field:
                self.page.slots.append(slot)
            return
        self.hline(start, end, base - 1)
        if item.field and item.kind == "text":
            self.page.slots.append(
                Slot(
                    item.field,
                    start,
                    base,
                    end - start,
                    h,
                    "text",
                    size,
                    4.5,
                    "left",
                    label=item.label,
                )
            )


def _layout_key(description: FormDescription) -> tuple:
    return (description.code, id(description))


_layouts: dict[tuple, Layout] = {}


def layout_form(description: FormDescription) -> Layout:
    """Lay out a description's pages once (cached for the description object)."""
    key = _layout_key(description)
    cached = _layouts.get(key)
    if cached is not None and cached.description is description:
        return cached
    fonts = register_fonts()
    _MAIN[0] = fonts.main
    b = _Builder(description, fonts)
    prefix = f"HTK{re.sub(r'[^A-Za-z0-9]', '', description.code)}"
    b.new_page(f"{prefix}P1")
    b.title(description.title)
    b.header()
    member_page_index = None
    for s in description.sections:
        needed = _pt(s.height_mm + (SECTION_TITLE_MM if s.title else 0))
        if (s.page_break_before and b.y < b.top - 1) or not b.fits(needed):
            b.new_page(f"{prefix}P{len(b.pages) + 1}")
        if isinstance(s, GridSection):
            b.grid(s)
        elif s.kind == "questions":
            # A questionnaire's question list (seed 003) flows like the paper, sheet by sheet.
            from desktop.printing.questionnaire import layout_questions

            layout_questions(b, s, lambda: b.new_page(f"{prefix}P{len(b.pages) + 1}"), Slot)
        else:
            member_page_index = len(b.pages) - 1
            b.repeat(s, 0)
    sig_h = _pt(SIGNATURE_GAP_MM + description.signature_row_mm * len(description.signatures))
    if description.signatures and not b.fits(sig_h):
        b.new_page(f"{prefix}P{len(b.pages) + 1}")
    b.signatures()
    pages = list(b.pages)
    continuation = None
    if member_page_index is not None:
        section = pages[member_page_index].members.section  # type: ignore[union-attr]
        b.new_page(f"{prefix}C", continuation=True)
        b.title(description.title + CONTINUED)
        h = _pt(HEADER_BLOCK_MM)
        b.page.slots.append(
            Slot("_continuation", b.left, b.y - h, b.width - 2 * b.left, h, "text",
                 description.style.label_pt + 1.5, 4.5, "left", label="续页")
        )  # fmt: skip
        b.y -= h
        b.repeat(section, section.rows_per_page, CONTINUED)
        continuation = b.pages.pop()
    layout = Layout(description, b.width, b.height, pages, continuation, b.texts)
    _layouts[key] = layout
    return layout


# --------------------------------------------------------------------------- drawing


def _draw_rect(c: Canvas, x: float, y: float, w: float, h: float, width: float) -> None:
    c.setLineWidth(width)
    c.rect(x, y, w, h, stroke=1, fill=0)


def _draw_line(c: Canvas, x1: float, y1: float, x2: float, y2: float, width: float) -> None:
    c.setLineWidth(width)
    c.line(x1, y1, x2, y2)


def _draw_fitted(
    c: Canvas,
    fitted: Fitted,
    x: float,
    y: float,
    *,
    bold: bool = False,
    clip: tuple[float, float, float, float] | None = None,
) -> None:
    if not fitted.lines:
        return
    if fitted.clipped and clip is not None:
        # Last resort for text that does not fit even at the smallest size: never over a line.
        c.saveState()
        path = c.beginPath()
        path.rect(*clip)
        c.clipPath(path, stroke=0, fill=0)
    if bold:
        c.setLineWidth(0.35)
        c._code.append("2 Tr")  # fill and stroke: a faux bold where no 黑体 is installed
    for line in fitted.lines:
        for font, text, dx in line.runs:
            if not font:
                continue
            c.setFont(font, line.size)
            c.drawString(x + line.dx + dx * 1.0, y + line.dy, text)
    if bold:
        c._code.append("0 Tr")
    if fitted.clipped and clip is not None:
        c.restoreState()


def _draw_tick(c: Canvas, bx: float, by: float, side: float) -> None:
    """A tick inside a box: ☑ drawn as lines, so it needs no glyph from any font."""
    c.setLineWidth(max(side * 0.12, 0.5))
    path = c.beginPath()
    path.moveTo(bx + side * 0.18, by + side * 0.52)
    path.lineTo(bx + side * 0.42, by + side * 0.2)
    path.lineTo(bx + side * 0.85, by + side * 0.85)
    c.drawPath(path, stroke=1, fill=0)


def format_value(value: Any, cell: Cell | GridColumn) -> str:
    """Return an answer as printed: the value table's text, the same as the screen shows."""
    return cell.text(value)


def slot_text(slot: Slot, answers: Mapping[str, Any]) -> str:
    """Return the text printed in a text slot for these answers ("" when nothing is printed)."""
    value = answers.get(slot.field)
    if slot.cell is None:
        return "" if is_blank(value) else str(value)
    if is_blank(value) and slot.cell.unit_blank_only:
        return ""
    return slot.cell.text(value)


class _Page:
    """Draws one household's values onto a page whose static part is already drawn."""

    def __init__(self, c: Canvas, fonts: FontSet, mark_missing: bool) -> None:
        self.c = c
        self.fonts = fonts
        self.mark_missing = mark_missing

    def text(self, text: str, slot_x, slot_y, w, h, size, min_size, align) -> None:
        if self.mark_missing:
            text = _mark(self.fonts, text)
        fitted = fit_text(self.fonts, text, w, h, size, min_size, align)
        _draw_fitted(self.c, fitted, slot_x, slot_y, clip=(slot_x, slot_y, w, h))

    def slot(self, slot: Slot, answers: Mapping[str, Any]) -> None:
        value = answers.get(slot.field)
        if is_blank(value):
            cell = slot.cell
            if cell is not None and cell.unit and cell.unit_blank_only:
                self.text(cell.unit, slot.x, slot.y, slot.w, slot.h, slot.size, 4.5, "right")
            return
        if slot.kind == "ticks":
            chosen = value if isinstance(value, list) else [value]
            for v in chosen:
                box = slot.boxes.get(v)
                if box is not None:
                    _draw_tick(self.c, *box)
            return
        if slot.kind == "circles":  # a questionnaire's chosen ①②: circled as by hand
            chosen = value if isinstance(value, list) else [value]
            self.c.setLineWidth(0.7)
            for v in chosen:
                if v in slot.boxes:
                    x, y, w, h = slot.boxes[v]
                    self.c.ellipse(x, y, x + w, y + h, stroke=1, fill=0)
            return
        if slot.kind == "date":
            try:
                day = datetime.date.fromisoformat(str(value))
            except ValueError:
                self.text(str(value), slot.x, slot.y, slot.w, slot.h, slot.size, 4.5, "center")
                return
            for i, part in enumerate((day.year, day.month, day.day)):
                x, y, w = slot.boxes[i]
                self.text(str(part), x, y, w, slot.h, slot.size, 4.5, "center")
            return
        text = slot_text(slot, answers)
        self.text(text, slot.x, slot.y, slot.w, slot.h, slot.size, slot.min_size, slot.align)

    def members(self, grid: MemberGrid, rows: Sequence[Mapping[str, Any]]) -> None:
        s = grid.section
        shown = rows[grid.first : grid.first + s.rows_per_page]
        pad = _pt(CELL_PAD_MM) / 2
        for i in range(s.rows_per_page):
            y = grid.top - grid.row_h * (i + 1)
            number = grid.first + i + 1
            # Every row is numbered, empty ones too, as on the paper (1–10, then 11–20 …).
            self.text(str(number), grid.number_x + pad, y, grid.number_w - 2 * pad, grid.row_h,
                      grid.size, grid.min_size, "center")  # fmt: skip
            if i >= len(shown):
                continue
            row = shown[i]
            for col, x, w in grid.columns:
                value = row.get(col.code)
                if value is None or value == "":
                    continue
                text = col.text(value)
                self.text(
                    text, x, y + pad, w, grid.row_h - 2 * pad, grid.size, SMALLEST_PT, "center"
                )


def _mark(fonts: FontSet, text: str) -> str:
    missing = fonts.missing_chars([text])
    for char in missing:
        text = text.replace(char, f"〔U+{ord(char):04X}〕")
    return text


def _version_text(version: int) -> str:
    return f"第 {version} 版" if version else "未保存"


def _item_parts(item: Any) -> tuple[Mapping[str, Any], str, str]:
    """(answers, 户编号, how the stamp names the copy: 第 N 版 / 未保存（草稿）)."""
    if isinstance(item, Mapping):
        version = int(item.get("_version", 0) or 0)
        return item, str(item.get("_household_code", "")), _version_text(version)
    stamp = getattr(item, "stamp", None) or _version_text(getattr(item, "version", 0))
    return item.answers, getattr(item, "household_code", ""), stamp


def _texts_of(
    description: FormDescription, answers: Mapping[str, Any]
) -> Iterable[tuple[str, str]]:
    labels = {c.field: c.label or c.field for c in description.input_cells}
    for key, value in answers.items():
        if isinstance(value, str):
            yield labels.get(key, key), value
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, str):
                    yield labels.get(key, key), v
                elif isinstance(v, Mapping):
                    for k, vv in v.items():
                        if isinstance(vv, str) and vv:
                            yield f"第{i + 1}名成员 {k}", vv


def find_missing_glyphs(
    description: FormDescription, answers_per_household: Iterable[Any]
) -> list[tuple[str, str, str]]:
    """Return (户编号, field, characters) for every answer holding a character no font has."""
    fonts = register_fonts()
    places = []
    for item in answers_per_household:
        answers, code, _ = _item_parts(item)
        for label, text in _texts_of(description, answers):
            missing = fonts.missing_chars([text])
            if missing:
                places.append((code, label, "".join(missing)))
    return places


def render_form(
    description: FormDescription,
    answers_per_household: Sequence[Any],
    *,
    blank: bool = False,
    stamp: bool | datetime.datetime = True,
    on_missing: str = "error",
) -> bytes:
    """Draw one form per household (in the order given) into one PDF and return its bytes.

    `answers_per_household`: PrintItem-like objects (`answers`, `household_code`, `version`,
    `stamp`: 第 N 版 or 未保存（草稿） for edits not saved) or
    plain answer dicts. `blank`: one empty form for handwriting (answers ignored). `stamp`: print
    time and record version in the bottom margin (True: now; a datetime: that time; False: none).
    `on_missing`: "error" raises MissingGlyphsError when an answer holds a character no font has;
    "mark" prints such a character as 〔U+XXXX〕 instead.
    """
    if on_missing not in ("error", "mark"):
        raise ValueError("on_missing must be 'error' or 'mark'")
    fonts = register_fonts()
    layout = layout_form(description)
    items = [] if blank else list(answers_per_household)
    if not blank and on_missing == "error":
        places = find_missing_glyphs(description, items)
        if places:
            raise MissingGlyphsError(places)
    printed_at = stamp if isinstance(stamp, datetime.datetime) else datetime.datetime.now()
    buffer = BytesIO()
    c = Canvas(
        buffer,
        pagesize=(layout.width, layout.height),
        pageCompression=1,
        invariant=1,
        initialFontName=fonts.main,  # else reportlab references Helvetica, which is not embedded
        initialFontSize=9,
    )
    c.setTitle(description.title)
    c.setAuthor("回头看工作台")
    c.setCreator("回头看工作台")
    c.setViewerPreference("PrintScaling", "None")
    templates = [*layout.pages, *([layout.continuation] if layout.continuation else [])]
    for template in templates:
        c.beginForm(template.name)
        c.setStrokeColorRGB(0, 0, 0)
        c.setFillColorRGB(0, 0, 0)
        for step in template.static:
            step(c)
        c.endForm()
    page = _Page(c, fonts, on_missing == "mark")
    jobs: list[tuple[Mapping[str, Any], str, str]] = (
        [({}, "", "")] if blank else [_item_parts(i) for i in items]
    )
    stamp_text = f"打印时间：{printed_at:%Y-%m-%d %H:%M}" if stamp else ""
    for answers, code, version in jobs:
        sheets = _sheets(layout, answers)
        for number, (template, first) in enumerate(sheets, 1):
            c.doForm(template.name)
            if template.continuation:
                head = answers.get("head_name") or ""
                line = f"户主：{head}　　户编号：{code}" if code else f"户主：{head}"
                slot = template.slots[0]
                page.text(line, slot.x, slot.y, slot.w, slot.h, slot.size, 4.5, "left")
            else:
                for slot in template.slots:
                    page.slot(slot, answers)
            if template.members is not None:
                grid = template.members
                if first != grid.first:
                    grid = MemberGrid(**{**grid.__dict__, "first": first})
                page.members(grid, answers.get(grid.section.id) or [])
            if stamp:
                _draw_stamp(c, layout, fonts, stamp_text, code, version, number, len(sheets), blank)
            c.showPage()
    c.save()
    return buffer.getvalue()


def _sheets(layout: Layout, answers: Mapping[str, Any]) -> list[tuple[PageTemplate, int]]:
    """The pages of one household: continuation pages follow the page of the member grid."""
    out: list[tuple[PageTemplate, int]] = []
    for template in layout.pages:
        out.append((template, 0))
        grid = template.members
        if grid is not None and layout.continuation is not None:
            rows = answers.get(grid.section.id) or []
            per_page = grid.section.rows_per_page
            for first in range(per_page, len(rows), per_page):
                out.append((layout.continuation, first))
    return out


def _draw_stamp(
    c: Canvas,
    layout: Layout,
    fonts: FontSet,
    printed: str,
    code: str,
    version: str,
    number: int,
    total: int,
    blank: bool,
) -> None:
    """The print stamp in the bottom margin: 打印时间, 户编号, 版本, 页码."""
    parts = [BLANK_STAMP] if blank else []
    parts.append(printed)
    if code:
        parts.append(f"户编号：{code}")
    if not blank:
        parts.append(version)
    if total > 1:
        parts.append(f"第 {number}/{total} 页")
    text = "　".join(parts)
    c.setFillColorRGB(0.35, 0.35, 0.35)
    c.setFont(fonts.main, STAMP_PT)
    right = layout.width - _pt(layout.description.page.margins.right)
    c.drawRightString(right, _pt(STAMP_DROP_MM), text)
    c.setFillColorRGB(0, 0, 0)
