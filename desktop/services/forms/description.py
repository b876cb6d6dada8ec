"""Paper form descriptions: load resources/forms/<code>.json into typed objects and check them.

One description drives both the Qt form view and the PDF renderer (see resources/forms/FORMAT.md).
This module also holds the small, safe expression language that computed cells, validation rules
and skips use, so that the screen and the service evaluate them the same way.
"""

from __future__ import annotations

import ast
import json
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from desktop.paths import resources_dir
from desktop.services.registry import codes

FORMAT_VERSION = 1

VALUE_TYPES = (
    "text",  # free text
    "int",  # a whole number
    "count",  # a number of people or things (whole, ≥ 0)
    "money",  # 元, two decimals
    "area",  # 亩 or 平方米, two decimals
    "decimal",  # any other measure (公里)
    "choice",  # one of `choices`
    "multi_choice",  # several of `choices` (a list)
    "bool",  # a single check box (☑/□); True, False or unset
    "date",  # ISO date "2018-06-01"
)
NUMERIC_TYPES = ("int", "count", "money", "area", "decimal")

PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}

# What a `prefill` may name: HouseholdData fields, and hooks the form service computes.
PREFILL_SOURCES = {
    "code": "户编号",
    "county_name": "区（县）",
    "township_name": "镇（街道）",
    "village_name": "村（居委）",
    "group_name": "自然村、组",
    "city": "地级市（县的上级）",
    "head_name": "户主姓名",
    "phone": "联系电话",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
    "helper_name": "挂钩帮扶责任人",
    "helper_phone": "帮扶责任人联系电话",
    "poverty_causes": "致贫原因（全部）",
    "poverty_causes.main": "主要致贫原因（第一项）",
    "poverty_causes.other": "其他致贫原因（其余各项）",
    "poverty_kind": "贫困户属性",
    "poverty_kind.is_wubao_dibao": "是否五保或低保户（是/否）",
    "count_hukou": "户口簿人数",
    "count_card": "明白卡人数",
    "count_system": "系统人数（建档立卡人数）",
    "count_actual": "实际人数",
    "members": "家庭成员（成员表）",
    "members.count": "家庭成员人数",
    "members.labour_force": "成员中的劳动力人数",
    "members.migrant": "成员中的外出务工人数",
    "members.in_school": "成员中的在校生人数",
    "members.serious_illness_insured": "参加大病医疗保险的成员人数",
}
# Prefill sources whose value the form may write back into the registry on save.
WRITABLE_SOURCES = (
    "phone", "bank_name", "bank_account", "helper_name", "helper_phone", "poverty_causes",
    "poverty_causes.main", "poverty_causes.other", "poverty_kind", "count_hukou", "count_card",
    "count_system", "count_actual", "members",
)  # fmt: skip

# What a member-grid column may name as its `member_field`: MemberData attributes, or extra.<key>.
MEMBER_FIELDS = (
    "name", "sex", "id_number", "relation", "ethnicity", "political_status", "education",
    "schooling", "health", "labour_ability", "work_status", "work_months", "is_soldier",
    "ins_serious_illness", "ins_employee_pension", "ins_resident_medical", "ins_resident_pension",
    "pension_status",
)  # fmt: skip

# Named hooks that computed cells and rules may use ("hook:<name>"); the form service runs them.
COMPUTE_HOOKS = {
    "per_capita_income": "家庭年人均收入，按活动标准的公式（FORMULA_*）计算",
}
RULE_HOOKS = {
    "students_vs_ages": "在校生人数与成员年龄（义务教育年龄 6–15 周岁）核对",
    "members_registry": "成员表按户籍规则核对（户主唯一、证件号码等）",
}

# The code lists a description may name as "codes:<NAME>" instead of spelling the choices out.
CODE_LISTS = {
    name: value
    for name, value in vars(codes).items()
    if name.isupper() and isinstance(value, tuple) and all(isinstance(v, str) for v in value)
}


class FormDescriptionError(ValueError):
    """A description file is malformed; the message names the file and the place."""


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Margins:
    """Page margins in mm."""

    top: float
    right: float
    bottom: float
    left: float


