"""Seed 001's five tables (附件2–6) filled from an evaluation, as plain data.

The layout of each table (header cells and spans, columns, 合计 / 乡镇小计, signatures, notes)
is read from resources/standards/sheets/; the screen, the .xlsx and the PDF all draw a `Sheet`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from desktop.paths import resources_dir
from desktop.services.standards.evaluate import HouseholdResult, VillageResult
from desktop.services.standards.service import Evaluation, SheetContext, StandardError
from desktop.services.standards.sheet_data import Check, Column, HeaderCell, Sheet

SHEETS_DIR = "standards/sheets"
SCOPE_VILLAGE = "village"
SCOPE_TOWNSHIP = "township"


@dataclass(frozen=True)
class SheetLayout:
    """A sheet as described in resources/standards/sheets/<standard>.json."""

    code: str
    attachment: str
    scope: str
    rows: str
    title: str
    header_lines: list[list[str]]
    header: list[HeaderCell]
    header_rows: int
    columns: list[Column]
    total: dict | None
    signatures: list[list[str]]
    notes: list[str]


def _header(grid: list[list[dict]]) -> tuple[list[HeaderCell], int]:
    """Place the cells of a header grid given row by row, skipping slots taken by spans."""
    taken: set[tuple[int, int]] = set()
    cells: list[HeaderCell] = []
    for r, row in enumerate(grid):
        c = 0
        for raw in row:
            while (r, c) in taken:
                c += 1
            cell = HeaderCell(raw["text"], r, c, raw.get("rowspan", 1), raw.get("colspan", 1))
            cells.append(cell)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return cells, len(grid)


@cache
def load_layouts(standard_code: str) -> dict[str, SheetLayout]:
    """The sheets of a standard by code (fj2 … fj6), in the paper's order."""
    path = resources_dir() / SHEETS_DIR / f"{standard_code}.json"
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    layouts = {}
    for s in raw["sheets"]:
        header, header_rows = _header(s["header"])
        columns = [
            Column(
                key=c["key"],
                indicator=c.get("indicator", ""),
                width_mm=c.get("width_mm", 20),
                total=c.get("total", False),
                options=tuple(c.get("options", ())),
            )
            for c in s["columns"]
        ]
        layouts[s["code"]] = SheetLayout(
            code=s["code"],
            attachment=s["attachment"],
            scope=s["scope"],
            rows=s["rows"],
            title=s["title"],
            header_lines=s["header_lines"],
            header=header,
            header_rows=header_rows,
            columns=columns,
            total=s["total"],
            signatures=s["signatures"],
            notes=s["notes"],
        )
    return layouts


def sheet_titles(standard_code: str) -> list[tuple[str, str, str]]:
    """(code, 附件N, title with blanks) of every sheet of a standard, for `sheet list`."""
    blanks = {"county": "青神县", "township": "_____乡（镇）", "village": "_____村"}
    return [
        (code, layout.attachment, layout.title.format(**blanks))
        for code, layout in load_layouts(standard_code).items()
    ]


def _remark(evaluation: Evaluation, context: SheetContext, r: HouseholdResult, on_sheet) -> str:
    parts = []
    info = context.households.get(r.household_id)
    if info is not None:
        mismatch = info.count_mismatch()
        if mismatch:
            parts.append(mismatch)
    indicators = evaluation.standard.household_set
    off_sheet = [c for c in r.shortfalls if c not in on_sheet]
    if off_sheet:
        parts.append("未达标：" + "、".join(indicators.get(c).short for c in off_sheet))
    if r.missing:
        parts.append("未录全：" + "、".join(indicators.get(c).short for c in r.missing))
    line = r.threshold
    if line.year is not None and line.year != _usual_year(evaluation) and line.amount:
        parts.append(f"按{line.year}年标准{line.amount:g}元")
    return "；".join(parts)


def _usual_year(evaluation: Evaluation) -> int | None:
    return evaluation.standard.income.check_year(2016)


