"""Import of a 问题清单 that arrives as an Excel table: all or nothing, with an error report
(row, column, value, reason in Chinese) in the style of the roster import."""

from __future__ import annotations

import contextlib
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import BadFileError, FieldIssue, ImportResult, is_blank
from desktop.models.problem import CatalogueItem, Problem, Unit
from desktop.models.registry import Household, Village
from desktop.services.problems.data import ProblemData
from desktop.services.problems.ledger import NumberSequence
from desktop.services.problems.reference import person_in_unit
from desktop.services.problems.rules import (
    KIND_DEADLINE,
    KINDS,
    SCOPE_HOUSEHOLD,
    SCOPE_UNIT,
    SCOPE_VILLAGE,
    SOURCES,
    ProblemError,
)
from desktop.services.problems.service import ProblemService
from desktop.services.workbooks.cells import (
    formula_start,
    hidden_character,
    shortened,
    too_long,
    visible,
)
from desktop.services.workbooks.precheck import WorkbookRefused, check_workbook
from desktop.services.workbooks.sanitise import safe_row

HEADER_SCAN_ROWS = 10
ERROR_COLUMN_HEADER = "错误说明"
SUMMARY_SHEET_TITLE = "错误汇总"

# The columns a 问题清单 may have; 必填 ones must be present in the header.
COLUMNS = (
    "问题编号", "发现日期", "问题来源", "问题类别", "村", "户编号", "户主姓名", "对象单位",
    "问题描述", "原因分析", "整改措施", "整改类型", "责任单位", "责任人", "整改时限", "备注",
)  # fmt: skip
REQUIRED = ("发现日期", "问题来源", "问题描述", "整改类型")
# Other spellings seen on real lists, mapped to ours.
ALIASES = {
    "编号": "问题编号",
    "序号编号": "问题编号",
    "发现时间": "发现日期",
    "来源": "问题来源",
    "类别": "问题类别",
    "问题类型": "问题类别",
    "村（社区）": "村",
    "行政村": "村",
    "户主": "户主姓名",
    "问题表现": "问题描述",
    "存在问题": "问题描述",
    "原因": "原因分析",
    "整改方式": "整改类型",
    "整改期限": "整改时限",
    "完成时限": "整改时限",
}
# Longest text each column may hold, in characters.
MAX_LENGTHS = {
    "问题编号": 40, "问题来源": 20, "问题类别": 60, "村": 30, "户编号": 40, "户主姓名": 40,
    "对象单位": 60, "问题描述": 2000, "原因分析": 2000, "整改措施": 2000, "整改类型": 20,
    "责任单位": 60, "责任人": 40, "备注": 1000,
}  # fmt: skip
NAME_COLUMNS = ("户主姓名", "责任人")
FIRST_YEAR = 2000  # no 问题清单 of a 回头看 campaign is older
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ITEM_NUMBER = re.compile(r"^(\d{1,2})(?:[.．、\s]|$)")


class _Refused(Exception):
    """Raised inside the import's transaction so that nothing of it is kept."""


class ProblemImportError(BadFileError):
    """The file cannot be read at all; the message says why, in Chinese."""


@dataclass
class ProblemImportResult(ImportResult):
    """What a 问题清单 import found and did; nothing is written when `errors` is not empty."""

    new_people: int = 0
    header_row: int = 0
    raw: list[list] = field(default_factory=list)  # the rows as read, for the error report

    def summary_lines(self, limit: int = 20) -> list[str]:
        """Return the summary in Chinese, with the first `limit` errors."""
        lines = [f"文件：{self.source.name}，读取 {self.rows} 行。"]
        if self.ok:
            lines.append(f"已导入 {self.created} 个问题，新增责任人 {self.new_people} 名。")
            return lines
        more = f"，前 {limit} 处：" if self.error_count > limit else "："
        lines.append(f"发现错误 {self.error_count} 处，没有导入任何问题，数据库没有改动{more}")
        lines.extend(self.issue_lines(self.errors, limit))
        return lines


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value).strip()


