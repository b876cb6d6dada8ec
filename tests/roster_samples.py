"""Roster files for the import tests: clean rows, and helpers that make them dirty."""

from __future__ import annotations

import datetime
from pathlib import Path

from desktop.services.registry.idcard import make_id
from desktop.services.roster.template import HEADERS


def person_id(n: int, sex: str = "男", year: int = 1970) -> str:
    """Return a valid, distinct 18-digit ID number."""
    birth = datetime.date(year, 1, 1) + datetime.timedelta(days=n)
    seq = (n % 400) * 2 + (1 if sex == "男" else 0)
    return make_id("430922", birth, seq)


def household_rows(code: str, head: str, members: list[tuple], **household) -> list[dict]:
    """Return one dict per member of a household, household columns repeated.

    `members` holds (name, sex, relation, id_number) tuples; the head comes first.
    """
    base = {
        "县": "桃江县",
        "乡镇": "桃花江镇",
        "村": household.pop("村", "花园村"),
        "组": "3组",
        "户编号": code,
        "户主姓名": head,
        "民族": "汉族",
        "文化程度": "初中",
        "在校情况": "非在校生",
        "健康状况": "健康",
        "劳动能力": "普通劳动力",
        "务工情况": "无",
        "贫困户属性": "一般贫困户",
        "是否建档立卡": "是",
        "脱贫年度": "2016",
        "联系电话": "13800000000",
        "人均纯收入": 5200.5,
    }
    base.update(household)
    rows = []
    for name, sex, relation, number in members:
        row = dict(base)
        row.update({"姓名": name, "性别": sex, "与户主关系": relation, "证件号码": number})
        rows.append(row)
    return rows


def clean_rows() -> list[dict]:
    """Return three valid households, six members."""
    return [
        *household_rows(
            "H001",
            "张三",
            [
                ("张三", "男", "户主", person_id(1, "男")),
                ("李梅", "女", "配偶", person_id(2, "女")),
                ("张小明", "男", "之子", person_id(3, "男", 2008)),
            ],
        ),
        *household_rows(
            "H002",
            "王五",
            [
                ("王五", "男", "户主", person_id(4, "男")),
                ("赵六", "女", "配偶", person_id(5, "女")),
            ],
            贫困户属性="边缘户",
            是否建档立卡="否",
            脱贫年度="",
        ),
        *household_rows(
            "H003", "刘七", [("刘七", "女", "户主", person_id(6, "女"))], 脱贫年度="未脱贫"
        ),
    ]


def write_xlsx(
    path: Path,
    rows: list[dict],
    headers: list[str] | tuple[str, ...] = HEADERS,
    title_rows: list[str] = (),
    extra: dict[str, str] | None = None,
) -> Path:
    """Write rows under the headers (and title rows above them) with openpyxl.

    Values are written as given: a float stays a number cell, a string a text cell.
    `extra` adds columns the template does not know (header → value).
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    width = len(headers) + len(extra or {})
    for title in title_rows:
        ws.append([title])
        if width > 1:
            ws.merge_cells(
                start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width
            )
    all_headers = list(headers) + list(extra or {})
    ws.append(all_headers)
    for row in rows:
        values = [row.get(h, "") for h in headers] + list((extra or {}).values())
        ws.append([None if v == "" else v for v in values])
    wb.save(path)
    return path


def write_xls(path: Path, rows: list[dict], headers=HEADERS, title_rows=()) -> Path:
    """Write an old Excel 97–2003 file with xlwt."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("花名册")
    r = 0
    for title in title_rows:
        ws.write_merge(r, r, 0, len(headers) - 1, title)
        r += 1
    for c, header in enumerate(headers):
        ws.write(r, c, header)
    for row in rows:
        r += 1
        for c, header in enumerate(headers):
            value = row.get(header, "")
            if value != "":
                ws.write(r, c, value)
    book.save(str(path))
    return path