@dataclass(frozen=True)
class PageSpec:
    """The sheet: size, orientation and margins, all in mm."""

    size: str
    orientation: str  # "portrait" or "landscape"
    width_mm: float
    height_mm: float
    margins: Margins

    @property
    def content_width_mm(self) -> float:
        """Width between the left and right margins."""
        return self.width_mm - self.margins.left - self.margins.right

    @property
    def content_height_mm(self) -> float:
        """Height between the top and bottom margins."""
        return self.height_mm - self.margins.top - self.margins.bottom


@dataclass(frozen=True)
class Style:
    """Font sizes in points; a section or a cell may override label and value sizes."""

    title_pt: float = 16.0
    section_pt: float = 10.5
    label_pt: float = 8.0
    value_pt: float = 9.0
    min_pt: float = 4.5  # text shrinks down to this size before it wraps further
    line_mm: float = 0.25  # grid line width


@dataclass(frozen=True)
class Skip:
    """Skip logic: when this field's answer equals `if_value`, entry continues at `goto`."""

    if_value: str
    goto: str


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
    caption: str = ""  # small text printed in the input's top-left corner (e.g. "开办时间")
    computed: str = ""  # an expression over field codes, or "hook:<name>"
    prefill: str = ""  # a PREFILL_SOURCES name
    writeback: bool = False  # saving the form writes the answer back to the registry
    required: bool = False  # completion needs an answer (a blocking error otherwise)
    align: str = ""  # "left", "center", "right"; default: section's label_align / by type
    font_pt: float | None = None
    skip: Skip | None = None

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

    def choice_text(self, value: str) -> str:
        """Return how a choice is printed (its choice label, or the value itself)."""
        return self.choice_labels.get(value, value)


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
    kind: str = "grid"

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


@dataclass(frozen=True)
class GridColumn:
    """One column of a repeating grid (the member grid)."""

    code: str  # field code within a row (A1, training_need …)
    label: str
    width_mm: float
    type: str = "text"
    choices: tuple[str, ...] = ()
    member_field: str = ""  # MemberData attribute, or "extra.<key>" for answers it lacks
    unit: str = ""
    required: bool = False


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
    kind: str = "repeat"

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


Section = GridSection | RepeatSection


@dataclass(frozen=True)
class HeaderField:
    """A line above the grid such as “区（县）：＿＿”."""

    code: str
    label: str
    width_mm: float
    prefill: str = ""


@dataclass(frozen=True)
class SignatureItem:
    """One place to sign or date by hand: a label and a line (or 年 月 日)."""

    label: str
    kind: str = "sign"  # "sign" (blank line), "date" (＿年＿月＿日), "text" (a typed answer)
    width_mm: float = 60.0
    field: str | None = None  # answers of kind "text"/"date" are printed on the line


@dataclass(frozen=True)
class Rule:
    """A check over answers: `check` must hold when `when` holds; else `message` at `field`."""

    id: str
    check: str  # expression, or "hook:<name>"
    message: str
    field: str
    blocking: bool
    when: str = ""


