"""Resident ID numbers (居民身份证号码): validation with python-stdnum, sex and birth date."""

from __future__ import annotations

import datetime
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from stdnum.cn import ric
from stdnum.exceptions import ValidationError


class IdCheck(NamedTuple):
    """What an ID number says, and what is wrong with it (messages in Chinese).

    A NamedTuple: a roster import checks 350,000 of them, and a frozen dataclass takes
    several times longer to build.
    """

    number: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    sex: str = ""
    birth_date: datetime.date | None = None

    @property
    def ok(self) -> bool:
        """True when the number has no blocking error."""
        return not self.errors


_START_YEAR = datetime.date.today().year


def _in_future(day: datetime.date) -> bool:
    # Asking the clock for every one of 350,000 IDs costs 0.4 s; only recent years need it.
    return day.year >= _START_YEAR and day > datetime.date.today()


def normalize_id(text: str) -> str:
    """Normalise what can be normalised safely: NFKC, spaces, a lower-case x."""
    text = text or ""
    if text.isascii() and text.isalnum():  # the common, clean case: skip NFKC and splitting
        return text.upper()
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper()


@lru_cache(maxsize=65536)
def _region_valid_in(prefix: str, year: int) -> bool:
    probe = f"{prefix}{year:04d}0101000"
    try:
        ric.get_birth_place(probe + "0")
    except ValidationError:
        return False
    except Exception:  # a table lookup should never stop an import
        return False
    return True


@lru_cache(maxsize=65536)
def _region_known(prefix: str, year: int) -> bool:
    """True when the region code was in use in the birth year or any year since.

    An ID keeps the code of where it was first issued, which may be years after the birth:
    桃江县 has been 430922 since 1994, and the adults born before then who got their number
    afterwards carry 430922 too. python-stdnum's table dates each code; the number is only
    questioned when the code was never in use from the birth year to today. A warning either
    way: the table may be older than the ID.
    """
    today = datetime.date.today().year
    years = (year, *range(max(year, 1980), today, 5), today)
    return any(_region_valid_in(prefix, y) for y in years)


def check_id(text: str) -> IdCheck:
    """Validate an ID number: length, digits, birth date, check digit; region only warns."""
    return check_normalized_id(normalize_id(text))


def check_normalized_id(number: str) -> IdCheck:
    """check_id for a number already passed through normalize_id (the roster import)."""
    if not number:
        return IdCheck(number, errors=("证件号码为空",))
    if len(number) == 15:
        if not number.isdigit():
            return IdCheck(number, errors=("15位旧身份证号码只能由数字组成",))
        try:
            birth = datetime.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
        except ValueError:
            return IdCheck(number, errors=("出生日期不存在",))
        sex = "男" if int(number[14]) % 2 else "女"
        return IdCheck(
            number, warnings=("15位旧身份证号码，请核对后换为18位",), sex=sex, birth_date=birth
        )
    if len(number) != 18:
        return IdCheck(number, errors=(f"证件号码应为18位，现为{len(number)}位",))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return IdCheck(number, errors=("证件号码只能是17位数字加一位数字或X",))
    try:  # parsed directly: stdnum's get_birth_date cleans the number again, which costs more
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return IdCheck(number, errors=("出生日期不存在",))
    if birth.year < 1890 or _in_future(birth):
        return IdCheck(number, errors=("出生日期不合理",))
    if number[-1] != ric.calc_check_digit(number):
        return IdCheck(number, errors=("校验码错误（最后一位不对）",), birth_date=birth)
    sex = "男" if int(number[16]) % 2 else "女"
    warnings: tuple[str, ...] = ()
    if not _region_known(number[:6], birth.year):
        warnings = (f"地区码 {number[:6]} 不在代码表中，请核对",)
    return IdCheck(number, warnings=warnings, sex=sex, birth_date=birth)


def valid_id_sex(number: str) -> str:
    """Return 男 or 女 for a valid normalised ID number, "" for an invalid one."""
    check = check_normalized_id(number)
    return check.sex if check.ok else ""


def make_id(prefix: str, birth: datetime.date, seq: int) -> str:
    """Build a valid 18-digit ID from a region prefix, a birth date and a 3-digit sequence."""
    body = f"{prefix}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def age_on(birth: datetime.date | None, day: datetime.date) -> int | None:
    """Return the age in whole years on a day."""
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def mask_id(number: str) -> str:
    """Mask an ID for tables and exports: keep the first six and the last four."""
    if len(number) <= 10:
        return number
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
