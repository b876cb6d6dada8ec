"""A questionnaire's questions on paper: paragraphs that flow down the page as the seed prints them.

The form renderer calls `layout_questions` for a `questions` section. Each question is one
paragraph — its number, its words, a line to write on for a number or a text (元 after it as
printed), the circled choices ①是，②否 — wrapped to the page's width, kept together on one
sheet. Values go in slots: a number or a text on its line, a chosen answer circled as a
surveyor circles it, a date in its 年 月 日.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from desktop.engine.sections.questions import CIRCLED, Answer, Question, QuestionSection

BLANK_MM = {"money": 20.0, "count": 10.0, "int": 14.0, "decimal": 16.0, "text": 28.0}
SIGN_MM = 40.0  # {_sign}: a line to sign on by hand
DATE_PART_MM = 12.0  # each of ＿＿年＿＿月＿＿日
QUESTION_GAP_MM = 1.6  # before a numbered question (not before its sub-questions)
SIGNATURE_GAP_MM = 6.0  # before the signature block
LEADING = {"question": 1.62, "header": 2.1, "signature": 2.4}  # line height ÷ font size
LINE_SPACING = 1.18  # a text run's box, as the form renderer fits labels
# Latin words and numbers stay whole; every other character may end a line.
TOKEN = re.compile(r"[A-Za-z0-9.,:/%+\-()（）]+|\s|.", re.S)
NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%”")


@dataclass
class _Piece:
    """One unbreakable piece of a paragraph and how it is drawn."""

    kind: str  # "text", "blank", "choice", "sep", "date", "sign"
    width: float
    text: str = ""
    answer: Answer | None = None
    value: str = ""  # the choice a "choice" piece stands for


def _pt(v_mm: float) -> float:
    return v_mm * mm


def _run_width(fonts: Any, text: str) -> float:
    """Width at 1 pt of a text in the fonts that hold its characters."""
    return sum(pdfmetrics.stringWidth(t, f or fonts.main, 1.0) for f, t in fonts.runs(text))


def _pieces(q: Question, width_of: Callable[[str], float], size: float) -> list[_Piece]:
    answers = {a.field: a for a in q.answers}
    out: list[_Piece] = []
    if q.number:
        out.append(_Piece("text", width_of(q.printed_number), q.printed_number))
    for kind, value in q.parts():
        if kind == "text":
            for token in TOKEN.findall(value):
                out.append(_Piece("text", width_of(token), token))
            continue
        if value == "_sign":
            out.append(_Piece("sign", _pt(SIGN_MM)))
            continue
        answer = answers[value]
        if answer.choices:
            for i, choice in enumerate(answer.choices):
                if i:
                    out.append(_Piece("sep", width_of(answer.sep), answer.sep, answer))
                text = f"{CIRCLED[i]}{answer.choice_text(choice)}"
                out.append(_Piece("choice", width_of(text), text, answer, choice))
        elif answer.type == "date":
            out.append(_Piece("date", _pt(DATE_PART_MM * 3) + 3 * width_of("年"), "", answer))
        else:
            blank = answer.blank_mm or BLANK_MM.get(answer.type, 20.0)
            out.append(_Piece("blank", _pt(blank), "", answer))
    return out


def _lines(pieces: list[_Piece], width: float) -> list[list[_Piece]]:
    """Greedy line breaking; closing punctuation never starts a line."""
    lines: list[list[_Piece]] = [[]]
    used = 0.0
    for piece in pieces:
        starts_badly = piece.kind == "text" and piece.text[:1] in NO_LINE_START
        if lines[-1] and used + piece.width > width + 0.01 and not starts_badly:
            lines.append([])
            used = 0.0
        if piece.kind == "text" and not lines[-1] and piece.text.isspace():
            continue
        lines[-1].append(piece)
        used += piece.width
    return [line for line in lines if line]


def layout_questions(
    b: Any, section: QuestionSection, new_page: Callable[[], None], slot_type: type
) -> None:
    """Lay out a `questions` section on the builder's pages (new sheets as needed).

    `b` is the form renderer's page builder (text, hline, fits, page.slots); `slot_type` its
    Slot, passed in so that this module never imports the renderer that calls it.
    """
    size = section.value_pt or b.d.style.label_pt + 1
    fonts = b.fonts

    def width_of(text: str) -> float:
        return _run_width(fonts, text) * size

    width = b.width - b.left - _pt(b.d.page.margins.right)
    laid = [(q, _lines(_pieces(q, width_of, size), width)) for q in section.questions]
    if laid and all(q.style == "signature" for q, _ in laid):
        # The signature block is signed on one sheet, never split from its last lines.
        total = _pt(SIGNATURE_GAP_MM) + sum(size * LEADING[q.style] * len(ls) for q, ls in laid)
        if not b.fits(total):
            new_page()
    first_signature = True
    for q, lines in laid:
        pieces = [p for line in lines for p in line]
        leading = size * LEADING[q.style]
        gap = 0.0
        if q.number and "—" not in q.number:
            gap = _pt(QUESTION_GAP_MM)
        if q.style == "signature" and first_signature:
            gap, first_signature = _pt(SIGNATURE_GAP_MM), False
        needed = gap + leading * len(lines)
        if not b.fits(needed):
            new_page()
            gap = 0.0
        b.y -= gap
        right_aligned = q.style == "signature" and all(p.kind == "date" for p in pieces)
        for line in lines:
            b.y -= leading
            used = sum(p.width for p in line)
            x = b.left + (width - used if right_aligned else 0.0)
            _draw_line(b, line, x, b.y + size * 0.45, size, slot_type)


def _draw_line(b: Any, line: list[_Piece], x: float, base: float, size: float, Slot: type) -> None:
    h = size * LINE_SPACING
    run, run_x = "", x
    circles: dict[str, Any] = {}

    def flush(at: float) -> None:
        nonlocal run
        if run.strip():
            # Fitting strips the spaces around a run: start it where its first glyph stands.
            lead = run[: len(run) - len(run.lstrip())]
            start = run_x + (_run_width(b.fonts, lead) * size if lead else 0.0)
            b.text(run.strip(), start, base - size * 0.3, at - start + 1, h, size,
                   align="left", min_size=size)  # fmt: skip
        run = ""

    for piece in line:
        if piece.kind in ("text", "sep", "choice"):
            if not run:
                run_x = x
            if piece.kind == "choice":
                answer = piece.answer
                assert answer is not None
                slot = circles.get(answer.field or "") or _find_slot(b, answer)
                if slot is None:
                    slot = Slot(answer.field or "", x, base, piece.width, h, "circles", size,
                                cell=answer, label=answer.label)  # fmt: skip
                    b.page.slots.append(slot)
                circles[answer.field or ""] = slot
                slot.boxes[piece.value] = (x - 1.2, base - size * 0.32, piece.width + 2.4,
                                           size * 1.22)  # fmt: skip
            run += piece.text
            x += piece.width
            continue
        flush(x)
        answer = piece.answer
        if piece.kind == "sign":
            b.hline(x + 1, x + piece.width - 1, base - 1.5)
        elif piece.kind == "blank" and answer is not None:
            b.hline(x + 1, x + piece.width - 1, base - 1.5)
            b.page.slots.append(
                Slot(answer.field or "", x + 1, base - 0.5, piece.width - 2, h, "text", size,
                     4.5, "center", cell=answer, label=answer.label)
            )  # fmt: skip
        elif piece.kind == "date" and answer is not None:
            unit_w = _run_width(b.fonts, "年") * size
            part = _pt(DATE_PART_MM)
            slot = Slot(answer.field or "", x, base, piece.width, h, "date", size,
                        label=answer.label)  # fmt: skip
            for i, unit in enumerate("年月日"):
                start = x + (part + unit_w) * i
                b.hline(start + 1, start + part - 1, base - 1.5)
                b.text(unit, start + part, base - size * 0.3, unit_w + 1, h, size, min_size=size)
                slot.boxes[i] = (start + 1, base - 0.5, part - 2)
            b.page.slots.append(slot)
        x += piece.width
    flush(x)


def _find_slot(b: Any, answer: Answer) -> Any:
    """A choice answer whose choices wrap onto the next line keeps one slot."""
    for slot in reversed(b.page.slots):
        if slot.field == answer.field and slot.kind == "circles":
            return slot
    return None