@dataclass(frozen=True)
class FormDescription:
    """A whole paper form as data."""

    code: str
    title: str
    source: str
    page: PageSpec
    style: Style
    header: tuple[HeaderField, ...]
    sections: tuple[Section, ...]
    signatures: tuple[tuple[SignatureItem, ...], ...]
    signature_row_mm: float
    rules: tuple[Rule, ...]
    note: str = ""
    path: Path | None = None

    @cached_property
    def input_cells(self) -> tuple[Cell, ...]:
        """Every input cell in paper order (sections top to bottom, rows, then columns)."""
        return tuple(
            c
            for s in self.sections
            if isinstance(s, GridSection)
            for c in sorted(s.cells, key=lambda c: (c.row, c.col))
            if c.is_input
        )

    @cached_property
    def fields(self) -> dict[str, Cell]:
        """Field code → input cell."""
        return {c.field: c for c in self.input_cells if c.field}

    @cached_property
    def repeat_sections(self) -> tuple[RepeatSection, ...]:
        """The repeating grids (the member grid)."""
        return tuple(s for s in self.sections if isinstance(s, RepeatSection))

    @cached_property
    def computed_fields(self) -> tuple[Cell, ...]:
        """Input cells whose value is computed, in paper order."""
        return tuple(c for c in self.input_cells if c.computed)

    def section(self, section_id: str) -> Section:
        """Return the section with this id."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def section_of(self, field_code: str) -> GridSection:
        """Return the grid section holding an input field."""
        for s in self.sections:
            if isinstance(s, GridSection) and any(c.field == field_code for c in s.cells):
                return s
        raise KeyError(field_code)

    def all_labels(self) -> list[str]:
        """Every printed label of the form: title, header, cells, grid headers, signatures."""
        out = [self.title]
        out += [h.label for h in self.header]
        for s in self.sections:
            if s.title:
                out.append(s.title)
            if isinstance(s, GridSection):
                out += [c.label for c in s.cells if c.label and not c.is_input]
            else:
                out.append(s.number_label)
                out += [c.label for c in s.columns]
        out += [item.label for row in self.signatures for item in row]
        return out


# --------------------------------------------------------------------------- loading


def forms_dir() -> Path:
    """Return the folder of form descriptions."""
    return resources_dir() / "forms"


def list_forms() -> list[tuple[str, str]]:
    """Return (code, title) of every form description, in file-name order."""
    out = []
    for path in sorted(forms_dir().glob("*.json")):
        form = load_form_file(path)
        out.append((form.code, form.title))
    return out


def load_form(code: str) -> FormDescription:
    """Load and check the description of one form by its code ("verification", …)."""
    path = forms_dir() / f"{code}.json"
    if not path.is_file():
        known = "、".join(p.stem for p in sorted(forms_dir().glob("*.json")))
        raise FormDescriptionError(f"没有表单“{code}”（已有：{known}）")
    return _load_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _load_cached(path: str, _mtime: int) -> FormDescription:
    return load_form_file(Path(path))


def load_form_file(path: Path) -> FormDescription:
    """Load and check one description file; errors name the file and the place in it."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FormDescriptionError(f"{path}：无法读取（{exc}）") from exc
    except json.JSONDecodeError as exc:
        raise FormDescriptionError(
            f"{path}：第 {exc.lineno} 行第 {exc.colno} 列 JSON 格式错误（{exc.msg}）"
        ) from exc
    return parse_form(raw, source=str(path), path=Path(path))


_TOP_KEYS = {
    "format", "code", "title", "source", "note", "page", "style", "header", "sections",
    "signatures", "rules",
}  # fmt: skip
_PAGE_KEYS = {"size", "orientation", "margins_mm"}
_MARGIN_KEYS = {"top", "right", "bottom", "left"}
_STYLE_KEYS = {"title_pt", "section_pt", "label_pt", "value_pt", "min_pt", "line_mm"}
_HEADER_KEYS = {"code", "label", "width_mm", "prefill"}
_GRID_KEYS = {
    "id", "kind", "title", "columns_mm", "rows_mm", "cells", "page_break_before", "label_align",
    "label_pt", "value_pt",
}  # fmt: skip
_CELL_KEYS = {
    "row", "col", "rowspan", "colspan", "label", "field", "type", "choices", "choice_labels",
    "boxes", "layout", "box_label", "unit", "caption", "computed", "prefill", "writeback",
    "required", "align", "font_pt", "skip",
}  # fmt: skip
_REPEAT_KEYS = {
    "id", "kind", "title", "columns", "rows_per_page", "row_height_mm", "header_height_mm",
    "number_label", "number_width_mm", "prefill", "writeback", "page_break_before", "label_pt",
    "value_pt",
}  # fmt: skip
_COLUMN_KEYS = {"code", "label", "width_mm", "type", "choices", "member_field", "unit", "required"}
_SIGNATURE_KEYS = {"rows", "row_height_mm"}
_SIGN_ITEM_KEYS = {"label", "kind", "width_mm", "field"}
_RULE_KEYS = {"id", "check", "message", "field", "blocking", "when"}
_SKIP_KEYS = {"if", "goto"}


