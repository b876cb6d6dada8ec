"""The 整改台账 .xlsx read back: title, fixed headers, one row per problem, 合计, print setup."""

from __future__ import annotations

import datetime

import openpyxl

from desktop.services.problems.report import HEADERS, build_ledger_table, write_ledger_xlsx
from desktop.services.problems.rules import STATUS_AWAITING
from tests.problem_fixtures import problem, service


def test_report_xlsx(demo_engine, data_dir, tmp_path):
    ps = service(demo_engine, data_dir)
    a = ps.save(problem(ps, demo_engine), "刘芳")
    b = ps.save(problem(ps, demo_engine), "刘芳")
    ps.save(problem(ps, demo_engine, found_date=datetime.date(2020, 7, 1),
                    deadline=datetime.date(2020, 7, 30)), "刘芳")  # fmt: skip
    ps.extend(b, datetime.date(2020, 6, 20), "雨季", "刘芳")
    ps.set_status(a, STATUS_AWAITING, "刘芳")
    ps.close(a, verified_by="文斌", verified_on=datetime.date(2020, 5, 20), opinion="已修缮",
             user="刘芳")  # fmt: skip
    rows = ps.report_rows(datetime.date(2020, 6, 1), datetime.date(2020, 6, 15))
    assert [r.id for r in rows] == [b]  # a closed before the period, c found after it
    rows = ps.report_rows()
    table = build_ledger_table(rows, title="桃花江镇脱贫攻坚问题整改台账", period="全部",
                               as_of=datetime.date(2020, 6, 25))  # fmt: skip
    path = write_ledger_xlsx(table, tmp_path / "台账.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "桃花江镇脱贫攻坚问题整改台账"
    assert [c.value for c in ws[3]] == list(HEADERS)
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    body = [[c.value for c in ws[n]] for n in range(4, 7)]
    assert [r[0] for r in body] == [1, 2, 3]  # numbers and dates are Excel's, not text
    assert ws.auto_filter.ref == f"A3:{ws.cell(row=3, column=len(HEADERS)).column_letter}6"
    by_number = {r[1]: r for r in body}
    closed = by_number["2020-001"]
    assert closed[HEADERS.index("整改状态")] == "已销号"
    assert closed[HEADERS.index("验收意见")] == "已修缮"
    extended = by_number["2020-002"]
    assert extended[HEADERS.index("整改时限")] == datetime.datetime(2020, 6, 20)
    assert extended[HEADERS.index("原定时限")] == datetime.datetime(2020, 5, 31)
    assert ws.cell(row=5, column=HEADERS.index("整改时限") + 1).number_format == "yyyy-mm-dd"
    assert extended[HEADERS.index("整改状态")] == "待整改（逾期）"
    total = [c.value for c in ws[7]]
    assert total[0] == "合计" and total[1] == "3个"
    assert total[HEADERS.index("整改状态")] == "逾期1"
    assert total[HEADERS.index("原定时限")] == "延期1"
    notes = [ws.cell(row=n, column=1).value for n in range(9, 12)]
    assert notes[1].startswith("整改率 50.0%（已销号 1 ÷ 应整改 2")
    assert notes[2].startswith("整改率 = 已销号问题数 ÷ 应整改问题数")
