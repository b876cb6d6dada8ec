"""Importing a department list: every row checked, then all of it written and matched, or nothing.

Errors name the row, the column, the value and the reason in Chinese (the roster import's
SheetIssue). The rows and their hits are written in one transaction with the list's record
and the remembered column mapping; a rejected file changes nothing.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.errors import AppError, FieldIssue, ImportResult
from desktop.models.base import utcnow
from desktop.models.bulk import indexes_deferred, insert_rows
from desktop.models.comparison import (
    HIT_OPEN,
    HIT_SUPERSEDED,
    DepartmentList,
    DepartmentMapping,
    DepartmentRow,
    Hit,
)
from desktop.services.comparison.departments import (
    ROLE_BIRTH,
    ROLE_ID,
    ROLE_LABELS,
    ROLE_NAME,
)
from desktop.services.comparison.matching import Row, build_index, id_key, match, save_hits
from desktop.services.comparison.reader import DepartmentSheet, read_department_file
from desktop.services.registry.idcard import normalize_id
from desktop.services.roster.workbook_io import MSG_ID_AS_NUMBER, MSG_MASKED_ID, display_text
from desktop.services.unit_of_work import Database

DETAIL_SEPARATOR = "\x1f"
MAX_ERRORS = 1000  # a file that is wrong throughout: the first thousand say enough
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class ComparisonImportError(AppError):
    """A department list cannot be imported as asked; the message says why, in Chinese."""


@dataclass
class ListImportResult(ImportResult):
    """What an import did: the new list and its hits, or the issues that stopped it."""

    department: str = ""
    list_id: int | None = None
    hits: int = 0
    fatal: str = ""
    replaced_hits: int = 0

    def summary_lines(self, limit: int = 20) -> list[str]:
        """Return the result as lines of Chinese text."""
        if self.fatal:
            return [f"未导入：{self.fatal}"]
        if self.errors:
            lines = [
                f"未导入：发现 {len(self.errors)} 处错误，整个文件没有导入，请改正后重新导入："
            ]
            lines += self.issue_lines(self.errors, limit)
            return lines
        lines = [f"已导入{self.department}名单 {self.rows} 行，比对发现疑点 {self.hits} 条"]
        if self.replaced_hits:
            lines.append(f"该部门旧名单中未处理的 {self.replaced_hits} 条疑点已由本名单取代")
        if self.warnings:
            lines.append(f"提示 {len(self.warnings)} 处（不影响导入）：")
            lines += self.issue_lines(self.warnings, 10)
        return lines


def remembered_mapping(db: Database, department: str) -> dict[str, str]:
    """Return the column mapping last used for this department (role → header), or {}."""
    with db.session() as s:
        row = s.scalar(
            select(DepartmentMapping).where(DepartmentMapping.department == department.strip())
        )
        return dict(row.mapping) if row is not None else {}


def mapping_for(db: Database, sheet: DepartmentSheet, department: str) -> dict[str, str]:
    """Return the remembered mapping if this file has its headers, else one guessed from them."""
    remembered = remembered_mapping(db, department)
    if remembered and all(h in sheet.headers for h in remembered.values()):
        return remembered
    return sheet.auto_mapping()


def check_mapping(sheet: DepartmentSheet, mapping: dict[str, str]) -> dict[str, int]:
    """Return role → column index; refuse a mapping that cannot identify anyone."""
    columns: dict[str, int] = {}
    for role, header in mapping.items():
        if not header:
            continue
        if header not in sheet.headers:
            raise ComparisonImportError(f"文件中没有“{header}”这一列（{ROLE_LABELS[role]}）")
        columns[role] = sheet.headers.index(header)
    if ROLE_NAME not in columns:
        raise ComparisonImportError("请指定“姓名”所在的列")
    if ROLE_ID not in columns and ROLE_BIRTH not in columns:
        raise ComparisonImportError(
            "请指定“证件号码”所在的列；名单没有证件号码时，请指定“出生日期”所在的列"
        )
    if len(set(columns.values())) != len(columns):
        raise ComparisonImportError("同一列不能同时作为两个关键列")
    return columns


def _id_cell(value) -> tuple[str, str | None]:
    """Return (normalised ID, reason it is unusable or None); '' for an empty cell."""
    if type(value) is str:
        number = normalize_id(value)
    elif value is None or value == "":
        return "", None
    elif isinstance(value, float):
        if not value.is_integer() or value >= 1e15:
            return display_text(value), MSG_ID_AS_NUMBER
        number = str(int(value))
    elif isinstance(value, int):
        number = str(value)
    else:
        return display_text(value), "证件号码格式不对"
    if not number:
        return "", None
    if len(number) == 18:
        if number[:17].isdigit() and (number[17].isdigit() or number[17] == "X"):
            return number, None
    elif len(number) == 15 and number.isdigit():
        return number, None
    if "*" in number:
        return number, MSG_MASKED_ID
    return number, f"证件号码应为18位（或15位旧号码），现为{len(number)}位"


def _birth_cell(value) -> tuple[datetime.date | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    text = unicodedata.normalize("NFKC", display_text(value)).strip()
    if not text:
        return None, None
    match_ = _DATE_TEXT.match(text)
    if match_:
        y, m, d = (int(g) for g in match_.groups())
    elif len(text) == 8 and text.isdigit():
        y, m, d = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        return None, "出生日期应写成 1970-03-01 或 19700301"
    try:
        return datetime.date(y, m, d), None
    except ValueError:
        return None, "出生日期不存在"


def parse_rows(sheet: DepartmentSheet, columns: dict[str, int], first_id: int, list_id: int):
    """Return (stored row tuples, matching rows, errors) of a sheet under a mapping."""
    id_col, name_col = columns.get(ROLE_ID), columns[ROLE_NAME]
    birth_col = columns.get(ROLE_BIRTH)
    detail_cols = [i for i, h in enumerate(sheet.headers) if h and i not in columns.values()]
    width = len(sheet.headers)
    stored: list[tuple] = []
    rows: list[Row] = []
    errors: list[FieldIssue] = []
    headers = sheet.headers
    join = DETAIL_SEPARATOR.join
    next_id = first_id
    start = sheet.header_row + 2  # the row number the file shows for the first data row
    for excel_row, cells in enumerate(sheet.all_rows[sheet.header_row + 1 :], start):
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        number, reason = _id_cell(cells[id_col]) if id_col is not None else ("", None)
        name = cells[name_col]
        name = name.strip() if type(name) is str else display_text(name).strip()
        birth, birth_reason = (
            _birth_cell(cells[birth_col]) if birth_col is not None else (None, None)
        )
        if not number and not name and not any(c not in ("", None) for c in cells):
            continue  # an empty row
        if reason is not None:
            errors.append(FieldIssue.in_sheet(excel_row, id_col, headers[id_col], number, reason))
        if birth_reason is not None:
            errors.append(
                FieldIssue.in_sheet(
                    excel_row, birth_col, headers[birth_col], display_text(cells[birth_col]),
                    birth_reason,
                )
            )  # fmt: skip
        if reason is None and birth_reason is None and not number and not (name and birth):
            errors.append(
                FieldIssue.in_sheet(
                    excel_row, -1, "", "", "既没有证件号码，也没有姓名和出生日期，无法比对"
                )
            )
        if len(errors) >= MAX_ERRORS:
            break
        if errors:
            continue
        key = id_key(number) if len(number) == 15 else number
        detail = join([display_text(cells[c]) for c in detail_cols])
        birth_text = birth.isoformat() if birth is not None else ""
        stored.append((next_id, list_id, excel_row, number, key, name, birth, detail))
        rows.append(Row(next_id, list_id, key, len(number) == 15, name, birth_text))
        next_id += 1
    return stored, rows, errors, [headers[c] for c in detail_cols]


_ROW_COLUMNS = (
    "id",
    "list_id",
    "row_number",
    "id_number",
    "id_key",
    "name",
    "birth_date",
    "detail",
)


def import_department_list(
    db: Database,
    source: DepartmentSheet | Path | str,
    department: str,
    *,
    received_on: datetime.date,
    who: str,
    mapping: dict[str, str] | None = None,
    replace_open: bool = False,
) -> ListImportResult:
    """Import a department's list and match it against the registry, all or nothing.

    `mapping` is role → header (None: the remembered one, else guessed); `replace_open` closes
    the open hits of this department's earlier lists, as the clerk chose.
    """
    department = department.strip()
    sheet = source if isinstance(source, DepartmentSheet) else read_department_file(source)
    result = ListImportResult(sheet.path, department=department)
    if not department:
        result.fatal = "请填写提供名单的部门"
        return result
    if mapping is None:
        mapping = mapping_for(db, sheet, department)
    try:
        columns = check_mapping(sheet, mapping)
    except ComparisonImportError as exc:
        result.fatal = str(exc)
        return result
    try:
        _write(db, sheet, department, received_on, who, mapping, columns, replace_open, result)
    except _Rejected:
        result.list_id, result.written = None, False
    return result


class _Rejected(Exception):
    """Raised inside the import's transaction to roll it back; the result says why."""


