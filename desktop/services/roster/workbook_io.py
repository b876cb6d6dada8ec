"""Household roster (花名册) import and export: .xlsx and old .xls files, dirty cells included.

Reading goes through python-calamine (for .xlsx and .xls alike; about ten times faster than
openpyxl's read-only mode). Cells are normalised column by column with a per-column cache, because
a county roster has some seven million cells and most coded columns repeat a handful of values.
An import is all or nothing unless the caller asks to skip invalid households; the writing is
desktop.services.registry.writer.write_households inside one transaction.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine, Text, select, type_coerce

from desktop.errors import (
    BadFileError,
    CancelledError,
    FieldIssue,
    ImportResult,
    IssueList,
    column_letter,
    is_blank,
    issue_count,
)
from desktop.models.bulk import tuple_getter
from desktop.models.registry import County, Group, Household, Member, Township, Village
from desktop.services.registry import codes
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import check_normalized_id, mask_id, normalize_id
from desktop.services.registry.writer import WriteCancelled, collector_paused, write_households
from desktop.services.roster.template import (
    BY_HEADER,
    CODE_TEXT,
    CODED,
    COLUMNS,
    HEADERS,
    HOUSEHOLD,
    ID_NUMBER,
    MEMBER,
    MONEY,
    NAME,
    PHONE,
    SHEET_TITLE,
    TEXT,
    YEAR,
    YES_NO,
    template_header_for,
)
from desktop.services.workbooks.cells import (
    formula_start,
    hidden_character,
    phone_problem,
    too_long,
    visible,
)
from desktop.services.workbooks.precheck import WorkbookFacts, WorkbookRefused, check_workbook
from desktop.services.workbooks.sanitise import safe_cell, safe_row

HEADER_SCAN_ROWS = 10  # a header sits under a title row or two; look no further than this
MIN_HEADER_MATCHES = 3
PREVIEW_ROWS = 50
ERROR_COLUMN_HEADER = "错误说明"
SUMMARY_SHEET_TITLE = "错误汇总"

# Household columns: repeated on every member row, they must agree within a household.
HOUSEHOLD_HEADERS = tuple(c.header for c in COLUMNS if c.level == HOUSEHOLD)
REQUIRED_HEADERS = tuple(c.header for c in COLUMNS if c.required)

# Excel shows a long number as 4.30922E+17 once it is stored as a number; typed back as text it
# keeps that shape. Either way the last digits are gone.
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?E\+?[0-9]+$")
_FLOAT_EXACT_LIMIT = 2**53

MSG_ID_AS_NUMBER = (
    "证件号码被Excel存成了数字，后几位已经丢失，无法还原；请把该列设为“文本”格式后重新录入"
)
MSG_MASKED_ID = "证件号码是打码的（含*），不能用来导入"
MSG_UNCACHED_FORMULA = (
    "该单元格是公式，但文件中没有保存计算结果（常见于程序生成的文件）；"
    "请用Excel或WPS打开该文件、保存后再导入"
)
# Longest text each column may hold, in characters; far above any real value, far below the
# 100,000-character name or the 32,000-character 乡镇 that made a second township.
MAX_LENGTHS = {"县": 30, "乡镇": 30, "村": 30, "组": 30, "户编号": 40, "户主姓名": 40, "姓名": 40}
MAX_INCOME = 1_000_000  # 元 per head and year
SHOWN_LENGTH = 60  # characters of a cell a message repeats
MSG_REMOVED_MEMBER = (
    "数据库中户编号 {code} 有该成员，文件中没有：导入会删除该成员。若确需删除，请选择"
    "“删除文件中没有的成员”（命令行加 --remove-missing）后重新导入"
)
MSG_MASKED_FILE = (
    "该文件中的证件号码是打码的（导出时没有选择“包含完整证件号码”），"
    "用它导入会覆盖真实的证件号码，已拒绝导入。请使用包含完整证件号码的花名册。"
)


class RosterError(BadFileError):
    """A roster file cannot be read at all; the message says why, in Chinese."""


class RosterCancelled(CancelledError):
    """The user cancelled an import or export; nothing was written."""


@dataclass(frozen=True)
class MemberChange:
    """A member a re-imported household loses or gains: household, name and ID number."""

    household_code: str
    household_id: int
    name: str
    id_number: str

    @property
    def shown(self) -> str:
        """Return the member as a message shows it: 李梅（430922********0021）."""
        return f"{self.name}（{mask_id(self.id_number)}）" if self.id_number else self.name


@dataclass
class ColumnMapping:
    """Which source column (0-based) fills each template column."""

    columns: dict[str, int] = field(default_factory=dict)

    def missing_required(self) -> list[str]:
        """Return the required template headers that no source column fills."""
        return [h for h in REQUIRED_HEADERS if h not in self.columns]

    def source_of(self, header: str) -> int | None:
        """Return the source column of a template header, or None."""
        return self.columns.get(header)


@dataclass
class RosterSheet:
    """A roster worksheet: where its header row is, its header texts and a preview."""

    path: Path
    sheet_name: str
    header_row: int  # 0-based row index; the row number Excel shows is header_row + 1
    headers: list[str]
    preview: list[list[str]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    column_offset: int = 0
    row_count: int = 0  # rows in the sheet, title and header rows included
    # (0-based row, column) of formula cells saved without their value, from the pre-check
    uncached: frozenset = frozenset()
    # calamine parses a whole sheet when it is opened; keep it for the import that follows.
    _sheet: object = field(default=None, repr=False, compare=False)

    @property
    def width(self) -> int:
        """Return the number of source columns."""
        return max([len(self.headers), *(len(r) for r in self.preview)], default=0)

    def auto_mapping(self) -> ColumnMapping:
        """Map template columns to source columns by header name (first match wins)."""
        mapping: dict[str, int] = {}
        for index, text in enumerate(self.headers):
            header = template_header_for(text)
            if header is not None and header not in mapping:
                mapping[header] = index
        return ColumnMapping(mapping)

    def is_standard(self) -> bool:
        """True when every required column is found by its header name."""
        return not self.auto_mapping().missing_required()

    def iter_rows(self) -> Iterator[tuple[int, list]]:
        """Return (0-based row index, cells) of every row below the header, merged cells filled."""
        sheet, self._sheet = self._sheet, None  # one pass; a second one opens the file again
        if sheet is None:
            sheet = _open_sheet(self.path, self.sheet_name)
        return _iter_filled(sheet, self.merged, self.column_offset, self.header_row + 1)


@dataclass
class RosterImportResult(ImportResult):
    """What a roster import read, wrote, and found; `rows` counts member rows."""

    sheet_name: str = ""
    households: int = 0  # households in the file
    updated: int = 0
    members: int = 0  # member rows written
    skipped_households: int = 0
    fatal: str = ""  # the file as a whole was refused
    removed: list[MemberChange] = field(default_factory=list)  # members the file leaves out
    added: list[MemberChange] = field(default_factory=list)  # new members of known households
    cancelled: bool = False
    seconds: float = 0.0

    def summary_lines(self, limit: int = 20) -> list[str]:
        """Return the summary in Chinese, with the first `limit` errors."""
        lines = [
            f"文件：{self.source.name}"
            + (f"（工作表“{self.sheet_name}”）" if self.sheet_name else "")
        ]
        if self.cancelled:
            lines.append("导入已取消，数据库没有任何改动。")
        elif self.fatal:
            lines.append(self.fatal)
        elif self.written:
            lines.append(
                f"已导入 {self.created + self.updated} 户（新增 {self.created} 户，"
                f"更新 {self.updated} 户），{self.members} 人。"
            )
            if self.skipped_households:
                lines.append(f"有错误的 {self.skipped_households} 户未导入。")
            for label, changes in (("删除成员", self.removed), ("新增成员", self.added)):
                if changes:
                    more = "……" if len(changes) > 10 else ""
                    shown = "、".join(m.shown for m in changes[:10])
                    lines.append(f"{label} {len(changes)} 人（已有的户）：{shown}{more}")
        else:
            lines.append(
                f"发现 {self.error_count} 处错误，全部未导入（数据库没有任何改动）。"
                "请改正后重新导入，或选择“跳过有错误的户”。"
            )
        lines.append(f"读取 {self.rows} 行，共 {self.households} 户。")
        if self.errors:
            lines.append(
                f"错误 {self.error_count} 处"
                + (f"，前 {limit} 处：" if self.error_count > limit else "：")
            )
            lines.extend(self.issue_lines(self.errors, limit))
        if self.warnings:
            lines.append(
                f"提示 {self.warning_count} 处（不影响导入）"
                + ("，前 10 处：" if self.warning_count > 10 else "：")
            )
            lines.extend(self.issue_lines(self.warnings, 10))
        return lines


# ---------------------------------------------------------------------------------------------
# Reading


def _open_workbook(path: Path, facts: list | None = None):
    """Open a workbook with calamine once the pre-check has passed it (its facts → `facts`)."""
    from python_calamine import CalamineWorkbook

    try:
        checked = check_workbook(path)
    except WorkbookRefused as exc:
        raise RosterError(str(exc)) from exc
    if facts is not None:
        facts.append(checked)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error classes, in English
        if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
            raise RosterError(f"文件 {path.name} 设有密码，请先在Excel中取消密码再导入") from exc
        raise RosterError(f"无法读取文件 {path.name}：文件已损坏或不是Excel文件") from exc


def _open_sheet(path: Path, name: str):
    workbook = _open_workbook(path)
    try:
        return workbook.get_sheet_by_name(name)
    except Exception as exc:
        raise RosterError(f"无法读取工作表“{name}”：工作表已损坏") from exc


def _merged_ranges(sheet, path: Path, name: str) -> list:
    ranges = None
    try:
        ranges = sheet.merged_cell_ranges
    except Exception:  # older calamine or a format without merge records
        ranges = None
    if ranges is None and path.suffix.lower() in (".xlsx", ".xlsm"):
        ranges = _openpyxl_merged_ranges(path, name)
    return sorted(ranges or [])


def _openpyxl_merged_ranges(path: Path, name: str) -> list:
    # Read-only worksheets do not expose merged cells, so this loads the sheet fully; it is
    # only reached when calamine reports no merge information at all.
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    try:
        ws = wb[name]
        return [
            ((r.min_row - 1, r.min_col - 1), (r.max_row - 1, r.max_col - 1))
            for r in ws.merged_cells.ranges
        ]
    finally:
        wb.close()


def _iter_filled(sheet, merged: list, offset: int, first_row: int) -> Iterator[tuple[int, list]]:
    """Return (row index, cells) pairs from first_row on; merged ranges repeat their top left."""
    if not merged and not offset:  # the common case: calamine's rows as they come, in C
        return islice(enumerate(sheet.iter_rows()), first_row, None)
    return _iter_merged(sheet, merged, offset, first_row)


def _iter_merged(sheet, merged: list, offset: int, first_row: int) -> Iterator[tuple[int, list]]:
    pad = [""] * offset
    pending = list(merged)  # sorted by top row
    active: list[tuple[int, int, int, object]] = []  # (last row, first col, last col, value)
    next_range = 0
    for index, row in enumerate(sheet.iter_rows()):
        if offset:
            row = pad + row
        while next_range < len(pending) and pending[next_range][0][0] == index:
            (_r0, c0), (r1, c1) = pending[next_range]
            value = row[c0] if c0 < len(row) else ""
            active.append((r1, c0, c1, value))
            next_range += 1
        if active:
            for _r1, c0, c1, value in active:
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    row[c] = value
            active = [a for a in active if a[0] > index]
        if index >= first_row:
            yield index, row


def _score_header(row: Sequence) -> int:
    return len({h for h in (template_header_for(v) for v in row if v != "") if h})


def read_roster(path: Path | str) -> RosterSheet:
    """Open a roster file and find its sheet and header row (under up to a few title rows)."""
    path = Path(path)
    found: list[WorkbookFacts] = []
    workbook = _open_workbook(path, found)
    uncached = {s.name: s.uncached_formulas for s in found[0].sheets}
    candidates = []
    for meta in workbook.sheets_metadata:
        if str(getattr(meta, "visible", "")).endswith("Visible") and "WorkSheet" in str(meta.typ):
            candidates.append(meta.name)
    if not candidates:
        candidates = list(workbook.sheet_names)
    if not candidates:
        raise RosterError(f"文件 {path.name} 中没有工作表")
    fallback: RosterSheet | None = None
    for name in candidates:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except Exception as exc:
            raise RosterError(f"无法读取工作表“{name}”：工作表已损坏") from exc
        merged = _merged_ranges(sheet, path, name)
        offset = sheet.start[1] if sheet.start else 0
        head: list[list] = []
        for _index, row in _iter_filled(sheet, merged, offset, 0):
            head.append(row)
            if len(head) >= HEADER_SCAN_ROWS + PREVIEW_ROWS:
                break
        scores = [_score_header(r) for r in head[:HEADER_SCAN_ROWS]]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i), default=-1)
        formulas = frozenset(uncached.get(name, ()))
        if best >= 0 and scores[best] >= MIN_HEADER_MATCHES:
            return _make_sheet(path, name, best, head, merged, offset, sheet, formulas)
        if fallback is None:
            first = next((i for i, r in enumerate(head) if any(v != "" for v in r)), 0)
            fallback = _make_sheet(path, name, first, head, merged, offset, sheet, formulas)
    return fallback


def _row_count(sheet) -> int:
    end = sheet.end
    return end[0] + 1 if end else 0


def _make_sheet(path, name, header_row, head, merged, offset, sheet, formulas) -> RosterSheet:
    headers = [display_text(v) for v in head[header_row]] if header_row < len(head) else []
    preview = [[display_text(v) for v in r] for r in head[header_row + 1 :]][:PREVIEW_ROWS]
    # The pre-check counts from A1; calamine's rows start at the sheet's first used row.
    top = sheet.start[0] if sheet.start else 0
    cells = frozenset((r - 1 - top, c - 1) for r, c in formulas)
    return RosterSheet(
        path, name, header_row, headers, preview, merged, offset, _row_count(sheet), cells, sheet
    )


def display_text(value: object) -> str:
    """Return a cell value as the text a preview shows (12.0 → 12)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value) if abs(value) >= 1e15 else str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------
