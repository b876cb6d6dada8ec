"""Rules over one household: derived flags, search text and pinyin initials."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from desktop.services.registry.codes import HEAD_RELATION
from desktop.services.registry.idcard import valid_id_sex

# Flags stored on a household as a bit set; their Chinese names are what the table shows.
FLAG_COUNT_MISMATCH = 1
FLAG_INVALID_ID = 2
FLAG_SEX_MISMATCH = 4
FLAG_MISSING_PHONE = 8
FLAG_HEAD_PROBLEM = 16

FLAG_NAMES = {
    FLAG_COUNT_MISMATCH: "人数不一致",
    FLAG_INVALID_ID: "证件号码有误",
    FLAG_SEX_MISMATCH: "性别与证件不符",
    FLAG_MISSING_PHONE: "缺联系电话",
    FLAG_HEAD_PROBLEM: "户主不唯一",
}


def flag_text(flags: int) -> str:
    """Return the Chinese names of the flags set, separated by 、."""
    return "、".join(name for bit, name in FLAG_NAMES.items() if flags & bit)


def _pinyin(char: str, initial: bool) -> list[list[str]]:
    # Imported on first use: pypinyin loads its dictionaries in about 0.25 s, which the
    # window's start-up should not pay.
    from pypinyin import Style, pinyin

    style = Style.FIRST_LETTER if initial else Style.NORMAL
    return pinyin(char, style=style, errors="ignore", strict=False)


@cache
def _initial(char: str) -> str:
    if char.isascii():
        return char.lower()
    result = _pinyin(char, True)
    return result[0][0].lower() if result and result[0] else ""


@cache
def _spelling(char: str) -> str:
    if char.isascii():
        return char.lower()
    result = _pinyin(char, False)
    return result[0][0].lower() if result and result[0] else char


@cache
def pinyin_key(name: str) -> str:
    """Return a name's pinyin for sorting the way clerks expect: 张三 before 赵六."""
    return " ".join(_spelling(c) for c in name)


def initials(name: str) -> str:
    """Return the pinyin initials of a name: 张三 → zs."""
    return "".join(map(_initial, name))


def normalize_text(text: str) -> str:
    """NFKC and trimmed: full-width digits and spaces become plain ones."""
    return unicodedata.normalize("NFKC", text or "").strip()


class MemberLike(Protocol):
    """What the rules read of a member (MemberFacts, or the registry's MemberData)."""

    name: str
    id_number: str
    sex: str
    relation: str


@dataclass
class MemberFacts:
    """What the rules need of a member."""

    name: str
    id_number: str
    sex: str
    relation: str


def counts_disagree(counts: Iterable[int | None]) -> bool:
    """True when the recorded counts (户口簿, 明白卡, 系统, 实际) are not all equal."""
    known = {c for c in counts if c is not None}
    return len(known) > 1


def compute_flags(
    members: Sequence[MemberLike],
    counts: Iterable[int | None],
    phone: str,
    *,
    ids_checked: bool = False,
) -> int:
    """Compute the household's flags from its members, its four counts and its phone.

    `ids_checked`: every ID number was validated already, so only its sex digit is read.
    """
    flags = 0
    counts = list(counts)
    if len(counts) == 4 and counts[2] is None:
        counts[2] = len(members)  # the system count defaults to the members on the registry
    if counts_disagree(counts):
        flags |= FLAG_COUNT_MISMATCH
    if not phone.strip():
        flags |= FLAG_MISSING_PHONE
    if sum(1 for m in members if m.relation == HEAD_RELATION) != 1:
        flags |= FLAG_HEAD_PROBLEM
    for m in members:
        if ids_checked and m.id_number:
            id_sex = "男" if int(m.id_number[-2 if len(m.id_number) == 18 else -1]) % 2 else "女"
        else:
            id_sex = valid_id_sex(m.id_number) if m.id_number else ""
        if not id_sex:
            flags |= FLAG_INVALID_ID
        elif m.sex and m.sex != id_sex:
            flags |= FLAG_SEX_MISMATCH
    return flags


def search_text(code: str, members: Sequence[MemberLike]) -> str:
    """Build the lower-case text a search matches: 户编号, names, initials and ID numbers."""
    parts = [code.lower()]
    for m in members:
        parts.append(m.name)
        parts.append(initials(m.name))
        parts.append(m.id_number.lower())
    return "\x1f".join(parts)
