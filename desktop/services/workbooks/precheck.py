"""The pre-check every workbook import runs before any parser sees the file.

calamine (like every reader) sizes a sheet from the cells it finds: one cell at A1 and one at
XFD1048576 make it allocate 17 billion cells and abort the process, and a zip bomb feeds it
gigabytes of XML. `check_workbook` reads what the file really holds, with bounded memory, and
refuses it with a Chinese sentence that says what is wrong and how big the file really is:

- .xlsx/.xlsm/.ods: a zip archive. Each member's zipped and unzipped size and their ratio; every
  worksheet and the shared strings are inflated as a stream (actual bytes counted, never trusting
  the declared size) to find the `<dimension>`, the last row and cell references and any cell
  far outside them, and the shared strings that cells would copy over and over. An .ods's
  content.xml is read tag by tag for each sheet's rows and cells, counting their repeats.
- .xls: the BIFF DIMENSIONS record of every sheet, and a password (FILEPASS) record.

The limits are far above a county roster (100,000 households: 352,288 rows × 21 columns,
7.4 million cells, 426 MB of sheet XML zipped to 36 MB) and far below what makes the app stall.
"""

from __future__ import annotations

import html
import mmap
import re
import struct
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

try:  # ISA-L inflates sheet XML twice as fast as zlib: the county roster's 426 MB in 0.8 s
    from isal import isal_zlib as zlib
except ImportError:  # pragma: no cover - the same results, slower
    import zlib

READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

MAX_FILE_BYTES = 300 * 1024 * 1024  # on disk
MAX_MEMBERS = 10_000  # entries in the zip archive
MAX_UNZIPPED_BYTES = 2 * 1024**3  # all sheets and shared strings together, unzipped
MAX_RATIO = 100  # unzipped ÷ zipped for a member above RATIO_FLOOR; sheet XML zips 8–15×
RATIO_FLOOR = 1024 * 1024
MAX_CELLS = 12_000_000  # rows × columns of the used range, the sheet calamine allocates
MAX_COLUMNS = 1_000
MAX_CELL_TEXT_BYTES = 32_767 * 4  # Excel's limit is 32,767 characters in a cell
MAX_TEXT_BYTES = 1024**3  # shared strings copied into cells, all together
BIG_STRING = 1024  # shared strings longer than this are counted cell by cell

