"""A filled sheet as plain data: what the screen, the .xlsx and the PDF of 附件2–6 draw.

No database and no Qt here, so that desktop/printing can take it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Check(NamedTuple):
    """A cell of check boxes (□有 □无); `chosen` is the index ticked (√), None for none."""

    options: tuple[str, ...]
    chosen: int | None

    def text(self) -> str:
        """The boxes as text, the ticked one as ☑."""
        return " ".join(
            ("☑" if i == self.chosen else "□") + option for i, option in enumerate(self.options)
        )


@dataclass(frozen=True)
class HeaderCell:
    """One cell of a sheet's header grid at (row, col) with its spans."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Column:
    """One column: what fills it (key, indicator), its width on paper, whether it is summed."""

    key: str
    indicator: str = ""
    width_mm: float = 20
    total: bool = False
    options: tuple[str, ...] = ()


@dataclass
class Sheet:
    """One filled table, ready to be shown, written as .xlsx or printed."""

    code: str
    attachment: str
    title: str
    header_lines: list[list[str]]
    header: list[HeaderCell]
    header_rows: int
    columns: list[Column]
    rows: list[list]
    total: list | None = None
    total_first: bool = False
    signatures: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    standard_note: str = ""
    scope_name: str = ""  # the village or the township the sheet is for
    row_ids: list[int] = field(default_factory=list)  # the household or village of each row

    def body(self) -> list[list]:
        """The rows as printed: the 乡镇小计 first or the 合计 last."""
        if self.total is None:
            return list(self.rows)
        return [self.total, *self.rows] if self.total_first else [*self.rows, self.total]