def _household_cell(col: Column, r: HouseholdResult, mode: str, fixed: tuple[str, ...]):
    """A cell of 附件2 (mode "check"), 附件3 ("short") or 附件4 ("fixed")."""
    code = col.indicator
    if col.key == "income":
        if mode == "check":
            return r.income
        wanted = r.shortfalls if mode == "short" else fixed
        return r.income if code in wanted else None
    if col.key == "check":
        if code in r.missing:
            return Check(col.options, None)
        is_short = code in r.shortfalls
        # 有无因贫困而辍学学生: 有 is the shortfall; 是否享受…: 否 is.
        if col.options and col.options[0] == "有":
            return Check(col.options, 0 if is_short else 1)
        return Check(col.options, 1 if is_short else 0)
    wanted = r.shortfalls if mode == "short" else fixed
    if code not in wanted:
        return None
    value = r.values.get(code)
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else 1


def _fill(template: str, values: dict) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError) as exc:
        raise StandardError(f"表样 {template} 中的占位符 {exc} 无数据") from exc


def build_sheet(
    code: str,
    evaluation: Evaluation,
    context: SheetContext,
    *,
    village_id: int | None = None,
    township_id: int | None = None,
) -> Sheet:
    """Fill sheet `code` of the evaluation's standard for one village or one township."""
    layouts = load_layouts(evaluation.standard.code)
    layout = layouts.get(code)
    if layout is None:
        known = "、".join(layouts) or "无"
        raise StandardError(f"{evaluation.standard.title} 没有表 {code}（可用：{known}）", "code")
    if layout.scope == SCOPE_VILLAGE:
        if village_id is None:
            raise StandardError(f"{layout.attachment} 按村填报，请选择一个村", "village")
        village = context.villages[village_id]
        names = {"county": village.county_name, "township": village.township_name}
        names["village"] = village.name
        names.update(context.village_counts.get(village_id, {}))
    else:
        if township_id is None:
            raise StandardError(f"{layout.attachment} 按乡镇填报，请选择一个乡镇", "township")
        township = context.townships[township_id]
        names = {"county": township.county_name, "township": township.name}
        names.update(township.counts)
    sheet = Sheet(
        code=layout.code,
        attachment=layout.attachment,
        title=_fill(layout.title, names),
        header_lines=[[_fill(t, names) for t in line] for line in layout.header_lines],
        header=layout.header,
        header_rows=layout.header_rows,
        columns=layout.columns,
        rows=[],
        signatures=layout.signatures,
        notes=layout.notes,
        standard_note=standard_note(evaluation),
        scope_name=names.get("village") or names["township"],
    )
    if layout.scope == SCOPE_VILLAGE:
        _household_rows(sheet, layout, evaluation, context, village_id)
    else:
        _village_rows(sheet, layout, evaluation, context, township_id)
    if layout.total is not None:
        sheet.total = _total_row(sheet, _fill(layout.total["label"], names), layout.total)
        sheet.total_first = layout.total.get("position") == "first"
    return sheet


def standard_note(evaluation: Evaluation) -> str:
    """The line printed under the notes: which standard, and the lines by exit year."""
    income = evaluation.standard.income
    lines = []
    for year, amount in sorted(income.standards_by_year.items()):
        amount = evaluation.campaign.thresholds.get(year, amount)
        if amount is not None:
            lines.append(f"{year}年{amount:g}元")
    return f"核查标准：{evaluation.standard.title}；省定脱贫标准：{'，'.join(lines)}。"


def _household_rows(sheet, layout, evaluation: Evaluation, context, village_id: int) -> None:
    mode = {"households": "check", "short_households": "short", "fixed_households": "fixed"}[
        layout.rows
    ]
    on_sheet = {c.indicator for c in layout.columns if c.indicator}
    seq = 0
    # Indexed by village: a county's 336 villages each scanning 75,000 results was most of
    # writing 附件3 for the whole county.
    for r in evaluation.households_of(village_id):
        fixed = evaluation.household_fixed(r) if mode == "fixed" else ()
        if mode == "short" and not r.shortfalls:
            continue
        if mode == "fixed" and not fixed:
            continue
        seq += 1
        info = context.households.get(r.household_id)
        row = []
        for col in layout.columns:
            if col.key == "seq":
                row.append(seq)
            elif col.key == "head_name":
                row.append(info.head_name if info else "")
            elif col.key == "size":
                row.append(r.size)
            elif col.key == "exit_year":
                row.append(f"{r.exit_year}年" if r.exit_year else "")
            elif col.key == "remark":
                remark = _remark(evaluation, context, r, on_sheet)
                if mode == "fixed":
                    numbers = [
                        evaluation.household_fixes[(r.household_id, c)].number for c in fixed
                    ]
                    remark = "；".join(x for x in (remark, "销号：" + "、".join(numbers)) if x)
                row.append(remark)
            else:
                row.append(_household_cell(col, r, mode, fixed))
        sheet.rows.append(row)
        sheet.row_ids.append(r.household_id)


