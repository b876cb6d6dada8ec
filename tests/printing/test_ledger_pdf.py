"""The 整改台账 PDF read back: A4 landscape, header repeated on every page, the 合计 row."""

from __future__ import annotations

import datetime
import io

import pdfplumber

from desktop.printing.ledger_pdf import render_ledger_pdf
from desktop.services.problems.report import HEADERS, build_ledger_table
from tests.problem_fixtures import problem, service


def test_ledger_pdf(demo_engine, data_dir):
    ps = service(demo_engine, data_dir)
    for _ in range(40):
        ps.save(problem(ps, demo_engine), "刘芳")
    table = build_ledger_table(ps.report_rows(), title="桃花江镇脱贫攻坚问题整改台账",
                               period="全部", as_of=datetime.date(2020, 6, 5))  # fmt: skip
    pdf = pdfplumber.open(io.BytesIO(render_ledger_pdf(table)))
    assert len(pdf.pages) >= 2
    for page in pdf.pages:
        assert (round(page.width), round(page.height)) == (842, 595)  # landscape
    rows = []
    for page in pdf.pages:
        (grid,) = page.extract_tables()
        assert [h.replace("\n", "") for h in grid[0]] == list(HEADERS)  # header repeated
        rows.extend(grid[1:])
    assert [r[0] for r in rows[:-1]] == [str(k) for k in range(1, 41)]
    assert rows[-1][0] == "合计" and rows[-1][1] == "40个"
    assert rows[0][HEADERS.index("整改状态")].replace("\n", "") == "待整改（逾期）"
    text = pdf.pages[-1].extract_text()
    assert "整改率 0.0%（已销号 0 ÷ 应整改 40" in text
    assert all("+" in c["fontname"] for p in pdf.pages for c in p.chars)