# Normalising one cell. Each returns (value, reason); reason is None when the value is usable.


def _nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", display_text(value)).strip()


def _text_problem(value: object, text: str, header: str) -> str | None:
    """Return why a text cell is refused: a date cell, hidden characters, a formula, length."""
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return f"{header}是日期格式的单元格，请把该列设为“文本”格式后重新输入"
    if type(value) is str:
        reason = hidden_character(value)
        if reason is not None:
            return f"{header}{reason}"
    if text.startswith(("=", "@", "＝", "＠")):
        return f"{header}{formula_start(text)}"
    limit = MAX_LENGTHS.get(header)
    return too_long(text, limit, header) if limit is not None else None


def _norm_text(value: object, column) -> tuple[str, str | None]:
    text = " ".join(_nfkc(value).split())
    return text, _text_problem(value, text, column.header)


def _norm_name(value: object, column) -> tuple[str, str | None]:
    # Two-character names are often padded with a full-width space to line up: 张　三.
    text = "".join(_nfkc(value).split())
    header = column.header if column is not None else "姓名"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return text, f"{header}不能是数字"
    reason = _text_problem(value, text, header)
    if reason is None and text:
        reason = formula_start(text)
        reason = f"{header}{reason}" if reason else None
    return text, reason


def _norm_code_text(value: object, column) -> tuple[str, str | None]:
    if isinstance(value, float) and abs(value) >= _FLOAT_EXACT_LIMIT:
        return display_text(value), f"{column.header}被Excel存成了数字，后几位可能已丢失"
    text = "".join(_nfkc(value).split())
    if _SCIENTIFIC.match(text.upper()):
        return text, f"{column.header}被Excel存成了科学计数法，后几位已丢失"
    return text, _text_problem(value, text, column.header)


