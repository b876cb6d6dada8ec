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

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.errors import AppError, FieldIssue, ImportResult
from desktop.models.base import utcnow
from desktop.models.comparison import (
    HIT_OPEN,
    HIT_SUPERSEDED,
    DepartmentList,
    DepartmentMapping,
    Hit,
)
from desktop.models.database import change_stamp
from desktop.services.comparison.columns import DETAIL, ListColumns
from desktop.services.comparison.departments import (
    ROLE_BIRTH,
    ROLE_ID,
    ROLE_LABELS,
    ROLE_NAME,
)
from desktop.services.comparison.matching import (
    id_key,
    keep_index,
    match,
    record_hits,
    registry_index,
)
from desktop.services.comparison.reader import DepartmentSheet, read_department_file
from desktop.services.registry.idcard import normalize_id
from desktop.services.roster.normalise import MSG_ID_AS_NUMBER, MSG_MASKED_ID
from desktop.services.roster.sheet import display_text
from desktop.services.unit_of_work import Database
from desktop.services.workbooks.report import append_issue_summary

DETAIL_SEPARATOR = DETAIL
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
    if len(number) in (15, 18):
        return number, "证件号码只能由数字组成（18位号码的最后一位可以是X）"
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


_BAD_ID = re.compile(r"^(?!(?:\d{17}[\dX]|\d{15})$).+$", re.M)
_EDGE_SPACE = re.compile(r"^[^\S\n]+|[^\S\n]+$", re.M)
_INNER_SPACE = re.compile(r"[^\S\n]+")


def _cell_text(value) -> str:
    if type(value) is float and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return display_text(value)


_INTEGRAL_LIMIT = 10**15  # display_text writes an integral float below 1e15 as an integer


def _texts(column: list) -> list[str]:
    """Return a column's cells as text; text cells as they are (most cells, at C speed).

    A column of integral numbers only (a 序号, an amount) is converted in a few passes of C
    instead of cell by cell; any other number in it (a fraction, 1e15, NaN) takes the slow way.
    """
    if column and all(type(v) is float for v in column):
        try:
            ints = list(map(int, column))
        except (ValueError, OverflowError):  # NaN, infinity
            ints = None
        if (
            ints is not None
            and list(map(float, ints)) == column
            and min(ints) > -_INTEGRAL_LIMIT
            and max(ints) < _INTEGRAL_LIMIT
        ):
            return list(map(str, ints))
    return [v if type(v) is str else _cell_text(v) for v in column]


def _normalised(cells: list[str], *, ids: bool) -> list[str]:
    """NFKC, and for IDs no spaces and an upper-case X; for names no spaces at the ends.

    Done on the whole column joined, in a few passes of C, not cell by cell.
    """
    joined = "\n".join(cells)
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined)
    joined = _INNER_SPACE.sub("", joined) if ids else _EDGE_SPACE.sub("", joined)
    if ids:
        joined = joined.upper()
    out = joined.split("\n")
    if len(out) != len(cells):  # a cell held a line break: the slow, exact way
        if ids:
            return [normalize_id(c) for c in cells]
        return [unicodedata.normalize("NFKC", c).strip() for c in cells]
    return out


def _id_column(raw: list, header: str, column: int, numbers: list[int], errors: list) -> list:
    texts = []
    for i, value in enumerate(raw):
        if type(value) is str:
            texts.append(value)
            continue
        text, reason = _id_cell(value)
        if reason is not None:
            errors.append(FieldIssue.in_sheet(numbers[i], column, header, text, reason))
            text = ""
        texts.append(text)
    texts = _normalised(texts, ids=True)
    joined = "\n".join(texts)
    line, position = 0, 0
    for bad in _BAD_ID.finditer(joined):
        line += joined.count("\n", position, bad.start())
        position = bad.start()
        _text, reason = _id_cell(bad.group())
        errors.append(
            FieldIssue.in_sheet(
                numbers[line], column, header, bad.group(), reason or "证件号码格式不对"
            )
        )
        if len(errors) >= MAX_ERRORS:
            break
    return texts


