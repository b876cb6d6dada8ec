"""A paper form as data: the description's dataclasses and its loader.

`parse_form(raw, vocabulary)` turns the JSON of `resources/forms/<code>.json` into a frozen
FormDescription and reports every mistake with the file and the place in it (see
`resources/forms/FORMAT.md`). Sections are read by their kind's module (`engine.sections`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from desktop.engine.expressions import check_expression
from desktop.engine.parsing import Ctx, FormDescriptionError, Vocabulary
from desktop.engine.sections import SECTION_KINDS
from desktop.engine.sections.grid import SKIP_TO_END, Cell, GridSection
from desktop.engine.sections.repeat import RepeatSection

FORMAT_VERSION = 1
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
SUBJECT_KINDS = ("household", "village", "township")
# Which households a household form is for (a village's batch prints only those): every one,
# the registered (建档立卡) ones, or the others of an at-risk group (边缘户, 低保户 …, seed 003).
HOUSEHOLD_SCOPES = ("all", "registered", "unregistered_special")


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
    required: bool = False  # completing the form needs this answer (填表人, 填表日期)

    @property
    def value_type(self) -> str:
        """The value type of the typed answer: a date for 年 月 日, else text."""
        return "date" if self.kind == "date" else "text"


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
    sections: tuple[Any, ...]
    signatures: tuple[tuple[SignatureItem, ...], ...]
    signature_row_mm: float
    rules: tuple[Rule, ...]
    subject: str = "household"  # what a filled form is about: household, village, township
    note: str = ""
    households: str = "all"  # HOUSEHOLD_SCOPES: which households the form is for
    path: Path | None = None

    @cached_property
    def input_cells(self) -> tuple[Cell, ...]:
        """Every single-value input cell in entry order (sections top to bottom)."""
        return tuple(c for s in self.sections for c in s.inputs)

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
        """Input cells whose value is computed, in entry order."""
        return tuple(c for c in self.input_cells if c.computed)

    @cached_property
    def signature_fields(self) -> tuple[SignatureItem, ...]:
        """The signature items that take a typed answer (填表人, 填表日期), in entry order."""
        return tuple(i for row in self.signatures for i in row if i.field)

    @cached_property
    def typed_answers(self) -> tuple[tuple[str, str, str, tuple[str, ...], bool], ...]:
        """(field, label, value type, choices, required) of every single typed answer: the
        input cells, then the signature lines."""
        cells = [(c.field, c.label or c.field, c.type, tuple(c.choices), c.required)
                 for c in self.input_cells if c.field]  # fmt: skip
        lines = [(i.field, i.label, i.value_type, (), i.required) for i in self.signature_fields]
        return tuple(cells + lines)

    @cached_property
    def entry_order(self) -> tuple[str, ...]:
        """Every answer key in the order a clerk enters them: header, sections, signatures."""
        keys = [h.code for h in self.header]
        for s in self.sections:
            keys += s.entries
        keys += [i.field for i in self.signature_fields]
        return tuple(keys)

    @cached_property
    def answer_keys(self) -> frozenset[str]:
        """Every key an answer may have."""
        return frozenset(self.entry_order)

    @cached_property
    def hook_names(self) -> frozenset[str]:
        """Every `hook:<name>` the description uses (computed cells and rules)."""
        names = {c.computed[5:] for c in self.computed_fields if c.computed.startswith("hook:")}
        names |= {r.check[5:] for r in self.rules if r.check.startswith("hook:")}
        return frozenset(names)

    def section(self, section_id: str) -> Any:
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

    def field_label(self, code: str) -> str:
        """Return the Chinese name of an answer key, as messages show it."""
        cell = self.fields.get(code)
        if cell is not None and cell.label:
            return cell.label
        for s in self.sections:
            if s.id == code:
                return s.title or code
        for item in self.header:
            if item.code == code:
                return item.label
        for row in self.signatures:
            for sig in row:
                if sig.field == code:
                    return sig.label
        return code

    def all_labels(self) -> list[str]:
        """Every printed label of the form: title, header, cells, grid headers, signatures."""
        out = [self.title]
        out += [h.label for h in self.header]
        for s in self.sections:
            if s.title:
                out.append(s.title)
            out += s.labels
        out += [item.label for row in self.signatures for item in row]
        return out


def load_form_file(path: Path, vocabulary: Vocabulary) -> FormDescription:
    """Load and check one description file; errors name the file and the place in it."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FormDescriptionError(f"{path}：无法读取（{exc}）") from exc
    except json.JSONDecodeError as exc:
        raise FormDescriptionError(
            f"{path}：第 {exc.lineno} 行第 {exc.colno} 列 JSON 格式错误（{exc.msg}）"
        ) from exc
    return parse_form(raw, vocabulary, source=str(path), path=Path(path))


