"""What an imported text cell may hold: no hidden characters, no formula in a name or phone.

A control character (`_x0007_` in .xlsx, BEL in .xls) imported into a name used to make every
later export crash; a bidi override shows a name reversed; a zero-width space makes two names
that look the same differ. A name or phone starting with `=` is a formula waiting for Excel.
Each check returns the Chinese reason, or None when the text is fine.
"""

from __future__ import annotations

import re

# Unicode Cc (controls) except the whitespace an import normalises away (tab, line breaks), and
# Cf (format characters: zero-width spaces and joiners, bidi marks and overrides, soft hyphen,
# BOM, interlinear annotation, tag characters).
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_NAMES = {
    "\u200b": "零宽空格",
    "\u200c": "零宽非连接符",
    "\u200d": "零宽连接符",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u202a": "方向嵌入符",
    "\u202b": "方向嵌入符",
    "\u202c": "方向格式结束符",
    "\u202d": "方向覆盖符",
    "\u202e": "方向覆盖符（文字会倒着显示）",
    "\u2066": "方向隔离符",
    "\u2067": "方向隔离符",
    "\u2068": "方向隔离符",
    "\u2069": "方向隔离符",
    "\ufeff": "字节顺序标记",
    "\u00ad": "软连字符",
}
# What makes a spreadsheet treat typed text as a formula (full-width forms too: WPS converts).
FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
_PHONE = re.compile(r"^\+?[0-9][0-9\- ()（）转]{4,24}$")


def hidden_character(text: str) -> str | None:
    """Return why `text` is refused when it holds a control or format character, else None."""
    found = _HIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    kind = _NAMES.get(char) or ("控制字符" if ord(char) < 0xA0 else "不可见的格式字符")
    return (
        f"含有看不见的{kind}（U+{ord(char):04X}，第{found.start() + 1}个字符），"
        "请在Excel中删除后重新输入"
    )


def formula_start(text: str) -> str | None:
    """Return why a name-like `text` is refused when it starts like a formula, else None."""
    if text.startswith(FORMULA_STARTS):
        return f"不能以“{text[0]}”开头（表格软件会把它当作公式执行），请改正"
    return None


def phone_problem(text: str) -> str | None:
    """Return why `text` is not a plausible phone number (blank is fine), else None."""
    if not text:
        return None
    if text.startswith(("=", "@", "＝", "＠")) or not _PHONE.match(text):
        return "联系电话应为数字（可含区号、“-”或空格），如 13800000000 或 0737-1234567"
    return None


def too_long(text: str, limit: int, header: str) -> str | None:
    """Return why `text` is refused when it passes `limit` characters, else None."""
    if len(text) > limit:
        return f"{header}长达 {len(text):,} 个字，最多 {limit} 个字"
    return None


def visible(text: str) -> str:
    """Return `text` with its hidden characters shown as [U+XXXX], for a message."""
    return _HIDDEN.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


SHOWN_LENGTH = 60  # characters of a cell a message repeats


def shortened(text: str) -> str:
    """Return a cell's text as a message repeats it: a 100,000-character cell is named, not
    repeated (the roster's normalise.shown does the same)."""
    if len(text) > SHOWN_LENGTH:
        return f"{text[:SHOWN_LENGTH]}……（共 {len(text):,} 个字）"
    return text
