"""`huitoukan demo`: build the demo township or county."""

from __future__ import annotations

import argparse

from desktop.commands.common import add_db_argument, fail, open_db
from desktop.demo.township import build_demo


def register(subparsers) -> None:
    """Add the `demo` command."""
    parser = subparsers.add_parser("demo", help="生成演示数据（一个乡镇，或大数量时一个县）")
    add_db_argument(parser)
    parser.add_argument("--households", type=int, default=3000, help="户数（默认 3000）")
    parser.add_argument("--seed", type=int, default=2020, help="随机种子：同一种子生成同样的数据")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the demo data into the database."""
    engine = open_db(args)
    try:
        result = build_demo(engine, households=args.households, seed=args.seed)
    except ValueError as exc:
        fail(str(exc), 1)
    print(
        f"已生成演示数据：{result.townships} 个乡镇，{result.villages} 个村，"
        f"{result.households} 户，{result.members} 人"
    )
    if result.sichuan_households:
        print(
            f"另有四川省青神县西龙镇（附件2–6 的演示）：{result.sichuan_households} 户，"
            "活动“青神县2017年脱贫攻坚“回头看”“回头帮””"
        )
    return 0