_TOP_KEYS = {
    "format", "code", "title", "source", "note", "page", "style", "header", "sections",
    "signatures", "rules", "subject", "households",
}  # fmt: skip
_PAGE_KEYS = {"size", "orientation", "margins_mm"}
_MARGIN_KEYS = {"top", "right", "bottom", "left"}
_STYLE_KEYS = {"title_pt", "section_pt", "label_pt", "value_pt", "min_pt", "line_mm"}
_HEADER_KEYS = {"code", "label", "width_mm", "prefill"}
_SIGNATURE_KEYS = {"rows", "row_height_mm"}
_SIGN_ITEM_KEYS = {"label", "kind", "width_mm", "field", "required"}
_RULE_KEYS = {"id", "check", "message", "field", "blocking", "when"}


def _page(ctx: Ctx, raw: Any) -> PageSpec:
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


def _style(ctx: Ctx, raw: Any) -> Style:
    raw = ctx.keys(raw or {}, _STYLE_KEYS, "style")
    return Style(**{k: ctx.number(v, f"style.{k}") for k, v in raw.items()})


def _header(ctx: Ctx, raw: Any) -> tuple[HeaderField, ...]:
    header = []
    for i, h in enumerate(raw or []):
        hw = f"header[{i}]"
        h = ctx.keys(h, _HEADER_KEYS, hw, ("code", "label", "width_mm"))
        header.append(
            HeaderField(
                ctx.text(h["code"], f"{hw}.code"),
                ctx.text(h["label"], f"{hw}.label"),
                ctx.number(h["width_mm"], f"{hw}.width_mm"),
                ctx.prefill_source(h.get("prefill"), f"{hw}.prefill"),
            )
        )
    return tuple(header)


def _signatures(ctx: Ctx, raw: Any, page: PageSpec):
    sig_raw = ctx.keys(raw or {"rows": []}, _SIGNATURE_KEYS, "signatures", ("rows",))
    rows = []
    for r, row in enumerate(sig_raw["rows"]):
        items = []
        for i, item in enumerate(row):
            iw = f"signatures.rows[{r}][{i}]"
            item = ctx.keys(item, _SIGN_ITEM_KEYS, iw, ("label",))
            kind = item.get("kind", "sign")
            if kind not in ("sign", "date", "text"):
                raise ctx.fail(f"{iw}.kind", "应为 sign、date 或 text")
            items.append(
                SignatureItem(
                    label=ctx.text(item["label"], f"{iw}.label"),
                    kind=kind,
                    width_mm=ctx.number(item.get("width_mm", 60), f"{iw}.width_mm"),
                    field=item.get("field"),
                    required=ctx.flag(item, "required", iw),
                )
            )
            if items[-1].required and not items[-1].field:
                raise ctx.fail(f"{iw}.required", "只有填写的签名项（有 field）才能设为必填")
        if sum(i.width_mm for i in items) > page.content_width_mm + 0.01:
            raise ctx.fail(f"signatures.rows[{r}]", "签名行超出页面可用宽度")
        rows.append(tuple(items))
    return tuple(rows), ctx.number(sig_raw.get("row_height_mm", 10), "signatures.row_height_mm")


def _sections(ctx: Ctx, raw: Any, page: PageSpec) -> tuple[Any, ...]:
    sections = []
    for i, s in enumerate(raw):
        where = f"sections[{i}]"
        kind = s.get("kind", "grid") if isinstance(s, dict) else None
        module = SECTION_KINDS.get(kind)  # type: ignore[arg-type]
        if module is None:
            raise ctx.fail(where, f"kind 应为 {'、'.join(SECTION_KINDS)} 之一，而不是 {kind!r}")
        sections.append(module.parse(ctx, s, where))
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
    return tuple(sections)


def _rules(
    ctx: Ctx, raw: Any, known: set[str], keys: set[str], where: str = "rules"
) -> tuple[Rule, ...]:
    rules = []
    for i, r in enumerate(raw or []):
        rw = f"{where}[{i}]" + (f"（{r['id']}）" if isinstance(r, dict) and "id" in r else "")
        r = ctx.keys(r, _RULE_KEYS, rw, ("id", "check", "message", "field", "blocking"))
        if r["field"] not in keys:
            raise ctx.fail(f"{rw}.field", f"字段 {r['field']!r} 不存在")
        if r["check"].startswith("hook:"):
            ctx.hook(r["check"], f"{rw}.check")
        else:
            _expression(ctx, r["check"], known, f"{rw}.check")
        if r.get("when"):
            _expression(ctx, r["when"], known, f"{rw}.when")
        if not isinstance(r["blocking"], bool):
            raise ctx.fail(f"{rw}.blocking", "应为 true（阻止完成）或 false（警告）")
        rules.append(
            Rule(r["id"], r["check"], ctx.text(r["message"], f"{rw}.message"), r["field"],
                 r["blocking"], r.get("when", ""))
        )  # fmt: skip
    return tuple(rules)


