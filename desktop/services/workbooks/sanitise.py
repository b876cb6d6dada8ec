"""The one sanitiser every .xlsx export writes its rows through.

- Text is written as text: a value starting like a formula (`=HYPERLINK(…)`, `+`, `-`, `@`, a
  DDE `cmd|…`) is stored as a string cell with Excel's quote prefix, never as a live formula.
  openpyxl would otherwise store any string starting with `=` as a formula.
- Characters that .xlsx cannot hold (controls other than tab and line breaks) are removed, so
  that no stored value can make an export fail with IllegalCharacterError.

Use `safe_row(sheet, values)` in place of the values given to `sheet.append`, or
`safe_value(sheet, value)` for one cell; both work in write-only and normal workbooks. A writer
that is not openpyxl (XlsxWriter, for the 附件 sheets) writes `safe_text` as a string cell and
asks `looks_like_formula` whether it needs the quote prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from desktop.services.workbooks.cells import FORMULA_STARTS

# openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE: what the .xlsx XML cannot carry.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_STARTS = (*FORMULA_STARTS, "\t", "\r", "\n")


def safe_text(text: str) -> str:
    """Return `text` without the characters an .xlsx cannot hold."""
    return _ILLEGAL.sub("", text)


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would take `text` for a formula (or a DDE call): a writer other
    than openpyxl stores it as a text cell with Excel's quote prefix."""
    return text.startswith(_STARTS)


def safe_value(sheet, value):
    """Return what to give openpyxl for a cell: the value, or a text cell for formula-like text."""
    if type(value) is not str or not value:
        return value
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if not value.startswith(_STARTS):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, whatever it starts with
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def safe_row(sheet, values: Iterable) -> list:
    """Return a row's values for `sheet.append`, each through `safe_value`."""
    row = list(values)
    for index, value in enumerate(row):
        if type(value) is str and value and (value.startswith(_STARTS) or _ILLEGAL.search(value)):
            row[index] = safe_value(sheet, value)
    return row


def safe_cell(sheet, value):
    """Return a cell for `value` that can be styled, its text kept as text."""
    from openpyxl.cell import Cell, WriteOnlyCell

    value = safe_value(sheet, value)
    return value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)
