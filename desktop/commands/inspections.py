"""`huitoukan inspections …`: the proposed sample, a round's papers, the quarterly archive."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from desktop.commands.common import add_db_argument, fail, open_services


def register(subparsers) -> None:
    """Add the `inspections` command and its sub-commands."""
    parser = subparsers.add_parser("inspections", help="督查：抽样、整改函、季度档案")
    sub = parser.add_subparsers(dest="inspections_command", metavar="子命令", required=True)

    sample = sub.add_parser("sample", help="按随机种子列出一个镇的建议抽查名单（不保存）")
    add_db_argument(sample)
    sample.add_argument("--township", required=True, help="镇（乡、街道）名称")
    sample.add_argument("--seed", type=int, required=True, help="随机种子（同一种子得到同一名单）")
    sample.add_argument("--year", type=int, default=None, help="按哪一年的预脱贫户抽样（默认今年）")
    sample.set_defaults(func=run_sample)

    archive = sub.add_parser("archive", help="生成一个季度的督查档案压缩包（.zip）")
    add_db_argument(archive)
    archive.add_argument("--quarter", required=True, help="季度，如 2026Q3")
    archive.add_argument("--out", type=Path, required=True, help="输出的 .zip 文件")
    archive.set_defaults(func=run_archive)

    verify = sub.add_parser("verify", help="只读打开一个档案压缩包，按档案目录逐个核对文件")
    verify.add_argument("file", type=Path, help="档案 .zip 文件")
    verify.set_defaults(func=run_verify)


def _service(args):
    service = open_services(args).inspections
    service.ensure_reference_data()
    return service


def run_sample(args: argparse.Namespace) -> int:
    """Print the proposed sample of one township: one line per village and household."""
    service = _service(args)
    township_id = service.township_id_by_name(args.township)
    if township_id is None:
        names = "、".join(name for _id, name in service.townships()[:30])
        fail(f"没有名为“{args.township}”的镇。已有：{names or '（无）'}")
    year = args.year or datetime.date.today().year
    proposal = service.propose(township_id, args.seed, year)
    print(f"{args.township} 建议抽查名单（随机种子 {args.seed}，{year}年预脱贫户）")
    for line in proposal.lines:
        print(line.text)
    for note in proposal.notes:
        print(f"说明：{note}")
    for line in proposal.shortfalls:
        print(f"不足：{line}")
    return 0 if proposal.complete else 1


def run_archive(args: argparse.Namespace) -> int:
    """Write one quarter's archive and say what went in."""
    from desktop.printing.inspection import ArchiveRenderers
    from desktop.services.inspections.archive import build_archive
    from desktop.services.inspections.rules import InspectionError

    service = _service(args)
    try:
        result = build_archive(service, args.quarter, args.out, ArchiveRenderers())
    except InspectionError as exc:
        fail(str(exc))
    print(
        f"已生成 {result.quarter} 督查档案：{len(result.rounds)} 轮督查，{result.problems} 个问题，"
        f"{result.files} 个文件 → {result.path}"
    )
    for line in result.warnings:
        print(f"注意：{line}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """Check an archive read-only against its index; exit 1 when anything does not match."""
    from desktop.services.inspections.archive import check_archive
    from desktop.services.inspections.rules import InspectionError

    try:
        check = check_archive(args.file)
    except InspectionError as exc:
        fail(str(exc))
    print(f"{check.title}（{check.quarter}）")
    for c in check.problems:
        print(f"{c.state}：{c.path}")
    print(check.summary())
    return 0 if check.ok else 1