def _choice_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


# Code lists hold full-width brackets (乡（镇）内务工) that NFKC turns into ASCII ones, so a
# cell is matched on the normalised form and stored as the list spells it.
_CHOICES = {c.header: {_choice_key(v): v for v in c.choices} for c in COLUMNS if c.choices}


def _norm_coded(value: object, column) -> tuple[str, str | None]:
    text = "".join(_nfkc(value).split())
    if not text:
        return "", None
    choice = _CHOICES[column.header].get(text)
    if choice is None:
        return text, f"“{column.header}”没有这个选项，应为：{'、'.join(column.choices)}"
    return choice, None


def _norm_yes_no(value: object, column) -> tuple[str, str | None]:
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    return _norm_coded(value, column)


def _norm_year(value: object, column) -> tuple[int | None, str | None]:
    text = "".join(_nfkc(value).split())
    if text in ("", codes.NOT_EXITED):
        return None, None
    if text.endswith("年"):
        text = text[:-1]
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if number.is_integer() and int(number) in codes.EXIT_YEARS:
        return int(number), None
    first, last = codes.EXIT_YEARS[0], codes.EXIT_YEARS[-1]
    return None, f"脱贫年度应为{first}—{last}年，或填“{codes.NOT_EXITED}”、留空"


def _norm_phone(value: object, column) -> tuple[str, str | None]:
    if isinstance(value, float) and value.is_integer() and 0 < value < 1e15:
        return str(int(value)), None  # a phone typed into a number cell
    text = " ".join(_nfkc(value).split())
    reason = _text_problem(value, text, column.header) or phone_problem(text)
    return "".join(text.split()), reason


