"""One set of questionnaire answers judged by the engine, named as the paper names its questions.

`check_answers` is what `huitoukan forms check` prints and what the review screen shows: each
blocking error and warning with its question (第10题), and the questions a skip jumped over.
With `partial` it judges only what the given answers decide, as the screen does while a clerk
is still typing: a question not yet answered is not an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.engine import Evaluator, FieldIssue, FormDescription, is_blank
from desktop.errors import AppError
from desktop.services.forms.hooks import build_hooks


class AnswersFileError(AppError):
    """An answers file that cannot be read as field → value."""


@dataclass(frozen=True)
class Finding:
    """One error or warning, with the question it belongs to as printed (第10题)."""

    field: str
    question: str  # “第10题”, or the header's label (“家庭人口”)
    label: str
    message: str
    blocking: bool

    def line(self) -> str:
        """The finding as one Chinese line."""
        mark = "错误" if self.blocking else "警告"
        return f"{mark}　{self.question}（{self.field} {self.label}）：{self.message}"


@dataclass(frozen=True)
class CheckResult:
    """What the engine found: errors, warnings and the skipped questions, in paper order."""

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    skipped: tuple[str, ...]

    @property
    def may_pass(self) -> bool:
        """True when nothing blocks review (warnings pass with a reason)."""
        return not self.errors


def question_name(description: FormDescription, code: str) -> str:
    """How the paper names a field's question: 第4—1题, or its header label."""
    cell = description.fields.get(code)
    number = getattr(cell, "number", "")
    if number:
        return f"第{number}题"
    return description.field_label(code)


def _finding(description: FormDescription, issue: FieldIssue) -> Finding:
    return Finding(issue.field, question_name(description, issue.field),
                   description.field_label(issue.field), issue.message, issue.blocking)  # fmt: skip


def check_answers(
    description: FormDescription,
    answers: Mapping[str, Any],
    *,
    partial: bool = False,
    subject: Any = None,
    evaluator: Evaluator | None = None,
) -> CheckResult:
    """Judge one set of answers (field → value) against a questionnaire's description."""
    evaluator = evaluator or Evaluator(description, build_hooks())
    found = evaluator.evaluate(answers, subject=subject)
    order = {key: i for i, key in enumerate(description.entry_order)}
    issues = list(found.issues)
    if partial:
        # Not yet answered is not wrong: only the required-but-blank findings go.
        issues = [
            i
            for i in issues
            if not (i.field in description.fields and is_blank(answers.get(i.field))
                    and description.fields[i.field].required and not i.rule_id)
        ]  # fmt: skip
    issues.sort(key=lambda i: order.get(i.field, len(order)))
    findings = [_finding(description, i) for i in issues]
    skipped = tuple(sorted(found.skipped, key=lambda k: order.get(k, len(order))))
    return CheckResult(
        errors=tuple(f for f in findings if f.blocking),
        warnings=tuple(f for f in findings if not f.blocking),
        skipped=skipped,
    )


def skip_reasons(
    description: FormDescription,
    answers: Mapping[str, Any],
    evaluator: Evaluator | None = None,
) -> dict[str, str]:
    """Each skipped field → why, in the paper's words: “第4题填“②否”，跳过”."""
    evaluator = evaluator or Evaluator(description, build_hooks())
    reasons = {}
    for key, cause in evaluator.skip_causes(answers).items():
        if not cause:
            reasons[key] = "按前面的回答，本题不需回答"
            continue
        cell = description.fields.get(cause)
        value = answers.get(cause)
        mark = getattr(cell, "choice_mark", lambda _v: "")(value) if cell else ""
        shown = cell.text(value) if cell else str(value)
        reasons[key] = f"{question_name(description, cause)}填“{mark}{shown}”，跳过"
    return reasons


def cleared_by_skips(
    description: FormDescription,
    answered: Mapping[str, Any],
    answers: Mapping[str, Any],
    evaluator: Evaluator | None = None,
) -> dict[str, list[str]]:
    """The answers of `answered` that `answers` skips, as on paper they are struck out:
    why (“第4题填“②否”，跳过”) → the questions it clears (第4—1题 …), in paper order."""
    reasons = skip_reasons(description, answers, evaluator)
    out: dict[str, list[str]] = {}
    for key in description.entry_order:
        if key in reasons and not is_blank(answered.get(key)):
            names = out.setdefault(reasons[key], [])
            name = question_name(description, key)
            if name not in names:
                names.append(name)
    return out


def skip_notice(cleared: Mapping[str, list[str]]) -> str:
    """One line saying which answers a skip cleared: “第4题填“②否”，跳过：第4—1题、第4—2题的
    答案已清空”."""
    return "；".join(f"{why}：{'、'.join(names)}的答案已清空" for why, names in cleared.items())


def read_answers(path: Path, description: FormDescription) -> dict[str, Any]:
    """Read an answers file (JSON object field → value); AnswersFileError names what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AnswersFileError(f"{path}：无法读取（{exc.strerror or exc}）") from exc
    except UnicodeDecodeError as exc:
        raise AnswersFileError(f"{path}：不是 UTF-8 编码的文本") from exc
    except json.JSONDecodeError as exc:
        raise AnswersFileError(
            f"{path}：第 {exc.lineno} 行第 {exc.colno} 列 JSON 格式错误（{exc.msg}）"
        ) from exc
    if not isinstance(data, dict):
        raise AnswersFileError(f'{path}：应为一个 JSON 对象（{{"字段": 答案, …}}）')
    unknown = [k for k in data if k not in description.answer_keys]
    if unknown:
        raise AnswersFileError(
            f"{path}：{description.title}中没有这些字段：{'、'.join(map(str, unknown[:20]))}"
        )
    return data
