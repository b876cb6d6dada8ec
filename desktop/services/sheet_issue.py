"""SheetIssue: one finding of an Excel import, shared by the roster and the problem list."""

from __future__ import annotations

from dataclasses import dataclass


def column_letter(index: int) -> str:
    """Return Excel's letter for a 0-based column index: 0 → A, 26 → AA."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(index + 1)


@dataclass(frozen=True)
class SheetIssue:
    """One finding of an import: where (Excel row and column), the value, and why."""

    row: int  # the row number Excel shows; 0 for the file as a whole
    column: int  # 0-based source column; -1 for the row or the file as a whole
    header: str
    value: str
    reason: str

    @property
    def column_letter(self) -> str:
        """Return Excel's column letter, or an empty string."""
        return column_letter(self.column) if self.column >= 0 else ""

    @property
    def where(self) -> str:
        """Return the place in Chinese: 第12行 I列（证件号码）."""
        if self.row <= 0:
            return "文件"
        text = f"第{self.row}行"
        if self.column >= 0:
            text += f" {self.column_letter}列"
        if self.header:
            text += f"（{self.header}）"
        return text

    def text(self) -> str:
        """Return the issue as one line of Chinese text."""
        value = f"“{self.value}”：" if self.value else ""
        return f"{self.where} {value}{self.reason}"