class _Ctx:
    """Where in the file we are, for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> FormDescriptionError:
        return FormDescriptionError(f"{self.source}：{where}：{message}")

    def keys(self, obj: Any, allowed: set[str], where: str, required: Iterable[str] = ()) -> dict:
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
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"应为数字，而不是 {value!r}")
        if positive and value <= 0:
            raise self.fail(where, f"应大于 0，而不是 {value!r}")
        return float(value)

    def integer(self, value: Any, where: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"应为不小于 {minimum} 的整数，而不是 {value!r}")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"应为文字，而不是 {value!r}")
        return value


def _choices(ctx: _Ctx, value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        if not value.startswith("codes:") or value[6:] not in CODE_LISTS:
            raise ctx.fail(
                where, f"choices 应为列表或 codes:<名称>（已知：{', '.join(CODE_LISTS)}）"
            )
        return CODE_LISTS[value[6:]]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ctx.fail(where, "choices 应为非空文字的列表")
    if len(set(value)) != len(value):
        raise ctx.fail(where, "choices 有重复项")
    return tuple(value)


def _page(ctx: _Ctx, raw: Any) -> PageSpec:
    raw = ctx.keys(raw, _PAGE_KEYS, "page", ("size", "orientation", "margins_mm"))
    size = raw["size"]
    if size not in PAGE_SIZES_MM:
        raise ctx.fail("page.size", f"未知纸张 {size!r}（可用：{', '.join(PAGE_SIZES_MM)}）")
    orientation = raw["orientation"]
    if orientation not in ("portrait", "landscape"):
        raise ctx.fail("page.orientation", "应为 portrait（纵向）或 landscape（横向）")
    w, h = PAGE_SIZES_MM[size]
    if orientation == "landscape":
        w, h = h, w
    m = ctx.keys(raw["margins_mm"], _MARGIN_KEYS, "page.margins_mm", _MARGIN_KEYS)
    margins = Margins(**{k: ctx.number(m[k], f"page.margins_mm.{k}") for k in _MARGIN_KEYS})
    return PageSpec(size, orientation, w, h, margins)


def _style(ctx: _Ctx, raw: Any) -> Style:
    raw = ctx.keys(raw or {}, _STYLE_KEYS, "style")
    return Style(**{k: ctx.number(v, f"style.{k}") for k, v in raw.items()})


def _skip(ctx: _Ctx, raw: Any, where: str) -> Skip | None:
    if raw is None:
        return None
    raw = ctx.keys(raw, _SKIP_KEYS, where, _SKIP_KEYS)
    return Skip(ctx.text(raw["if"], f"{where}.if"), ctx.text(raw["goto"], f"{where}.goto"))


def _cell(ctx: _Ctx, raw: Any, where: str) -> Cell:
    raw = ctx.keys(raw, _CELL_KEYS, where, ("row", "col"))
    kwargs: dict[str, Any] = {
        "row": ctx.integer(raw["row"], f"{where}.row"),
        "col": ctx.integer(raw["col"], f"{where}.col"),
        "rowspan": ctx.integer(raw.get("rowspan", 1), f"{where}.rowspan", 1),
        "colspan": ctx.integer(raw.get("colspan", 1), f"{where}.colspan", 1),
    }
    for key in ("label", "field", "unit", "caption", "computed", "prefill", "align", "box_label"):
        if key in raw:
            kwargs[key] = ctx.text(raw[key], f"{where}.{key}")
    for key in ("boxes", "writeback", "required"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise ctx.fail(f"{where}.{key}", "应为 true 或 false")
            kwargs[key] = raw[key]
    if "font_pt" in raw:
        kwargs["font_pt"] = ctx.number(raw["font_pt"], f"{where}.font_pt")
    if "layout" in raw:
        if raw["layout"] not in ("horizontal", "vertical"):
            raise ctx.fail(f"{where}.layout", "应为 horizontal 或 vertical")
        kwargs["layout"] = raw["layout"]
    if kwargs.get("align") and kwargs["align"] not in ("left", "center", "right"):
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
    value_type = raw.get("type", "text")
    if value_type not in VALUE_TYPES:
        raise ctx.fail(
            f"{where}.type", f"未知类型 {value_type!r}（可用：{', '.join(VALUE_TYPES)}）"
        )
    kwargs["type"] = value_type
    kwargs["choices"] = _choices(ctx, raw.get("choices"), f"{where}.choices")
    if value_type in ("choice", "multi_choice") and not kwargs["choices"]:
        raise ctx.fail(where, f"{value_type} 类型需要 choices")
    if value_type not in ("choice", "multi_choice") and kwargs["choices"]:
        raise ctx.fail(where, "只有 choice / multi_choice 类型可以有 choices")
    labels = raw.get("choice_labels", {})
    if not isinstance(labels, dict) or not all(
        isinstance(v, str) and k in kwargs["choices"] for k, v in labels.items()
    ):
        raise ctx.fail(f"{where}.choice_labels", "应为 {选项: 打印文字}，选项须在 choices 中")
    kwargs["choice_labels"] = dict(labels)
    if kwargs.get("boxes") and value_type not in ("choice", "multi_choice", "bool"):
        raise ctx.fail(f"{where}.boxes", "只有 choice、multi_choice、bool 可以打印为方框")
    if kwargs.get("prefill") and kwargs["prefill"] not in PREFILL_SOURCES:
        raise ctx.fail(
            f"{where}.prefill",
            f"未知的预填来源 {kwargs['prefill']!r}（可用：{', '.join(PREFILL_SOURCES)}）",
        )
    if kwargs.get("writeback") and kwargs.get("prefill") not in WRITABLE_SOURCES:
        raise ctx.fail(f"{where}.writeback", "只有可写回户籍的预填来源可以 writeback")
    computed = kwargs.get("computed", "")
    if computed.startswith("hook:") and computed[5:] not in COMPUTE_HOOKS:
        raise ctx.fail(f"{where}.computed", f"未知的计算钩子 {computed!r}")
    kwargs["skip"] = _skip(ctx, raw.get("skip"), f"{where}.skip")
    if (
        kwargs["skip"]
        and value_type in ("choice",)
        and kwargs["skip"].if_value not in kwargs["choices"]
    ):
        raise ctx.fail(f"{where}.skip.if", f"{kwargs['skip'].if_value!r} 不是该字段的选项")
    return Cell(**kwargs)


def _grid(ctx: _Ctx, raw: dict, where: str) -> GridSection:
    raw = ctx.keys(raw, _GRID_KEYS, where, ("id", "columns_mm", "rows_mm", "cells"))
    columns = tuple(ctx.number(w, f"{where}.columns_mm") for w in raw["columns_mm"])
    rows = tuple(ctx.number(h, f"{where}.rows_mm") for h in raw["rows_mm"])
    if not columns or not rows:
        raise ctx.fail(where, "columns_mm 与 rows_mm 不能为空")
    cells = tuple(_cell(ctx, c, f"{where}.cells[{i}]") for i, c in enumerate(raw["cells"]))
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
    if align not in ("left", "center", "right"):
        raise ctx.fail(f"{where}.label_align", "应为 left、center 或 right")
    return GridSection(
        id=ctx.text(raw["id"], f"{where}.id"),
        title=ctx.text(raw.get("title", ""), f"{where}.title"),
        columns_mm=columns,
        rows_mm=rows,
        cells=cells,
        page_break_before=bool(raw.get("page_break_before", False)),
        label_align=align,
        label_pt=ctx.number(raw["label_pt"], f"{where}.label_pt") if "label_pt" in raw else None,
        value_pt=ctx.number(raw["value_pt"], f"{where}.value_pt") if "value_pt" in raw else None,
    )


def _repeat(ctx: _Ctx, raw: dict, where: str) -> RepeatSection:
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
        value_type = c.get("type", "text")
        if value_type not in VALUE_TYPES or value_type == "multi_choice":
            raise ctx.fail(f"{cw}.type", f"成员表列不支持类型 {value_type!r}")
        member_field = c.get("member_field", "")
        if member_field and not (
            member_field in MEMBER_FIELDS
            or (member_field.startswith("extra.") and len(member_field) > 6)
        ):
            raise ctx.fail(f"{cw}.member_field", f"未知的成员字段 {member_field!r}")
        choices = _choices(ctx, c.get("choices"), f"{cw}.choices")
        if value_type == "choice" and not choices:
            raise ctx.fail(cw, "choice 类型需要 choices")
        columns.append(
            GridColumn(
                code=ctx.text(c["code"], f"{cw}.code"),
                label=ctx.text(c["label"], f"{cw}.label"),
                width_mm=ctx.number(c["width_mm"], f"{cw}.width_mm"),
                type=value_type,
                choices=choices,
                member_field=member_field,
                unit=ctx.text(c.get("unit", ""), f"{cw}.unit"),
                required=bool(c.get("required", False)),
            )
        )
    codes_seen = [c.code for c in columns]
    if len(set(codes_seen)) != len(codes_seen):
        raise ctx.fail(where, "列代码重复")
    prefill = raw.get("prefill", "")
    if prefill and prefill not in PREFILL_SOURCES:
        raise ctx.fail(f"{where}.prefill", f"未知的预填来源 {prefill!r}")
    return RepeatSection(
        id=ctx.text(raw["id"], f"{where}.id"),
        title=ctx.text(raw.get("title", ""), f"{where}.title"),
        columns=tuple(columns),
        rows_per_page=ctx.integer(raw["rows_per_page"], f"{where}.rows_per_page", 1),
        row_height_mm=ctx.number(raw["row_height_mm"], f"{where}.row_height_mm"),
        header_height_mm=ctx.number(raw["header_height_mm"], f"{where}.header_height_mm"),
        number_label=ctx.text(raw.get("number_label", "序号"), f"{where}.number_label"),
        number_width_mm=ctx.number(raw.get("number_width_mm", 6.0), f"{where}.number_width_mm"),
        prefill=prefill,
        writeback=bool(raw.get("writeback", False)),
        page_break_before=bool(raw.get("page_break_before", False)),
        label_pt=ctx.number(raw["label_pt"], f"{where}.label_pt") if "label_pt" in raw else None,
        value_pt=ctx.number(raw["value_pt"], f"{where}.value_pt") if "value_pt" in raw else None,
    )


def parse_form(raw: Any, *, source: str = "<表单>", path: Path | None = None) -> FormDescription:
    """Turn a parsed JSON description into a FormDescription, or raise FormDescriptionError."""
    ctx = _Ctx(source)
    raw = ctx.keys(raw, _TOP_KEYS, "顶层", ("format", "code", "title", "page", "sections"))
    if raw["format"] != FORMAT_VERSION:
        raise ctx.fail(
            "format", f"不支持的格式版本 {raw['format']!r}（本程序支持 {FORMAT_VERSION}）"
        )
    page = _page(ctx, raw["page"])
    style = _style(ctx, raw.get("style"))
    header = []
    for i, h in enumerate(raw.get("header", [])):
        hw = f"header[{i}]"
        h = ctx.keys(h, _HEADER_KEYS, hw, ("code", "label", "width_mm"))
        if h.get("prefill") and h["prefill"] not in PREFILL_SOURCES:
            raise ctx.fail(f"{hw}.prefill", f"未知的预填来源 {h['prefill']!r}")
        header.append(
            HeaderField(
                h["code"],
                h["label"],
                ctx.number(h["width_mm"], f"{hw}.width_mm"),
                h.get("prefill", ""),
            )
        )
    sections: list[Section] = []
    for i, s in enumerate(raw["sections"]):
        where = f"sections[{i}]"
        kind = s.get("kind", "grid") if isinstance(s, dict) else None
        if kind == "grid":
            sections.append(_grid(ctx, s, where))
        elif kind == "repeat":
            sections.append(_repeat(ctx, s, where))
        else:
            raise ctx.fail(where, f"kind 应为 grid 或 repeat，而不是 {kind!r}")
    ids = [s.id for s in sections]
    if len(set(ids)) != len(ids):
        raise ctx.fail("sections", "section id 重复")
    for s in sections:
        if s.width_mm > page.content_width_mm + 0.01:
            raise ctx.fail(
                f"section {s.id}",
                f"宽 {s.width_mm:.1f} mm，超出页面可用宽度 {page.content_width_mm:.1f} mm",
            )
        if s.height_mm > page.content_height_mm:
            raise ctx.fail(f"section {s.id}", f"高 {s.height_mm:.1f} mm，超出页面可用高度")
    field_codes: dict[str, str] = {}
    for s in sections:
        names = [c.field for c in s.cells if c.field] if isinstance(s, GridSection) else [s.id]
        for name in names:
            if name in field_codes:
                raise ctx.fail(
                    f"section {s.id}", f"字段代码 {name} 重复（另见 section {field_codes[name]}）"
                )
            field_codes[name] = s.id
    for h in header:
        if h.code in field_codes:
            raise ctx.fail("header", f"字段代码 {h.code} 与表格中的字段重复")
        field_codes[h.code] = "header"

    sig_raw = ctx.keys(
        raw.get("signatures", {"rows": []}), _SIGNATURE_KEYS, "signatures", ("rows",)
    )
    signatures = []
    for r, row in enumerate(sig_raw["rows"]):
        items = []
        for i, item in enumerate(row):
            iw = f"signatures.rows[{r}][{i}]"
            item = ctx.keys(item, _SIGN_ITEM_KEYS, iw, ("label",))
            kind = item.get("kind", "sign")
            if kind not in ("sign", "date", "text"):
                raise ctx.fail(f"{iw}.kind", "应为 sign、date 或 text")
            if item.get("field"):
                if item["field"] in field_codes:
                    raise ctx.fail(f"{iw}.field", f"字段代码 {item['field']} 重复")
                field_codes[item["field"]] = "signatures"
            items.append(
                SignatureItem(
                    label=ctx.text(item["label"], f"{iw}.label"),
                    kind=kind,
                    width_mm=ctx.number(item.get("width_mm", 60), f"{iw}.width_mm"),
                    field=item.get("field"),
                )
            )
        if sum(i.width_mm for i in items) > page.content_width_mm + 0.01:
            raise ctx.fail(f"signatures.rows[{r}]", "签名行超出页面可用宽度")
        signatures.append(tuple(items))
    signature_row_mm = ctx.number(sig_raw.get("row_height_mm", 10), "signatures.row_height_mm")

    form = FormDescription(
        code=ctx.text(raw["code"], "code"),
        title=ctx.text(raw["title"], "title"),
        source=ctx.text(raw.get("source", ""), "source"),
        page=page,
        style=style,
        header=tuple(header),
        sections=tuple(sections),
        signatures=tuple(signatures),
        signature_row_mm=signature_row_mm,
        rules=(),
        note=ctx.text(raw.get("note", ""), "note"),
        path=path,
    )
    known = set(form.fields)
    for cell in form.input_cells:
        if cell.computed and not cell.computed.startswith("hook:"):
            _check_expression(ctx, cell.computed, known, f"字段 {cell.field}.computed")
        if cell.skip and cell.skip.goto not in known and cell.skip.goto not in ids:
            raise ctx.fail(f"字段 {cell.field}.skip.goto", f"跳转目标 {cell.skip.goto!r} 不存在")
    rules = []
    for i, r in enumerate(raw.get("rules", [])):
        rw = f"rules[{i}]"
        r = ctx.keys(r, _RULE_KEYS, rw, ("id", "check", "message", "field", "blocking"))
        if r["field"] not in known and r["field"] not in field_codes:
            raise ctx.fail(f"{rw}.field", f"字段 {r['field']!r} 不存在")
        if r["check"].startswith("hook:"):
            if r["check"][5:] not in RULE_HOOKS:
                raise ctx.fail(f"{rw}.check", f"未知的规则钩子 {r['check']!r}")
        else:
            _check_expression(ctx, r["check"], known, f"{rw}.check")
        if r.get("when"):
            _check_expression(ctx, r["when"], known, f"{rw}.when")
        if not isinstance(r["blocking"], bool):
            raise ctx.fail(f"{rw}.blocking", "应为 true（阻止完成）或 false（警告）")
        rules.append(
            Rule(r["id"], r["check"], ctx.text(r["message"], f"{rw}.message"), r["field"],
                 r["blocking"], r.get("when", ""))
        )  # fmt: skip
    if len({r.id for r in rules}) != len(rules):
        raise ctx.fail("rules", "规则 id 重复")
    return replace(form, rules=tuple(rules))


# --------------------------------------------------------------------------- expressions

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "filled": lambda *values: all(v not in (None, "", []) for v in values),
    "empty": lambda *values: all(v in (None, "", []) for v in values),
    "count": lambda value: len(value) if isinstance(value, list) else int(value not in (None, "")),
    "round": round,
    "abs": abs,
    "min": min,
    "max": max,
}
_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


class MissingValue(Exception):
    """An expression needed a field that has no answer; the rule or computation is skipped."""


@lru_cache(maxsize=1024)
def _parse(expr: str) -> ast.Expression:
    return ast.parse(expr, mode="eval")


def expression_names(expr: str) -> set[str]:
    """Return the field codes an expression reads."""
    tree = _parse(expr)
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in calls}


def _check_expression(ctx: _Ctx, expr: str, known: set[str], where: str) -> None:
    try:
        tree = _parse(expr)
    except SyntaxError as exc:
        raise ctx.fail(where, f"表达式 {expr!r} 语法错误（{exc.msg}）") from exc
    allowed = (
        ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Name, ast.Constant,
        ast.Call, ast.Load, ast.Tuple, ast.List, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
        *_BINOPS, *_CMPOPS,
    )  # fmt: skip
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise ctx.fail(where, f"表达式 {expr!r} 含不允许的写法 {type(node).__name__}")
        if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS
        ):
            raise ctx.fail(
                where, f"表达式 {expr!r} 调用了未知函数（可用：{', '.join(_FUNCTIONS)}）"
            )
    unknown = expression_names(expr) - known
    if unknown:
        raise ctx.fail(where, f"表达式 {expr!r} 引用了不存在的字段 {', '.join(sorted(unknown))}")


def evaluate(expr: str, values: Mapping[str, Any], *, blanks_as_zero: bool = False) -> Any:
    """Evaluate an expression over answers.

    A blank answer raises MissingValue (the caller skips the rule), or counts as 0 in arithmetic
    when `blanks_as_zero` is set (computed sums: a blank A42a adds nothing).
    """
    return _eval(_parse(expr).body, values, blanks_as_zero)


def _eval(node: ast.AST, values: Mapping[str, Any], zero: bool) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value in (None, ""):
            if zero:
                return 0
            raise MissingValue(node.id)
        return value
    if isinstance(node, ast.Tuple | ast.List):
        return [_eval(e, values, zero) for e in node.elts]
    if isinstance(node, ast.Call):
        func = _FUNCTIONS[node.func.id]  # type: ignore[union-attr]
        if node.func.id in ("filled", "empty", "count"):  # type: ignore[union-attr]
            args = [values.get(a.id) if isinstance(a, ast.Name) else _eval(a, values, zero)
                    for a in node.args]  # fmt: skip
        else:
            args = [_eval(a, values, zero) for a in node.args]
        return func(*args)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values, zero), _eval(node.right, values, zero)
        if isinstance(node.op, ast.Div) and right == 0:
            raise MissingValue("÷0")
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, zero)
        if isinstance(node.op, ast.Not):
            return not operand
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(v, values, zero) for v in node.values)
        return any(_eval(v, values, zero) for v in node.values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values, zero)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, values, zero)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    raise MissingValue(type(node).__name__)  # unreachable after _check_expression
