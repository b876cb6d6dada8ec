"""A department list kept column by column: one compressed blob instead of a million table rows.

Writing a million rows through SQLite costs seconds, and matching needs only two columns of
them. So a list is stored as its columns, each one string of cells joined by U+001E, the
columns joined by U+001D and compressed; the rows that name someone are also written out as
DepartmentRow, which hits point at.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

CELL = "\x1e"
COLUMN = "\x1d"
DETAIL = "\x1f"  # between the detail cells of one DepartmentRow
_KEY_COLUMNS = 5  # row numbers, ID numbers, ID keys, names, birth dates
_LEVEL = 1  # fastest zlib level: a county's lists shrink about five times all the same


def clean_cells(cells: list[str]) -> list[str]:
    """Return the cells with the separators replaced, should a cell ever hold one."""
    return [c.replace(CELL, " ").replace(COLUMN, " ").replace(DETAIL, " ") for c in cells]


def _joined(cells: list[str]) -> str:
    text = CELL.join(cells)
    if COLUMN in text or DETAIL in text or text.count(CELL) != max(0, len(cells) - 1):
        text = CELL.join(clean_cells(cells))
    return text


@dataclass
class ListColumns:
    """Every row of one list: its keys as matching reads them, and the detail columns."""

    list_id: int
    row_numbers: list[int]  # the row number the file shows
    id_numbers: list[str]  # as the department wrote them (normalised)
    id_keys: list[str]  # the 18-digit form; "" without an ID
    names: list[str]
    births: list[str]  # ISO dates, "" when unknown
    detail: list[list[str]] = field(default_factory=list)  # one list per detail column

    def __len__(self) -> int:
        return len(self.row_numbers)

    def detail_of(self, index: int) -> str:
        """Return the detail cells of one row, joined as DepartmentRow.detail stores them."""
        return DETAIL.join(column[index] for column in self.detail)

    def encode(self) -> bytes:
        """Return the columns as one compressed blob."""
        parts = [
            CELL.join(map(str, self.row_numbers)),
            _joined(self.id_numbers),
            _joined(self.id_keys),
            _joined(self.names),
            _joined(self.births),
            *(_joined(column) for column in self.detail),
        ]
        return zlib.compress(COLUMN.join(parts).encode("utf-8"), _LEVEL)

    @classmethod
    def decode(cls, list_id: int, blob: bytes, *, keys_only: bool = False) -> ListColumns:
        """Return the columns of a stored blob (`keys_only`: without the detail columns)."""
        parts = zlib.decompress(blob).decode("utf-8").split(COLUMN)
        n = len(parts[0].split(CELL)) if parts[0] else 0

        def cells(text: str) -> list[str]:
            return text.split(CELL) if n else []

        detail = [] if keys_only else [cells(p) for p in parts[_KEY_COLUMNS:]]
        return cls(
            list_id,
            [int(v) for v in cells(parts[0])],
            cells(parts[1]),
            cells(parts[2]),
            cells(parts[3]),
            cells(parts[4]),
            detail,
        )
