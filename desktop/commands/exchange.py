"""`huitoukan exchange …`: exchange packages between a township's PC and the county's."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.commands.common import add_db_argument, fail, open_services


def register(subparsers) -> None:
    """Add the `exchange` command and its sub-commands."""
    parser = subparsers.add_parser("exchange", help="交换包：乡镇与县之间离线交换数据")
    sub = parser.add_subparsers(dest="exchange_command", metavar="子命令", required=True)

    key = sub.add_parser("key", help="交换密钥：县里生成（--new），乡镇填入（--set）")
    add_db_argument(key)
    which = key.add_mutually_exclusive_group()
    which.add_argument("--new", action="store_true", help="（县）生成本县的交换密钥并显示")
    which.add_argument("--set", metavar="密钥", help="（乡镇）填入县里给的交换密钥")
    key.set_defaults(func=run_key)

    export = sub.add_parser("export", help="导出交换包：上次交换以来的全部改动")
    add_db_argument(export)
    export.add_argument("--out", type=Path, required=True, help="输出的交换包文件（.htkx）")
    export.add_argument("--township", help="（县）发给哪个乡镇；乡镇导出时不用填")
    export.set_defaults(func=run_export)

    take = sub.add_parser("import", help="导入交换包（全部或全不，冲突留待人工处理）")
    take.add_argument("file", type=Path, help="交换包文件（.htkx）")
    add_db_argument(take)
    take.set_defaults(func=run_import)

    listed = sub.add_parser("conflicts", help="列出交换包导入时发现的冲突（逐字段）")
    add_db_argument(listed)
    listed.add_argument("--all", action="store_true", help="也列出已处理的冲突")
    listed.set_defaults(func=run_conflicts)

    resolve = sub.add_parser("resolve", help="处理一个冲突：保留本机（--keep）或采用对方（--take）")
    resolve.add_argument("conflict", type=int, help="冲突编号（见 exchange conflicts）")
    add_db_argument(resolve)
    choice = resolve.add_mutually_exclusive_group(required=True)
    choice.add_argument("--keep", action="store_true", help="保留本机的，下次交换时发给对方")
    choice.add_argument("--take", action="store_true", help="采用对方的")
    resolve.set_defaults(func=run_resolve)


def _counts(counts: dict[str, int]) -> str:
    from desktop.services.exchange.rows import TABLE_LABELS

    shown = [f"{TABLE_LABELS.get(k, k)} {n}" for k, n in counts.items() if n]
    return "，".join(shown) or "无改动"


def run_key(args: argparse.Namespace) -> int:
    """Make, set or show the exchange key."""
    from desktop.services.exchange.keys import ExchangeError

    services = open_services(args)
    service = services.exchange
    try:
        if args.new:
            key = service.new_county_key()
            print("已生成本县的交换密钥（请抄给各乡镇，妥善保管，不要通过电子邮件发送）：")
            print(key.text)
        elif args.set:
            key = service.set_key(args.set)
            print(f"已填入交换密钥：交换包将发往县里的电脑 {key.county_pc}")
        else:
            key = service.key()
            print(f"本机电脑编号：{service.pc_id()}")
            print(f"县里的电脑编号：{key.county_pc}" if key else "尚未设置交换密钥")
    except ExchangeError as exc:
        fail(str(exc), 1)
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write the package of everything changed since the last one."""
    from desktop.services.exchange.keys import ExchangeError

    try:
        result = open_services(args).exchange.export(args.out, args.township)
    except ExchangeError as exc:
        fail(str(exc), 1)
    print(f"已导出交换包 {result.path}：{result.township} 第 {result.sequence} 号")
    print(f"内容：{_counts(result.counts)}")
    for path in result.missing_files:
        print(f"注意：附件文件缺失，未能放入交换包：{path}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Take a package in; print what it did and how many conflicts wait."""
    from desktop.services.exchange.keys import ExchangeError

    try:
        result = open_services(args).exchange.import_package(args.file)
    except ExchangeError as exc:
        fail(str(exc), 1)
    c = result.counts
    print(f"已导入 {result.township} 第 {result.sequence} 号交换包")
    print(f"新增：{_counts(c.inserted)}")
    print(f"更新：{_counts(c.updated)}")
    print(f"删除：{_counts(c.deleted)}")
    print(f"未变：{c.unchanged} 条；对方操作日志 {c.audit} 条；附件文件 {result.files} 个")
    if c.conflicts:
        print(f"冲突：{c.conflicts} 条（未自动采用），请用 huitoukan exchange conflicts 查看并处理")
    return 0


def run_conflicts(args: argparse.Namespace) -> int:
    """List the conflicts, field by field."""
    found = open_services(args, lock=False).exchange.conflicts(open_only=not args.all)
    if not found:
        print("没有待处理的冲突" if not args.all else "没有冲突")
        return 0
    for conflict in found:
        print(f"冲突 {conflict.id}：{conflict.what}（{conflict.status}）")
        for diff in conflict.differences:
            print(f"  {diff.label}：本机“{diff.ours}”，对方“{diff.theirs}”")
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    """Keep this PC's copy or take the other's."""
    from desktop.services.exchange.keys import ExchangeError

    services = open_services(args)
    try:
        services.exchange.resolve(
            args.conflict, take_theirs=args.take, user_name=services.user.name
        )
    except ExchangeError as exc:
        fail(str(exc), 1)
    print(f"冲突 {args.conflict} 已处理：{'采用对方' if args.take else '保留本机'}")
    return 0
