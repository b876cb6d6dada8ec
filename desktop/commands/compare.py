"""`huitoukan compare` and `huitoukan rosters`: department lists, matching, the two 花名册."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from desktop.commands.admin import add_admin_argument, admin_when
from desktop.commands.common import add_db_argument, fail, iso_date, open_services
from desktop.services.actor import os_user


def register(subparsers) -> None:
    """Add `compare import|run` and `rosters removals|additions`."""
    parser = subparsers.add_parser("compare", help="部门数据比对：导入部门名单、比对")
    actions = parser.add_subparsers(dest="compare_action", metavar="操作", required=True)

    importer = actions.add_parser("import", help="导入一个部门的名单（.xlsx、.xls 或 .csv）")
    importer.add_argument("file", type=Path, help="部门名单文件")
    importer.add_argument("--department", required=True, help="提供名单的部门，如 公安（车管所）")
    add_db_argument(importer)
    importer.add_argument(
        "--received", type=iso_date, default=None, help="收到名单的日期（默认今天）"
    )
    importer.add_argument("--replace", action="store_true", help="取代该部门旧名单中尚未处理的疑点")
    importer.add_argument("--report", type=Path, help="把错误报告写到 OUT.xlsx")
    importer.set_defaults(func=run_import)

    runner = actions.add_parser("run", help="用现有名单重新比对全部在册人员，按部门列出疑点数")
    add_db_argument(runner)
    runner.set_defaults(func=run_match)

    rosters = subparsers.add_parser("rosters", help="清退人员花名册、新增贫困人口花名册")
    rosters.add_argument(
        "which", choices=("removals", "additions"), help="removals 清退，additions 新增"
    )
    add_db_argument(rosters)
    rosters.add_argument("--from", dest="start", type=iso_date, required=True, help="核定日期起")
    rosters.add_argument("--to", dest="end", type=iso_date, required=True, help="核定日期止")
    rosters.add_argument("--out", type=Path, required=True, help="输出文件 FILE.xlsx 或 FILE.pdf")
    rosters.add_argument("--township", default=None, help="只列一个乡镇（默认全县）")
    rosters.add_argument(
        "--full-ids", action="store_true", help="包含完整证件号码（须管理员登录，导出会记录日志）"
    )
    add_admin_argument(rosters)
    rosters.set_defaults(func=run_rosters)


def run_import(args: argparse.Namespace) -> int:
    """Import a department list and match it; exit 0 imported, 1 rejected."""
    from desktop.services.comparison.importer import import_department_list, write_error_report
    from desktop.services.comparison.reader import DepartmentFileError

    services = open_services(args)
    try:
        result = import_department_list(
            services.db,
            args.file,
            args.department,
            received_on=args.received or datetime.date.today(),
            who=os_user(),
            replace_open=args.replace,
        )
    except DepartmentFileError as exc:
        fail(str(exc), 1)
    print("\n".join(result.summary_lines()))
    if args.report and not result.ok:
        write_error_report(result, args.report)
        print(f"错误报告：{args.report}")
    return 0 if result.ok else 1


def run_match(args: argparse.Namespace) -> int:
    """Match every list in force again and print the hits by department."""
    service = open_services(args).comparison
    new = service.run_matching()
    counts = service.hit_counts()
    if not counts:
        print("还没有导入任何部门名单")
        return 0
    print(f"比对完成，新发现疑点 {new} 条。各部门疑点数：")
    width = max(len(c.department) for c in counts)
    for c in counts:
        print(f"  {c.department:{chr(12288)}<{width}}  {c.hits} 条（未处理 {c.open}）")
    return 0


def run_rosters(args: argparse.Namespace) -> int:
    """Write the 清退 or 新增 roster of a period as .xlsx or .pdf."""
    from desktop.printing.comparison_roster import write_roster_file

    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        fail("输出文件应为 .xlsx 或 .pdf", 2)
    if args.end < args.start:
        fail("结束日期早于开始日期", 2)
    from desktop.services.safety.auth import EXPORT_FULL_IDS

    services = open_services(args, lock=False)
    comparison = services.comparison
    with admin_when(args.full_ids, services, args, EXPORT_FULL_IDS):
        table = comparison.roster(
            args.which, args.start, args.end, township=args.township, full_ids=args.full_ids
        )
        try:
            write_roster_file(table, args.out)
        except OSError as exc:
            fail(f"无法写出文件 {args.out}：{exc}", 1)
        comparison.log_roster_export(table, args.out, full_ids=args.full_ids)
    count = len(table.rows)
    what = "清退人员" if args.which == "removals" else "新增贫困人口"
    print(f"已生成{what}花名册：{count} 人，{args.out}")
    return 0
