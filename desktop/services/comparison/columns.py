"""A department list kept column by column: compressed blobs instead of a million table rows.

Writing a million rows through SQLite costs seconds, and matching needs only the key columns.
So a list is stored as its columns, each one string of cells joined by U+001E, the columns
joined by U+001D; the key columns (row numbers as runs, IDs, names, birth dates) and the
detail columns are compressed apart, so that matching a list again inflates only its keys.
The rows that name someone are also written out as DepartmentRow, which hits point at.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

CELL = "\x1e"
COLUMN = "\x1d"
DETAIL = "\x1f"  # between the detail cells of one DepartmentRow
_LEVEL = 1  # fastest zlib level: a county's lists shrink about five times all the same
# The stored layout: MAGIC, the length of the compressed keys (8 bytes), the keys, the detail.
# Lists stored before it are one zlib stream of every column (it starts with 0x78, never "H").
MAGIC = b"HTK2"
_LENGTH = 8


def clean_cells(cells: list[str]) -> list[str]:
    """Return the cells with the separators replaced, should a cell ever hold one."""
    return [c.replace(CELL, " ").replace(COLUMN, " ").replace(DETAIL, " ") for c in cells]


def _joined(cells: list[str]) -> str:
    text = CELL.join(cells)
    if COLUMN in text or DETAIL in text or text.count(CELL) != max(0, len(cells) - 1):
        text = CELL.join(clean_cells(cells))
    return text


def _runs(numbers: list[int]) -> str:
    """Return row numbers as runs, "2+999;1005+40": a list's rows are mostly consecutive."""
    runs: list[str] = []
    start = previous = None
    for n in numbers:
        if previous is not None and n == previous + 1:
            previous = n
            continue
        if start is not None:
            runs.append(f"{start}+{previous - start + 1}")
        start = previous = n
    if start is not None:
        runs.append(f"{start}+{previous - start + 1}")
    return ";".join(runs)


def _numbers(runs: str) -> list[int]:
    numbers: list[int] = []
    for run in runs.split(";") if runs else ():
        start, count = run.split("+")
        numbers.extend(range(int(start), int(start) + int(count)))
    return numbers


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
    _packed_detail: bytes | None = field(default=None, repr=False)  # inflated when first read

    def __len__(self) -> int:
        return len(self.row_numbers)

    def _unpack(self) -> None:
        if self._packed_detail is not None:
            text = zlib.decompress(self._packed_detail).decode("utf-8")
            self._packed_detail = None
            self.detail = [p.split(CELL) for p in text.split(COLUMN)] if text else []

    def detail_of(self, index: int) -> str:
        """Return the detail cells of one row, joined as DepartmentRow.detail stores them."""
        self._unpack()
        return DETAIL.join(column[index] for column in self.detail)

    def encode(self) -> bytes:
        """Return the columns as one blob: the compressed keys, then the compressed detail."""
        self._unpack()
        keys = COLUMN.join(
            (
                _runs(self.row_numbers),
                _joined(self.id_numbers),
                # The key differs from the number only for an old 15-digit ID.
                _joined(
                    [
                        k if k != n else ""
                        for k, n in zip(self.id_keys, self.id_numbers, strict=True)
                    ]
                ),
                _joined(self.names),
                _joined(self.births),
            )
        )
        detail = COLUMN.join(_joined(column) for column in self.detail) if len(self) else ""
        packed = zlib.compress(keys.encode("utf-8"), _LEVEL)
        return (
            MAGIC
            + len(packed).to_bytes(_LENGTH, "little")
            + packed
            + zlib.compress(detail.encode("utf-8"), _LEVEL)
        )

    @classmethod
    def decode(cls, list_id: int, blob: bytes) -> ListColumns:
        """Return the columns of a stored blob; the detail is inflated when first needed."""
        if not blob.startswith(MAGIC):
            return cls._decode_single(list_id, blob)
        start = len(MAGIC) + _LENGTH
        end = start + int.from_bytes(blob[len(MAGIC) : start], "little")
        runs, numbers, keys, names, births = (
            zlib.decompress(blob[start:end]).decode("utf-8").split(COLUMN)
        )
        rows = _numbers(runs)

        def cells(text: str) -> list[str]:
            return text.split(CELL) if rows else []

        numbers_ = cells(numbers)
        keys_ = [k or n for k, n in zip(cells(keys), numbers_, strict=True)]
        return cls(
            list_id, rows, numbers_, keys_, cells(names), cells(births), [], blob[end:]
        )  # fmt: skip

    @classmethod
    def _decode_single(cls, list_id: int, blob: bytes) -> ListColumns:
        parts = zlib.decompress(blob).decode("utf-8").split(COLUMN)
        n = len(parts[0].split(CELL)) if parts[0] else 0

        def cells(text: str) -> list[str]:
            return text.split(CELL) if n else []

        return cls(
            list_id,
            [int(v) for v in cells(parts[0])],
            cells(parts[1]),
            cells(parts[2]),
            cells(parts[3]),
            cells(parts[4]),
            [cells(p) for p in parts[5:]],
        )
