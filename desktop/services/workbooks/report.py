"""The 错误汇总 sheet that every rejected import's error report carries: 行, 列, 值, 原因, 级别."""

from __future__ import annotations

from desktop.errors import ImportResult, issue_count
from desktop.services.workbooks.sanitise import safe_row

SUMMARY_HEADERS = ("行", "列", "值", "原因", "级别")


def append_issue_summary(sheet, result: ImportResult, fatal: str = "") -> None:
    """Write the headers, then the fatal finding, the errors and the warnings, one a row.

    A value is written as text whatever it starts with (`=`, `+`…): a report of a hostile file
    must not turn the file's formulas live.
    """
    for letter, width in zip("ABCDE", (8, 16, 24, 60, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(list(SUMMARY_HEADERS))
    if fatal:
        sheet.append(["", "", "", fatal, "错误"])
    for kind, issues in (("错误", result.errors), ("提示", result.warnings)):
        for i in issues:
            column = f"{i.column_letter}（{i.field}）" if i.field else i.column_letter
            sheet.append(safe_row(sheet, [i.row or "", column, i.value, i.message, kind]))
        left_out = issue_count(issues) - len(issues)
        if left_out > 0:
            note = f"另有 {left_out} 处{kind}未列出（只列前 {len(issues)} 处）"
            sheet.append(["", "", "", note, kind])
