"""Code that works on Linux and breaks on a Windows PC, found by reading the source.

Windows' C library formats dates with the code page of the PC: `f"{day:%Y年%m月%d日}"`, or
`day.strftime("%Y年…")`, raises ValueError (or prints question marks) where that code page has no
such characters, as on an English Windows. Such text is built from the date's numbers instead,
e.g. `f"{day.year}年{day.month}月{day.day}日"`. scripts/windows_check.sh runs the whole suite
under Windows Python in a Chinese and an English locale; this test names the place on Linux too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("desktop", "scripts", "installer", "benchmarks")


def _non_ascii_date_format(text: str) -> bool:
    return "%" in text and not text.isascii()


def _constant_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_constant_text(part) for part in node.values)
    return ""


def _date_formats_outside_ascii(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        spec = ""
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = _constant_text(node.format_spec)  # f"{day:%Y年%m月}"
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "strftime":
                spec = _constant_text(node.args[0])  # day.strftime("%Y年")
            elif isinstance(func, ast.Name) and func.id == "format" and len(node.args) > 1:
                spec = _constant_text(node.args[1])  # format(day, "%Y年")
        if _non_ascii_date_format(spec):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {spec!r}")
    return found


def test_date_formats_are_ascii_so_that_windows_can_format_them():
    found = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                found += _date_formats_outside_ascii(path)
    assert not found, "date formats with characters outside ASCII (Windows rejects them):\n" + (
        "\n".join(found)
    )


def test_the_check_finds_each_form(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    source = tmp_path / "sample.py"
    source.write_text(
        'a = f"{day:%Y年%m月%d日}"\nb = day.strftime("%m月")\nc = format(day, "%d日")\n'
        'fine = f"{day:%Y-%m-%d}" + f"{day.year}年"\n',
        encoding="utf-8",
    )
    found = _date_formats_outside_ascii(source)
    assert sorted(line.split(":")[1] for line in found) == ["1", "2", "3"]