def parse_date(value: object) -> datetime.date | None:
    """Read a date cell: an Excel date, 2020-05-01, 2020/5/1, 2020.5.1 or 2020年5月1日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel serial day
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    m = _DATE_TEXT.match(str(value).strip())
    if not m:
        raise ValueError("日期格式不对，应为 2020-05-01 这样的日期")
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError("不是有效的日期") from exc


def read_sheet(path: Path) -> list[list]:
    """Read the first sheet of an .xlsx/.xls file as rows of cell values."""
    try:
        check_workbook(path)
    except WorkbookRefused as exc:
        raise ProblemImportError(str(exc)) from exc
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine's own error classes, in English
        if "password" in str(exc).lower():
            raise ProblemImportError(
                f"文件 {path.name} 设有密码，请先在Excel中取消密码再导入"
            ) from exc
        raise ProblemImportError(f"无法读取文件 {path.name}：文件已损坏或不是Excel文件") from exc


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]]:
    best = (-1, {})
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = re.sub(r"\s+", "", _text(cell)).rstrip("*")
            name = ALIASES.get(name, name)
            if name in COLUMNS and name not in mapping:
                mapping[name] = col
        if len(mapping) > len(best[1]):
            best = (index, mapping)
    return best


class ProblemImporter:
    """Checks every row of a 问题清单 first and writes only when all rows pass."""

    def __init__(self, service: ProblemService) -> None:
        self.service = service

    def run(self, path: Path | str, user: str) -> ProblemImportResult:
        """Import a 问题清单 file; on any error write nothing and return the errors."""
        path = Path(path)
        result = ProblemImportResult(source=path)
        rows = read_sheet(path)  # a refused file changes nothing, reference data included
        self.service.ensure_reference_data()
        result.raw = rows
        header_index, mapping = _find_header(rows)
        missing = [name for name in REQUIRED if name not in mapping]
        if header_index < 0 or missing:
            result.errors.append(
                FieldIssue(
                    "",
                    f"找不到表头列：{'、'.join(missing or REQUIRED)}"
                    f"（前 {HEADER_SCAN_ROWS} 行内应有一行表头）",
                )
            )
            return result
        result.header_row = header_index + 1
        # On _Refused the transaction rolls back: people added while checking go with it.
        with contextlib.suppress(_Refused):
            self._check_and_write(rows, header_index, mapping, result, user)
        return result

    def _check_and_write(self, rows, header_index, mapping, result: ProblemImportResult, user: str):
        with self.service.db.unit_of_work() as s:
            lookups = _Lookups.load(s)
            planned: list[ProblemData] = []
            numbers: dict[str, int] = {}
            for index in range(header_index + 1, len(rows)):
                cells = rows[index]
                if all(map(is_blank, cells)):
                    continue
                result.rows += 1
                excel_row = index + 1
                row_errors: list[FieldIssue] = []
                data = self._row(cells, mapping, excel_row, lookups, row_errors)
                if data is not None and data.number:
                    if data.number in numbers:
                        row_errors.append(
                            self._issue(
                                excel_row,
                                mapping,
                                "问题编号",
                                data.number,
                                f"与第{numbers[data.number]}行的问题编号重复",
                            )
                        )
                    numbers[data.number] = excel_row
                if data is not None and not row_errors:
                    try:
                        self.service.validate(data, s)
                    except ProblemError as exc:
                        header = _FIELD_HEADERS.get(exc.field, "")
                        value = _text(cells[mapping[header]]) if header in mapping else ""
                        row_errors.append(self._issue(excel_row, mapping, header, value, str(exc)))
                if data is not None and data.number and not row_errors:
                    taken = s.scalar(select(Problem.id).where(Problem.number == data.number))
                    if taken:
                        row_errors.append(
                            self._issue(
                                excel_row, mapping, "问题编号", data.number, "该问题编号已存在"
                            )
                        )
                result.errors.extend(row_errors)
                if data is not None and not row_errors:
                    planned.append(data)
            if not result.errors and result.rows == 0:
                result.errors.append(FieldIssue("", "表头下面没有任何问题行"))
            if result.errors:
                raise _Refused
            numbers = NumberSequence(s, (d.number for d in planned))
            for data in planned:
                number = data.number or numbers.next(data.found_date.year)
                self.service._create(s, data, number, user)
                s.flush()
            result.created = len(planned)
            result.written = True
            result.new_people = lookups.new_people

    @staticmethod
    def _issue(row: int, mapping: dict[str, int], header: str, value: str, reason: str):
        # A message repeats a cell with its hidden characters shown and a long one cut.
        shown = shortened(visible(value))
        return FieldIssue.in_sheet(row, mapping.get(header, -1), header, shown, reason)

    def _row(
        self,
        cells: list,
        mapping: dict[str, int],
        excel_row: int,
        lookups: _Lookups,
        errors: list[FieldIssue],
    ) -> ProblemData | None:
        def get(header: str) -> object:
            col = mapping.get(header)
            return cells[col] if col is not None and col < len(cells) else None

        def text(header: str) -> str:
            return _text(get(header))

        def fail(header: str, reason: str) -> None:
            errors.append(self._issue(excel_row, mapping, header, text(header), reason))

        for header in mapping:
            value = get(header)
            if header in ("发现日期", "整改时限"):
                continue
            if isinstance(value, datetime.date | datetime.datetime):
                fail(header, f"{header}是日期格式的单元格，请把该列设为“文本”格式后重新输入")
                continue
            reason = hidden_character(value) if type(value) is str else None
            if reason is None:
                reason = too_long(text(header), MAX_LENGTHS.get(header, 2000), header)
            if reason is None and header in NAME_COLUMNS and text(header):
                reason = formula_start(text(header))
                reason = f"{header}{reason}" if reason else None
            if reason is not None:
                fail(header, reason if reason.startswith(header) else f"{header}{reason}")
        if errors:
            return None
        dates: dict[str, datetime.date | None] = {}
        latest = datetime.date.today().year + 10
        for header in ("发现日期", "整改时限"):
            try:
                dates[header] = parse_date(get(header))
            except ValueError as exc:
                fail(header, str(exc))
                dates[header] = None
                continue
            day = dates[header]
            if day is not None and not FIRST_YEAR <= day.year <= latest:
                fail(header, f"{header} {day:%Y-%m-%d} 不合常理，应在 {FIRST_YEAR}—{latest} 年之间")
                dates[header] = None
        found = dates["发现日期"]
        if found is not None and found > datetime.date.today():
            fail("发现日期", "发现日期不能晚于今天")
        if dates["发现日期"] is None and not text("发现日期"):
            fail("发现日期", "发现日期不能为空")
        source = text("问题来源")
        if source not in SOURCES:
            fail("问题来源", f"问题来源应为：{'、'.join(SOURCES)}")
        kind = text("整改类型")
        if kind not in KINDS:
            fail("整改类型", f"整改类型应为：{'、'.join(KINDS)}")
        if not text("问题描述"):
            fail("问题描述", "问题描述不能为空")
        item_id = None
        if text("问题类别"):
            item_id = lookups.item(text("问题类别"))
            if item_id is None:
                fail("问题类别", "在问题类别（34项）中找不到，请填编号（如 3）或名称")
        scope, household_id, village_id, scope_unit_id = SCOPE_VILLAGE, None, None, None
        village_name = text("村")
        if village_name:
            village_id = lookups.villages.get(village_name)
            if village_id is None:
                fail("村", "没有这个村")
        if text("户编号") or text("户主姓名"):
            scope = SCOPE_HOUSEHOLD
            household_id, reason = lookups.household(text("户编号"), text("户主姓名"), village_id)
            if household_id is None:
                fail("户编号" if text("户编号") else "户主姓名", reason)
        elif text("对象单位"):
            scope = SCOPE_UNIT
            scope_unit_id = lookups.units.get(text("对象单位"))
            if scope_unit_id is None:
                fail("对象单位", "没有这个单位，请先在责任单位中添加")
        elif not village_name:
            fail("问题描述", "请填写问题对象：户编号（或村和户主姓名）、村或对象单位")
        unit_id = person_id = None
        if text("责任单位"):
            unit_id = lookups.units.get(text("责任单位"))
            if unit_id is None:
                fail("责任单位", "没有这个责任单位，请先在责任单位中添加")
        if unit_id is not None and text("责任人"):
            person_id = lookups.person(unit_id, text("责任人"))
        elif text("责任人") and unit_id is None and not text("责任单位"):
            fail("责任人", "填写了责任人，但没有填写责任单位")
        if kind == KIND_DEADLINE and unit_id is not None and not text("责任人"):
            fail("责任人", "限时整改的问题必须填写责任人")
        if errors:
            return None
        return ProblemData(
            description=text("问题描述"),
            found_date=dates["发现日期"],
            source=source,
            item_id=item_id,
            scope=scope,
            household_id=household_id,
            village_id=village_id,
            scope_unit_id=scope_unit_id,
            cause=text("原因分析"),
            measures=text("整改措施"),
            unit_id=unit_id,
            person_id=person_id,
            kind=kind,
            deadline=dates["整改时限"],
            note=text("备注"),
            number=text("问题编号"),
        )


# Which column to blame when the service's rules refuse a row.
_FIELD_HEADERS = {
    "description": "问题描述",
    "found_date": "发现日期",
    "deadline": "整改时限",
    "source": "问题来源",
    "kind": "整改类型",
    "unit_id": "责任单位",
    "person_id": "责任人",
    "measures": "整改措施",
    "household_id": "户编号",
    "village_id": "村",
    "scope_unit_id": "对象单位",
    "item_id": "问题类别",
    "number": "问题编号",
}


@dataclass
class _Lookups:
    """Names → ids, loaded once per import so that a long list checks fast."""

    session: Session
    villages: dict[str, int]
    units: dict[str, int]
    items_by_number: dict[int, int]
    items_by_title: dict[str, int]
    new_people: int = 0

    @classmethod
    def load(cls, s: Session) -> _Lookups:
        """Read villages, units and catalogue items of the database."""
        return cls(
            s,
            {name: id_ for id_, name in s.execute(select(Village.id, Village.name))},
            {name: id_ for id_, name in s.execute(select(Unit.id, Unit.name))},
            {n: id_ for id_, n in s.execute(select(CatalogueItem.id, CatalogueItem.number))},
            {t: id_ for id_, t in s.execute(select(CatalogueItem.id, CatalogueItem.title))},
        )

    def item(self, text: str) -> int | None:
        """Find a catalogue item by “3”, “3. 保障住房安全” or “保障住房安全”."""
        m = _ITEM_NUMBER.match(text)
        if m and int(m.group(1)) in self.items_by_number:
            return self.items_by_number[int(m.group(1))]
        title = re.sub(r"^\d{1,2}[.．、\s]*", "", text).strip()
        return self.items_by_title.get(title)

    def household(
        self, code: str, head_name: str, village_id: int | None
    ) -> tuple[int | None, str]:
        """Find a household by its code, or by its head's name within a village."""
        s = self.session
        if code:
            row = s.execute(select(Household.id).where(Household.code == code)).first()
            return (row[0], "") if row else (None, "没有这个户编号")
        if village_id is None:
            return None, "只填户主姓名时还要填写村"
        ids = s.scalars(
            select(Household.id).where(
                Household.village_id == village_id, Household.head_name == head_name
            )
        ).all()
        if len(ids) == 1:
            return ids[0], ""
        if not ids:
            return None, "该村没有这个户主"
        return None, f"该村有 {len(ids)} 户户主同名，请填写户编号"

    def person(self, unit_id: int, name: str) -> int:
        """Find a unit's person by name, adding the person when new (rolled back on error)."""
        person_id, added = person_in_unit(self.session, unit_id, name)
        self.new_people += added
        return person_id


