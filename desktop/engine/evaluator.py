"""The one evaluator: computed cells, skips and rules of a form, for screen, paper and service.

    evaluation = Evaluator(description, hooks).evaluate(answers, subject=…, standard=…)

returns what the form view shows and the service enforces: the computed values, which fields a
skip has switched off, which are required, and every issue (blocking error or warning) with its
Chinese message. Nobody else decides any of these.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.engine.description import FormDescription
from desktop.engine.expressions import MissingValue, evaluate, expression_names
from desktop.engine.hooks import HookContext, HookRegistry
from desktop.engine.sections import SECTION_KINDS
from desktop.engine.sections.grid import SKIP_TO_END
from desktop.engine.values import VALUE_TYPES, is_blank
from desktop.errors import FieldIssue


@dataclass(frozen=True)
class Evaluation:
    """What the evaluator found for one set of answers."""

    values: dict[str, Any]  # the answers (skipped ones left out) with the computed values
    computed: dict[str, Any]
    skipped: frozenset[str]
    required: frozenset[str]  # required fields that are not skipped
    issues: tuple[FieldIssue, ...]
    computed_fields: frozenset[str] = field(default_factory=frozenset)

    def is_disabled(self, code: str) -> bool:
        """True when the clerk cannot type in a field: skipped, or computed."""
        return code in self.skipped or code in self.computed_fields

    def issues_at(self, code: str) -> list[FieldIssue]:
        """The issues found at one field."""
        return [i for i in self.issues if i.field == code]

    @property
    def blocking(self) -> list[FieldIssue]:
        """The errors that prevent completing the form."""
        return [i for i in self.issues if i.blocking]

    @property
    def warnings(self) -> list[FieldIssue]:
        """The warnings (completion needs a reason for each)."""
        return [i for i in self.issues if not i.blocking]


def _matches(value: Any, if_value: str) -> bool:
    if is_blank(value):
        return False
    return value == if_value or str(value) == if_value


class Evaluator:
    """Evaluates one description's computed cells, skips and rules."""

    def __init__(self, description: FormDescription, hooks: HookRegistry | None = None) -> None:
        self.description = description
        self.hooks = hooks or HookRegistry()
        self.hooks.check(description)
        order = description.entry_order
        self._index = {key: i for i, key in enumerate(order)}
        first = {}
        for s in description.sections:
            if s.entries:
                first[s.id] = self._index[s.entries[0]]
        self._section_start = first
        # Where "end" (直接结束问卷) leads from a field: after the last answer of its section.
        self._section_end = {
            key: self._index[s.entries[-1]] + 1 for s in description.sections for key in s.entries
        }
        self._names = {
            c.field: expression_names(c.computed)
            for c in description.computed_fields
            if not c.computed.startswith("hook:")
        }

    # --- computed cells ------------------------------------------------------------------

    def compute(
        self,
        answers: Mapping[str, Any],
        *,
        subject: Any = None,
        standard: Mapping[str, Any] | None = None,
        today: datetime.date | None = None,
    ) -> dict[str, Any]:
        """Return the computed cells' values (None when every field they read is blank)."""
        return self._compute(answers, self._context(answers, subject, standard, today))

    def _context(self, answers, subject, standard, today) -> HookContext:
        return HookContext(self.description, answers, subject, dict(standard or {}),
                           today or datetime.date.today())  # fmt: skip

    def _compute(self, answers: Mapping[str, Any], context: HookContext) -> dict[str, Any]:
        d = self.description
        cells = d.computed_fields
        values = dict(answers)
        result: dict[str, Any] = {}
        # Computed cells may read each other in any order on paper (A53 reads A52 below it):
        # settle by repeating until nothing changes.
        for _ in range(len(cells) + 1):
            changed = False
            for cell in cells:
                value = self._compute_one(cell, values, context)
                if result.get(cell.field, ...) != value:
                    result[cell.field] = value
                    values[cell.field] = value
                    changed = True
            if not changed:
                break
        return result

    def _compute_one(self, cell, values: dict, context: HookContext) -> Any:
        kind = VALUE_TYPES[cell.type]
        if cell.computed.startswith("hook:"):
            hook = self.hooks.compute_hook(cell.computed[5:])
            ctx = _with_values(context, self.description, values)
            return kind.round(hook(ctx))
        names = self._names[cell.field]
        read = [n for n in names if n in self.description.fields] or list(names)
        if all(is_blank(values.get(n)) for n in read):
            return None
        try:
            return kind.round(evaluate(cell.computed, values, blanks_as_zero=True))
        except (MissingValue, TypeError, ValueError, ArithmeticError):
            return None

    # --- skips ---------------------------------------------------------------------------

    def skipped(self, values: Mapping[str, Any]) -> frozenset[str]:
        """The answer keys a skip has jumped over ("如填X直接跳转至Y"): not asked, not required."""
        return frozenset(self.skip_causes(values))

    def skip_causes(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Each skipped answer key → the key whose answer jumped over it ("" when its own
        `relevant` does not hold), so that a screen can say why a question is not asked."""
        order = self.description.entry_order
        fields = self.description.fields
        causes: dict[str, str] = {}
        for i, key in enumerate(order):
            cell = fields.get(key)
            if cell is None or key in causes:
                continue
            if cell.relevant and not self._relevant(cell.relevant, values, set(causes)):
                causes[key] = ""
                continue
            for skip in cell.skips:
                if _matches(values.get(key), skip.if_value):
                    for jumped in order[i + 1 : self._target(key, skip.goto)]:
                        causes.setdefault(jumped, key)
                    break
        return causes

    def _target(self, key: str, goto: str) -> int:
        if goto == SKIP_TO_END:
            return self._section_end.get(key, len(self.description.entry_order))
        return self._index.get(goto, self._section_start.get(goto, len(self._index)))

    @staticmethod
    def _relevant(expr: str, values: Mapping[str, Any], skipped: set[str]) -> bool:
        """XLSForm's relevant: asked while it holds; an answer it needs is missing → not asked."""
        shown = {k: v for k, v in values.items() if k not in skipped}
        try:
            return bool(evaluate(expr, shown))
        except (MissingValue, TypeError):
            return False

    # --- the whole evaluation --------------------------------------------------------------

    def evaluate(
        self,
        answers: Mapping[str, Any],
        *,
        subject: Any = None,
        standard: Mapping[str, Any] | None = None,
        today: datetime.date | None = None,
    ) -> Evaluation:
        """Compute, skip and check a set of answers."""
        d = self.description
        context = self._context(answers, subject, standard, today)
        skipped = self.skipped(answers)
        values = {k: v for k, v in answers.items() if k not in skipped}
        computed = self._compute(values, context)
        values.update(computed)
        # Skips may read a computed value; settle once more with them.
        again = self.skipped(values)
        if again != skipped:
            skipped = again
            values = {k: v for k, v in values.items() if k not in skipped}
        issues: list[FieldIssue] = []
        required: set[str] = set()
        typed_ok: set[str] = set()
        for code, label, type_name, choices, needed in d.typed_answers:
            if code in skipped:
                continue
            if needed:
                required.add(code)
            value = values.get(code)
            if is_blank(value):
                if needed:
                    issues.append(FieldIssue(code, f"请填写{label}", True))
                continue
            problem = VALUE_TYPES[type_name].check(value, choices)
            if problem:
                issues.append(FieldIssue(code, f"{label}：{problem}", True))
            else:
                typed_ok.add(code)
        for section in d.sections:
            if section.id in skipped:
                continue
            for message, row in SECTION_KINDS[section.kind].check_rows(
                section, values.get(section.id)
            ):
                issues.append(FieldIssue(section.id, message, True, member_index=row))
        # Rules only read values that passed the type check, so “abc” ≤ 3 never crashes a rule.
        rule_values = {k: v for k, v in values.items() if k in typed_ok or k not in d.fields}
        rule_context = _with_values(context, d, rule_values)
        for rule in d.rules:
            if rule.field in skipped:
                continue
            if rule.check.startswith("hook:"):
                try:
                    if rule.when and not evaluate(rule.when, rule_values):
                        continue
                except (MissingValue, TypeError):
                    continue
                for found in self.hooks.rule_hook(rule.check[5:])(rule_context):
                    blocking = rule.blocking if found.blocking is None else found.blocking
                    issues.append(FieldIssue(found.field or rule.field, found.message, blocking,
                                             found.row, rule.id))  # fmt: skip
                continue
            try:
                if rule.when and not evaluate(rule.when, rule_values):
                    continue
                ok = evaluate(rule.check, rule_values)
            except (MissingValue, TypeError):
                continue
            if not ok:
                issues.append(FieldIssue(rule.field, rule.message, rule.blocking, rule_id=rule.id))
        return Evaluation(
            values=values,
            computed=computed,
            skipped=skipped,
            required=frozenset(required),
            issues=tuple(issues),
            computed_fields=frozenset(c.field for c in d.computed_fields if c.field),
        )


def _with_values(
    context: HookContext, description: FormDescription, values: Mapping[str, Any]
) -> HookContext:
    return HookContext(description, values, context.subject, context.standard, context.today)
