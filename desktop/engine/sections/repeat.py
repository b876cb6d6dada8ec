"""Section kind `repeat`: a grid with one row per item (the member grid), paged on paper.

Its answer is a list of rows, each a dict keyed by column code. A row's keys that start with
`_` (such as the member id) are carried along but never shown or printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop.engine.parsing import Ctx
from desktop.engine.values import VALUE_TYPES, is_blank, row_is_blank

KIND = "repeat"


@dataclass(frozen=True)
class GridColumn:
    """One column of a repeating grid (the member grid)."""

    code: str  # field code within a row (A1, training_need …)
    label: str
    width_mm: float
    type: str = "text"
    choices: tuple[str, ...] = ()
    member_field: str = ""  # a member field of the vocabulary, or "extra.<key>"
    unit: str = ""
    required: bool = False

    def choice_text(self, value: str) -> str:
        """A member column prints a choice as it is."""
        return value

    def text(self, value: Any) -> str:
        """Return a row's value as the screen shows it and the paper prints it."""
        text = VALUE_TYPES[self.type].format(value, self.choice_text)
        if text and self.unit and VALUE_TYPES[self.type].numeric:
            text += self.unit
        return text


@dataclass(frozen=True)
class RepeatSection:
    """A grid with one row per item (members), `rows_per_page` rows on each page."""

    id: str
    title: str
    columns: tuple[GridColumn, ...]
    rows_per_page: int
    row_height_mm: float
    header_height_mm: float
    number_label: str = "序号"
    number_width_mm: float = 6.0
    prefill: str = ""
    writeback: bool = False
    page_break_before: bool = False
    label_pt: float | None = None
    value_pt: float | None = None
    kind: str = KIND

    @property
    def width_mm(self) -> float:
        """Total width of the grid, the number column included."""
        return self.number_width_mm + sum(c.width_mm for c in self.columns)

    @property
    def height_mm(self) -> float:
        """Height of one page's grid: header and `rows_per_page` rows."""
        return self.header_height_mm + self.rows_per_page * self.row_height_mm

    def column(self, code: str) -> GridColumn:
        """Return the column with this code."""
        for c in self.columns:
            if c.code == code:
                return c
        raise KeyError(code)

    @property
    def inputs(self) -> tuple:
        """A repeating grid has no single-value input cells."""
        return ()

    @property
    def entries(self) -> tuple[str, ...]:
        """The grid is one answer, keyed by the section id."""
        return (self.id,)

    @property
    def labels(self) -> list[str]:
        """The printed texts of the section."""
        return [self.number_label, *(c.label for c in self.columns)]


_REPEAT_KEYS = {
    "id", "kind", "title", "columns", "rows_per_page", "row_height_mm", "header_height_mm",
    "number_label", "number_width_mm", "prefill", "writeback", "page_break_before", "label_pt",
    "value_pt",
}  # fmt: skip
_COLUMN_KEYS = {"code", "label", "width_mm", "type", "choices", "member_field", "unit", "required"}


def parse(ctx: Ctx, raw: dict, where: str) -> RepeatSection:
    """Read a `repeat` section."""
    raw = ctx.keys(
        raw,
        _REPEAT_KEYS,
        where,
        ("id", "columns", "rows_per_page", "row_height_mm", "header_height_mm"),
    )
    columns = []
    for i, c in enumerate(raw["columns"]):
        cw = f"{where}.columns[{i}]"
        c = ctx.keys(c, _COLUMN_KEYS, cw, ("code", "label", "width_mm"))
        kind = VALUE_TYPES[ctx.value_type(c, cw)]
        if kind.multiple:
            raise ctx.fail(f"{cw}.type", f"成员表列不支持类型 {kind.name!r}")
        member_field = c.get("member_field", "")
        if member_field and not (
            member_field in ctx.vocabulary.member_fields
            or (member_field.startswith("extra.") and len(member_field) > 6)
        ):
            raise ctx.fail(f"{cw}.member_field", f"未知的成员字段 {member_field!r}")
        choices = ctx.choices(c.get("choices"), f"{cw}.choices")
        if kind.has_choices and not choices:
            raise ctx.fail(cw, "choice 类型需要 choices")
        columns.append(
            GridColumn(
                code=ctx.text(c["code"], f"{cw}.code"),
                label=ctx.text(c["label"], f"{cw}.label"),
                width_mm=ctx.number(c["width_mm"], f"{cw}.width_mm"),
                type=kind.name,
                choices=choices,
                member_field=member_field,
                unit=ctx.text(c.get("unit", ""), f"{cw}.unit"),
                required=ctx.flag(c, "required", cw),
            )
        )
    codes_seen = [c.code for c in columns]
    if len(set(codes_seen)) != len(codes_seen):
        raise ctx.fail(where, "列代码重复")
    return RepeatSection(
        id=ctx.text(raw["id"], f"{where}.id"),
        title=ctx.text(raw.get("title", ""), f"{where}.title"),
        columns=tuple(columns),
        rows_per_page=ctx.integer(raw["rows_per_page"], f"{where}.rows_per_page", 1),
        row_height_mm=ctx.number(raw["row_height_mm"], f"{where}.row_height_mm"),
        header_height_mm=ctx.number(raw["header_height_mm"], f"{where}.header_height_mm"),
        number_label=ctx.text(raw.get("number_label", "序号"), f"{where}.number_label"),
        number_width_mm=ctx.number(raw.get("number_width_mm", 6.0), f"{where}.number_width_mm"),
        prefill=ctx.prefill_source(raw.get("prefill"), f"{where}.prefill"),
        writeback=ctx.flag(raw, "writeback", where),
        page_break_before=ctx.flag(raw, "page_break_before", where),
        label_pt=ctx.optional_number(raw, "label_pt", where),
        value_pt=ctx.optional_number(raw, "value_pt", where),
    )


def check_rows(section: RepeatSection, value: Any) -> list[tuple[str, int | None]]:
    """Check each filled row: required columns answered, every value of its column's type."""
    found: list[tuple[str, int | None]] = []
    for index, row in enumerate(value or []):
        if not isinstance(row, Mapping) or row_is_blank(row):
            continue
        for column in section.columns:
            answer = row.get(column.code)
            if column.required and is_blank(answer):
                found.append((f"第{index + 1}名成员：请填写{column.label}", index))
                continue
            if column.type == "bool" and answer in (None, False):
                continue
            problem = VALUE_TYPES[column.type].check(answer, column.choices)
            if problem:
                found.append((f"第{index + 1}名成员：{column.label}{problem}", index))
    return found
