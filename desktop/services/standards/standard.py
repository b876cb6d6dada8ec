"""A standard as data: one JSON file per province and year under resources/standards/.

The loader checks every field it uses and refuses a bad file with a Chinese message that names
the file and the field, so that an administrator's edit cannot half-apply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from desktop.errors import AppError
from desktop.paths import data_dir, resources_dir

STANDARDS_DIR = "standards"
FORMAT = 1

KIND_INCOME = "income"  # the income measure against the threshold of the exit year
KIND_BOOL = "bool"  # true: 达标
KIND_COUNT = "count"  # people short (e.g. children out of school); 0: 达标
KIND_RATE = "rate"  # a percentage that must stay below a limit (贫困发生率)
KINDS = (KIND_INCOME, KIND_BOOL, KIND_COUNT, KIND_RATE)

SUBJECTS_EXITED = "exited"  # 已脱贫户 (seed 001: 回头看 of exited households)
SUBJECTS_REGISTERED = "registered"  # 建档立卡户 not yet exited (seed 000: 预脱贫户 八有)
SUBJECTS_ALL_REGISTERED = "all_registered"  # 已脱贫户 and 未脱贫户 alike (seed 003)
SUBJECTS = (SUBJECTS_EXITED, SUBJECTS_REGISTERED, SUBJECTS_ALL_REGISTERED)

COMPARE_GREATER = "greater"  # 超过: strictly above the line
COMPARE_AT_LEAST = "at_least"  # 达到: the line itself counts
COMPARES = (COMPARE_GREATER, COMPARE_AT_LEAST)

HOUSEHOLD_SIZE = "household_size"  # 家庭人口数: 以实际人数为准 (seed 001, note 2)


class StandardFileError(AppError):
    """A standard file was refused; the message names the file and the field, in Chinese."""

    def __init__(self, message: str, file: str = "", field: str = "") -> None:
        super().__init__(message)
        self.file = file
        self.field = field


@dataclass(frozen=True)
class Indicator:
    """One indicator of a set, with the definition its paper's notes give."""

    code: str
    kind: str
    label: str
    short: str
    definition: str
    responsibility: str | None  # the 责任分工 entry (indicator_department) that fixes it
    group: str = ""
    unit: str = ""
    count_label: str = ""
    below_percent: float | None = None  # KIND_RATE: met when the rate is below this


@dataclass(frozen=True)
class IncomeMeasure:
    """How income per head is computed and which provincial standard each exit year meets."""

    label: str
    unit: str
    formula_text: str
    add: tuple[str, ...]
    subtract: tuple[str, ...]
    divide_by: str
    inputs: dict[str, str]
    standards_by_year: dict[int, float | None]
    check_year_by_exit_year: dict[int, int]
    default_check_year: int | None
    compare: str
    rule_text: str
    price_basis: str = ""

    def check_year(self, exit_year: int | None) -> int | None:
        """The year whose provincial standard a household that exited in `exit_year` meets."""
        if exit_year is not None and exit_year in self.check_year_by_exit_year:
            return self.check_year_by_exit_year[exit_year]
        return self.default_check_year


@dataclass(frozen=True)
class IndicatorSet:
    """一超六有, 一低六有 or 八有: a name and its indicators in the paper's order."""

    name: str
    indicators: tuple[Indicator, ...]
    exit_standard_year: int | None = None

    def get(self, code: str) -> Indicator | None:
        """The indicator of this code, or None."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        return None


@dataclass(frozen=True)
class Standard:
    """One province's standard of one year."""

    code: str
    province: str
    year: int
    title: str
    subjects: str
    income: IncomeMeasure
    household_set: IndicatorSet
    village_set: IndicatorSet | None
    source: str  # the file it was read from


