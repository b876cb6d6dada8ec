"""Section kind `grid`: a block of the paper as a grid of label and input cells.

Columns and rows are in millimetres; a cell spans rows and columns; a label cell prints text, an
input cell has a field code and a value type. `tab_order` says how a clerk copies the block:
"rows" (left to right, then down) or "columns" (down each column, as A24 → A24a → A25 …);
`tab_bands` lists rows where a new band of columns starts (a last row across the columns, such
as A56 / A56a / A57, is entered after every column above it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from desktop.engine.parsing import Ctx
from desktop.engine.values import VALUE_TYPES

KIND = "grid"


SKIP_TO_END = "end"  # `goto` that ends the section (附件2 8：如填“②”直接结束问卷)


@dataclass(frozen=True)
class Skip:
    """Skip logic: when this field's answer equals `if_value`, entry continues at `goto`."""

    if_value: str
    goto: str  # a field code, a section id, or SKIP_TO_END (after the section's last answer)


@dataclass(frozen=True)
class Cell:
    """One box of a section's grid: a printed label, or an input with a field code."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    label: str | None = None  # printed text of a label cell; the name of an input in messages
    field: str | None = None  # field code of an input cell (A39, labour_count …)
    type: str = "text"
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, str] = dc_field(default_factory=dict)  # printed text of a choice
    boxes: bool = False  # print choices (or a bool) as □/☑ boxes, as the paper does
    layout: str = "horizontal"  # boxes side by side, or "vertical" one per line
    box_label: str = "是"  # text printed after the single box of a bool
    unit: str = ""  # printed after the value, e.g. "元", "亩"
    # The unit is printed only while the cell is blank: a place name carries its own (益阳市).
    unit_blank_only: bool = False
    caption: str = ""  # small text printed in the input's top-left corner (e.g. "开办时间")
    computed: str = ""  # an expression over field codes, or "hook:<name>"
    prefill: str = ""  # a prefill source name (the forms service's vocabulary)
    writeback: bool = False  # saving the form writes the answer back to the registry
    required: bool = False  # completion needs an answer (a blocking error otherwise)
    align: str = ""  # "left", "center", "right"; default: section's label_align / by type
    font_pt: float | None = None
    # “如填③直接跳转至9；如填①直接跳转至8—2”: one skip per answer that jumps, first match wins.
    skips: tuple[Skip, ...] = ()
    relevant: str = ""  # XLSForm's relevant: asked only while this expression holds

    @property
    def skip(self) -> Skip | None:
        """The first skip (most fields have at most one)."""
        return self.skips[0] if self.skips else None

    @property
    def is_input(self) -> bool:
        """True for an input cell (it has a field code)."""
        return self.field is not None

    @property
    def end_row(self) -> int:
        """Row index after the last row the cell covers."""
        return self.row + self.rowspan

    @property
    def end_col(self) -> int:
        """Column index after the last column the cell covers."""
        return self.col + self.colspan

    @property
    def value_align(self) -> str:
        """Where the value stands in its cell: the cell's own `align`, else by value type."""
        return self.align or VALUE_TYPES[self.type].align

    def choice_text(self, value: str) -> str:
        """Return how a choice is printed (its choice label, or the value itself)."""
        return self.choice_labels.get(value, value)

    def text(self, value: Any) -> str:
        """Return the answer as the screen shows it and the paper prints it (unit apart)."""
        return VALUE_TYPES[self.type].format(value, self.choice_text)


@dataclass(frozen=True)
class GridSection:
    """A block of the paper: a title and a grid of cells with column widths and row heights."""

    id: str
    title: str
    columns_mm: tuple[float, ...]
    rows_mm: tuple[float, ...]
    cells: tuple[Cell, ...]
    page_break_before: bool = False
    label_align: str = "center"
    label_pt: float | None = None
    value_pt: float | None = None
    tab_order: str = "rows"
    tab_bands: tuple[int, ...] = ()
    kind: str = KIND

    @property
    def width_mm(self) -> float:
        """Total width of the grid."""
        return sum(self.columns_mm)

    @property
    def height_mm(self) -> float:
        """Total height of the grid."""
        return sum(self.rows_mm)

    def cell_rect_mm(self, cell: Cell) -> tuple[float, float, float, float]:
        """Return (x, y, width, height) of a cell in mm from the grid's top-left corner."""
        x = sum(self.columns_mm[: cell.col])
        y = sum(self.rows_mm[: cell.row])
        w = sum(self.columns_mm[cell.col : cell.end_col])
        h = sum(self.rows_mm[cell.row : cell.end_row])
        return x, y, w, h

    @property
    def inputs(self) -> tuple[Cell, ...]:
        """The input cells in entry order (`tab_order`)."""
        if self.tab_order == "columns":
            bands = self.tab_bands
            key = lambda c: (sum(c.row >= b for b in bands), c.col, c.row)  # noqa: E731
        else:
            key = lambda c: (c.row, c.col)  # noqa: E731
        return tuple(c for c in sorted(self.cells, key=key) if c.is_input)

    @property
    def entries(self) -> tuple[str, ...]:
        """The answer keys of the section in entry order."""
        return tuple(c.field for c in self.inputs if c.field)

    @property
    def labels(self) -> list[str]:
        """The printed texts of the section."""
        return [c.label for c in self.cells if c.label and not c.is_input]


