"""Personal data policy in one place: who sees full ID numbers and bank accounts, and where.

- Tables, search results and exports show masked values (430922********1234) to everyone.
- A household's detail shows the full values to roles with the VIEW_FULL_ID permission.
- An export carries full ID numbers only when the user asks and holds EXPORT_FULL_IDS; the
  export is logged with `AuditService.log_export(..., full_ids=True)`.
- Printed forms show the household's full data: the household signs them.
Search still matches full numbers: it runs on the stored values, not on what is displayed.
"""

from __future__ import annotations

import json
import re

from desktop.services.actor import CurrentUser
from desktop.services.registry.idcard import mask_id
from desktop.services.safety.auth import EXPORT_FULL_IDS, VIEW_FULL_ID, can, require

MASK_CHAR = "*"
_MASKED = re.compile(r"\*{2,}")
# An ID number anywhere in a text: 18 characters (area, birth date 18xx–20xx, sequence, check)
# or the old 15 digits, not part of a longer number. What the audit log and messages mask even
# where no column name says that a value is an ID (a JSON list of persons, a note). The first
# digit comes before the look back (the character before it), so that the search skips to
# digits in C: twice as fast over the 100,000 entries of a county import.
_ID_IN_TEXT = re.compile(
    r"[1-9](?<![0-9A-Za-z][1-9])\d{5}"
    r"(?:(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"|\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})"
    r"(?![0-9A-Za-z])"
)
# Keys of a stored record or a JSON value that hold an ID or a bank number.
ID_KEYS = ("id_number", "身份证号", "证件号码")
ACCOUNT_KEYS = ("bank_account", "银行账号", "账号")


def mask_account(number: str) -> str:
    """Mask a bank account: keep the first four and last four digits."""
    number = (number or "").strip()
    if len(number) <= 8:
        return number
    return number[:4] + MASK_CHAR * (len(number) - 8) + number[-4:]


def mask_ids_in_text(text: str) -> str:
    """Return a text with every ID number in it masked (430922********1234)."""
    if not text or len(text) < 15:
        return text
    return _ID_IN_TEXT.sub(lambda m: mask_id(m.group()), text)


def mask_value(value, key: str = ""):
    """Return a value (text, or a JSON dict or list, however nested) with IDs and accounts masked.

    A key naming an ID or an account masks its value; any other text still has the ID numbers
    in it masked.
    """
    if isinstance(value, dict):
        return {k: mask_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v, key) for v in value]
    if not isinstance(value, str) or not value:
        return value
    if key.endswith(ID_KEYS):
        return mask_id(value)
    if key.endswith(ACCOUNT_KEYS):
        return mask_account(value)
    return mask_ids_in_text(value)


def mask_stored(text: str | None) -> str | None:
    """Return a stored log text (plain, or JSON however nested) with IDs and accounts masked.

    For entries written before the log masked nested values: they cannot be rewritten
    (append-only), so they are masked where they are read.
    """
    if not text or len(text) < 15:
        return text
    if text.lstrip()[:1] in "{[":
        try:
            value = json.loads(text)
        except ValueError:
            return mask_ids_in_text(text)
        masked = mask_value(value)
        return text if masked == value else json.dumps(masked, ensure_ascii=False)
    return mask_ids_in_text(text)


def is_masked(text: str) -> bool:
    """True when a value is a masked display (two or more * in a row), never a real number."""
    return bool(_MASKED.search(text or ""))


def display_id(number: str, user: CurrentUser | None = None, *, detail: bool = False) -> str:
    """Return an ID number as this user may see it here: full only in a detail view, if allowed."""
    if detail and user is not None and can(user, VIEW_FULL_ID):
        return number
    return mask_id(number or "")


def display_account(number: str, user: CurrentUser | None = None, *, detail: bool = False) -> str:
    """Return a bank account as this user may see it here (same rule as ID numbers)."""
    if detail and user is not None and can(user, VIEW_FULL_ID):
        return number
    return mask_account(number)


def export_id(number: str, full_ids: bool) -> str:
    """Return an ID number for an export: masked unless full numbers were asked for."""
    return number if full_ids else mask_id(number or "")


def check_full_export(user: CurrentUser) -> None:
    """Raise PermissionDeniedError unless the user may export full ID numbers."""
    require(user, EXPORT_FULL_IDS)


def keep_unmasked(entered: str, stored: str) -> str:
    """Return the value to save from an edit box that showed a masked value.

    An unchanged masked display keeps the stored number, so a masked view can never overwrite
    a real ID; any other entry is taken as typed.
    """
    if is_masked(entered) and entered in (mask_id(stored), mask_account(stored)):
        return stored
    return entered