_CHUNK = 1 << 20
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb'<dimension\s+ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"')
_REF = re.compile(rb'[^>]*?\br="\$?([A-Z]{1,3})\$?(\d{1,7})"')
_ANY_REF = re.compile(rb'<c\s[^>]*?\br="\$?([A-Z]{1,3})\$?(\d{1,7})"')
_ROW_REF = re.compile(rb'\s*r="(\d{1,7})"')
_UNCACHED = re.compile(
    rb'<c\b[^>]*?\br="\$?([A-Z]{1,3})\$?(\d{1,7})"[^>]*>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*'
    rb"(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
MAX_UNCACHED = 1000
_SHARED_REF = re.compile(rb'<c\b[^>]*\bt="s"[^>]*>\s*<v>(\d+)</v>')


_ANOMALIES: dict[tuple[int, int], re.Pattern] = {}
_TAIL = 64  # bytes of a chunk carried into the next one: a cell cut at the end is seen whole there


def _anomaly(digits: int, column: int) -> re.Pattern:
    """A pattern for a cell outside what was seen so far: right of `column`, a row number of
    more than `digits` digits, or a reference that is not the cell's first attribute.

    One negative lookahead per cell (the cell as valid sheets write it, `<c r="B12"`) instead
    of an alternation of what may be wrong: a third of the time on a county roster's 7.4
    million cells. Any other spelling (a tab, attributes in another order) is read cell by
    cell, never passed unread.
    """
    key = (digits, min(column, 703))
    pattern = _ANOMALIES.get(key)
    if pattern is None:
        letters = _letters_up_to(key[1])
        if letters is None:  # no cell yet, or past ZZ: every chunk is read cell by cell
            pattern = re.compile(rb"<c(?=[\s>])")
        else:
            pattern = re.compile(rb'<c(?! r="(?:%s)\d{1,%d}")[\s>]' % (letters, digits))
        _ANOMALIES[key] = pattern
    return pattern


def _letters_up_to(column: int) -> bytes | None:
    """Return a regex for the column letters A … `column` (up to ZZ), or None."""
    if column < 1 or column > 702:
        return None
    if column <= 26:
        return b"[A-%c]" % (64 + column)
    first, second = divmod(column - 1, 26)  # first 1–26, second 0–25
    before = b"|[A-%c][A-Z]" % (63 + first) if first > 1 else b""
    return b"[A-Z]%s|%c[A-%c]" % (before, 64 + first, 65 + second)


class WorkbookRefused(ValueError):
    """The file is refused before any parser sees it; the message says why, in Chinese."""


@dataclass
class SheetFacts:
    """What the pre-check found in one sheet: its used range and unzipped size."""

    name: str
    rows: int = 0
    columns: int = 0
    xml_bytes: int = 0
    # (row, column), 1-based, of formula cells saved without their value (the first 1,000):
    # a reader sees them empty, so an import says why instead of "姓名为空".
    uncached_formulas: list[tuple[int, int]] = field(default_factory=list)

    @property
    def cells(self) -> int:
        """Return rows × columns of the used range."""
        return self.rows * self.columns


@dataclass
class WorkbookFacts:
    """What the pre-check found in a file that passed."""

    path: Path
    size: int
    sheets: list[SheetFacts] = field(default_factory=list)


def check_workbook(path: Path | str) -> WorkbookFacts:
    """Check a workbook before any parser opens it; raise WorkbookRefused with the reason.

    Memory stays bounded (one megabyte of XML at a time) and a refused file is refused fast:
    the check stops at the first limit it passes.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise WorkbookRefused(f"不支持的文件类型“{path.suffix}”，请使用 .xlsx 或 .xls 文件")
    if not path.exists():
        raise WorkbookRefused(f"找不到文件：{path}")
    if not path.is_file():
        raise WorkbookRefused(f"“{path}”不是文件")
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            magic = f.read(8)
    except OSError as exc:
        raise WorkbookRefused(f"无法打开文件 {path.name}：{_os_reason(exc)}") from exc
    if size == 0:
        raise WorkbookRefused(f"文件 {path.name} 是空的（0 字节）")
    if size > MAX_FILE_BYTES:
        raise WorkbookRefused(
            f"文件 {path.name} 有 {_size(size)}，超过导入上限 {_size(MAX_FILE_BYTES)}；"
            "请按乡镇或村拆分后分别导入"
        )
    facts = WorkbookFacts(path, size)
    if magic.startswith(_CFB_MAGIC):
        _check_cfb(path, suffix, facts)
    elif magic.startswith(_ZIP_MAGIC):
        if suffix == ".xls":
            raise WorkbookRefused(
                f"文件 {path.name} 的扩展名是 .xls，但内容是新版Excel（.xlsx）格式；"
                "请把扩展名改为 .xlsx 后再导入"
            )
        _check_zip(path, facts)
    else:
        raise WorkbookRefused(f"无法读取文件 {path.name}：它不是Excel文件，或者已经损坏")
    return facts


# ---------------------------------------------------------------------------------------------
# .xlsx, .xlsm, .ods


def _check_zip(path: Path, facts: WorkbookFacts) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookRefused(
            f"文件 {path.name} 已损坏，无法作为Excel文件打开（压缩包不完整）"
        ) from exc
    with archive, path.open("rb") as raw:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise WorkbookRefused(
                f"文件 {path.name} 内含 {len(members):,} 个部件，远超正常的Excel文件，已拒绝"
            )
        if any(m.flag_bits & 0x1 for m in members):
            raise WorkbookRefused(f"文件 {path.name} 设有密码，请先在Excel中取消密码再导入")
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names and ODS_CONTENT not in names:
            raise WorkbookRefused(f"文件 {path.name} 不是Excel工作簿（缺少工作簿部件），可能已损坏")
        names_of = _sheet_names(archive, names)
        for m in members:
            if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(1, m.compress_size):
                raise WorkbookRefused(
                    f"文件 {path.name} 的{_Budget(path.name, names_of).part(m)}压缩了 "
                    f"{m.file_size / max(1, m.compress_size):,.0f} 倍（{_size(m.compress_size)}"
                    f"解压后为 {_size(m.file_size)}），正常的Excel文件不会这样，"
                    "可能是恶意构造的文件，已拒绝"
                )
        sheets = [m for m in members if _is_sheet(m.filename)]
        shared = next((m for m in members if m.filename == "xl/sharedStrings.xml"), None)
        declared = sum(m.file_size for m in sheets) + (shared.file_size if shared else 0)
        if declared > MAX_UNZIPPED_BYTES:
            raise WorkbookRefused(
                f"文件 {path.name} 的工作表解压后共 {_size(declared)}，超过导入上限 "
                f"{_size(MAX_UNZIPPED_BYTES)}；请按乡镇或村拆分后分别导入"
            )
        budget = _Budget(path.name, names_of)
        big_strings: dict[int, int] = {}
        if shared is not None:
            big_strings = _scan_shared_strings(raw, shared, budget)
        text_bytes = 0
        for m in sheets:
            if m.filename == ODS_CONTENT:
                facts.sheets.extend(_scan_ods_content(raw, m, budget))
                continue
            sheet, shared_text = _scan_sheet(raw, m, budget, big_strings, names_of)
            facts.sheets.append(sheet)
            text_bytes += shared_text
            if text_bytes > MAX_TEXT_BYTES:
                raise WorkbookRefused(
                    f"文件 {path.name} 的单元格反复引用超长文字，读入后将超过 "
                    f"{_size(text_bytes)}，正常的Excel文件不会这样，可能是恶意构造的文件，已拒绝"
                )


_SHEET_ENTRY = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_SHEET_ENTRY_ID_FIRST = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_RELATIONSHIP = re.compile(r'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_RELATIONSHIP_TARGET_FIRST = re.compile(
    r'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"'
)


def _sheet_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Return part path → the sheet name a user sees (花名册), from workbook.xml and its rels.

    Read with regular expressions, not an XML parser, so that an entity bomb in these small
    parts is no danger; a part that cannot be named is called by its place in the file.
    """
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    small = 4 * 1024 * 1024
    infos = {m.filename: m for m in archive.infolist()}
    if (
        infos["xl/workbook.xml"].file_size > small
        or infos["xl/_rels/workbook.xml.rels"].file_size > small
    ):
        return {}
    try:
        book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error):
        return {}
    targets = dict(_RELATIONSHIP.findall(rels))
    targets.update((rid, target) for target, rid in _RELATIONSHIP_TARGET_FIRST.findall(rels))
    sheets = dict((rid, name) for name, rid in _SHEET_ENTRY.findall(book))
    sheets.update(_SHEET_ENTRY_ID_FIRST.findall(book))
    result = {}
    for rid, name in sheets.items():
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        result[part] = html.unescape(name)
    return result