def _write(db, sheet, department, received_on, who, mapping, columns, replace_open, result):
    with db.unit_of_work() as s:
        listing = DepartmentList(
            department=department,
            received_on=received_on,
            imported_by=who,
            file_name=sheet.path.name,
            sheet_name=sheet.sheet_name[:64],
            mapping={r: h for r, h in mapping.items() if h},
        )
        s.add(listing)
        s.flush()
        conn = s.connection()
        first = (conn.scalar(select(func.max(DepartmentRow.id))) or 0) + 1
        stored, rows, errors, detail_headers = parse_rows(sheet, columns, first, listing.id)
        if errors:
            result.errors = errors
            raise _Rejected
        if not stored:
            result.fatal = "文件中表头以下没有任何数据行"
            raise _Rejected
        with indexes_deferred(conn, {DepartmentRow.__table__: len(stored)}):
            insert_rows(conn, DepartmentRow.__table__, _ROW_COLUMNS, stored)
        if replace_open:
            result.replaced_hits = _supersede(s, department, listing.id)
        found = match(build_index(conn), rows)
        result.hits = save_hits(conn, found)
        listing.row_count = len(stored)
        listing.detail_headers = detail_headers
        listing.matched_at = utcnow()
        _remember(s, department, listing.mapping)
        result.rows = result.created = len(stored)
        result.list_id = listing.id
        result.written = True