def _norm_money(value: object, column) -> tuple[float | None, str | None]:
    if isinstance(value, bool):
        return None, f"{column.header}应为数字"
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = "".join(_nfkc(value).split()).replace(",", "").removesuffix("元")
        if not text:
            return None, None
        try:
            number = float(text)
        except ValueError:
            return None, f"{column.header}应为数字（单位：元）"
    if not math.isfinite(number) or number < 0:
        return None, f"{column.header}应为不小于0的数字"
    if number > MAX_INCOME:
        return None, f"{column.header} {number:,.0f} 元不合常理，应在 0 至 {MAX_INCOME:,} 元之间"
    return round(number, 2), None


_NORMALISERS = {
    TEXT: _norm_text,
    NAME: _norm_name,
    CODE_TEXT: _norm_code_text,
    CODED: _norm_coded,
    YES_NO: _norm_yes_no,
    YEAR: _norm_year,
    PHONE: _norm_phone,
    MONEY: _norm_money,
}


class _IdResult(NamedTuple):  # a tuple: built once per member row
    number: str
    error: str | None
    warnings: tuple[str, ...]
    sex: str
    birth_date: datetime.date | None
    masked: bool = False


def _check_id_cell(value: object) -> _IdResult:
    if type(value) is str:  # the common case (a text cell) first
        text = normalize_id(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return _IdResult(display_text(value), MSG_ID_AS_NUMBER, (), "", None)
    else:
        text = normalize_id(display_text(value))
    if not text:
        return _IdResult("", "证件号码为空", (), "", None)
    if "*" in text:
        return _IdResult(text, MSG_MASKED_ID, (), "", None, masked=True)
    if "E" in text and _SCIENTIFIC.match(text):
        return _IdResult(text, MSG_ID_AS_NUMBER, (), "", None)
    check = check_normalized_id(text)
    error = check.errors[0] if check.errors else None
    return _IdResult(check.number, error, check.warnings, check.sex, check.birth_date)


# ---------------------------------------------------------------------------------------------
# Validating a whole sheet


class _Row(NamedTuple):  # a tuple: one per member row
    excel_row: int
    household_code: str
    household: dict  # household header → normalised value; shared by identical rows
    member: MemberData


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
        plan = [(h, {}, _NORMALISERS[BY_HEADER[h].kind], BY_HEADER[h]) for h in present]
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
    rows: list[_Row] = []
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
            name_checked = name_cache[name_raw] = _norm_name(name_raw, None)
        name, name_problem = name_checked
        if household_issues or member_issues:
            errors.extend(
                issue(excel_row, header, raw, reason, code)
                for header, raw, reason in household_issues + member_issues
            )
        checked = _check_id_cell(raw_id)
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
        rows.append(_Row(excel_row, code, household, member))
    if masked:
        households = [HouseholdData(code=c) for c in dict.fromkeys(r.household_code for r in rows)]
        return ParsedRoster(households, errors, warnings, len(rows), set(), fatal=MSG_MASKED_FILE)
    households, bad = _group_households(rows, mapping, errors, warnings, default_place)
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


def shown(header: str, value: object) -> str:
    """Return a cell value as a message shows it: hidden characters visible, IDs masked."""
    text = visible(display_text(value))
    if len(text) > SHOWN_LENGTH:  # a 100,000-character cell is named, not repeated
        text = f"{text[:SHOWN_LENGTH]}……（共 {len(text):,} 个字）"
    return mask_id(text) if header == "证件号码" else text


def _agreed_values(group: list[_Row], headers, code, issue, errors) -> tuple[dict, dict]:
    """Return each household column's value (first non-blank) and its row; report conflicts."""
    first = group[0]
    if all(r.household is first.household for r in group):
        # Identical rows share one dict (the common case): they agree by construction.
        agreed = {h: v for h, v in first.household.items() if v not in ("", None)}
        return agreed, dict.fromkeys(agreed, first.excel_row)
    agreed: dict = {}
    agreed_row: dict[str, int] = {}
    for header in headers:
        for r in group:
            value = r.household.get(header)
            if value in ("", None):
                continue
            if header not in agreed:
                agreed[header] = value
                agreed_row[header] = r.excel_row
            elif value != agreed[header]:
                errors.append(
                    issue(
                        r.excel_row,
                        header,
                        value,
                        f"同一户的{header}不一致：第{agreed_row[header]}行为"
                        f"“{shown(header, agreed[header])}”",
                        code,
                    )
                )
    return agreed, agreed_row


def _group_households(rows, mapping, errors, warnings, default_place):
    by_code: dict[str, list[_Row]] = {}
    for r in rows:
        if r.household_code:
            by_code.setdefault(r.household_code, []).append(r)
    household_headers = [h for h in HOUSEHOLD_HEADERS if h in mapping.columns]
    households: list[HouseholdData] = []
    bad: set[str] = set()

    def issue(row, header, value, reason, code):
        return FieldIssue.in_sheet(
            row, mapping.columns.get(header, -1), header, shown(header, value), reason, code
        )

    for code, group in by_code.items():
        first = group[0]
        agreed, agreed_row = _agreed_values(group, household_headers, code, issue, errors)
        heads = [r for r in group if r.member.relation == codes.HEAD_RELATION]
        if len(heads) != 1:
            errors.append(
                issue(
                    first.excel_row,
                    "与户主关系",
                    "",
                    f"户编号 {visible(code)} 应有且只有一名户主，现有 {len(heads)} 名",
                    code,
                )
            )
        head_name = agreed.get("户主姓名", "")
        if len(heads) == 1 and head_name and head_name != heads[0].member.name:
            errors.append(
                issue(
                    agreed_row["户主姓名"],
                    "户主姓名",
                    head_name,
                    f"户主姓名与关系为户主的成员“{visible(heads[0].member.name)}”（第{heads[0].excel_row}行）不一致",
                    code,
                )
            )
        county = agreed.get("县", "")
        township = agreed.get("乡镇", "")
        if not county or not township:
            if default_place is not None:
                county = county or default_place[0]
                township = township or default_place[1]
            else:
                missing = "县" if not county else "乡镇"
                errors.append(
                    issue(
                        first.excel_row,
                        missing,
                        "",
                        f"{missing}为空；数据库中没有唯一的乡镇可以默认，请填写",
                        code,
                    )
                )
        village = agreed.get("村", "")
        if not village:
            errors.append(issue(first.excel_row, "村", "", "村为空", code))
        kind = agreed.get("贫困户属性", "")
        poverty_kind = kind if kind in codes.POVERTY_KINDS else ""
        special_kind = kind if kind in codes.SPECIAL_KINDS else ""
        registered_text = agreed.get("是否建档立卡", "")
        is_registered = registered_text == "是" if registered_text else bool(poverty_kind)
        if registered_text == "否" and poverty_kind:
            warnings.append(
                issue(
                    agreed_row["是否建档立卡"],
                    "是否建档立卡",
                    registered_text,
                    f"贫困户属性为“{poverty_kind}”，但是否建档立卡为“否”",
                    code,
                )
            )
        if registered_text == "是" and special_kind:
            warnings.append(
                issue(
                    agreed_row["是否建档立卡"],
                    "是否建档立卡",
                    registered_text,
                    f"“{special_kind}”一般不是建档立卡户，请核对",
                    code,
                )
            )
        exit_year = agreed.get("脱贫年度")
        if exit_year is not None and not is_registered:
            warnings.append(
                issue(
                    agreed_row["脱贫年度"],
                    "脱贫年度",
                    exit_year,
                    "非建档立卡户不应有脱贫年度",
                    code,
                )
            )
        households.append(
            HouseholdData(
                code=code,
                group_name=agreed.get("组", ""),
                poverty_kind=poverty_kind,
                special_kind=special_kind,
                is_registered=is_registered,
                exit_year=exit_year,
                income_per_capita=agreed.get("人均纯收入"),
                phone=agreed.get("联系电话", ""),
                members=[r.member for r in group],
                village_name=village,
                township_name=township,
                county_name=county,
            )
        )
    return households, bad


# ---------------------------------------------------------------------------------------------
# Importing


ProgressFn = Callable[[int, str], None]


def default_place(engine: Engine) -> tuple[str, str] | None:
    """Return (county, township) when the database holds exactly one township, else None."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(County.name, Township.name).join(Township, Township.county_id == County.id)
        ).all()
    return (rows[0][0], rows[0][1]) if len(rows) == 1 else None


def import_roster(
    engine: Engine,
    path: Path | str,
    skip_invalid: bool = False,
    mapping: ColumnMapping | None = None,
    progress: ProgressFn | None = None,
    cancel: Callable[[], bool] | None = None,
    *,
    sheet: RosterSheet | None = None,
    remove_missing: bool = False,
) -> RosterImportResult:
    """Import a roster: all or nothing, or only the valid households with `skip_invalid`.

    `progress(percent, text)` reports; `cancel()` returning True stops the import and
    nothing is written. Households already in the database (same 户编号) are updated; a
    member the file leaves out of such a household is an error (listed in `removed`) unless
    `remove_missing` says the removals are meant. Each removed and added member is logged.
    """
    with collector_paused():
        return _import_roster(
            engine, path, skip_invalid, mapping, progress, cancel, sheet, remove_missing
        )


def _import_roster(
    engine, path, skip_invalid, mapping, progress, cancel, sheet, remove_missing
) -> RosterImportResult:
    started = time.perf_counter()
    result = RosterImportResult(Path(path))

    def report(percent: int, text: str) -> None:
        if cancel is not None and cancel():
            raise RosterCancelled()
        if progress is not None:
            progress(percent, text)

    try:
        report(0, "正在打开文件…")
        if sheet is None:
            sheet = read_roster(path)
        result.sheet_name = sheet.sheet_name
        total_rows = max(1, sheet.row_count - sheet.header_row - 1)
        parsed = parse_roster(
            sheet,
            mapping,
            default_place=default_place(engine),
            progress=lambda n: report(min(45, 45 * n // total_rows), f"正在检查第 {n} 行…"),
            cancel=cancel,
        )
        result.rows = parsed.rows
        result.households = len(parsed.households)
        result.errors = parsed.errors
        result.warnings = parsed.warnings
        if parsed.fatal:
            result.fatal = parsed.fatal
            return result
        report(45, "正在与数据库核对…")
        with engine.begin() as conn:
            _check_against_db(conn, parsed, skip_invalid)
            removed, added = _member_changes(conn, parsed.households)
            result.removed = removed
            if removed and not remove_missing:
                _refuse_removals(parsed, removed)
            result.errors = parsed.errors
            bad = parsed.bad_codes
            if result.errors and not skip_invalid:
                return result
            to_write = [h for h in parsed.households if h.code not in bad]
            result.skipped_households = len(parsed.households) - len(to_write)
            if not to_write:
                return result
            _merge_existing(conn, to_write)
            report(50, "正在写入数据库…")

            def on_write(done: int, total: int) -> bool:
                if cancel is not None and cancel():
                    return False
                if progress is not None:
                    progress(50 + 49 * done // max(1, total), f"已写入 {done}/{total} 户…")
                return True

            written = write_households(conn, to_write, progress=on_write, ids_checked=True)
            result.removed = [m for m in removed if m.household_code not in bad]
            result.added = [m for m in added if m.household_code not in bad]
            from desktop.services.safety.audit import log_member_changes  # audit imports registry

            log_member_changes(conn, result.removed, result.added)
            report(99, "正在保存…")
        result.created = written.created
        result.updated = written.updated
        result.members = written.members
        result.written = True
        if progress is not None:
            progress(100, "导入完成")
    except (RosterCancelled, WriteCancelled):
        result.cancelled = True
        result.written = False
        result.created = result.updated = result.members = 0
    except RosterError as exc:
        result.fatal = str(exc)
    finally:
        result.seconds = time.perf_counter() - started
    return result


def _member_changes(conn, households: list[HouseholdData]):
    """Return the members that re-imported households lose and gain (matched by ID, else name)."""
    by_code = {h.code: h for h in households}
    query = select(Household.id, Household.code, Member.name, Member.id_number).join(
        Member, Member.household_id == Household.id
    )
    if len(by_code) <= 500:  # a few households; else most of the registry: read it whole
        query = query.where(Household.code.in_(list(by_code)))
    old: dict[str, list[tuple[int, str, str]]] = {}
    for household_id, code, name, number in conn.execute(query):
        if code in by_code:
            old.setdefault(code, []).append((household_id, name, number or ""))
    removed: list[MemberChange] = []
    added: list[MemberChange] = []
    for code, members in old.items():
        household_id = members[0][0]
        new = by_code[code].members
        new_ids = {m.id_number for m in new if m.id_number}
        new_names = {m.name for m in new}
        old_ids = {number for _, _, number in members if number}
        old_names = {name for _, name, _ in members}
        for _, name, number in members:
            if number not in new_ids if number else name not in new_names:
                removed.append(MemberChange(code, household_id, name, number))
        for m in new:
            if m.id_number not in old_ids if m.id_number else m.name not in old_names:
                added.append(MemberChange(code, household_id, m.name, m.id_number))
    return removed, added


def _refuse_removals(parsed: ParsedRoster, removed: list[MemberChange]) -> None:
    """Make each member the file would remove an error of its household (shown, not written)."""
    name_column = -1
    for change in removed:
        parsed.errors.append(
            FieldIssue.in_sheet(
                parsed.first_rows.get(change.household_code, 0),
                name_column,
                "姓名",
                change.shown,
                MSG_REMOVED_MEMBER.format(code=visible(change.household_code)),
                change.household_code,
            )
        )
        parsed.bad_codes.add(change.household_code)
    parsed.errors.sort(key=lambda e: (e.row, e.column))


def _check_against_db(conn, parsed: ParsedRoster, skip_invalid: bool) -> None:
    """Add an error for each ID already in the database under a household the file keeps."""
    if not parsed.id_rows:
        return
    in_db = conn.execute(
        select(Member.id_number, Household.code)
        .join(Household, Household.id == Member.household_id)
        .where(Member.id_number != "")
    ).all()
    if not in_db:
        return
    owner_in_file = {}
    for h in parsed.households:
        for m in h.members:
            owner_in_file[m.id_number] = h.code
    file_codes = set(owner_in_file.values())
    # A household of the file replaces its members, so an ID it holds now does not conflict;
    # a household left out (skipped) keeps its members, which may then conflict in turn.
    while True:
        written_codes = file_codes - parsed.bad_codes
        added = False
        for number, db_code in in_db:
            file_code = owner_in_file.get(number)
            if file_code is None or file_code == db_code or db_code in written_codes:
                continue
            if file_code in parsed.bad_codes:
                continue
            row = parsed.id_rows.get(number, 0)
            parsed.errors.append(
                FieldIssue.in_sheet(
                    row,
                    parsed.id_column if row else -1,
                    "证件号码",
                    mask_id(number),
                    f"该证件号码已在数据库中，属于户编号 {visible(db_code)}",
                    file_code,
                )
            )
            parsed.bad_codes.add(file_code)
            added = True
        if not added or not skip_invalid:
            break
    parsed.errors.sort(key=lambda e: (e.row, e.column))


_KEEP_HOUSEHOLD = (
    "bank_name", "bank_account", "helper_name", "helper_phone", "poverty_causes",
    "count_hukou", "count_card", "count_system", "count_actual", "note",
)  # fmt: skip
_KEEP_MEMBER = (
    "political_status", "work_months", "is_soldier", "ins_serious_illness",
    "ins_employee_pension", "ins_resident_medical", "ins_resident_pension", "pension_status",
    "extra",
)  # fmt: skip


def _merge_existing(conn, households: list[HouseholdData]) -> None:
    """Keep what the roster does not carry (helpers, counts, insurance…) on re-imported households.

    The writer replaces a household's columns and members; a roster has only the template
    columns, so the rest is copied over from the database, members matched by ID or name.
    """
    codes_in_file = {h.code: h for h in households}
    found = conn.execute(
        select(Household.id, Household.code, *(getattr(Household, f) for f in _KEEP_HOUSEHOLD))
    ).all()
    matched = {row.id: codes_in_file[row.code] for row in found if row.code in codes_in_file}
    if not matched:
        return
    for row in found:
        data = matched.get(row.id)
        if data is not None:
            for name in _KEEP_HOUSEHOLD:
                setattr(data, name, getattr(row, name))
    # Most members carry nothing beyond the roster: their values are not decoded nor copied.
    # `extra` comes as its JSON text, decoded only when it holds something.
    plain = MemberData(name="")
    defaults = tuple(getattr(plain, f) for f in _KEEP_MEMBER[:-1])
    query = select(
        Member.household_id,
        Member.id_number,
        Member.name,
        type_coerce(Member.extra, Text),
        *(getattr(Member, f) for f in _KEEP_MEMBER[:-1]),
    )
    if len(matched) <= 500:  # a few households; else most of the registry: read it whole
        query = query.where(Member.household_id.in_(list(matched)))
    old_members: dict[int, list] = {}
    for household_id, number, name, extra, *keep in conn.execute(query):
        if household_id not in matched:
            continue
        if tuple(keep) == defaults and extra in _NO_EXTRA:
            values = None  # nothing to carry over
        else:
            values = (*keep, json.loads(extra) if extra not in _NO_EXTRA else {})
        old_members.setdefault(household_id, []).append((number, name, values))
    for household_id, olds in old_members.items():
        if all(values is None for _number, _name, values in olds):
            continue
        by_id = {number: values for number, _name, values in olds if number}
        by_name = {name: values for _number, name, values in olds}
        for member in matched[household_id].members:
            if member.id_number in by_id:  # matched by ID first, else by name
                values = by_id[member.id_number]
            else:
                values = by_name.get(member.name)
            if values is None:
                continue
            for name, value in zip(_KEEP_MEMBER, values, strict=True):
                setattr(member, name, dict(value) if isinstance(value, dict) else value)


_NO_EXTRA = ("{}", "null", None, "")


# ---------------------------------------------------------------------------------------------
# Error report


def write_error_report(
    result: RosterImportResult, source: Path | str, out_path: Path | str
) -> Path:
    """Write an .xlsx copy of the input with an 错误说明 column, bad cells red, and a summary."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    source = Path(source)
    out_path = Path(out_path)
    sheet = (
        read_roster(source) if not result.sheet_name else _sheet_named(source, result.sheet_name)
    )
    red = PatternFill("solid", fgColor="FFC7CE")
    yellow = PatternFill("solid", fgColor="FFEB9C")
    bold = Font(bold=True)
    by_cell: dict[tuple[int, int], str] = {}
    by_row: dict[int, list[str]] = {}
    for kind, issues in (("错误", result.errors), ("提示", result.warnings)):
        for i in issues:
            if i.row <= 0:
                continue
            if i.column >= 0 and (kind == "错误" or (i.row, i.column) not in by_cell):
                by_cell[(i.row, i.column)] = kind
            where = f"{i.column_letter}列" + (f"（{i.field}）" if i.field else "")
            by_row.setdefault(i.row, []).append(f"{kind}：{where}{i.message}")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet.sheet_name[:31] or SHEET_TITLE)
    width = sheet.width
    ws.column_dimensions[column_letter(width)].width = 60
    workbook_sheet = _open_sheet(source, sheet.sheet_name)
    for index, row in _iter_filled(workbook_sheet, sheet.merged, sheet.column_offset, 0):
        excel_row = index + 1
        cells = []
        for c in range(width):
            value = row[c] if c < len(row) else ""
            cell = safe_cell(ws, None if value == "" else value)
            kind = by_cell.get((excel_row, c))
            if kind is not None:
                cell.fill = red if kind == "错误" else yellow
            if index == sheet.header_row:
                cell.font = bold
            cells.append(cell)
        if index == sheet.header_row:
            note = WriteOnlyCell(ws, value=ERROR_COLUMN_HEADER)
            note.font = bold
        else:
            note = safe_cell(ws, "；".join(by_row.get(excel_row, [])) or None)
        cells.append(note)
        ws.append(cells)
    summary = wb.create_sheet(SUMMARY_SHEET_TITLE)
    for letter, w in zip("ABCDE", (8, 14, 24, 60, 8), strict=True):
        summary.column_dimensions[letter].width = w
    summary.append(["行", "列", "值", "原因", "级别"])
    if result.fatal:
        summary.append(["", "", "", result.fatal, "错误"])
    for kind, issues in (("错误", result.errors), ("提示", result.warnings)):
        for i in issues:
            column = f"{i.column_letter}（{i.field}）" if i.field else i.column_letter
            summary.append(safe_row(summary, [i.row or "", column, i.value, i.message, kind]))
        left_out = issue_count(issues) - len(issues)
        if left_out > 0:
            note = f"另有 {left_out} 处{kind}未列出（只列前 {len(issues)} 处）"
            summary.append(["", "", "", note, kind])
    out_path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out_path)
    return out_path