def _is_sheet(name: str) -> bool:
    return (
        name.startswith(("xl/worksheets/", "xl/dialogsheets/", "xl/macrosheets/"))
        and name.endswith(".xml")
        and "/_rels/" not in name
    ) or name == ODS_CONTENT


class _Budget:
    """Unzipped bytes actually read across the whole file, against MAX_UNZIPPED_BYTES."""

    def __init__(self, file_name: str, names_of: dict[str, str]) -> None:
        self.file_name = file_name
        self.names_of = names_of
        self.used = 0

    def part(self, member: zipfile.ZipInfo) -> str:
        """Return how a message names a part: 工作表“花名册”, or 其中一个部件."""
        name = self.names_of.get(member.filename)
        if name:
            return f"工作表“{name}”"
        if member.filename == "xl/sharedStrings.xml":
            return "共享文字表"
        if member.filename == ODS_CONTENT:
            return "表格内容"
        return "其中一个部件"

    def take(self, member: zipfile.ZipInfo, read: int, chunk: int) -> None:
        self.used += chunk
        if read > member.file_size:
            raise WorkbookRefused(
                f"文件 {self.file_name} 的{self.part(member)}实际解压后比它声明的 "
                f"{_size(member.file_size)} 更大（已读到 {_size(read)}），"
                "文件已损坏或是恶意构造的，已拒绝"
            )
        if self.used > MAX_UNZIPPED_BYTES:
            raise WorkbookRefused(
                f"文件 {self.file_name} 解压后超过 {_size(MAX_UNZIPPED_BYTES)}，超过导入上限；"
                "请按乡镇或村拆分后分别导入"
            )


