"""The forms of resources/forms/ and of the data folder's forms/ (a county's own questionnaires,
JSON or XLSForm .xlsx): the words their descriptions may use, and loading them.

The engine knows no household: this module gives it the registry's code lists, the prefill
sources the forms service can fill and write back, and the member fields of a member grid.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from desktop.engine import FormDescription, FormDescriptionError, Vocabulary, load_form_file
from desktop.engine import parse_form as engine_parse_form
from desktop.paths import data_dir, resources_dir
from desktop.services.registry import codes

# What a `prefill` may name: where the forms service finds the value (see prefill.py).
PREFILL_SOURCES = {
    "code": "户编号",
    "province": "省（县所在的省）",
    "city": "地级市（县的上级）",
    "county_name": "区（县）",
    "township_name": "镇（街道）",
    "village_name": "村（居委）",
    "group_name": "自然村、组",
    "head_name": "户主姓名",
    "head_id_number": "户主身份证号码",
    "exit_year": "脱贫年度",
    "special_kind": "户属性（边缘户、低保户等特殊困难群体）",
    "phone": "联系电话",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
    "helper_name": "挂钩帮扶责任人",
    "helper_phone": "帮扶责任人联系电话",
    "poverty_causes": "致贫原因（全部）",
    "poverty_causes.main": "主要致贫原因（第一项）",
    "poverty_causes.other": "其他致贫原因（其余各项）",
    "poverty_kind": "贫困户属性",
    "poverty_kind.is_wubao_dibao": "是否五保或低保户（是/否）",
    "count_hukou": "户口簿人数",
    "count_card": "明白卡人数",
    "count_system": "系统人数（建档立卡人数）",
    "count_actual": "实际人数",
    "members": "家庭成员（成员表）",
    "members.count": "家庭成员人数",
    "members.labour_force": "成员中的劳动力人数",
    "members.migrant": "成员中的外出务工人数",
    "members.in_school": "成员中的在校生人数",
    "members.serious_illness_insured": "参加大病医疗保险的成员人数",
}
# Prefill sources whose value the form may write back into the registry on completion.
WRITABLE_SOURCES = frozenset((
    "phone", "bank_name", "bank_account", "helper_name", "helper_phone", "poverty_causes",
    "poverty_causes.main", "poverty_causes.other", "poverty_kind", "count_hukou", "count_card",
    "count_system", "count_actual", "members",
))  # fmt: skip
# What a member-grid column may name as its `member_field`: MemberData attributes.
MEMBER_FIELDS = frozenset((
    "name", "sex", "id_number", "relation", "ethnicity", "political_status", "education",
    "schooling", "health", "labour_ability", "work_status", "work_months", "is_soldier",
    "ins_serious_illness", "ins_employee_pension", "ins_resident_medical", "ins_resident_pension",
    "pension_status",
))  # fmt: skip
# The code lists a description may name as "codes:<NAME>" instead of spelling the choices out.
CODE_LISTS = {
    name: value
    for name, value in vars(codes).items()
    if name.isupper() and isinstance(value, tuple) and all(isinstance(v, str) for v in value)
}
VOCABULARY = Vocabulary(CODE_LISTS, PREFILL_SOURCES, WRITABLE_SOURCES, MEMBER_FIELDS)

__all__ = [
    "FormDescriptionError",
    "county_forms_dir",
    "forms_dir",
    "list_forms",
    "load_form",
    "parse_form",
    "read_form",
]

# A description is a JSON file or an XLSForm workbook (services/forms/xlsform.py).
FORM_SUFFIXES = (".json", ".xlsx")
COUNTY_FORMS = "forms"  # the data folder's own questionnaires, beside the shipped ones


def forms_dir() -> Path:
    """Return the folder of form descriptions."""
    return resources_dir() / "forms"


def county_forms_dir() -> Path:
    """Return the data folder's folder of a county's own questionnaires (.xlsx or .json)."""
    return data_dir() / COUNTY_FORMS


def _folders() -> tuple[Path, ...]:
    return (forms_dir(), county_forms_dir())


def _form_files() -> dict[str, Path]:
    """Form code → its file, over both folders; a code in two files is refused."""
    found: dict[str, Path] = {}
    for folder in _folders():
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in FORM_SUFFIXES):
            if path.stem in found:
                raise FormDescriptionError(
                    f"表单“{path.stem}”有两个描述文件：{found[path.stem]} 和 {path}"
                    "（一个表单代码只能有一个文件；县里自己的问卷请另起代码）"
                )
            found[path.stem] = path
    return found


def list_forms() -> list[tuple[str, str]]:
    """Return (code, title) of every form description, in file-name order (shipped first)."""
    return [(f.code, f.title) for f in (read_form(p) for p in _form_files().values())]


def load_form(code: str) -> FormDescription:
    """Load and check the description of one form by its code ("verification", …)."""
    paths = [folder / f"{code}{suffix}" for folder in _folders() for suffix in FORM_SUFFIXES]
    existing = [p for p in paths if p.is_file()]
    if len(existing) != 1:
        if existing:
            _form_files()  # raises, naming both files
        known = "、".join(_form_files())
        raise FormDescriptionError(f"没有表单“{code}”（已有：{known}）")
    path = existing[0]
    return _load_cached(str(path), path.stat().st_mtime_ns)


def read_form(path: Path) -> FormDescription:
    """Load one description file (JSON or XLSForm .xlsx) with the forms' vocabulary."""
    if Path(path).suffix.lower() == ".xlsx":
        from desktop.services.forms.xlsform import load_xlsform  # openpyxl, calamine: on demand

        return load_xlsform(path, VOCABULARY)
    return load_form_file(path, VOCABULARY)


@lru_cache(maxsize=32)
def _load_cached(path: str, _mtime: int) -> FormDescription:
    return read_form(Path(path))


def parse_form(raw: object, *, source: str = "<表单>") -> FormDescription:
    """Read a description already parsed from JSON, with the forms' vocabulary."""
    return engine_parse_form(raw, VOCABULARY, source=source)