def _village_rows(sheet, layout, evaluation: Evaluation, context, township_id: int) -> None:
    fixed_mode = layout.rows == "fixed_villages"
    for v in evaluation.villages:
        info = context.villages.get(v.village_id)
        if info is None or info.township_id != township_id or not v.shortfalls:
            continue
        fixed = evaluation.village_fixed(v) if fixed_mode else ()
        wanted = fixed if fixed_mode else v.shortfalls
        row = []
        for col in layout.columns:
            if col.key == "village_name":
                row.append(info.name)
            elif col.key == "village_count":
                row.append(1)
            elif col.key == "exit_year":
                row.append(f"{v.exit_year}年" if v.exit_year else "")
            elif col.key == "met_time":
                row.append(_met_time(evaluation, v))
            else:
                row.append(1 if col.indicator in wanted else None)
        sheet.rows.append(row)
        sheet.row_ids.append(v.village_id)


def _met_time(evaluation: Evaluation, v: VillageResult) -> str:
    """The year a village met the standard again: when its last shortfall was 销号."""
    fixes = [evaluation.village_fixes.get((v.village_id, c)) for c in v.shortfalls]
    if not fixes or any(f is None or not f.closed for f in fixes):
        return ""
    return f"{max(f.closed_on for f in fixes).year}年"


def _total_row(sheet: Sheet, label: str, spec: dict) -> list:
    total: list = [None] * len(sheet.columns)
    for i, col in enumerate(sheet.columns):
        if col.total:
            total[i] = sum(r[i] for r in sheet.rows if isinstance(r[i], int | float))
        elif col.key == "met_time":
            years = sorted({r[i] for r in sheet.rows if r[i]})
            total[i] = (
                years[0] if len(years) == 1 else (f"{years[0]}-{years[-1]}" if years else None)
            )
    total[spec.get("label_column", 0)] = label
    return total


@dataclass(frozen=True)
class SheetPlace:
    """A township and its villages, as the sheet screen offers them."""

    township_id: int
    township_name: str
    villages: tuple[tuple[int, str], ...]


def sheet_places(service, campaign_id: int) -> list[SheetPlace]:
    """The townships and villages a campaign's sheets can be filled for."""
    info = service.campaign(campaign_id)
    context = service.sheet_context(county_id=info.county_id)
    places: dict[int, list] = {}
    for vid, v in context.villages.items():
        places.setdefault(v.township_id, []).append((vid, v.name))
    return [
        SheetPlace(tid, context.townships[tid].name, tuple(villages))
        for tid, villages in places.items()
    ]


def fill_sheet(
    service, code: str, *, village_id: int | None = None, township_id: int | None = None
) -> Sheet:
    """Evaluate the place's campaign and fill sheet `code` for the village or the township."""
    if village_id is None and township_id is None:
        raise StandardError("请选择村或乡镇", "village")
    campaign = service.campaign_of_place(village_id, township_id)
    evaluation = service.evaluate(campaign.id, village_id=village_id, township_id=township_id)
    layout = load_layouts(evaluation.standard.code).get(code)
    if layout is not None and layout.scope == SCOPE_TOWNSHIP and township_id is None:
        raise StandardError(f"{layout.attachment} 按乡镇填报，请选择乡镇", "township")
    if layout is not None and layout.scope == SCOPE_VILLAGE and village_id is None:
        raise StandardError(f"{layout.attachment} 按村填报，请选择村", "village")
    context = service.sheet_context(
        village_ids=[village_id] if village_id is not None else None, township_id=township_id
    )
    return build_sheet(code, evaluation, context, village_id=village_id, township_id=township_id)
