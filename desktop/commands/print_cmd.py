"""`huitoukan print`: the paper forms as one PDF, for a household, a village, or blank.

Exit codes: 0 printed; 1 nothing to print (unknown 户编号 or village); 2 bad arguments or
database; 3 some answers hold characters that no installed font has — they are listed and no PDF
is written, unless `--force`, which prints them as 〔U+XXXX〕 so that nothing is silently lost.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sqlalchemy import select

from desktop.commands.common import add_db_argument, fail, open_services
from desktop.errors import FontError
from desktop.models.registry import Household, Township, Village
from desktop.printing.form_renderer import MissingGlyphsError, render_form
from desktop.services.forms.catalog import FormDescriptionError, load_form
from desktop.services.safety.backup import os_reason

EXIT_MISSING_GLYPHS = 3


def register(subparsers) -> None:
    """Add the `print` command."""
    parser = subparsers.add_parser(
        "print",
        help="打印入户核查表、采集表或调查问卷（PDF）",
        description=(
            "按户编号、按村或空白表打印纸质表；一个 PDF，一户一表，按户编号排序。"
            "表的代码见“huitoukan forms list”。"
        ),
    )
    parser.add_argument(
        "form",
        metavar="代码",
        help="verification=入户核查表，collection=采集表，hunan_registered / hunan_unregistered"
        "=湖南附件1 / 附件2 调查问卷（huitoukan forms list 列出全部）",
    )
    add_db_argument(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--household", action="append", metavar="户编号", help="打印这一户（可重复）"
    )
    which.add_argument("--village", metavar="村名", help="打印这个村的全部农户")
    which.add_argument("--blank", action="store_true", help="打印一张空白表，供手工填写")
    parser.add_argument("--township", metavar="镇名", help="村名重复时，指定所属乡镇")
    parser.add_argument("--campaign", type=int, default=None, help="活动编号（默认：当前活动）")
    parser.add_argument("--out", type=Path, required=True, help="输出 PDF 文件")
    parser.add_argument(
        "--force", action="store_true", help="有字体缺字时仍然打印，缺的字以〔U+编码〕标出"
    )
    parser.add_argument("--no-stamp", action="store_true", help="不在页脚打印“打印时间/版本”")
    parser.set_defaults(func=run)


def _scope(households: str):
    """The households a form is for, as a query condition (a village's batch prints those)."""
    if households == "registered":
        return Household.is_registered.is_(True)
    if households == "unregistered_special":
        return Household.is_registered.is_(False) & (Household.special_kind != "")
    return None


def _household_ids(engine, args: argparse.Namespace, households: str = "all") -> list[int]:
    with engine.connect() as conn:
        if args.household:
            ids = []
            for code in args.household:
                hid = conn.scalar(select(Household.id).where(Household.code == code.strip()))
                if hid is None:
                    fail(f"没有户编号为 {code} 的农户", 1)
                ids.append(hid)
            return ids
        stmt = select(Village.id, Township.name).join(Township).where(Village.name == args.village)
        if args.township:
            stmt = stmt.where(Township.name == args.township)
        villages = conn.execute(stmt).all()
        if not villages:
            fail(f"没有名为“{args.village}”的村", 1)
        if len(villages) > 1:
            towns = "、".join(t for _, t in villages)
            fail(
                f"有 {len(villages)} 个名为“{args.village}”的村（{towns}），请用 --township 指定", 2
            )
        stmt = select(Household.id).where(Household.village_id == villages[0][0])
        scope = _scope(households)
        if scope is not None:
            stmt = stmt.where(scope)
        ids = list(conn.scalars(stmt.order_by(Household.code)))
        if not ids:
            fail(f"“{args.village}”还没有要打印此表的农户", 1)
        return ids


def run(args: argparse.Namespace) -> int:
    """Render the requested forms into one PDF file."""
    started = time.perf_counter()
    try:
        description = load_form(args.form)
    except FormDescriptionError as exc:
        fail(str(exc), 2)
        raise
    if description.subject != "household":
        fail(f"{description.title}不是按户填写的表，不能按户打印", 2)
    try:
        if args.blank:
            pdf = render_form(description, [], blank=True, stamp=not args.no_stamp)
            households = 0
        else:
            services = open_services(args, lock=False)  # reading only
            ids = _household_ids(services.engine, args, description.households)
            items = services.forms.print_items(ids, args.form, args.campaign)
            households = len(items)
            try:
                pdf = render_form(
                    description,
                    items,
                    stamp=not args.no_stamp,
                    on_missing="mark" if args.force else "error",
                )
            except MissingGlyphsError as exc:
                fail(str(exc), EXIT_MISSING_GLYPHS)
                raise
    except FontError as exc:
        fail(str(exc), 2)
        raise
    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        args.out.write_bytes(pdf)
    except OSError as exc:
        fail(f"无法写入 {args.out}：{os_reason(exc)}", 2)
    seconds = time.perf_counter() - started
    what = "空白表 1 份" if args.blank else f"{households} 户"
    print(f"已打印 {description.title}：{what}，写入 {args.out}（{seconds:.1f} 秒）")
    return 0