def _sheet_named(path: Path, name: str) -> RosterSheet:
    sheet = read_roster(path)
    if sheet.sheet_name == name:
        return sheet
    raise RosterError(f"文件 {path.name} 中找不到工作表“{name}”")


# ---------------------------------------------------------------------------------------------
# Export


def roster_rows(engine: Engine, full_ids: bool = False, household_ids=None) -> Iterator[list]:
    """Yield template rows, one per member, household columns repeated; IDs masked by default."""
    query = (
        select(
            County.name,
            Township.name,
            Village.name,
            Group.name,
            Household.code,
            Household.head_name,
            Member.name,
            Member.sex,
            Member.id_number,
            Member.relation,
            Member.ethnicity,
            Member.education,
            Member.schooling,
            Member.health,
            Member.labour_ability,
            Member.work_status,
            Household.poverty_kind,
            Household.special_kind,
            Household.is_registered,
            Household.exit_year,
            Household.phone,
            Household.income_per_capita,
        )
        .select_from(Member)
        .join(Household, Household.id == Member.household_id)
        .join(Village, Village.id == Household.village_id)
        .join(Township, Township.id == Village.township_id)
        .join(County, County.id == Township.county_id)
        .outerjoin(Group, Group.id == Household.group_id)
        .order_by(
            County.name, Township.name, Village.code, Village.name, Household.code, Member.seq
        )
    )
    ids = None if household_ids is None else set(household_ids)
    if ids is not None:
        query = query.add_columns(Household.id)
    with engine.connect() as conn:
        for r in conn.execute(query).yield_per(5000):
            if ids is not None and r[-1] not in ids:
                continue
            number = r[8] if full_ids else mask_id(r[8])
            kind = codes.household_kind(r[16], r[17])
            # A registered household without a year has not exited; others have no year at all.
            exit_year = str(r[19]) if r[19] is not None else (codes.NOT_EXITED if r[18] else "")
            yield [
                r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6], r[7], number, r[9], r[10],
                r[11], r[12], r[13], r[14], r[15], kind, "是" if r[18] else "否", exit_year,
                r[20], r[21],
            ]  # fmt: skip


