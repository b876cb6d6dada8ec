"""Personal data policy in one place: who sees full ID numbers and bank accounts, and where.

- Tables, search results and exports show masked values (430922********1234) to everyone.
- A household's detail shows the full values to roles with the VIEW_FULL_ID permission.
- An export carries full ID numbers only when the user asks and holds EXPORT_FULL_IDS; the
  export is logged with `AuditService.log_export(..., full_ids=True)`.
- Printed forms show the household's full data: the household signs them.
Search still matches full numbers: it runs on the stored values, not on what is displayed.
"""

from __future__ import annotations

import re

from desktop.services.actor import CurrentUser
from desktop.services.registry.idcard import mask_id
from desktop.services.safety.auth import EXPORT_FULL_IDS, VIEW_FULL_ID, can, require

MASK_CHAR = "*"
_MASKED = re.compile(r"\*{2,}")


def mask_account(number: str) -> str:
    """Mask a bank account: keep the first four and last four digits."""
    number = (number or "").strip()
    if len(number) <= 8:
        return number
    return number[:4] + MASK_CHAR * (len(number) - 8) + number[-4:]


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