def _inflate(raw, member: zipfile.ZipInfo, budget: _Budget):
    """Yield the member's unzipped bytes a chunk at a time, counting what is really there."""
    raw.seek(member.header_offset)
    header = raw.read(30)
    if len(header) < 30 or not header.startswith(_ZIP_MAGIC):
        raise WorkbookRefused(f"文件 {budget.file_name} 已损坏（{budget.part(member)}不完整）")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    raw.seek(member.header_offset + 30 + name_len + extra_len)
    left = member.compress_size
    if member.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
    else:
        raise WorkbookRefused(
            f"文件 {budget.file_name} 使用了Excel不使用的压缩方式，请在Excel中另存为 .xlsx 后再导入"
        )
    read = 0
    while True:
        if inflater is not None and inflater.unconsumed_tail:
            data = inflater.unconsumed_tail
        elif left > 0:
            data = raw.read(min(_CHUNK, left))
            if not data:
                break
            left -= len(data)
        elif inflater is not None and not inflater.eof:
            # All input is in, but the last call stopped at its limit with output held back:
            # the sheet's last bytes (a far cell hides there as well as anywhere).
            data = b""
        else:
            break
        try:
            chunk = data if inflater is None else inflater.decompress(data, _CHUNK * 4)
        except zlib.error as exc:
            raise WorkbookRefused(
                f"文件 {budget.file_name} 已损坏（{budget.part(member)}无法解压）"
            ) from exc
        if not data and not chunk:
            break  # a stream cut short: nothing more comes
        read += len(chunk)
        budget.take(member, read, len(chunk))
        if chunk:
            yield chunk


def _scan_shared_strings(raw, member: zipfile.ZipInfo, budget: _Budget) -> dict[int, int]:
    """Return index → bytes of the shared strings longer than BIG_STRING; refuse huge ones."""
    big: dict[int, int] = {}
    index = -1  # of the string the carried part belongs to
    carry = b""
    for chunk in _inflate(raw, member, budget):
        parts = (carry + chunk).split(b"<si>")
        carry = parts.pop()
        for part in parts:
            _note_string(big, index, len(part), budget.file_name)
            index += 1
        if len(carry) > MAX_CELL_TEXT_BYTES:
            _note_string(big, index, len(carry), budget.file_name)
    _note_string(big, index, len(carry), budget.file_name)
    return big


def _note_string(big: dict[int, int], index: int, length: int, file_name: str) -> None:
    if index < 0 or length <= BIG_STRING:
        return
    if length > MAX_CELL_TEXT_BYTES:
        raise WorkbookRefused(
            f"文件 {file_name} 中有单元格的文字长达 {_size(length)}，超过Excel允许的 32767 个字符，"
            "可能是恶意构造的文件，已拒绝"
        )
    big[index] = length


def _scan_sheet(raw, member, budget: _Budget, big_strings: dict[int, int], names_of):
    """Return the sheet's facts and the bytes of big shared strings its cells copy."""
    facts = SheetFacts(names_of.get(member.filename, ""))
    where = budget.part(member)
    dimension: tuple[int, int] | None = None
    last_row = last_cell_row = max_column = 0
    shared_text = 0
    tail = b""
    read = 0
    for chunk in _inflate(raw, member, budget):
        read += len(chunk)
        buf = tail + chunk
        if dimension is None and read <= 4 * _CHUNK:
            found = _DIMENSION.search(buf)
            if found:
                dimension = _range_size(found)
                _refuse_range(budget.file_name, where, *dimension, "声明的使用范围为")
        at = buf.rfind(b"<row")
        while at >= 0:
            ref = _ROW_REF.match(buf, at + 4)
            if ref:
                last_row = max(last_row, int(ref.group(1)))
                break
            at = buf.rfind(b"<row", 0, at)
        at = buf.rfind(b"<c ")
        if at >= 0:
            ref = _REF.match(buf, at + 2)
            if ref:
                last_cell_row = max(last_cell_row, int(ref.group(2)))
                max_column = max(max_column, _column_number(ref.group(1)))
        # Cells beyond the last references: wide columns, rows of more digits than the last row
        # so far (a valid sheet lists its rows in order), or a reference that is not the first
        # attribute. Valid sheets have none, so one quick search per chunk rules them out; a
        # cell cut by the chunk's end (a match in the carried tail) is looked at in the next.
        digits = len(str(max(last_row, last_cell_row, 1)))
        found = _anomaly(digits, max_column).search(buf)
        if found and found.start() < len(buf) - _TAIL:
            max_column, last_cell_row = _far_cells(buf, max_column, last_cell_row)
        rows = max(last_row, last_cell_row)
        done = read >= member.file_size
        what = "实际使用范围为" if done else "实际使用范围至少为"
        _refuse_range(budget.file_name, where, rows, max(max_column, 1), what, member.file_size)
        # `b"f" in` is one memchr: sheets without formulas rarely hold an "f" at all.
        if len(facts.uncached_formulas) < MAX_UNCACHED and b"f" in buf and b"<f" in buf:
            for letters, row in _UNCACHED.findall(buf):
                cell = (int(row), _column_number(letters))
                if cell not in facts.uncached_formulas:
                    facts.uncached_formulas.append(cell)
        if big_strings:
            for index in _SHARED_REF.findall(buf):
                shared_text += big_strings.get(int(index), 0)
            if shared_text > MAX_TEXT_BYTES:
                break
        tail = buf[-_TAIL:]
    digits = len(str(max(last_row, last_cell_row, 1)))
    if tail and _anomaly(digits, max_column).search(tail):  # the sheet's last bytes
        max_column, last_cell_row = _far_cells(tail, max_column, last_cell_row)
        rows = max(last_row, last_cell_row)
        _refuse_range(budget.file_name, where, rows, max(max_column, 1), "实际使用范围为", read)
    facts.rows = max(last_row, last_cell_row)
    facts.columns = max_column
    facts.xml_bytes = read
    return facts, shared_text