class _Reader:
    """Reads fields of one file, raising StandardFileError that names the file and field."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, field: str, what: str) -> None:
        raise StandardFileError(f"标准文件 {self.file} 的字段 {field} {what}", self.file, field)

    def get(self, obj: dict, key: str, path: str, types: tuple, *, optional: bool = False):
        field = f"{path}.{key}" if path else key
        if not isinstance(obj, dict):
            self.fail(path or "（根）", "应为一个对象（{…}）")
        if key not in obj:
            if optional:
                return None
            self.fail(field, "缺失")
        value = obj[key]
        if value is None and optional:
            return None
        if isinstance(value, bool) and bool not in types:
            self.fail(field, f"的值 {value!r} 类型不对")
        if not isinstance(value, types):
            self.fail(field, f"的值 {value!r} 类型不对")
        return value

    def text(self, obj: dict, key: str, path: str, *, optional: bool = False) -> str | None:
        value = self.get(obj, key, path, (str,), optional=optional)
        if value is not None and not value.strip() and not optional:
            self.fail(f"{path}.{key}" if path else key, "不能为空")
        return value

    def year(self, text: str, field: str) -> int:
        try:
            year = int(text)
        except (TypeError, ValueError):
            self.fail(field, f"中的年份“{text}”不是数字")
        if not 2000 <= year <= 2100:
            self.fail(field, f"中的年份 {year} 不在 2000–2100 之间")
        return year


def _income(r: _Reader, raw: dict) -> IncomeMeasure:
    path = "income"
    add = r.get(raw, "add", path, (list,))
    subtract = r.get(raw, "subtract", path, (list,))
    inputs = r.get(raw, "inputs", path, (dict,))
    if not add:
        r.fail("income.add", "至少要有一项收入")
    for i, name in enumerate([*add, *subtract]):
        if not isinstance(name, str) or name not in inputs:
            r.fail(f"income.add/subtract[{i}]", f"“{name}”未在 income.inputs 中说明")
    divide_by = r.text(raw, "divide_by", path)
    if divide_by != HOUSEHOLD_SIZE:
        r.fail("income.divide_by", f"目前只能是 {HOUSEHOLD_SIZE}（家庭人口数）")
    standards: dict[int, float | None] = {}
    for key, value in r.get(raw, "standards_by_year", path, (dict,)).items():
        field = f"income.standards_by_year.{key}"
        year = r.year(key, field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            r.fail(field, f"的值 {value!r} 应为金额（元）或 null（未设定）")
        if value is not None and value <= 0:
            r.fail(field, f"的值 {value} 应大于 0")
        standards[year] = None if value is None else float(value)
    if not standards:
        r.fail("income.standards_by_year", "至少要有一年的标准")
    check: dict[int, int] = {}
    for key, value in r.get(raw, "check_year_by_exit_year", path, (dict,)).items():
        field = f"income.check_year_by_exit_year.{key}"
        exit_year = r.year(key, field)
        if not isinstance(value, int) or isinstance(value, bool) or value not in standards:
            r.fail(field, f"的值 {value!r} 应为 standards_by_year 中的一个年份")
        check[exit_year] = value
    default = r.get(raw, "default_check_year", path, (int,), optional=True)
    if default is not None and default not in standards:
        r.fail("income.default_check_year", f"的值 {default} 应为 standards_by_year 中的一个年份")
    if not check and default is None:
        r.fail("income.check_year_by_exit_year", "与 default_check_year 不能都为空")
    compare = r.get(raw, "compare", path, (str,), optional=True) or COMPARE_GREATER
    if compare not in COMPARES:
        r.fail("income.compare", f"应为 {'、'.join(COMPARES)} 之一")
    return IncomeMeasure(
        label=r.text(raw, "label", path),
        unit=r.text(raw, "unit", path),
        formula_text=r.text(raw, "formula_text", path),
        add=tuple(add),
        subtract=tuple(subtract),
        divide_by=divide_by,
        inputs={str(k): str(v) for k, v in inputs.items()},
        standards_by_year=standards,
        check_year_by_exit_year=check,
        default_check_year=default,
        compare=compare,
        rule_text=r.text(raw, "rule_text", path),
        price_basis=r.text(raw, "price_basis", path, optional=True) or "",
    )


def _indicator_set(r: _Reader, raw: dict, path: str, allowed: tuple[str, ...]) -> IndicatorSet:
    items = r.get(raw, "indicators", path, (list,))
    if not items:
        r.fail(f"{path}.indicators", "不能为空")
    indicators: list[Indicator] = []
    for i, item in enumerate(items):
        here = f"{path}.indicators[{i}]"
        code = r.text(item, "code", here)
        if any(x.code == code for x in indicators):
            r.fail(f"{here}.code", f"“{code}”重复")
        kind = r.text(item, "kind", here)
        if kind not in allowed:
            r.fail(f"{here}.kind", f"应为 {'、'.join(allowed)} 之一，而不是“{kind}”")
        below = None
        if kind == KIND_RATE:
            below = r.get(item, "below_percent", here, (int, float))
            if not 0 < below <= 100:
                r.fail(f"{here}.below_percent", "应在 0–100 之间")
        indicators.append(
            Indicator(
                code=code,
                kind=kind,
                label=r.text(item, "label", here),
                short=r.text(item, "short", here),
                definition=r.text(item, "definition", here),
                responsibility=r.text(item, "responsibility", here, optional=True),
                group=r.text(item, "group", here, optional=True) or "",
                unit=r.text(item, "unit", here, optional=True) or "",
                count_label=r.text(item, "count_label", here, optional=True) or "",
                below_percent=None if below is None else float(below),
            )
        )
    exit_year = r.get(raw, "exit_standard_year", path, (int,), optional=True)
    return IndicatorSet(r.text(raw, "name", path), tuple(indicators), exit_year)


def parse_standard(raw: object, file: str) -> Standard:
    """Build a Standard from parsed JSON, or raise StandardFileError naming file and field."""
    r = _Reader(file)
    if not isinstance(raw, dict):
        r.fail("（根）", "应为一个对象（{…}）")
    if r.get(raw, "format", "", (int,)) != FORMAT:
        r.fail("format", f"应为 {FORMAT}（本程序认识的标准文件格式）")
    subjects = r.text(raw, "subjects", "")
    if subjects not in SUBJECTS:
        r.fail("subjects", f"应为 {'、'.join(SUBJECTS)} 之一")
    income = _income(r, r.get(raw, "income", "", (dict,)))
    households = _indicator_set(
        r,
        r.get(raw, "household_set", "", (dict,)),
        "household_set",
        (KIND_INCOME, KIND_BOOL, KIND_COUNT),
    )
    if not any(i.kind == KIND_INCOME for i in households.indicators):
        r.fail("household_set.indicators", "应有一项 kind 为 income 的收入指标")
    village_raw = r.get(raw, "village_set", "", (dict,), optional=True)
    villages = None
    if village_raw is not None:
        villages = _indicator_set(r, village_raw, "village_set", (KIND_BOOL, KIND_RATE))
    year = r.get(raw, "year", "", (int,))
    return Standard(
        code=r.text(raw, "code", ""),
        province=r.text(raw, "province", ""),
        year=year,
        title=r.text(raw, "title", ""),
        subjects=subjects,
        income=income,
        household_set=households,
        village_set=villages,
        source=file,
    )


def load_standard_file(path: Path) -> Standard:
    """Read and check one standard file."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StandardFileError(f"无法读取标准文件 {name}：{exc}", name) from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StandardFileError(
            f"标准文件 {name} 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）",
            name,
        ) from exc
    standard = parse_standard(raw, name)
    if standard.code != path.stem:
        raise StandardFileError(
            f"标准文件 {name} 的字段 code 应与文件名一致（“{path.stem}”）", name, "code"
        )
    return standard


