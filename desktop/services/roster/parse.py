"""Checking a whole roster sheet: every cell normalised, every row checked, households grouped.

A county roster has some seven million cells, so the work is shared wherever cells repeat:
a household's columns are normalised once for its run of identical rows, and the coded member
columns once per combination of values (a per-column cache raw cell → result).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from desktop.errors import FieldIssue, IssueList, is_blank
from desktop.models.bulk import tuple_getter
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.roster.grouping import HOUSEHOLD_HEADERS, MemberRow, group_households
from desktop.services.roster.normalise import NORMALISERS, check_id_cell, normalise_name, shown
from desktop.services.roster.sheet import ColumnMapping, RosterCancelled, RosterSheet
from desktop.services.roster.template import BY_HEADER, COLUMNS, ID_NUMBER, MEMBER, NAME

MSG_UNCACHED_FORMULA = (
    "该单元格是公式，但文件中没有保存计算结果（常见于程序生成的文件）；"
    "请用Excel或WPS打开该文件、保存后再导入"
)
MSG_MASKED_FILE = (
    "该文件中的证件号码是打码的（导出时没有选择“包含完整证件号码”），"
    "用它导入会覆盖真实的证件号码，已拒绝导入。请使用包含完整证件号码的花名册。"
)


@dataclass
class ParsedRoster:
    """Households built from a sheet, with the issues found and which households they touch."""

    households: list[HouseholdData]
    errors: list[FieldIssue]
    warnings: list[FieldIssue]
    rows: int
    bad_codes: set[str]
    fatal: str = ""
    first_rows: dict[str, int] = field(default_factory=dict)  # household code → first Excel row
    id_rows: dict[str, int] = field(default_factory=dict)  # ID number → its Excel row
    id_column: int = -1


# Member columns normalised together (one memo per combination of raw cells): every member
# column but the name and the ID number, which are nearly unique.
_MEMBER_CODED = tuple(
    c.header for c in COLUMNS if c.level == MEMBER and c.kind not in (NAME, ID_NUMBER)
)


def _normalise_cells(raw: tuple, plan: list) -> tuple[dict, tuple]:
    """Normalise picked cells; return header → value and the (header, raw, reason) issues.

    Each column keeps a cache raw cell → (value, reason): most columns repeat a few values,
    so a dict lookup replaces NFKC and list checks.
    """
    values = {}
    issues = []
    for cell, (header, cache, normalise, column) in zip(raw, plan, strict=True):
        normal = cache.get(cell)
        if normal is None:
            normal = cache[cell] = normalise(cell, column)
        values[header] = normal[0]
        if normal[1] is not None:
            issues.append((header, cell, normal[1]))
    return values, tuple(issues)


def parse_roster(
    sheet: RosterSheet,
    mapping: ColumnMapping | None = None,
    *,
    default_place: tuple[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ParsedRoster:
    """Normalise and check every row; group member rows into households by 户编号.

    A county roster has some seven million cells, so the work is shared wherever cells
    repeat: a household's columns are normalised once for its run of identical rows, and the
    coded member columns once per combination of values.
    """
    mapping = mapping or sheet.auto_mapping()
    missing = mapping.missing_required()
    if missing:
        fatal = "找不到必需的列：" + "、".join(missing) + "。请检查表头，或在导入时指定对应的列。"
        return ParsedRoster([], IssueList(), IssueList(), 0, set(), fatal=fatal)
    cols = mapping.columns

    def plan_of(headers: Sequence[str]) -> tuple[list, Callable[[Sequence], tuple]]:
        present = [h for h in headers if h in cols]
        plan = [(h, {}, NORMALISERS[BY_HEADER[h].kind], BY_HEADER[h]) for h in present]
        return plan, tuple_getter([cols[h] for h in present])

    household_plan, pick_household = plan_of(HOUSEHOLD_HEADERS)
    member_plan, pick_member = plan_of(_MEMBER_CODED)
    name_col = cols["姓名"]
    id_col = cols["证件号码"]
    code_col = cols["户编号"]
    width_needed = max(cols.values()) + 1
    name_cache: dict = {}
    member_memo: dict[tuple, tuple[tuple, tuple]] = {}
    errors = IssueList()
    warnings = IssueList()
    rows: list[MemberRow] = []
    masked = 0
    seen_ids: dict[str, int] = {}
    last_raw: tuple | None = None
    household: dict = {}
    household_issues: tuple = ()

    def issue(excel_row, header, value, reason, code=""):
        return FieldIssue.in_sheet(
            excel_row, cols.get(header, -1), header, shown(header, value), reason, code
        )

    for count, (index, cells) in enumerate(sheet.iter_rows()):
        if count % 5000 == 0:
            if cancel is not None and cancel():
                raise RosterCancelled()
            if progress is not None:
                progress(count)
        if len(cells) < width_needed:
            cells = [*cells, *([""] * (width_needed - len(cells)))]
        household_raw = pick_household(cells)
        member_raw = pick_member(cells)
        name_raw = cells[name_col]
        raw_id = cells[id_col]
        if (
            name_raw == ""
            and raw_id == ""
            and household_raw.count("") == len(household_raw)
            and member_raw.count("") == len(member_raw)
        ):
            continue  # blank rows (trailing or in between) carry nothing
        if (
            is_blank(name_raw)
            and is_blank(raw_id)
            and all(map(is_blank, household_raw))
            and all(map(is_blank, member_raw))
        ):
            continue  # so do rows of spaces
        excel_row = index + 1
        if household_raw != last_raw:
            household, household_issues = _normalise_cells(household_raw, household_plan)
            last_raw = household_raw
        code = household.get("户编号", "")
        memo = member_memo.get(member_raw)
        if memo is None:
            values, member_issues = _normalise_cells(member_raw, member_plan)
            memo = member_memo[member_raw] = (
                tuple(values.get(h, "") for h in _MEMBER_CODED),
                member_issues,
            )
        fields, member_issues = memo
        name_checked = name_cache.get(name_raw)
        if name_checked is None:
            name_checked = name_cache[name_raw] = normalise_name(name_raw, None)
        name, name_problem = name_checked
        if household_issues or member_issues:
            errors.extend(
                issue(excel_row, header, raw, reason, code)
                for header, raw, reason in household_issues + member_issues
            )
        checked = check_id_cell(raw_id)
        if checked.masked:
            masked += 1
        if checked.error is not None:
            errors.append(issue(excel_row, "证件号码", raw_id, checked.error, code))
        for text in checked.warnings:
            warnings.append(issue(excel_row, "证件号码", raw_id, text, code))
        if checked.error is None:
            first = seen_ids.get(checked.number)
            if first is not None:
                errors.append(
                    issue(excel_row, "证件号码", raw_id, f"与第{first}行的证件号码重复", code)
                )
            else:
                seen_ids[checked.number] = excel_row
        sex, relation, ethnicity, education, schooling, health, labour, work = fields
        if name_problem is not None:
            errors.append(issue(excel_row, "姓名", name_raw, name_problem, code))
        elif not name:
            errors.append(issue(excel_row, "姓名", "", "姓名为空", code))
        if not relation:
            errors.append(issue(excel_row, "与户主关系", "", "与户主关系为空", code))
        if checked.sex:
            if not sex:
                sex = checked.sex
            elif sex != checked.sex:
                warnings.append(
                    issue(
                        excel_row,
                        "性别",
                        sex,
                        f"性别与证件号码不符（证件号码为{checked.sex}性）",
                        code,
                    )
                )
        # Positional, in MemberData's field order: keywords cost a third more per member.
        member = MemberData(
            name, checked.number, sex, relation, ethnicity, "", education, schooling, health,
            labour, work, birth_date=checked.birth_date,
        )  # fmt: skip
        if not code and not any(header == "户编号" for header, _, _ in household_issues):
            errors.append(issue(excel_row, "户编号", cells[code_col], "户编号为空"))
        rows.append(MemberRow(excel_row, code, household, member))
    if masked:
        households = [HouseholdData(code=c) for c in dict.fromkeys(r.household_code for r in rows)]
        return ParsedRoster(households, errors, warnings, len(rows), set(), fatal=MSG_MASKED_FILE)
    households, bad = group_households(rows, mapping, errors, warnings, default_place)
    if sheet.uncached:
        _explain_uncached_formulas(errors, sheet.uncached, rows, cols)
    errors.sort(key=lambda e: (e.row, e.column))
    warnings.sort(key=lambda w: (w.row, w.column))
    first_rows = {}
    for r in rows:
        first_rows.setdefault(r.household_code, r.excel_row)
    bad |= errors.household_codes  # every household with an error, kept in the list or not
    return ParsedRoster(
        households,
        errors,
        warnings,
        len(rows),
        bad,
        first_rows=first_rows,
        id_rows=seen_ids,
        id_column=id_col,
    )


def _explain_uncached_formulas(
    errors: list[FieldIssue], uncached: frozenset, rows: list, cols: dict[str, int]
) -> None:
    """Say so where a cell reads empty because it is a formula saved without its value.

    An error replaces "姓名为空" and the like; an optional cell (联系电话) gets one too, as
    its value would otherwise be lost without a word.
    """
    explained = set()
    for index, e in enumerate(errors):
        if not e.value and (e.row - 1, e.column) in uncached:
            errors[index] = replace(e, message=f"{e.field}为空：{MSG_UNCACHED_FORMULA}")
            explained.add((e.row - 1, e.column))
    header_of = {c: h for h, c in cols.items()}
    code_of = {r.excel_row: r.household_code for r in rows}
    for row, column in sorted(uncached - explained):
        header = header_of.get(column)
        if header is not None and row + 1 in code_of:
            errors.append(
                FieldIssue.in_sheet(
                    row + 1, column, header, "", MSG_UNCACHED_FORMULA, code_of[row + 1]
                )
            )
