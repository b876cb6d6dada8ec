"""What can go wrong that a user can cause, and where: one error family, one finding type.

- `AppError` and its subclasses are the errors a user can cause (a stale record, a signed form,
  a missing permission, a refused entry, an unreadable file). `str(error)` is the Chinese message
  to show as it is; views catch `AppError`, and anything else reaches the one global handler.
  A domain keeps its own subclass (`RegistryError`, `ProblemError` …) so that a caller may be
  narrower, and re-uses the kinds here (`StaleFormError(FormError, StaleRecordError)`).
- `FieldIssue` is one finding at a field: a household check, a form rule, a row of an imported
  workbook. Findings of an import also say where in the sheet (row, column, value).
- `ImportResult` is what any all-or-nothing workbook import found and did.

A leaf module: it imports nothing of desktop, so every layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class AppError(Exception):
    """An error a user can cause; `str(error)` is the message to show, in Chinese."""

    default_message = "操作未能完成"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        """Return the Chinese message."""
        return str(self)


class StaleRecordError(AppError):
    """Someone else saved the record since it was opened."""

    default_message = "该记录已被其他人修改，请关闭后重新打开再改"


class FormLockedError(AppError):
    """The form is signed (or not ready to be); the message says how to change it."""

    default_message = "该表已签字，已锁定不能修改"


class ConnectionLostError(AppError):
    """The county's database server went away mid-session (network, restart); nothing was saved."""

    default_message = (
        "与数据库服务器的连接中断，这次操作没有保存。填写的内容仍在屏幕上；"
        "请检查网络或等服务器恢复后再试（程序会自动重新连接）。"
    )


class PermissionDeniedError(AppError):
    """The signed-in user's role does not allow this."""

    default_message = "没有权限进行此操作"


class ValidationError(AppError):
    """An entry was refused; `issues` says at which fields and why."""

    default_message = "填写的内容有误"

    def __init__(self, message: str = "", issues: list[FieldIssue] | None = None) -> None:
        super().__init__(message)
        self.issues: list[FieldIssue] = list(issues or [])


class BadFileError(AppError):
    """A file cannot be read at all (not a workbook, not a database, damaged)."""

    default_message = "无法读取该文件"


class FontError(AppError):
    """No usable CJK font was found; the message says what to install."""

    default_message = "找不到可用的中文字体"


class CancelledError(AppError):
    """The user cancelled long work (an import, an export, a batch print); nothing was written."""

    default_message = "操作已取消，没有任何改动"


def column_letter(index: int) -> str:
    """Return Excel's letter for a 0-based column index: 0 → A, 26 → AA."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(index + 1)


@dataclass(frozen=True)
class FieldIssue:
    """One finding at a field: which field (and member row), the message, and its weight.

    A finding of a workbook import also says where in the sheet: `row` is the row number Excel
    shows (0: not in a sheet, or the file as a whole), `column` the 0-based source column (-1:
    the row or file as a whole), `value` what the cell held; `field` is then the column's header.
    An import keeps errors and warnings in separate lists; `blocking` is what a form or a
    household check uses.
    """

    field: str
    message: str
    blocking: bool = True
    member_index: int | None = None
    rule_id: str = ""
    row: int = 0
    column: int = -1
    value: str = ""
    household_code: str = ""

    @classmethod
    def in_sheet(
        cls, row: int, column: int, header: str, value: str, message: str, household_code: str = ""
    ) -> FieldIssue:
        """Return a finding of a workbook import at a row and column."""
        return cls(
            header, message, row=row, column=column, value=value, household_code=household_code
        )

    @property
    def column_letter(self) -> str:
        """Return Excel's column letter, or an empty string."""
        return column_letter(self.column) if self.column >= 0 else ""

    @property
    def where(self) -> str:
        """Return the place in a sheet in Chinese: 第12行 I列（证件号码）, or 文件."""
        if self.row <= 0:
            return "文件"
        text = f"第{self.row}行"
        if self.column >= 0:
            text += f" {self.column_letter}列"
        if self.field:
            text += f"（{self.field}）"
        return text

    def text(self) -> str:
        """Return the finding of an import as one line of Chinese text."""
        value = f"“{self.value}”：" if self.value else ""
        return f"{self.where} {value}{self.message}"


ISSUE_CAP = 1000  # findings an import keeps for its report; the rest are counted


def is_blank(value: object) -> bool:
    """True for an empty cell or one holding only whitespace (spaces, full-width spaces, tabs)."""
    return value is None or value == "" or (type(value) is str and not value.strip())


class IssueList(list):
    """The first `cap` findings of an import, with the total counted and every household named.

    A sheet of a million bad rows would otherwise build millions of findings (minutes and
    gigabytes) for a report nobody reads past the first page.
    """

    def __init__(self, issues=(), cap: int = ISSUE_CAP) -> None:
        super().__init__()
        self.cap = cap
        self.total = 0
        self.household_codes: set[str] = set()
        self.extend(issues)

    def append(self, issue) -> None:
        """Keep the finding while under the cap; count it and note its household either way."""
        self.total += 1
        code = getattr(issue, "household_code", "")
        if code:
            self.household_codes.add(code)
        if len(self) < self.cap:
            super().append(issue)

    def extend(self, issues) -> None:
        """Append each finding."""
        for issue in issues:
            self.append(issue)


def issue_count(issues: list) -> int:
    """Return how many findings a list counted (an IssueList keeps only the first ones)."""
    return getattr(issues, "total", len(issues))


@dataclass
class ImportResult:
    """What an all-or-nothing workbook import read, wrote and found (errors block, warnings not).

    A domain's import extends it with its own counts and its own summary.
    """

    source: Path
    rows: int = 0  # data rows read (blank rows not counted)
    created: int = 0
    errors: list[FieldIssue] = field(default_factory=IssueList)
    warnings: list[FieldIssue] = field(default_factory=IssueList)
    written: bool = False

    @property
    def ok(self) -> bool:
        """True when the import wrote to the database."""
        return self.written

    @property
    def error_count(self) -> int:
        """Return how many errors were found (the list keeps the first ISSUE_CAP)."""
        return issue_count(self.errors)

    @property
    def warning_count(self) -> int:
        """Return how many warnings were found."""
        return issue_count(self.warnings)

    @staticmethod
    def issue_lines(issues: list[FieldIssue], limit: int) -> list[str]:
        """Return the first `limit` findings, one indented line each."""
        return ["  " + i.text() for i in issues[:limit]]