def count_export_rows(engine: Engine, household_ids=None) -> int:
    """Return how many member rows an export writes."""
    from sqlalchemy import func

    query = select(func.count(Member.id))
    if household_ids is not None:
        ids = list(household_ids)
        if not ids:
            return 0
        query = query.where(Member.household_id.in_(ids)) if len(ids) < 30000 else query
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def export_roster(
    engine: Engine,
    out_path: Path | str,
    full_ids: bool = False,
    household_ids=None,
    progress: ProgressFn | None = None,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Write the roster template with one row per member; returns the rows written.

    The file appears only when complete (written beside it, then renamed), so a cancelled or
    failed export leaves no half file behind.
    """
    from openpyxl import Workbook

    from desktop.services.roster.template import CODES_SHEET_TITLE, setup_sheet

    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise RosterError(f"文件夹不存在：{out_path.parent}，请先建立文件夹或另选位置")
    total = max(1, count_export_rows(engine, household_ids))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    setup_sheet(ws, wb.create_sheet(CODES_SHEET_TITLE))
    ws.append(list(HEADERS))
    count = 0
    for row in roster_rows(engine, full_ids, household_ids):
        ws.append(safe_row(ws, row))
        count += 1
        if count % 5000 == 0:
            if cancel is not None and cancel():
                raise RosterCancelled()
            if progress is not None:
                progress(min(95, 95 * count // total), f"已导出 {count} 行…")
    if progress is not None:
        progress(96, "正在保存文件…")
    temp = out_path.with_name(out_path.name + ".part")
    try:
        wb.save(temp)
        if cancel is not None and cancel():
            raise RosterCancelled()
        temp.replace(out_path)
    finally:
        temp.unlink(missing_ok=True)
    if progress is not None:
        progress(100, "导出完成")
    return count
