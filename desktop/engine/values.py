"""The one table of value types: how an answer is parsed, checked and written as text.

The form view, the PDF and the service all go through this table, so a value reads the same on
screen and on paper and is judged the same way everywhere. Numbers are formatted with `decimal`
(half-up, at the type's decimal places) so that 1.255 km is 1.26 on both, never 1.255 on one and
1.25 on the other; whole-number types never print as `1.23457e+06`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from desktop.dates import chinese_date

ChoiceText = Callable[[str], str]


def is_blank(value: Any) -> bool:
    """True for an unanswered value: None, empty text, empty list."""
    return value is None or value == "" or value == [] or value == ()


def row_is_blank(row: Mapping[str, Any]) -> bool:
    """True for a row of a grid with no answer (hidden `_` keys and unticked boxes do not count)."""
    return all(is_blank(v) or v is False for k, v in row.items() if not str(k).startswith("_"))


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest text that reads back as this float: 1.255, not 1.25499…
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class ValueType:
    """One value type of a form field: its Chinese name and how values are parsed and shown."""

    name: str
    label: str  # what the type is called in messages and in FORMAT.md
    numeric: bool = False
    integer: bool = False
    places: int | None = None  # decimal places kept, shown and printed (numbers)
    minimum: int | None = None  # lowest allowed number
    align: str = "center"  # default alignment of the value in its cell
    has_choices: bool = False  # needs `choices`
    multiple: bool = False  # the answer is a list of choices
    boxes: bool = False  # may be drawn as □ boxes

    # --- numbers ---------------------------------------------------------------------

    def round(self, value: Any) -> Any:
        """Return a computed or stored number as this type keeps it (places, whole numbers)."""
        if not self.numeric or is_blank(value) or isinstance(value, bool):
            return value
        number = _as_decimal(value)
        if number is None:
            return value
        if self.integer:
            if number == number.to_integral_value():
                return int(number)
            return value  # not whole: check() says so, nothing is silently changed
        quantum = Decimal(1).scaleb(-(self.places or 0))
        rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
        return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)

    # --- text in, text out -----------------------------------------------------------

    def parse(self, text: str) -> Any:
        """Return the value typed as `text` (None when blank); ValueError with a Chinese reason."""
        text = (text or "").strip()
        if not self.numeric:
            if self.name == "date":
                return parse_date(text)
            return text or None
        text = text.replace(",", "").replace("，", "")
        if not text or text in ("-", ".", "-."):
            return None
        number = _as_decimal(text)
        if number is None or not number.is_finite():
            raise ValueError(f"应填数字，而不是“{text}”")
        if self.integer:
            if number != number.to_integral_value():
                raise ValueError("应填整数")
            return int(number)
        return self.round(number)

    def check(self, value: Any, choices: Sequence[str] = ()) -> str | None:
        """Return what is wrong with a stored answer (Chinese, without the field's name)."""
        if is_blank(value):
            return None
        if self.numeric:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"应填数字，而不是“{value}”"
            if self.integer and not float(value).is_integer():
                return "应填整数"
            if self.minimum is not None and value < self.minimum:
                return "不能为负数"
            return None
        if self.name == "choice":
            if value not in choices:
                return f"“{value}”不是可选项（{'、'.join(choices)}）"
        elif self.multiple:
            if not isinstance(value, list):
                return "应为多选"
            wrong = [v for v in value if v not in choices]
            if wrong:
                return f"“{'、'.join(map(str, wrong))}”不是可选项"
        elif self.name == "bool":
            if not isinstance(value, bool):
                return "应为勾选（是/否）"
        elif self.name == "date":
            try:
                parse_date(str(value))
            except ValueError:
                return "日期格式应为 年-月-日（如 2018-06-12）"
        elif not isinstance(value, str):
            return "应为文字"
        return None

    def format(self, value: Any, choice_text: ChoiceText | None = None) -> str:
        """Return an answer as the screen shows it and the paper prints it."""
        if is_blank(value):
            return ""
        label = choice_text or str
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, list | tuple):
            return "、".join(label(str(v)) for v in value)
        if self.numeric or isinstance(value, int | float):
            number = _as_decimal(self.round(value))
            if number is None:
                return str(value)
            if self.integer or self.places is None:
                return _plain(number)
            quantum = Decimal(1).scaleb(-self.places)
            return _plain(number.quantize(quantum, rounding=ROUND_HALF_UP))
        if self.name == "date":
            try:
                day = parse_date(str(value))
            except ValueError:
                return str(value)
            return format_date(day) if day else ""
        if self.has_choices:
            return label(str(value))
        return str(value)


def parse_date(text: str) -> datetime.date | None:
    """Read 2018-06-12, 2018/6/12 or 2018年6月12日; None when blank, ValueError when not a date."""
    text = (text or "").strip()
    if not text:
        return None
    for sep in ("年", "月", "/", "."):
        text = text.replace(sep, "-")
    text = text.replace("日", "").strip("-")
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"“{text}”不是日期")
    return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))


def format_date(day: datetime.date) -> str:
    """A date as the forms write it: 2018年6月12日."""
    return chinese_date(day)


VALUE_TYPES: dict[str, ValueType] = {
    t.name: t
    for t in (
        ValueType("text", "文字", align="center"),
        ValueType("int", "整数", numeric=True, integer=True, align="center"),
        ValueType("count", "人数或件数（≥0 的整数）", numeric=True, integer=True, minimum=0),
        ValueType(
            "money", "金额（元，两位小数）", numeric=True, places=2, minimum=0, align="right"
        ),
        ValueType(
            "area", "面积（亩或平方米，两位小数）", numeric=True, places=2, minimum=0, align="right"
        ),
        ValueType(
            "decimal",
            "其他量（如公里，两位小数）",
            numeric=True,
            places=2,
            minimum=0,
            align="right",
        ),
        ValueType("choice", "单选", has_choices=True, boxes=True),
        ValueType("multi_choice", "多选", has_choices=True, multiple=True, boxes=True),
        ValueType("bool", "勾选（是/否）", boxes=True),
        ValueType("date", "日期"),
    )
}


def value_type(name: str) -> ValueType:
    """Return the value type called `name` (KeyError names the known ones)."""
    try:
        return VALUE_TYPES[name]
    except KeyError:
        raise KeyError(f"未知类型 {name!r}（可用：{', '.join(VALUE_TYPES)}）") from None