# .ods: every sheet is a <table:table> of content.xml. A row or a cell may stand for many
# (table:number-rows-repeated, table:number-columns-repeated), so a 1 KB file can describe a
# million rows. calamine ignores empty rows and cells after the last value (LibreOffice writes
# such a run to the sheet's end whenever a column is styled), but allocates every row and column
# up to the last cell that holds something: that is the used range checked here.

ODS_CONTENT = "content.xml"
_ODS_TAG = re.compile(
    rb"<table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
    rb"|</table:(table-row)>"
)
_ODS_NAME = re.compile(rb'\btable:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'\btable:number-rows-repeated="(\d+)"')
_ODS_COLUMNS = re.compile(rb'\btable:number-columns-repeated="(\d+)"')


def _scan_ods_content(raw, member: zipfile.ZipInfo, budget: _Budget) -> list[SheetFacts]:
    """Return the facts of every sheet in an .ods's content.xml; refuse a used range too big."""
    found: list[SheetFacts] = []
    sheet: SheetFacts | None = None
    row = repeat = column = last_column = 0  # rows before this one, its repeat, its columns
    tail = b""
    read = 0
    for chunk in _inflate(raw, member, budget):
        read += len(chunk)
        buf = tail + chunk
        cut = buf.rfind(b"<")
        if cut >= 0 and buf.find(b">", cut) < 0:  # a tag cut by the chunk: finish it next time
            buf, tail = buf[:cut], buf[cut:]
        else:
            tail = b""
        for tag, attrs, empty, closing in _ODS_TAG.findall(buf):
            if closing:  # </table:table-row>
                if last_column and sheet is not None:
                    sheet.rows = row + repeat
                    sheet.columns = max(sheet.columns, last_column)
                row += repeat
                repeat = 0
            elif tag == b"table-cell" or tag == b"covered-table-cell":
                counted = _ODS_COLUMNS.search(attrs)
                column += int(counted.group(1)) if counted else 1
                if not empty or b"office:value-type" in attrs:
                    last_column = column
                    if sheet is not None and column > MAX_COLUMNS:
                        sheet.columns = max(sheet.columns, column)
                        sheet.rows = max(sheet.rows, row + 1)
            elif tag == b"table-row":
                counted = _ODS_ROWS.search(attrs)
                repeat = int(counted.group(1)) if counted else 1
                column = last_column = 0
                if empty:  # <table:table-row/>: rows with no cells at all
                    row += repeat
                    repeat = 0
            elif not empty:  # <table:table …>: the next sheet
                named = _ODS_NAME.search(attrs)
                name = html.unescape(named.group(1).decode("utf-8", "replace")) if named else ""
                sheet = SheetFacts(name or f"工作表{len(found) + 1}")
                found.append(sheet)
                row = repeat = column = last_column = 0
        if sheet is not None:
            what = "实际使用范围为" if read >= member.file_size else "实际使用范围至少为"
            for each in found:
                _refuse_range(
                    budget.file_name,
                    f"工作表“{each.name}”",
                    each.rows,
                    max(each.columns, 1),
                    what,
                    member.file_size,
                )
    for each in found:
        each.xml_bytes = read
    return found


def _far_cells(buf: bytes, max_column: int, last_row: int) -> tuple[int, int]:
    """Return the widest column and the last row over every cell reference in `buf`."""
    refs = _ANY_REF.findall(buf)
    if not refs:
        return max_column, last_row
    max_column = max(max_column, *map(_column_number, {letters for letters, _row in refs}))
    return max_column, max(last_row, *(int(row) for _letters, row in refs))


def _range_size(found: re.Match) -> tuple[int, int]:
    first_col, first_row, last_col, last_row = found.groups()
    if last_col is None:
        return int(first_row), _column_number(first_col)
    return int(last_row), _column_number(last_col)


def _refuse_range(
    file_name: str, where: str, rows: int, columns: int, what: str, unzipped: int = 0
) -> None:
    cells = rows * columns
    if columns <= MAX_COLUMNS and cells <= MAX_CELLS:
        return
    end = f"{_column_letters(columns)}{rows}"
    raise WorkbookRefused(
        f"文件 {file_name} 的{where}{what} A1:{end}（{rows:,} 行 × {columns:,} 列，"
        f"共 {cells:,} 个单元格{f'，解压后 {_size(unzipped)}' if unzipped else ''}），"
        f"超过导入上限 {MAX_CELLS:,} 个单元格（最多 {MAX_COLUMNS} 列）；"
        "常见原因是表格下方或右侧有大量带格式的空行、空列或远处的单元格：请在Excel中删除多余的行和列、"
        "保存后再导入"
    )


# ---------------------------------------------------------------------------------------------
# .xls (BIFF8 inside a compound file)

_BIFF_DIMENSIONS = b"\x00\x02\x0e\x00"
_BIFF_FILEPASS = b"\x2f\x00"


def _check_cfb(path: Path, suffix: str, facts: WorkbookFacts) -> None:
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        _check_biff(path, suffix, facts, data)


def _check_biff(path: Path, suffix: str, facts: WorkbookFacts, data) -> None:
    if data.find("EncryptionInfo".encode("utf-16-le")) >= 0:
        raise WorkbookRefused(f"文件 {path.name} 设有密码，请先在Excel中取消密码再导入")
    if suffix != ".xls":
        raise WorkbookRefused(
            f"文件 {path.name} 的扩展名是 {suffix}，但内容是旧版Excel（.xls）格式；"
            "请把扩展名改为 .xls，或在Excel中另存为 .xlsx 后再导入"
        )
    if data.find("Workbook".encode("utf-16-le")) < 0 and data.find("Book".encode("utf-16-le")) < 0:
        raise WorkbookRefused(f"文件 {path.name} 不是Excel工作簿（缺少工作簿数据），可能已损坏")
    # BOF (0x0809) is followed within a few records by FILEPASS when the workbook is encrypted.
    at = data.find(b"\x09\x08\x10\x00")
    if at >= 0:
        head = data[at : at + 400]
        offset = 20
        while offset + 4 <= len(head):
            kind, length = struct.unpack_from("<HH", head, offset)
            if kind == 0x002F:
                raise WorkbookRefused(f"文件 {path.name} 设有密码，请先在Excel中取消密码再导入")
            if kind in (0x0085, 0x0042, 0x00E1, 0x00C1, 0x0809) or length > 300:
                break
            offset += 4 + length
    at = data.find(_BIFF_DIMENSIONS)
    number = 0
    while at >= 0:
        first_row, last_row, first_col, last_col, reserved = struct.unpack_from(
            "<IIHHH", data, at + 4
        )
        if reserved == 0 and first_row <= last_row <= 65536 and first_col <= last_col <= 256:
            number += 1
            facts.sheets.append(SheetFacts(f"工作表{number}", last_row, last_col))
            _refuse_range(
                path.name, f"第{number}个工作表", last_row, max(last_col, 1), "使用范围为"
            )
        at = data.find(_BIFF_DIMENSIONS, at + 4)


# ---------------------------------------------------------------------------------------------
# Helpers


@lru_cache(maxsize=4096)
def _column_number(letters: bytes | str) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def _size(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "没有读取权限（文件可能正被其他程序独占打开）"
    return "文件无法读取"