def write_error_report(result: ProblemImportResult, path: Path | str) -> Path:
    """Write the rows as read with a 错误说明 column, and a 错误汇总 sheet; return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单（标注错误）"
    by_row: dict[int, list[str]] = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(e.text())
    red = PatternFill("solid", fgColor="F8D7D3")
    width = max((len(r) for r in result.raw), default=0)
    for index, row in enumerate(result.raw, 1):
        values = [_text(c) for c in row] + [""] * (width - len(row))
        if index == result.header_row:
            values.append(ERROR_COLUMN_HEADER)
        else:
            values.append("；".join(by_row.get(index, [])))
        ws.append(safe_row(ws, values))
        if index in by_row:
            for cell in ws[ws.max_row]:
                cell.fill = red
    if result.header_row:
        ws.freeze_panes = ws.cell(row=result.header_row + 1, column=1)
        for cell in ws[result.header_row]:
            cell.font = Font(bold=True)
    summary = wb.create_sheet(SUMMARY_SHEET_TITLE)
    summary.append(["行号", "列", "字段", "内容", "错误原因"])
    for e in result.errors:
        summary.append(
            safe_row(summary, [e.row or "", e.column_letter, e.field, e.value, e.message])
        )
    for col, width_chars in zip("ABCDE", (8, 6, 12, 30, 60), strict=True):
        summary.column_dimensions[col].width = width_chars
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_template(path: Path | str) -> Path:
    """Write an empty 问题清单 with the standard header, for units to fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        if cell.value in REQUIRED:
            cell.value = f"{cell.value}*"
    ws.freeze_panes = "A2"
    wb.save(path)
    return path
