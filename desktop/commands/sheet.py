"""`huitoukan sheet`: seed 001's tables (附件2–6) for a village or a township, .xlsx or PDF;
a village's table (附件2–4) for every village of a township or of the county, a sheet each.

Exit codes: 0 written; 1 unknown village, township or table; 2 bad arguments, database or
standard file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.commands.common import add_db_argument, fail, open_services
from desktop.services.standards.sheets import load_layouts, sheet_titles
from desktop.services.standards.standard import StandardFileError, shipped_codes

SUFFIXES = (".xlsx", ".pdf")


def register(subparsers) -> None:
    """Add the `sheet` command."""
    parser = subparsers.add_parser(
        "sheet",
        help="填报四川附件2–6（摸底表、成果统计表），写成 .xlsx 或 PDF",
        description=(
            "“huitoukan sheet list”列出各表的代码和名称；"
            "“huitoukan sheet 代码 --village 村名 --out 文件”写出一张表。"
        ),
    )
    parser.add_argument("code", metavar="代码", help="表的代码（fj2…fj6），或 list 列出全部")
    add_db_argument(parser)
    parser.add_argument("--village", metavar="村名", help="按村填报的表（附件2–4）：村名")
    parser.add_argument(
        "--township",
        metavar="镇名",
        nargs="?",
        const="",
        default=None,
        help=(
            "按乡镇填报的表（附件5、6）：乡镇名（只有一个乡镇时可省略）；村名重复时指定乡镇；"
            "按村填报的表（附件2–4）不写 --village 时：该乡镇每村一张"
        ),
    )
    parser.add_argument(
        "--county",
        metavar="县名",
        help="按村填报的表（附件2–4）：全县每村一张，写在同一个文件中",
    )
    parser.add_argument("--out", type=Path, help="输出文件（.xlsx 或 .pdf）")
    parser.set_defaults(func=run)


def _list() -> int:
    for code in shipped_codes():
        for sheet_code, attachment, title in sheet_titles(code):
            print(f"{sheet_code}\t{attachment}\t{title}\t（{code}）")
    return 0


def run(args: argparse.Namespace) -> int:
    """List the tables, or write one."""
    if args.code == "list":
        return _list()
    if args.out is None or args.out.suffix.lower() not in SUFFIXES:
        fail("请用 --out 指定输出文件，扩展名为 .xlsx 或 .pdf")
    if args.village is None and args.township is None and args.county is None:
        fail("请用 --village 村名、--township [镇名] 或 --county 县名 指定填报范围")
    from desktop.services.standards.records import show_sheet, show_village_sheets
    from desktop.services.standards.service import StandardError

    service = open_services(args, lock=False).standards
    try:
        if args.county is not None:
            if args.village is not None or args.township is not None:
                fail("--county 不能与 --village、--township 同用", 2)
            county_id = service.county_of(args.county)
            sheets = [s.sheet for s in show_village_sheets(service, args.code, county_id=county_id)]
            return _write(sheets, args.out, args.county)
        if args.village is not None:
            name = f"{args.township}/{args.village}" if args.township else args.village
            village_id = service.village_of(name)
            campaign = service.campaign_for_village(village_id)
            township_id = None
        else:
            township_id = service.township_of(args.township or None)
            village_id = None
            campaign = service.campaign_for_township(township_id)
        if campaign is None:
            fail("该地没有“回头看”活动，无法确定标准", 1)
        standard = service.standard(campaign.id)  # StandardFileError when its file is bad
        layouts = load_layouts(standard.code)
        if args.code not in layouts:
            known = "、".join(layouts) or "无"
            fail(f"{standard.title} 没有表 {args.code}（可用：{known}）", 1)
        scope = layouts[args.code].scope
        if scope == "village" and village_id is None:
            sheets = [
                s.sheet for s in show_village_sheets(service, args.code, township_id=township_id)
            ]
            return _write(sheets, args.out, args.township or "")
        if scope == "township" and township_id is None:
            fail(f"{layouts[args.code].attachment} 按乡镇填报，请用 --township 指定乡镇", 2)
        # A completed or signed sheet is written as it was stored, a draft as evaluated now.
        sheet = show_sheet(service, args.code, village_id=village_id, township_id=township_id).sheet
    except StandardError as exc:
        fail(str(exc), 1)
    except StandardFileError as exc:
        fail(str(exc), 2)
    return _write([sheet], args.out, "")


def _write(sheets: list, out: Path, place: str) -> int:
    """Write the sheets to .xlsx (a worksheet each) or PDF (one after another)."""
    if not sheets:
        fail(f"{place or '该地'}没有村，没有可写的表", 1)
    if out.suffix.lower() == ".xlsx":
        from desktop.services.standards.workbook import write_sheets_xlsx

        write_sheets_xlsx(sheets, out)
    else:
        from desktop.printing.standard_sheets import render_sheets_pdf

        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(render_sheets_pdf(sheets))
        tmp.replace(out)
    first = sheets[0]
    if len(sheets) == 1:
        print(f"已写出 {first.attachment} {first.title}：{len(first.rows)} 行 → {out}")
    else:
        rows = sum(len(s.rows) for s in sheets)
        print(f"已写出 {first.attachment}：{len(sheets)} 个村，共 {rows} 行 → {out}")
    return 0
