"""Section kind `questions`: a questionnaire's numbered questions, flowing like the paper.

Not a grid in millimetres: each question is a printed paragraph (`text`) with its answers in
it as `{name}` placeholders — a blank line for a number or a text, the circled choices
①是，②否 for a choice. Answers are described in XLSForm's words (`type`, `name`, `label`,
`relevant`, `constraint`, `constraint_message`, `required`, `calculation`, `choices`) plus
`level` (`error`, the default, blocks review; `warning` may pass with a reason) and the
paper's `skip` (如填X直接跳转至Y: `{"if": "否", "goto": "Q5"}`, a list of them, or
`"goto": "end"` to end the questionnaire). See resources/forms/FORMAT.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop.engine.parsing import Ctx
from desktop.engine.sections.grid import Cell, parse_skips
from desktop.engine.values import VALUE_TYPES

KIND = "questions"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
SIGN_LINE = "_sign"  # {_sign} in a text: a line to sign on by hand, not an answer
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# XLSForm's type names → the engine's value types (the engine's own names are accepted too).
XLSFORM_TYPES = {
    "select_one": "choice",
    "select_multiple": "multi_choice",
    "integer": "int",
    "decimal": "decimal",
    "text": "text",
    "date": "date",
}
LEVELS = ("error", "warning")


@dataclass(frozen=True)
class Answer(Cell):
    """One answer of a question: a Cell (type, choices, skips …) and how the paper shows it."""

    number: str = ""  # printed number of its question, “4—1”
    sep: str = "，"  # between the circled choices as printed: ①是，②否 / ①是；②否
    blank_mm: float = 0.0  # length of the blank line on paper (0: by type)

    def choice_mark(self, value: str) -> str:
        """Return the circled number of a choice (“②” for 否)."""
        return CIRCLED[self.choices.index(value)] if value in self.choices else ""

    def printed_choices(self) -> str:
        """The choices as the paper prints them: ①是，②否."""
        return self.sep.join(
            f"{CIRCLED[i]}{self.choice_text(c)}" for i, c in enumerate(self.choices)
        )


@dataclass(frozen=True)
class Question:
    """A numbered paragraph of the paper (or an unnumbered line: the header, the signatures)."""

    number: str  # “4—1”; "" for a header or signature line
    text: str  # printed text with {name} placeholders for its answers
    answers: tuple[Answer, ...]
    style: str = "question"  # "question", "header" (under the title), "signature" (at the end)

    def parts(self) -> list[tuple[str, str]]:
        """The paragraph as ("text", words) and ("answer", name) parts, in printed order."""
        out: list[tuple[str, str]] = []
        last = 0
        for m in PLACEHOLDER.finditer(self.text):
            if m.start() > last:
                out.append(("text", self.text[last : m.start()]))
            out.append(("answer", m.group(1)))
            last = m.end()
        if last < len(self.text):
            out.append(("text", self.text[last:]))
        return out

    @property
    def printed_number(self) -> str:
        """“4—1.” as the paper prints it before the text ("" when unnumbered)."""
        return f"{self.number}." if self.number else ""


@dataclass(frozen=True)
class QuestionSection:
    """A list of questions printed one after the other, as on the paper."""

    id: str
    title: str
    questions: tuple[Question, ...]
    rules: tuple[dict, ...] = ()  # each answer's constraint, as raw rules for the loader
    page_break_before: bool = False
    value_pt: float | None = None
    kind: str = KIND
    width_mm: float = 0.0  # flows across the page's width
    height_mm: float = 0.0  # flows down the page, onto the next sheet if needed

    @property
    def inputs(self) -> tuple[Answer, ...]:
        """Every answer in paper order."""
        return tuple(a for q in self.questions for a in q.answers)

    @property
    def entries(self) -> tuple[str, ...]:
        """The answer keys in paper order."""
        return tuple(a.field for a in self.inputs if a.field)

    @property
    def labels(self) -> list[str]:
        """Each question's printed text (placeholders as the paper prints them)."""
        return [printed_text(q) for q in self.questions]

    def question_of(self, name: str) -> Question:
        """Return the question holding an answer."""
        for q in self.questions:
            if any(a.field == name for a in q.answers):
                return q
        raise KeyError(name)


def printed_text(question: Question) -> str:
    """A question as the blank paper prints it: number, text, ____ for blanks, ①② choices."""
    answers = {a.field: a for a in question.answers}
    out = [question.printed_number]
    for kind, value in question.parts():
        if kind == "text":
            out.append(value)
        elif value == SIGN_LINE:
            out.append("＿＿＿＿＿＿")
        elif answers[value].choices:
            out.append(answers[value].printed_choices())
        else:
            out.append("＿＿")
    return "".join(out)


_SECTION_KEYS = {"id", "kind", "title", "questions", "choices", "page_break_before", "value_pt"}
_QUESTION_KEYS = {"number", "text", "answers", "style"}
_ANSWER_KEYS = {
    "type", "name", "label", "hint", "relevant", "constraint", "constraint_message", "level",
    "required", "calculation", "choices", "choice_labels", "skip", "unit", "prefill", "sep",
    "blank_mm",
}  # fmt: skip
STYLES = ("question", "header", "signature")


def _type(ctx: Ctx, raw: Mapping[str, Any], where: str) -> tuple[str, str | None]:
    """Return (engine type, list name) of an answer's `type` (“select_one yes_no” too)."""
    text = ctx.text(raw.get("type", "text"), f"{where}.type").split()
    if not text or len(text) > 2:
        raise ctx.fail(f"{where}.type", f"类型 {raw.get('type')!r} 不合法")
    name = XLSFORM_TYPES.get(text[0], text[0])
    if name not in VALUE_TYPES:
        known = "、".join([*XLSFORM_TYPES, *VALUE_TYPES])
        raise ctx.fail(f"{where}.type", f"未知类型 {text[0]!r}（可用：{known}）")
    return name, (text[1] if len(text) == 2 else None)


