"""The standard household roster (花名册) template: one row per member, household columns repeated.

The column list is the one of issue 2; each column says which field of HouseholdData or
MemberData it fills and which code list a value must belong to. Import, export and the empty
template written for the villages all read this one list.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import column_letter
from desktop.services.registry import codes

HOUSEHOLD = "household"
MEMBER = "member"

# Kinds of cell: how the importer normalises and checks a value.
TEXT = "text"  # free text, trimmed
NAME = "name"  # a person's name: every space removed (two-character names are padded)
CODE_TEXT = "code_text"  # 户编号, 组: numbers stored as numbers become plain digits
ID_NUMBER = "id_number"
CODED = "coded"  # must be one value of `choices`
YES_NO = "yes_no"
YEAR = "year"  # 脱贫年度: a year of `choices`, blank or 未脱贫 for none
PHONE = "phone"
MONEY = "money"


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the roster template."""

    header: str
    field: str  # attribute of HouseholdData or MemberData ("kind" fills two of them)
    level: str  # HOUSEHOLD or MEMBER
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False
    width: float = 10.0
    aliases: tuple[str, ...] = ()


EXIT_YEAR_CHOICES = (*(str(y) for y in codes.EXIT_YEARS), codes.NOT_EXITED)

COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn(
        "县", "county_name", HOUSEHOLD, TEXT, width=10, aliases=("县（市、区）", "县区")
    ),
    TemplateColumn(
        "乡镇",
        "township_name",
        HOUSEHOLD,
        TEXT,
        width=10,
        aliases=("镇", "乡", "乡（镇）", "镇（乡、街道）"),
    ),
    TemplateColumn(
        "村",
        "village_name",
        HOUSEHOLD,
        TEXT,
        required=True,
        width=10,
        aliases=("行政村", "村（社区）"),
    ),
    TemplateColumn(
        "组", "group_name", HOUSEHOLD, CODE_TEXT, width=8, aliases=("村民小组", "自然村")
    ),
    TemplateColumn(
        "户编号", "code", HOUSEHOLD, CODE_TEXT, required=True, width=18, aliases=("户码",)
    ),
    TemplateColumn("户主姓名", "head_name", HOUSEHOLD, NAME, width=10, aliases=("户主",)),
    TemplateColumn("姓名", "name", MEMBER, NAME, required=True, width=10, aliases=("成员姓名",)),
    TemplateColumn("性别", "sex", MEMBER, CODED, codes.SEXES, width=6),
    TemplateColumn(
        "证件号码",
        "id_number",
        MEMBER,
        ID_NUMBER,
        required=True,
        width=21,
        aliases=("身份证号码", "身份证号", "公民身份号码", "证件号"),
    ),
    TemplateColumn(
        "与户主关系", "relation", MEMBER, CODED, codes.RELATIONS, required=True, width=11
    ),
    TemplateColumn("民族", "ethnicity", MEMBER, CODED, codes.ETHNICITIES, width=9),
    TemplateColumn("文化程度", "education", MEMBER, CODED, codes.EDUCATIONS, width=12),
    TemplateColumn("在校情况", "schooling", MEMBER, CODED, codes.SCHOOLINGS, width=11),
    TemplateColumn("健康状况", "health", MEMBER, CODED, codes.HEALTHS, width=11),
    TemplateColumn("劳动能力", "labour_ability", MEMBER, CODED, codes.LABOUR_ABILITIES, width=16),
    TemplateColumn("务工情况", "work_status", MEMBER, CODED, codes.WORK_STATUSES, width=16),
    TemplateColumn(
        "贫困户属性", "kind", HOUSEHOLD, CODED, codes.HOUSEHOLD_KINDS, width=14, aliases=("户属性",)
    ),
    TemplateColumn("是否建档立卡", "is_registered", HOUSEHOLD, YES_NO, codes.YES_NO, width=12),
    TemplateColumn("脱贫年度", "exit_year", HOUSEHOLD, YEAR, EXIT_YEAR_CHOICES, width=10),
    TemplateColumn("联系电话", "phone", HOUSEHOLD, PHONE, width=14, aliases=("电话",)),
    TemplateColumn(
        "人均纯收入", "income_per_capita", HOUSEHOLD, MONEY, width=12, aliases=("人均纯收入（元）",)
    ),
)

HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
BY_HEADER: dict[str, TemplateColumn] = {c.header: c for c in COLUMNS}
SHEET_TITLE = "花名册"
CODES_SHEET_TITLE = "代码表"
# Inline validation lists must stay under Excel's 255-character formula limit.
_INLINE_LIMIT = 200


def header_key(text: object) -> str:
    """Normalise a header cell for matching: NFKC, no spaces, no line breaks."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        _KEYS[header_key(_name)] = _column.header


def template_header_for(text: object) -> str | None:
    """Return the template header a source header stands for, or None."""
    return _KEYS.get(header_key(text))


def setup_sheet(ws, codes_ws, last_row: int = 100000) -> None:
    """Give a roster sheet its widths, text formats, frozen header and validation lists.

    Works on normal and write-only openpyxl worksheets (call before appending rows); long code
    lists go to the hidden `codes_ws`, because inline lists are limited to 255 characters.
    """
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.freeze_panes = "A2"
    codes_ws.sheet_state = "hidden"
    codes_col = 0
    long_lists: list[tuple[str, tuple[str, ...]]] = []
    for index, column in enumerate(COLUMNS):
        letter = column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if column.kind in (ID_NUMBER, CODE_TEXT, PHONE):
            # Text format keeps 18-digit IDs, leading zeros and phone numbers as typed.
            ws.column_dimensions[letter].number_format = "@"
        if not column.choices:
            continue
        inline = ",".join(column.choices)
        if len(inline) <= _INLINE_LIMIT:
            formula = f'"{inline}"'
        else:
            codes_col += 1
            code_letter = column_letter(codes_col - 1)
            long_lists.append((column.header, column.choices))
            end = len(column.choices) + 1
            formula = f"'{CODES_SHEET_TITLE}'!${code_letter}$2:${code_letter}${end}"
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="输入有误",
            error=f"{column.header}只能从下拉列表中选择",
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        ws.data_validations.append(validation)
    # Rows are appended so that this works on write-only sheets too.
    codes_ws.append([header for header, _ in long_lists])
    for r in range(max((len(c) for _, c in long_lists), default=0)):
        codes_ws.append([c[r] if r < len(c) else None for _, c in long_lists])


def write_template(path: Path | str) -> Path:
    """Write an empty roster template: headers, validation lists, text-formatted ID column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append(list(HEADERS))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    setup_sheet(ws, wb.create_sheet(CODES_SHEET_TITLE))
    wb.save(path)
    return path
