"""The 整改函 read back: GB/T 9704 geometry, type sizes, embedded fonts, the 问题清单 table."""

from __future__ import annotations

import datetime
import io

import pdfplumber
import pytest

from desktop.printing.notice import (
    BODY_W_MM,
    LEFT_MM,
    SIZE_2,
    SIZE_3,
    TOP_MM,
    NoticeData,
    render_notice,
)
from desktop.services.problems.data import NoticeProblem

MM = 72 / 25.4


def _problems(n: int) -> list[NoticeProblem]:
    return [
        NoticeProblem(
            number=f"2020-{k:03d}",
            target=f"花园村 张{k}户",
            description="住房经鉴定为C级危房，仍在居住，需尽快解决安全住房问题",
            measures="纳入危房改造计划，先行过渡安置",
            deadline=datetime.date(2020, 6, 30) if k % 4 else None,
            person_name="李建华",
        )
        for k in range(1, n + 1)
    ]


def _data(n: int = 5) -> NoticeData:
    return NoticeData(
        unit_name="花园村",
        issuer="桃花江镇扶贫工作站",
        date=datetime.date(2020, 5, 9),
        deadline=datetime.date(2020, 6, 30),
        problems=_problems(n),
        doc_number="桃扶函〔2020〕3号",
    )


def _render(n: int = 5) -> pdfplumber.PDF:
    return pdfplumber.open(io.BytesIO(render_notice(_data(n))))


def _lines(page):
    return page.extract_text_lines()


def test_page_geometry_and_type_sizes():
    pdf = _render()
    page = pdf.pages[0]
    assert (round(page.width), round(page.height)) == (595, 842)  # A4
    assert all("+" in c["fontname"] for p in pdf.pages for c in p.chars)  # subset-embedded
    lines = _lines(page)
    title = next(line for line in lines if line["text"] == "关于限期整改脱贫攻坚问题的函")
    assert round(title["chars"][0]["size"]) == SIZE_2
    centre = (title["x0"] + title["x1"]) / 2 / MM
    assert abs(centre - (LEFT_MM + BODY_W_MM / 2)) < 2
    body = [line for line in lines if line["chars"][0]["size"] == SIZE_3]
    assert len(body) >= 8
    assert min(line["x0"] for line in body) / MM == pytest.approx(LEFT_MM, abs=0.5)
    assert max(line["x1"] for line in body) / MM <= LEFT_MM + BODY_W_MM + 0.5
    first_top = min(c["top"] for c in page.chars) / MM
    assert TOP_MM - 0.5 <= first_top <= TOP_MM + 3
    addressee = next(line for line in lines if line["text"] == "花园村：")
    assert addressee["x0"] / MM == pytest.approx(LEFT_MM, abs=0.5)
    text = page.extract_text().replace("\n", "")
    assert "桃扶函〔2020〕3号" in text
    assert "存在问题5个" in text and "于2020年6月30日前整改到位" in text
    assert "附件：花园村问题清单" in text


def test_signature_leaves_room_for_the_seal():
    pdf = _render()
    lines = [line for p in pdf.pages[:1] for line in _lines(p)]
    attachment = next(line for line in lines if line["text"] == "附件：花园村问题清单")
    issuer = [line for line in lines if line["text"] == "桃花江镇扶贫工作站"][-1]
    date = next(line for line in lines if line["text"] == "2020年5月9日")
    assert issuer["top"] - attachment["bottom"] >= 15 * MM  # blank: the seal presses down here
    between = [line for line in lines if attachment["bottom"] < line["top"] < issuer["top"] - 1]
    assert between == []
    assert date["top"] > issuer["top"]
    right_edge = (LEFT_MM + BODY_W_MM) * MM
    assert right_edge - date["x1"] == pytest.approx(4 * SIZE_3, abs=3)  # 右空四字


def test_problem_list_is_a_numbered_table_repeated_on_every_page():
    pdf = _render(30)
    assert len(pdf.pages) >= 4
    rows = []
    for page in pdf.pages[1:]:
        for table in page.extract_tables():
            assert table[0] == ["序号", "问题编号", "问题对象", "问题描述", "整改要求", "整改时限",
                                "责任人"]  # fmt: skip
            rows.extend(table[1:])
    assert [r[0] for r in rows] == [str(k) for k in range(1, 31)]
    assert rows[0][1] == "2020-001" and rows[0][6] == "李建华"
    assert rows[0][5].replace("\n", "") == "2020年6月30日"
    assert rows[3][5] == "立行立改"
    assert "花园村问题清单" in pdf.pages[1].extract_text()
    numbers = [p.extract_text().strip().splitlines()[-1] for p in pdf.pages]
    assert numbers[:2] == ["— 1 —", "— 2 —"]


def test_no_open_problems_is_refused():
    data = NoticeData("花园村", "桃花江镇扶贫工作站", datetime.date(2020, 5, 9),
                      datetime.date(2020, 6, 30), [])  # fmt: skip
    with pytest.raises(ValueError, match="没有未销号的问题"):
        render_notice(data)


def test_every_font_the_notice_names_is_embedded():
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(render_notice(_data(3))))
    names = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            names.append((str(font["/BaseFont"]), embedded))
    assert names and all(embedded for _name, embedded in names), names
    assert not any("Helvetica" in name for name, _ in names)
