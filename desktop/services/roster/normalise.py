"""Normalising one roster cell: text, names, codes, years, phones, money and ID numbers.

Each normaliser returns (value, reason); reason is None when the value is usable, else the
Chinese sentence a row error carries.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from typing import NamedTuple

from desktop.services.registry import codes
from desktop.services.registry.idcard import check_normalized_id, mask_id, normalize_id
from desktop.services.roster.sheet import display_text
from desktop.services.roster.template import (
    CODE_TEXT,
    CODED,
    COLUMNS,
    MONEY,
    NAME,
    PHONE,
    TEXT,
    YEAR,
    YES_NO,
)
from desktop.services.workbooks.cells import (
    formula_start,
    hidden_character,
    phone_problem,
    too_long,
    visible,
)

# Excel shows a long number as 4.30922E+17 once it is stored as a number; typed back as text it
# keeps that shape. Either way the last digits are gone.
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?E\+?[0-9]+$")
_FLOAT_EXACT_LIMIT = 2**53

MSG_ID_AS_NUMBER = (
    "证件号码被Excel存成了数字，后几位已经丢失，无法还原；请把该列设为“文本”格式后重新录入"
)
MSG_MASKED_ID = "证件号码是打码的（含*），不能用来导入"
# Longest text each column may hold, in characters; far above any real value, far below the
# 100,000-character name or the 32,000-character 乡镇 that made a second township.
MAX_LENGTHS = {"县": 30, "乡镇": 30, "村": 30, "组": 30, "户编号": 40, "户主姓名": 40, "姓名": 40}
MAX_INCOME = 1_000_000  # 元 per head and year
SHOWN_LENGTH = 60  # characters of a cell a message repeats


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


def normalise_name(value: object, column) -> tuple[str, str | None]:
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


NORMALISERS = {
    TEXT: _norm_text,
    NAME: normalise_name,
    CODE_TEXT: _norm_code_text,
    CODED: _norm_coded,
    YES_NO: _norm_yes_no,
    YEAR: _norm_year,
    PHONE: _norm_phone,
    MONEY: _norm_money,
}


class IdResult(NamedTuple):  # a tuple: built once per member row
    number: str
    error: str | None
    warnings: tuple[str, ...]
    sex: str
    birth_date: datetime.date | None
    masked: bool = False


def check_id_cell(value: object) -> IdResult:
    if type(value) is str:  # the common case (a text cell) first
        text = normalize_id(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return IdResult(display_text(value), MSG_ID_AS_NUMBER, (), "", None)
    else:
        text = normalize_id(display_text(value))
    if not text:
        return IdResult("", "证件号码为空", (), "", None)
    if "*" in text:
        return IdResult(text, MSG_MASKED_ID, (), "", None, masked=True)
    if "E" in text and _SCIENTIFIC.match(text):
        return IdResult(text, MSG_ID_AS_NUMBER, (), "", None)
    check = check_normalized_id(text)
    error = check.errors[0] if check.errors else None
    return IdResult(check.number, error, check.warnings, check.sex, check.birth_date)


def shown(header: str, value: object) -> str:
    """Return a cell value as a message shows it: hidden characters visible, IDs masked."""
    text = visible(display_text(value))
    if len(text) > SHOWN_LENGTH:  # a 100,000-character cell is named, not repeated
        text = f"{text[:SHOWN_LENGTH]}……（共 {len(text):,} 个字）"
    return mask_id(text) if header == "证件号码" else text
