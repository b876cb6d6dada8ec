"""The departments seed 000 names, the key columns of their lists, and the labels shown."""

from __future__ import annotations

import unicodedata

from desktop.models.comparison import (
    CASE_ADDITION,
    CASE_REMOVAL,
    DECISION_AGREE,
    DECISION_DISAGREE,
    DECISION_SEND_BACK,
    LEVEL_APPROVE,
    LEVEL_REVIEW,
    LEVEL_VERIFY,
    MATCH_ID,
    MATCH_ID15,
    MATCH_NAME_BIRTH,
    STAGE_APPROVED,
    STAGE_REJECTED,
)

# Seed 000 四（二）and（三）: 公安（车管所）、民政、财政、工商、地税、住建（房管）; 公积金 from
# the 核查表. A clerk may type another; these are offered first.
DEPARTMENTS = (
    "公安（车管所）",
    "民政",
    "财政（财政供养人员）",
    "工商（企业法人、股东）",
    "地税（个人所得税）",
    "住建（房管）",
    "公积金",
)

# The key columns of a department list, and the headers that name them in the files we have
# seen (a remembered mapping covers the rest).
ROLE_ID = "id_number"
ROLE_NAME = "name"
ROLE_BIRTH = "birth_date"
ROLES = (ROLE_ID, ROLE_NAME, ROLE_BIRTH)
ROLE_LABELS = {ROLE_ID: "证件号码", ROLE_NAME: "姓名", ROLE_BIRTH: "出生日期"}
ROLE_ALIASES = {
    ROLE_ID: (
        "身份证号", "身份证号码", "证件号码", "证件号", "公民身份号码", "身份证", "居民身份证号码",
        "所有人身份证号", "车主身份证号", "法定代表人身份证号", "纳税人身份证号", "缴存人身份证号",
        "证照号码", "身份证件号码", "身份证明号码",
    ),
    ROLE_NAME: (
        "姓名", "车主", "车主姓名", "所有人", "机动车所有人", "法定代表人", "法人代表", "股东姓名",
        "股东", "纳税人姓名", "纳税人名称", "产权人", "权利人", "买受人", "职工姓名", "缴存人姓名",
        "人员姓名", "供养人员姓名", "户主姓名", "缴存人",
    ),
    ROLE_BIRTH: ("出生日期", "出生年月", "出生年月日", "生日"),
}  # fmt: skip

MATCH_LABELS = {
    MATCH_ID: "证件号码",
    MATCH_ID15: "15位→18位证件号码",
    MATCH_NAME_BIRTH: "姓名+出生日期",
}
KIND_LABELS = {CASE_REMOVAL: "清退", CASE_ADDITION: "新增"}
LEVEL_LABELS = {LEVEL_VERIFY: "工作队核实", LEVEL_REVIEW: "镇（街道）审核", LEVEL_APPROVE: "县核定"}
STAGE_LABELS = {
    LEVEL_VERIFY: "待工作队核实",
    LEVEL_REVIEW: "待镇（街道）审核",
    LEVEL_APPROVE: "待县核定",
    STAGE_APPROVED: "已核定",
    STAGE_REJECTED: "不予通过",
}
DECISION_LABELS = {DECISION_AGREE: "同意", DECISION_DISAGREE: "不同意", DECISION_SEND_BACK: "退回"}
LEVELS = (LEVEL_VERIFY, LEVEL_REVIEW, LEVEL_APPROVE)


def header_key(text: str) -> str:
    """Return a header as compared: NFKC, no spaces, no brackets' content or asterisks."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    for bracket in ("(", "["):
        if bracket in text:
            text = text.split(bracket, 1)[0]
    return "".join(text.split()).strip("*:：")


_ALIAS_ROLE = {header_key(a): role for role, aliases in ROLE_ALIASES.items() for a in aliases}


def role_of_header(text: str) -> str | None:
    """Return the key role a header names (证件号码 → id_number), or None."""
    return _ALIAS_ROLE.get(header_key(text))