def _choices(ctx: Ctx, raw: Mapping[str, Any], list_name: str | None, lists: Mapping, where: str):
    value = raw.get("choices", list_name)
    if isinstance(value, str) and not value.startswith("codes:"):
        if value not in lists:
            raise ctx.fail(f"{where}.choices", f"选项表 {value!r} 不存在")
        value = list(lists[value])
    found = ctx.choices(value, f"{where}.choices")
    if len(found) > len(CIRCLED):
        raise ctx.fail(f"{where}.choices", f"选项最多 {len(CIRCLED)} 个（①—⑩）")
    return found


def _answer(ctx: Ctx, raw: Any, number: str, lists: Mapping, where: str) -> tuple[Answer, list]:
    raw = ctx.keys(raw, _ANSWER_KEYS, where, ("name",))
    name = ctx.text(raw["name"], f"{where}.name")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ctx.fail(f"{where}.name", f"字段代码 {name!r} 不合法（字母、数字、下划线）")
    where = f"{where}（{name}）"
    type_name, list_name = _type(ctx, raw, where)
    kind = VALUE_TYPES[type_name]
    choices = _choices(ctx, raw, list_name, lists, where)
    if kind.has_choices and not choices:
        raise ctx.fail(where, f"{kind.label}题需要 choices")
    if not kind.has_choices and choices:
        raise ctx.fail(where, "只有单选、多选题可以有 choices")
    labels = raw.get("choice_labels", {})
    if not isinstance(labels, dict) or not all(k in choices for k in labels):
        raise ctx.fail(f"{where}.choice_labels", "应为 {选项: 打印文字}，选项须在 choices 中")
    skips = parse_skips(ctx, raw.get("skip"), f"{where}.skip")
    for skip in skips:
        if kind.has_choices and skip.if_value not in choices:
            raise ctx.fail(f"{where}.skip.if", f"{skip.if_value!r} 不是该题的选项")
    level = raw.get("level", "error")
    if level not in LEVELS:
        raise ctx.fail(f"{where}.level", "应为 error（不允许通过审核）或 warning（警告）")
    label = ctx.text(raw.get("label", name), f"{where}.label")
    answer = Answer(
        row=0,
        col=0,
        label=label,
        field=name,
        type=type_name,
        choices=choices,
        choice_labels=dict(labels),
        unit=ctx.text(raw.get("unit", ""), f"{where}.unit"),
        computed=ctx.text(raw.get("calculation", ""), f"{where}.calculation"),
        prefill=ctx.prefill_source(raw.get("prefill"), f"{where}.prefill"),
        required=ctx.flag(raw, "required", where),
        skips=skips,
        relevant=ctx.text(raw.get("relevant", ""), f"{where}.relevant"),
        number=number,
        sep=ctx.text(raw.get("sep", "，"), f"{where}.sep"),
        blank_mm=ctx.number(raw.get("blank_mm", 0), f"{where}.blank_mm", positive=False),
    )
    rules = []
    if raw.get("constraint"):
        rules.append({
            "id": f"{name}.constraint",
            "field": name,
            "check": ctx.text(raw["constraint"], f"{where}.constraint"),
            "message": ctx.text(
                raw.get("constraint_message") or f"{label}：答案不符合要求",
                f"{where}.constraint_message",
            ),
            "blocking": level == "error",
        })  # fmt: skip
    return answer, rules


def parse(ctx: Ctx, raw: dict, where: str) -> QuestionSection:
    """Read a `questions` section: its questions, their answers and their constraints."""
    raw = ctx.keys(raw, _SECTION_KEYS, where, ("id", "questions"))
    lists = raw.get("choices", {})
    if not isinstance(lists, dict):
        raise ctx.fail(f"{where}.choices", "应为 {选项表名: [选项, …]}")
    questions, rules = [], []
    for i, q in enumerate(raw["questions"]):
        qw = f"{where}.questions[{i}]"
        q = ctx.keys(q, _QUESTION_KEYS, qw, ("text",))
        number = ctx.text(q.get("number", ""), f"{qw}.number")
        if number:
            qw = f"{where} 第{number}题"
        style = q.get("style", "question")
        if style not in STYLES:
            raise ctx.fail(f"{qw}.style", f"应为 {'、'.join(STYLES)} 之一")
        answers = []
        for j, a in enumerate(q.get("answers", [])):
            answer, own = _answer(ctx, a, number, lists, f"{qw}.answers[{j}]")
            answers.append(answer)
            rules += own
        question = Question(number, ctx.text(q["text"], f"{qw}.text"), tuple(answers), style)
        named = [v for k, v in question.parts() if k == "answer" and v != SIGN_LINE]
        names = [a.field for a in answers]
        if sorted(named) != sorted(names):
            raise ctx.fail(
                f"{qw}.text",
                f"文字中的 {{…}} 应与答案一一对应（文字：{'、'.join(named) or '无'}；"
                f"答案：{'、'.join(names) or '无'}）",  # type: ignore[arg-type]
            )
        questions.append(question)
    return QuestionSection(
        id=ctx.text(raw["id"], f"{where}.id"),
        title=ctx.text(raw.get("title", ""), f"{where}.title"),
        questions=tuple(questions),
        rules=tuple(rules),
        page_break_before=ctx.flag(raw, "page_break_before", where),
        value_pt=ctx.optional_number(raw, "value_pt", where),
    )


def check_rows(section: QuestionSection, value: Any) -> list[tuple[str, int | None]]:
    """Questions hold single answers, each checked by the evaluator."""
    return []
