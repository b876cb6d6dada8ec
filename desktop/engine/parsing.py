"""Reading a description file: where in the file we are, and the words a description may use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.engine.values import VALUE_TYPES


class FormDescriptionError(ValueError):
    """A description file is malformed; the message names the file and the place.

    `where` (the place in the description) and `problem` (what is wrong there) are kept apart
    so that a reader of another file format (an XLSForm workbook) can name its own sheet and
    row instead of the description's path.
    """

    def __init__(self, message: str, *, where: str = "", problem: str = "") -> None:
        super().__init__(message)
        self.where = where
        self.problem = problem or message


@dataclass(frozen=True)
class Vocabulary:
    """The names a description may use besides its own field codes.

    The engine knows no household or village: the forms service gives it the code lists
    (`codes:<NAME>` choices), the prefill sources and which of them may be written back, and
    the member fields a repeating grid's column may name.
    """

    code_lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)  # prefill name → 中文说明
    writable: frozenset[str] = frozenset()
    member_fields: frozenset[str] = frozenset()


class Ctx:
    """Where in the file we are, for error messages, and the vocabulary to check names with."""

    def __init__(self, source: str, vocabulary: Vocabulary) -> None:
        self.source = source
        self.vocabulary = vocabulary

    def fail(self, where: str, message: str) -> FormDescriptionError:
        """Return the error for a place in the file."""
        return FormDescriptionError(
            f"{self.source}：{where}：{message}", where=where, problem=message
        )

    def keys(self, obj: Any, allowed: set[str], where: str, required: Iterable[str] = ()) -> dict:
        """Return `obj` when it is an object with only allowed keys and every required one."""
        if not isinstance(obj, dict):
            raise self.fail(where, "应为一个对象（{…}）")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            raise self.fail(
                where, f"未知的键 {', '.join(unknown)}（允许：{', '.join(sorted(allowed))}）"
            )
        missing = [k for k in required if k not in obj]
        if missing:
            raise self.fail(where, f"缺少键 {', '.join(missing)}")
        return obj

    def number(self, value: Any, where: str, *, positive: bool = True) -> float:
        """Return a number (> 0 unless `positive` is False)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"应为数字，而不是 {value!r}")
        if positive and value <= 0:
            raise self.fail(where, f"应大于 0，而不是 {value!r}")
        return float(value)

    def optional_number(self, raw: Mapping[str, Any], key: str, where: str) -> float | None:
        """Return raw[key] as a number, or None when absent."""
        return self.number(raw[key], f"{where}.{key}") if key in raw else None

    def integer(self, value: Any, where: str, minimum: int = 0) -> int:
        """Return a whole number not below `minimum`."""
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"应为不小于 {minimum} 的整数，而不是 {value!r}")
        return value

    def text(self, value: Any, where: str) -> str:
        """Return a text."""
        if not isinstance(value, str):
            raise self.fail(where, f"应为文字，而不是 {value!r}")
        return value

    def flag(self, raw: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        """Return raw[key] as true/false."""
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "应为 true 或 false")
        return value

    def value_type(self, raw: Mapping[str, Any], where: str) -> str:
        """Return the `type` of a field, checked against the table of value types."""
        name = raw.get("type", "text")
        if name not in VALUE_TYPES:
            raise self.fail(f"{where}.type", f"未知类型 {name!r}（可用：{', '.join(VALUE_TYPES)}）")
        return name

    def choices(self, value: Any, where: str) -> tuple[str, ...]:
        """Return a list of choices, or the code list that `codes:<NAME>` names."""
        if value is None:
            return ()
        lists = self.vocabulary.code_lists
        if isinstance(value, str):
            if not value.startswith("codes:") or value[6:] not in lists:
                raise self.fail(
                    where, f"choices 应为列表或 codes:<名称>（已知：{', '.join(lists)}）"
                )
            return tuple(lists[value[6:]])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where, "choices 应为非空文字的列表")
        if len(set(value)) != len(value):
            raise self.fail(where, "choices 有重复项")
        return tuple(value)

    def prefill_source(self, value: Any, where: str) -> str:
        """Return a prefill source name the vocabulary knows ("" when absent)."""
        if not value:
            return ""
        if value not in self.vocabulary.sources:
            known = ", ".join(self.vocabulary.sources)
            raise self.fail(where, f"未知的预填来源 {value!r}（可用：{known}）")
        return value

    def hook(self, expr: str, where: str) -> str:
        """Return the name of a `hook:<name>`, checked for its shape (the registry checks it)."""
        name = expr[5:]
        if not name or not name.replace("_", "").isalnum():
            raise self.fail(where, f"钩子名 {expr!r} 不合法")
        return name
