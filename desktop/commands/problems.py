"""`huitoukan problems …`: the 整改台账 export, the 整改函, and the import of a 问题清单."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from desktop.commands.common import add_db_argument, fail, iso_date, open_services
from desktop.services.actor import os_user
from desktop.services.safety.backup import os_reason


def register(subparsers) -> None:
    """Add the `problems` command and its sub-commands."""
    parser = subparsers.add_parser("problems", help="整改问题：导出台账、打印整改函、导入问题清单")
    sub = parser.add_subparsers(dest="problems_command", metavar="子命令", required=True)

    export = sub.add_parser("export", help="导出整改台账（.xlsx；半月报）")
    add_db_argument(export)
    export.add_argument("--out", type=Path, required=True, help="输出文件（.xlsx 或 .pdf）")
    export.add_argument(
        "--from", dest="date_from", type=iso_date, help="时段开始（含），如 2020-05-01"
    )
    export.add_argument("--to", dest="date_to", type=iso_date, help="时段结束（含），如 2020-05-15")
    export.set_defaults(func=run_export)

    notice = sub.add_parser("notice", help="生成发给一个责任单位的整改函（PDF）")
    add_db_argument(notice)
    notice.add_argument("--unit", required=True, help="责任单位名称")
    notice.add_argument("--out", type=Path, required=True, help="输出 PDF 文件")
    notice.add_argument("--issuer", default="", help="发文机关（默认：本镇扶贫工作站）")
    notice.add_argument("--number", default="", help="发文字号，如 桃扶函〔2020〕3号")
    notice.add_argument("--date", type=iso_date, default=None, help="成文日期（默认今天）")
    notice.add_argument(
        "--deadline", type=iso_date, default=None, help="整改到位日期（默认：各问题时限中最晚者）"
    )
    notice.set_defaults(func=run_notice)

    imp = sub.add_parser("import", help="从 Excel 导入问题清单（有错误则全部不导入）")
    imp.add_argument("file", type=Path, help="问题清单 .xlsx / .xls 文件")
    add_db_argument(imp)
    imp.add_argument("--report", type=Path, default=None, help="有错误时写出错误报告（.xlsx）")
    imp.set_defaults(func=run_import)


def _service(args):
    service = open_services(args).problems
    service.ensure_reference_data()
    return service


def run_export(args: argparse.Namespace) -> int:
    """Write the 整改台账 of a period as .xlsx (or .pdf when the file name says so)."""
    from desktop.services.problems.report import build_ledger_table, period_text, write_ledger_xlsx

    if args.date_from and args.date_to and args.date_from > args.date_to:
        fail("时段开始日期晚于结束日期")
    service = _service(args)
    rows = service.report_rows(args.date_from, args.date_to)
    as_of = datetime.date.today()  # statuses in the table are as of now; so is the rate
    table = build_ledger_table(
        rows,
        title=f"{service.issuer_default().removesuffix('扶贫工作站')}脱贫攻坚问题整改台账",
        period=period_text(args.date_from, args.date_to),
        as_of=as_of,
    )
    try:
        if args.out.suffix.lower() == ".pdf":
            from desktop.printing.ledger_pdf import render_ledger_pdf

            args.out.write_bytes(render_ledger_pdf(table))
        else:
            write_ledger_xlsx(table, args.out)
    except OSError as exc:
        fail(f"无法写入 {args.out}：{os_reason(exc)}")
    print(f"已导出整改台账：{len(rows)} 个问题 → {args.out}")
    for line in table.summary[:2]:
        print(line)
    return 0


def run_notice(args: argparse.Namespace) -> int:
    """Write the 整改函 with the 问题清单 of one responsible unit."""
    from desktop.printing.notice import NoticeData, render_notice
    from desktop.services.problems.rules import ProblemError

    service = _service(args)
    try:
        problems = service.notice_problems(args.unit)
    except ProblemError as exc:
        names = "、".join(u.name for u in service.units()[:30])
        fail(f"{exc}。已有的单位：{names}")
    if not problems:
        fail(f"“{args.unit}”没有未销号的问题，无需发整改函", 1)
    today = args.date or datetime.date.today()
    deadlines = [p.deadline for p in problems if p.deadline]
    deadline = args.deadline or (max(deadlines) if deadlines else today)
    data = NoticeData(
        unit_name=args.unit,
        issuer=args.issuer or service.issuer_default(),
        date=today,
        deadline=deadline,
        problems=problems,
        doc_number=args.number,
    )
    try:
        args.out.write_bytes(render_notice(data))
    except OSError as exc:
        fail(f"无法写入 {args.out}：{os_reason(exc)}")
    print(f"已生成整改函：{args.unit}，{len(problems)} 个问题 → {args.out}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import a 问题清单; on any error import nothing and say where."""
    from desktop.services.problems.importer import (
        ProblemImporter,
        ProblemImportError,
        write_error_report,
    )

    service = open_services(args).problems  # the importer seeds reference data once the file passes
    try:
        result = ProblemImporter(service).run(args.file, os_user())
    except ProblemImportError as exc:
        fail(str(exc))
    for line in result.summary_lines():
        print(line)
    if result.ok:
        return 0
    if args.report:
        write_error_report(result, args.report)
        print(f"错误报告：{args.report}")
    return 1
