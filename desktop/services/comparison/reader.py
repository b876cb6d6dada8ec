"""Reading a department's list: .xlsx, .xls or .csv (UTF-8 or GBK), header row found or chosen.

Excel files go through python-calamine as the roster import does; a CSV is decoded as UTF-8
(with or without BOM) and otherwise as GB18030, the superset of GBK that Chinese Excel writes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import BadFileError
from desktop.services.comparison.departments import role_of_header
from desktop.services.roster.sheet import display_text
from desktop.services.workbooks.precheck import WorkbookRefused, check_workbook

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
READABLE_SUFFIXES = (*EXCEL_SUFFIXES, ".csv")
HEADER_SCAN_ROWS = 10
PREVIEW_ROWS = 30
# A CSV larger than this is refused before it is decoded into memory (a list of a whole
# province is still far below it).
MAX_CSV_BYTES = 1 << 30


class DepartmentFileError(BadFileError):
    """A department file cannot be read at all; the message says why, in Chinese."""


@dataclass
class DepartmentSheet:
    """A department list as read: its header row, headers, a preview, and every row after it."""

    path: Path
    sheet_name: str
    header_row: int  # 0-based; the row number the file shows is header_row + 1
    headers: list[str]
    preview: list[list[str]]
    all_rows: list[list] = field(repr=False)  # every row of the file, title rows included
    encoding: str = ""  # a CSV's encoding

    @property
    def data_rows(self) -> int:
        """Return how many rows follow the header row."""
        return max(0, len(self.all_rows) - self.header_row - 1)

    def auto_mapping(self) -> dict[str, str]:
        """Return role → header for the headers that name a key column (first one wins)."""
        mapping: dict[str, str] = {}
        for header in self.headers:
            role = role_of_header(header)
            if role and role not in mapping:
                mapping[role] = header
        return mapping

    def with_header_row(self, header_row: int) -> DepartmentSheet:
        """Return the same sheet read with another row (0-based, of the file) as its header."""
        if not 0 <= header_row < len(self.all_rows):
            raise DepartmentFileError(f"表头行应在第1行到第{len(self.all_rows)}行之间")
        return _make_sheet(self.path, self.sheet_name, self.all_rows, header_row, self.encoding)


def read_department_file(path: Path | str, header_row: int | None = None) -> DepartmentSheet:
    """Read a department file; the header row is the one naming most key columns, unless given."""
    path = Path(path)
    if not path.exists():
        raise DepartmentFileError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise DepartmentFileError(
            f"不支持的文件类型“{path.suffix}”，请使用 .xlsx、.xls 或 .csv 文件"
        )
    if suffix == ".csv":
        (rows, encoding), sheet_name = _read_csv(path), path.stem
    else:
        rows, sheet_name = _read_excel(path)
        encoding = ""
    if not rows:
        raise DepartmentFileError(f"文件 {path.name} 是空的，没有任何数据")
    if header_row is None:
        header_row = _find_header(rows)
    elif not 0 <= header_row < len(rows):
        raise DepartmentFileError(f"表头行应在第1行到第{len(rows)}行之间")
    return _make_sheet(path, sheet_name, rows, header_row, encoding)


def _make_sheet(path, sheet_name, rows, header_row, encoding) -> DepartmentSheet:
    headers = [display_text(v).strip() for v in rows[header_row]]
    while headers and not headers[-1]:
        headers.pop()
    shown = rows[header_row + 1 : header_row + 1 + PREVIEW_ROWS]
    preview = [[display_text(v) for v in r] for r in shown]
    return DepartmentSheet(path, sheet_name, header_row, headers, preview, rows, encoding)


def _find_header(rows: list[list]) -> int:
    best, best_score = 0, -1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = len({role_of_header(display_text(v)) for v in row if v not in ("", None)} - {None})
        if score > best_score:
            best, best_score = index, score
    if best_score <= 0:  # nothing recognised: the first row that has anything in it
        best = next((i for i, r in enumerate(rows) if any(v not in ("", None) for v in r)), 0)
    return best


def _read_excel(path: Path) -> tuple[list[list], str]:
    from python_calamine import CalamineWorkbook

    try:  # the shared pre-check: zip bombs, huge used ranges, crafted .xls, before calamine
        check_workbook(path)
    except WorkbookRefused as exc:
        raise DepartmentFileError(str(exc)) from exc

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error classes for each format
        if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
            raise DepartmentFileError(
                f"文件 {path.name} 设有密码，请先在Excel中取消密码再导入"
            ) from exc
        raise DepartmentFileError(
            f"无法读取文件 {path.name}：文件已损坏或不是Excel文件（{exc}）"
        ) from exc
    names = [
        m.name
        for m in workbook.sheets_metadata
        if str(getattr(m, "visible", "")).endswith("Visible") and "WorkSheet" in str(m.typ)
    ] or list(workbook.sheet_names)
    for name in names:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
        except Exception as exc:
            raise DepartmentFileError(f"无法读取工作表“{name}”：{exc}") from exc
        if any(any(v not in ("", None) for v in r) for r in rows[:HEADER_SCAN_ROWS]):
            return rows, name
    return [], names[0] if names else ""


def _read_csv(path: Path) -> tuple[list[list], str]:
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise DepartmentFileError(
            f"文件 {path.name} 过大（{size // (1 << 20)} MB），请分成几个文件导入"
        )
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise DepartmentFileError(
            f"文件 {path.name} 不是文本文件（可能是UTF-16编码或Excel文件改了后缀），"
            "请在Excel中另存为“CSV UTF-8”或“.xlsx”后再导入"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # gb18030 decodes almost any byte string; this is for the rest
        raise DepartmentFileError(f"文件 {path.name} 的编码无法识别（应为UTF-8或GBK）")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows, "UTF-8" if encoding == "utf-8-sig" else "GBK"
