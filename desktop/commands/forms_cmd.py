"""`huitoukan forms`: the paper forms' codes and titles, and one set of answers checked.

`forms list` prints one line per form: its code and its printed title. `forms check CODE
--answers FILE.json [--partial]` prints each blocking error and warning with its question and
the questions a skip jumped over. Exit codes: 0 may pass review; 1 a blocking rule is broken;
2 a bad file or code.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.commands.common import fail
from desktop.services.forms.catalog import FormDescriptionError, list_forms, load_form
from desktop.services.questionnaires.check import AnswersFileError, check_answers, read_answers


def register(subparsers) -> None:
    """Add the `forms` command."""
    parser = subparsers.add_parser(
        "forms",
        help="列出纸质表（代码和标题），或检查一份答案",
        description=(
            "“huitoukan forms list”列出每张表的代码和标题；"
            "“huitoukan forms check 代码 --answers 答案.json”按表的描述检查一份答案"
            "（退出码 0 可通过审核，1 有不允许通过的错误，2 文件或代码有误）。"
        ),
    )
    parser.add_argument("action", choices=("list", "check"), help="list 列出；check 检查答案")
    parser.add_argument("code", nargs="?", metavar="代码", help="表的代码（check 时必填）")
    parser.add_argument("--answers", type=Path, metavar="答案.json", help="答案文件：{字段: 答案}")
    parser.add_argument(
        "--partial", action="store_true", help="只判断已填的答案（未填的题不算错，如录入途中）"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List the forms, or check one set of answers."""
    if args.action == "list":
        try:
            forms = list_forms()
        except FormDescriptionError as exc:
            fail(str(exc), 2)
        for code, title in forms:
            print(f"{code}\t{title}")
        return 0
    if not args.code or args.answers is None:
        fail("用法：huitoukan forms check 代码 --answers 答案.json [--partial]", 2)
    try:
        description = load_form(args.code)
        answers = read_answers(args.answers, description)
    except (FormDescriptionError, AnswersFileError) as exc:
        fail(str(exc), 2)
        raise
    result = check_answers(description, answers, partial=args.partial)
    for finding in (*result.errors, *result.warnings):
        print(finding.line())
    if result.skipped:
        names = "、".join(result.skipped)
        print(f"跳过（如填X直接跳转至Y）：{names}")
    verdict = "可以通过审核" if result.may_pass else "不允许通过审核"
    print(f"结论：{verdict}（错误 {len(result.errors)} 个，警告 {len(result.warnings)} 个）")
    return 0 if result.may_pass else 1