_GRID_KEYS = {
    "id", "kind", "title", "columns_mm", "rows_mm", "cells", "page_break_before", "label_align",
    "label_pt", "value_pt", "tab_order", "tab_bands",
}  # fmt: skip
_CELL_KEYS = {
    "row", "col", "rowspan", "colspan", "label", "field", "type", "choices", "choice_labels",
    "boxes", "layout", "box_label", "unit", "caption", "computed", "prefill", "writeback",
    "required", "align", "font_pt", "skip", "unit_blank_only",
}  # fmt: skip
_SKIP_KEYS = {"if", "goto"}
ALIGNS = ("left", "center", "right")


def parse_skips(ctx: Ctx, raw: Any, where: str) -> tuple[Skip, ...]:
    """Read `skip`: one {"if", "goto"} or a list of them (several answers that jump)."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    skips = []
    for i, item in enumerate(items):
        iw = f"{where}[{i}]" if isinstance(raw, list) else where
        item = ctx.keys(item, _SKIP_KEYS, iw, _SKIP_KEYS)
        skips.append(Skip(ctx.text(item["if"], f"{iw}.if"), ctx.text(item["goto"], f"{iw}.goto")))
    if len({s.if_value for s in skips}) != len(skips):
        raise ctx.fail(where, "同一个答案有两个跳转")
    return tuple(skips)


def parse_cell(ctx: Ctx, raw: Any, where: str) -> Cell:
    """Read one cell of a grid."""
    raw = ctx.keys(raw, _CELL_KEYS, where, ("row", "col"))
    kwargs: dict[str, Any] = {
        "row": ctx.integer(raw["row"], f"{where}.row"),
        "col": ctx.integer(raw["col"], f"{where}.col"),
        "rowspan": ctx.integer(raw.get("rowspan", 1), f"{where}.rowspan", 1),
        "colspan": ctx.integer(raw.get("colspan", 1), f"{where}.colspan", 1),
    }
    for key in ("label", "field", "unit", "caption", "computed", "align", "box_label"):
        if key in raw:
            kwargs[key] = ctx.text(raw[key], f"{where}.{key}")
    for key in ("boxes", "writeback", "required", "unit_blank_only"):
        if key in raw:
            kwargs[key] = ctx.flag(raw, key, where)
    if "font_pt" in raw:
        kwargs["font_pt"] = ctx.number(raw["font_pt"], f"{where}.font_pt")
    if "layout" in raw:
        if raw["layout"] not in ("horizontal", "vertical"):
            raise ctx.fail(f"{where}.layout", "应为 horizontal 或 vertical")
        kwargs["layout"] = raw["layout"]
    if kwargs.get("align") and kwargs["align"] not in ALIGNS:
        raise ctx.fail(f"{where}.align", "应为 left、center 或 right")
    field_code = kwargs.get("field")
    if field_code is None:
        if not kwargs.get("label"):
            raise ctx.fail(where, "标签格需要 label，输入格需要 field")
        extra = sorted(set(raw) - {"row", "col", "rowspan", "colspan", "label", "align", "font_pt"})
        if extra:
            raise ctx.fail(where, f"标签格（无 field）不能有 {', '.join(extra)}")
        return Cell(**kwargs)
    if not field_code.strip() or any(ch in field_code for ch in " .:[]"):
        raise ctx.fail(f"{where}.field", f"字段代码 {field_code!r} 不合法")
    kind = VALUE_TYPES[ctx.value_type(raw, where)]
    kwargs["type"] = kind.name
    kwargs["choices"] = ctx.choices(raw.get("choices"), f"{where}.choices")
    if kind.has_choices and not kwargs["choices"]:
        raise ctx.fail(where, f"{kind.name} 类型需要 choices")
    if not kind.has_choices and kwargs["choices"]:
        raise ctx.fail(where, "只有 choice / multi_choice 类型可以有 choices")
    labels = raw.get("choice_labels", {})
    if not isinstance(labels, dict) or not all(
        isinstance(v, str) and k in kwargs["choices"] for k, v in labels.items()
    ):
        raise ctx.fail(f"{where}.choice_labels", "应为 {选项: 打印文字}，选项须在 choices 中")
    kwargs["choice_labels"] = dict(labels)
    if kwargs.get("boxes") and not kind.boxes:
        raise ctx.fail(f"{where}.boxes", "只有 choice、multi_choice、bool 可以打印为方框")
    kwargs["prefill"] = ctx.prefill_source(raw.get("prefill"), f"{where}.prefill")
    if kwargs.get("writeback") and kwargs["prefill"] not in ctx.vocabulary.writable:
        raise ctx.fail(f"{where}.writeback", "只有可写回户籍的预填来源可以 writeback")
    computed = kwargs.get("computed", "")
    if computed.startswith("hook:"):
        ctx.hook(computed, f"{where}.computed")
    kwargs["skips"] = parse_skips(ctx, raw.get("skip"), f"{where}.skip")
    for skip in kwargs["skips"]:
        if kind.name == "choice" and skip.if_value not in kwargs["choices"]:
            raise ctx.fail(f"{where}.skip.if", f"{skip.if_value!r} 不是该字段的选项")
    return Cell(**kwargs)


def parse(ctx: Ctx, raw: dict, where: str) -> GridSection:
    """Read a `grid` section; overlapping or out-of-grid cells are errors."""
    raw = ctx.keys(raw, _GRID_KEYS, where, ("id", "columns_mm", "rows_mm", "cells"))
    columns = tuple(ctx.number(w, f"{where}.columns_mm") for w in raw["columns_mm"])
    rows = tuple(ctx.number(h, f"{where}.rows_mm") for h in raw["rows_mm"])
    if not columns or not rows:
        raise ctx.fail(where, "columns_mm 与 rows_mm 不能为空")
    cells = tuple(parse_cell(ctx, c, f"{where}.cells[{i}]") for i, c in enumerate(raw["cells"]))
    occupied: dict[tuple[int, int], int] = {}
    for i, cell in enumerate(cells):
        cw = f"{where}.cells[{i}]（{cell.label or cell.field}）"
        if cell.end_row > len(rows) or cell.end_col > len(columns):
            raise ctx.fail(
                cw,
                f"超出网格：占第 {cell.row}–{cell.end_row - 1} 行、"
                f"第 {cell.col}–{cell.end_col - 1} 列，网格只有 {len(rows)} 行 {len(columns)} 列",
            )
        for r in range(cell.row, cell.end_row):
            for c in range(cell.col, cell.end_col):
                if (r, c) in occupied:
                    other = cells[occupied[(r, c)]]
                    raise ctx.fail(
                        cw,
                        f"与 cells[{occupied[(r, c)]}]（{other.label or other.field}）"
                        f"在第 {r} 行第 {c} 列重叠",
                    )
                occupied[(r, c)] = i
    align = raw.get("label_align", "center")
    if align not in ALIGNS:
        raise ctx.fail(f"{where}.label_align", "应为 left、center 或 right")
    tab_order = raw.get("tab_order", "rows")
    if tab_order not in ("rows", "columns"):
        raise ctx.fail(f"{where}.tab_order", "应为 rows（逐行）或 columns（逐列）")
    bands = raw.get("tab_bands", [])
    if not isinstance(bands, list) or not all(
        isinstance(b, int) and 0 < b < len(rows) for b in bands
    ):
        raise ctx.fail(f"{where}.tab_bands", f"应为行号的列表（1–{len(rows) - 1}）")
    return GridSection(
        id=ctx.text(raw["id"], f"{where}.id"),
        title=ctx.text(raw.get("title", ""), f"{where}.title"),
        columns_mm=columns,
        rows_mm=rows,
        cells=cells,
        page_break_before=ctx.flag(raw, "page_break_before", where),
        label_align=align,
        label_pt=ctx.optional_number(raw, "label_pt", where),
        value_pt=ctx.optional_number(raw, "value_pt", where),
        tab_order=tab_order,
        tab_bands=tuple(sorted(bands)),
    )


def check_rows(section: GridSection, value: Any) -> list[tuple[str, int | None]]:
    """A grid has no rows of its own to check (its cells are checked one by one)."""
    return []