def _expression(ctx: Ctx, expr: str, known: set[str], where: str) -> None:
    problem = check_expression(expr, known)
    if problem:
        raise ctx.fail(where, problem)


def parse_form(
    raw: Any, vocabulary: Vocabulary, *, source: str = "<表单>", path: Path | None = None
) -> FormDescription:
    """Turn a parsed JSON description into a FormDescription, or raise FormDescriptionError."""
    ctx = Ctx(source, vocabulary)
    raw = ctx.keys(raw, _TOP_KEYS, "顶层", ("format", "code", "title", "page", "sections"))
    if raw["format"] != FORMAT_VERSION:
        raise ctx.fail(
            "format", f"不支持的格式版本 {raw['format']!r}（本程序支持 {FORMAT_VERSION}）"
        )
    subject = raw.get("subject", "household")
    if subject not in SUBJECT_KINDS:
        raise ctx.fail("subject", f"应为 {'、'.join(SUBJECT_KINDS)} 之一")
    households = raw.get("households", "all")
    if households not in HOUSEHOLD_SCOPES:
        raise ctx.fail("households", f"应为 {'、'.join(HOUSEHOLD_SCOPES)} 之一")
    page = _page(ctx, raw["page"])
    signatures, signature_row_mm = _signatures(ctx, raw.get("signatures"), page)
    form = FormDescription(
        code=ctx.text(raw["code"], "code"),
        title=ctx.text(raw["title"], "title"),
        source=ctx.text(raw.get("source", ""), "source"),
        page=page,
        style=_style(ctx, raw.get("style")),
        header=_header(ctx, raw.get("header")),
        sections=_sections(ctx, raw["sections"], page),
        signatures=signatures,
        signature_row_mm=signature_row_mm,
        rules=(),
        subject=subject,
        note=ctx.text(raw.get("note", ""), "note"),
        path=path,
        households=households,
    )
    seen: dict[str, str] = {}
    places = [("header", h.code) for h in form.header]
    places += [(f"section {s.id}", key) for s in form.sections for key in s.entries]
    places += [("signatures", i.field) for row in signatures for i in row if i.field]
    for where, key in places:
        if key in seen:
            raise ctx.fail(where, f"字段代码 {key} 重复（另见 {seen[key]}）")
        seen[key] = where
    known = set(form.fields) | {s.id for s in form.repeat_sections}
    for cell in form.input_cells:
        if cell.computed and not cell.computed.startswith("hook:"):
            _expression(ctx, cell.computed, known, f"字段 {cell.field}.computed")
        if cell.relevant:
            _expression(ctx, cell.relevant, known, f"字段 {cell.field}.relevant")
    _check_skips(ctx, form)
    rules = _rules(ctx, raw.get("rules"), known, set(seen))
    # A section may carry rules of its own (a question's XLSForm `constraint`).
    for s in form.sections:
        own = getattr(s, "rules", ())
        if own:
            rules += _rules(ctx, list(own), known, set(seen), where=f"section {s.id}.rules")
    if len({r.id for r in rules}) != len(rules):
        raise ctx.fail("rules", "规则 id 重复")
    return replace(form, rules=rules)


def _check_skips(ctx: Ctx, form: FormDescription) -> None:
    """Every skip goes forward to an answer or section that exists (else a cycle, or nowhere)."""
    order = form.entry_order
    index = {key: i for i, key in enumerate(order)}
    starts = {s.id: index[s.entries[0]] for s in form.sections if s.entries}
    for cell in form.input_cells:
        for skip in cell.skips:
            where = f"字段 {cell.field}（{cell.label or cell.field}）.skip.goto"
            if skip.goto == SKIP_TO_END:
                continue
            target = index.get(skip.goto, starts.get(skip.goto))
            if target is None:
                raise ctx.fail(where, f"跳转目标 {skip.goto!r} 不存在")
            if target <= index[cell.field]:
                raise ctx.fail(where, f"跳转目标 {skip.goto!r} 不在本题之后（会形成循环）")