def parse_columns(sheet: DepartmentSheet, columns: dict[str, int], list_id: int):
    """Return (the list's columns, detail headers, errors) of a sheet under a mapping."""
    headers = sheet.headers
    width = len(headers)
    rows = sheet.all_rows[sheet.header_row + 1 :]
    if rows and min(map(len, rows)) < width:
        rows = [r if len(r) >= width else [*r, *([""] * (width - len(r)))] for r in rows]
    start = sheet.header_row + 2  # the row number the file shows for the first data row
    empty = [i for i, r in enumerate(rows) if not any(r[:width])]
    if empty:
        skip = {i for i in empty if all(c in ("", None) for c in rows[i][:width])}
        numbers = [start + i for i in range(len(rows)) if i not in skip]
        rows = [r for i, r in enumerate(rows) if i not in skip]
    else:
        numbers = list(range(start, start + len(rows)))
    errors: list[FieldIssue] = []
    id_col, name_col = columns.get(ROLE_ID), columns[ROLE_NAME]
    birth_col = columns.get(ROLE_BIRTH)
    if id_col is not None:
        ids = _id_column([r[id_col] for r in rows], headers[id_col], id_col, numbers, errors)
    else:
        ids = [""] * len(rows)
    names = _normalised(_texts([r[name_col] for r in rows]), ids=False)
    births = [""] * len(rows)
    if birth_col is not None:
        for i, r in enumerate(rows):
            value = r[birth_col]
            if value in ("", None):
                continue
            day, reason = _birth_cell(value)
            if reason is not None:
                errors.append(
                    FieldIssue.in_sheet(
                        numbers[i], birth_col, headers[birth_col], display_text(value), reason
                    )
                )
            elif day is not None:
                births[i] = day.isoformat()
    for i in [i for i, v in enumerate(ids) if not v]:
        if not (names[i] and births[i]) and len(errors) < MAX_ERRORS:
            if id_col is not None and rows[i][id_col] not in ("", None):
                continue  # its ID is already reported
            if birth_col is not None and births[i] == "" and rows[i][birth_col] not in ("", None):
                continue  # its birth date is already reported
            errors.append(
                FieldIssue.in_sheet(
                    numbers[i], -1, "", "", "既没有证件号码，也没有姓名和出生日期，无法比对"
                )
            )
    errors.sort(key=lambda e: (e.row, e.column))
    keys = list(ids)
    for i in [i for i, v in enumerate(ids) if len(v) == 15]:
        keys[i] = id_key(ids[i])
    detail_cols = [i for i, h in enumerate(headers) if h and i not in columns.values()]
    detail = [_texts([r[c] for r in rows]) for c in detail_cols]
    data = ListColumns(list_id, numbers, ids, keys, names, births, detail)
    return data, [headers[c] for c in detail_cols], errors[:MAX_ERRORS]


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
        since = change_stamp(s.connection())  # before this import writes anything
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
        data, detail_headers, errors = parse_columns(sheet, columns, listing.id)
        if errors:
            result.errors = errors
            raise _Rejected
        if not len(data):
            result.fatal = "文件中表头以下没有任何数据行"
            raise _Rejected
        # Core, not the ORM: the audit trail logs the list's record, not its megabytes.
        conn.execute(
            update(DepartmentList.__table__)
            .where(DepartmentList.__table__.c.id == listing.id)
            .values(data=data.encode())
        )
        if replace_open:
            result.replaced_hits = _supersede(s, department, listing.id)
        index = registry_index(conn, since)
        result.hits = record_hits(conn, data, match(conn, index, data))
        listing.row_count = len(data)
        listing.detail_headers = detail_headers
        listing.matched_at = utcnow()
        _remember(s, department, listing.mapping)
        s.flush()  # with its audit entries: the commit has nothing left to write
        keep_index(conn, index, since)  # a list changes no person: the next import reuses it
        result.rows = result.created = len(data)
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
    append_issue_summary(ws, result, result.fatal)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out_path)
    return out_path