def user_standards_dir() -> Path:
    """The folder where an administrator's own or edited standards are kept."""
    return data_dir() / STANDARDS_DIR


def standard_code(province_profile: str, year: int) -> str:
    """The file name (without .json) of a province's standard of a year."""
    return f"{province_profile}_{year}"


def standard_path(code: str) -> Path | None:
    """The file of a standard: the administrator's copy wins over the shipped one."""
    for folder in (user_standards_dir(), resources_dir() / STANDARDS_DIR):
        path = folder / f"{code}.json"
        if path.is_file():
            return path
    return None


@cache
def _load_cached(path: str, mtime_ns: int) -> Standard:
    return load_standard_file(Path(path))


def load_standard(code: str) -> Standard:
    """Return the standard of this code, or raise StandardFileError saying it is missing."""
    path = standard_path(code)
    if path is None:
        raise StandardFileError(
            f"未找到标准文件 {code}.json"
            "（应在 resources/standards/ 或用户数据目录的 standards/ 中）",
            f"{code}.json",
        )
    return _load_cached(str(path), path.stat().st_mtime_ns)


def shipped_codes() -> list[str]:
    """Codes of every standard file available (shipped and the administrator's)."""
    codes = set()
    for folder in (resources_dir() / STANDARDS_DIR, user_standards_dir()):
        if folder.is_dir():
            codes.update(p.stem for p in folder.glob("*.json"))
    return sorted(codes)
