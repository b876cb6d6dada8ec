"""Hooks: named pieces of Python that a description may call as `hook:<name>`.

A quirk one form needs and the expression language cannot say (checking 在校生 against the
members' ages, the registry's rules for a member grid) is a hook registered here by name, by the
code that builds the services, and the description names it. A name the registry does not know
is an error when the evaluator is built, never a silent stand-in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.engine.parsing import FormDescriptionError


@dataclass(frozen=True)
class HookContext:
    """What a hook sees: the description, the values so far, the subject, the standard."""

    description: Any
    values: Mapping[str, Any]
    subject: Any = None  # what the form is about (HouseholdData …), as the service gives it
    standard: Mapping[str, Any] = field(default_factory=dict)
    today: datetime.date = field(default_factory=datetime.date.today)


@dataclass(frozen=True)
class Finding:
    """What a rule hook found: a message (Chinese), and the row of a repeating grid if any."""

    message: str
    row: int | None = None
    field: str | None = None  # another field than the rule's own, when the hook knows better
    blocking: bool | None = None  # None: the rule's own weight


ComputeHook = Callable[[HookContext], Any]
RuleHook = Callable[[HookContext], Iterable[Finding]]


@dataclass(frozen=True)
class _Entry:
    function: Callable[..., Any]
    description: str


class HookRegistry:
    """Compute hooks and rule hooks by name."""

    def __init__(self) -> None:
        self._compute: dict[str, _Entry] = {}
        self._rules: dict[str, _Entry] = {}

    def add_compute(self, name: str, function: ComputeHook, description: str) -> None:
        """Register a computed-cell hook; `description` says in Chinese what it computes."""
        self._add(self._compute, name, function, description)

    def add_rule(self, name: str, function: RuleHook, description: str) -> None:
        """Register a rule hook; it returns the Findings of the answers it checks."""
        self._add(self._rules, name, function, description)

    @staticmethod
    def _add(table: dict, name: str, function: Callable, description: str) -> None:
        if name in table:
            raise ValueError(f"hook {name!r} is registered twice")
        table[name] = _Entry(function, description)

    def compute_hook(self, name: str) -> ComputeHook:
        """Return the compute hook called `name`."""
        return self._compute[name].function

    def rule_hook(self, name: str) -> RuleHook:
        """Return the rule hook called `name`."""
        return self._rules[name].function

    def names(self) -> dict[str, str]:
        """Return every hook name with what it does (for FORMAT.md and error messages)."""
        return {n: e.description for n, e in {**self._compute, **self._rules}.items()}

    def check(self, description: Any) -> None:
        """Raise FormDescriptionError when a description names a hook that is not registered."""
        where = description.path or description.code
        for cell in description.computed_fields:
            if cell.computed.startswith("hook:") and cell.computed[5:] not in self._compute:
                raise FormDescriptionError(
                    f"{where}：字段 {cell.field}.computed：未注册的计算钩子 {cell.computed!r}"
                    f"（已注册：{', '.join(self._compute) or '无'}）"
                )
        for rule in description.rules:
            if rule.check.startswith("hook:") and rule.check[5:] not in self._rules:
                raise FormDescriptionError(
                    f"{where}：规则 {rule.id}.check：未注册的规则钩子 {rule.check!r}"
                    f"（已注册：{', '.join(self._rules) or '无'}）"
                )
