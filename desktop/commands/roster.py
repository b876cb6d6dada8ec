"""`huitoukan roster`: the roster template, import and export from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.commands.admin import add_admin_argument, admin_when
from desktop.commands.common import add_db_argument, fail, open_services
from desktop.services.roster.report import write_error_report
from desktop.services.roster.sheet import RosterError
from desktop.services.roster.template import write_template
from desktop.services.safety.auth import EXPORT_FULL_IDS
from desktop.services.safety.backup import os_reason


def register(subparsers) -> None:
    """Add the `roster` command with its `template`, `import` and `export` actions."""
    parser = subparsers.add_parser("roster", help="花名册：模板、导入、导出")
    actions = parser.add_subparsers(dest="roster_action", metavar="操作", required=True)

    template = actions.add_parser("template", help="生成空白花名册模板（.xlsx）")
    template.add_argument("--out", type=Path, required=True, help="输出文件 FILE.xlsx")
    template.set_defaults(func=run_template)

    importer = actions.add_parser("import", help="导入花名册（.xlsx 或 .xls）")
    importer.add_argument("file", type=Path, help="花名册文件")
    add_db_argument(importer)
    importer.add_argument(
        "--skip-invalid", action="store_true", help="跳过有错误的户，只导入无误的户"
    )
    importer.add_argument("--report", type=Path, help="把错误报告写到 OUT.xlsx")
    importer.add_argument(
        "--remove-missing",
        action="store_true",
        help="删除数据库中有、文件中没有的成员（默认：有这样的成员则拒绝导入并列出）",
    )
    importer.set_defaults(func=run_import)

    exporter = actions.add_parser("export", help="导出花名册（.xlsx）")
    add_db_argument(exporter)
    exporter.add_argument("--out", type=Path, required=True, help="输出文件 FILE.xlsx")
    exporter.add_argument(
        "--full-ids",
        action="store_true",
        help="包含完整证件号码（默认打码，只留前6位和后4位；须管理员登录）",
    )
    add_admin_argument(exporter)
    exporter.set_defaults(func=run_export)


def run_template(args: argparse.Namespace) -> int:
    """Write the empty template."""
    path = write_template(args.out)
    print(f"已生成花名册模板：{path}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import a roster; exit 0 when it was written, 1 when it was rejected."""
    services = open_services(args)
    result = services.roster.import_file(
        args.file, skip_invalid=args.skip_invalid, remove_missing=args.remove_missing
    )
    print("\n".join(result.summary_lines(limit=20)))
    if args.report and (result.errors or result.warnings or result.fatal):
        try:
            write_error_report(result, args.file, args.report)
        except (RosterError, OSError) as exc:
            print(f"无法写出错误报告：{exc if isinstance(exc, RosterError) else os_reason(exc)}")
        else:
            print(f"错误报告：{args.report}")
    return 0 if result.written else 1


def run_export(args: argparse.Namespace) -> int:
    """Export the registry as a roster."""
    services = open_services(args, lock=False)  # reading: a window may stay open on the file
    with admin_when(args.full_ids, services, args, EXPORT_FULL_IDS):
        try:
            rows = services.roster.export_file(args.out, full_ids=args.full_ids)
        except RosterError as exc:
            fail(str(exc), 1)
        except OSError as exc:
            fail(f"无法写出文件 {args.out}：{os_reason(exc)}", 1)
        # Under the administrator who signed in for full IDs, else the operating-system user.
        services.audit.log_export("household", rows, args.out, full_ids=args.full_ids)
    note = "含完整证件号码，请妥善保管" if args.full_ids else "证件号码已打码"
    print(f"已导出 {rows} 人到 {args.out}（{note}）")
    return 0