def _supersede(s: Session, department: str, new_list_id: int) -> int:
    older = select(DepartmentList.id).where(
        DepartmentList.department == department, DepartmentList.id != new_list_id
    )
    done = s.execute(
        update(Hit)
        .where(Hit.list_id.in_(older), Hit.status == HIT_OPEN)
        .values(status=HIT_SUPERSEDED)
    ).rowcount
    s.execute(update(DepartmentList).where(DepartmentList.id.in_(older)).values(replaced=True))
    return done


def _remember(s: Session, department: str, mapping: dict[str, str]) -> None:
    row = s.scalar(select(DepartmentMapping).where(DepartmentMapping.department == department))
    if row is None:
        s.add(DepartmentMapping(department=department, mapping=mapping))
    elif row.mapping != mapping:
        row.mapping = mapping


def write_error_report(result: ListImportResult, out_path: Path | str) -> Path:
    """Write the findings of a rejected import as an .xlsx: 行, 列, 值, 原因."""
    from openpyxl import Workbook

    out_path = Path(out_path)
    wb = Workbook()
    ws = wb.active
    ws.title = "错误汇总"
    for letter, width in zip("ABCDE", (8, 16, 24, 60, 8), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append(["行", "列", "值", "原因", "级别"])
    if result.fatal:
        ws.append(["", "", "", result.fatal, "错误"])
    for kind, issues in (("错误", result.errors), ("提示", result.warnings)):
        for i in issues:
            column = f"{i.column_letter}（{i.field}）" if i.field else i.column_letter
            ws.append([i.row or "", column, i.value, i.message, kind])
    out_path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out_path)
    return out_path
