"""Fuzzing both imports with hostile cells and shapes: nothing crashes, nothing half-written.

Rosters are written as .xls and as .ods (whose cells reach calamine's .ods reader as text).

CI runs a bounded budget; a longer run by hand:

    HUITOUKAN_FUZZ_EXAMPLES=2000 python -m pytest --timeout=0 \
        tests/services/workbooks/test_fuzz_imports.py
"""

from __future__ import annotations

import datetime
import os
import re
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desktop.models.problem import Problem
from desktop.models.registry import Household, Member
from desktop.services.problems.importer import COLUMNS as PROBLEM_COLUMNS
from desktop.services.problems.importer import ProblemImporter, ProblemImportError
from desktop.services.roster.export import export_roster
from desktop.services.roster.importer import import_roster
from desktop.services.roster.template import HEADERS
from desktop.services.unit_of_work import Database
from tests import hostile_files
from tests.problem_fixtures import service
from tests.roster_samples import clean_rows, write_xls

EXAMPLES = int(os.environ.get("HUITOUKAN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u200b-\u200f]")

# Cells a careless or hostile file holds: controls, bidi, formulas, spaces, numbers, dates.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\u3000",
            "=1+1",
            '=HYPERLINK("http://x")',
            "@SUM(A1)",
            "+86",
            "-",
            "cmd|' /C calc'!A0",
            "张\x07三",
            "李\u202e梅",
            "王\u200b五",
            "4.30922E+17",
            "未脱贫",
            "户主",
            "是",
            "否",
            "一般贫困户",
            "9999",
            "x" * 300,
        ]
    ),
)
hostile_cell = st.one_of(
    hostile_text,
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(9999, 12, 31)),
)


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count(Household.id))).scalar(),
            conn.execute(select(func.count(Member.id))).scalar(),
        )


@st.composite
def rosters(draw):
    """Clean rows with cells replaced, rows dropped, duplicated and blanked."""
    rows = clean_rows()
    for _ in range(draw(st.integers(0, 12))):
        row = draw(st.integers(0, len(rows) - 1))
        header = draw(st.sampled_from(HEADERS))
        rows[row] = dict(rows[row], **{header: draw(hostile_cell)})
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), dict.fromkeys(HEADERS, " "))
    if draw(st.booleans()):
        rows.append(dict(draw(st.sampled_from(rows))))
    if draw(st.booleans()) and len(rows) > 1:
        del rows[draw(st.integers(0, len(rows) - 1))]
    headers = list(HEADERS)
    if draw(st.booleans()):
        del headers[draw(st.integers(0, len(headers) - 1))]
    return rows, headers, draw(st.sampled_from([".xls", ".ods"]))


def _write(path, rows, headers):
    """Write the case as an .xls (xlwt) or an .ods (its cells as text, repeats and all)."""
    if path.suffix == ".xls":
        return write_xls(path, _values_as_written(rows), headers=headers)
    table = [headers] + [[row.get(h, "") for h in headers] for row in rows]
    return hostile_files.write_ods(path, hostile_files.ods_rows(table))


def _values_as_written(rows):
    # xlwt writes ints beyond 2**31 and dates as numbers; give it text for those.
    out = []
    for row in rows:
        fixed = {}
        for key, value in row.items():
            if isinstance(value, int) and not -(2**31) < value < 2**31:
                value = str(value)
            if isinstance(value, datetime.date):
                value = datetime.datetime(value.year, value.month, value.day)
            fixed[key] = value
        out.append(fixed)
    return out


@FUZZ
@given(case=rosters())
def test_roster_import_fuzz(tmp_path_factory, engine, case):
    rows, headers, suffix = case
    folder = tmp_path_factory.mktemp("fuzz")
    try:
        path = _write(folder / f"r{suffix}", rows, headers)
    except Exception:  # a value xlwt cannot write: not a file this test can make
        return
    before = counts(engine)
    result = import_roster(Database(engine), path)
    if not result.written:
        assert counts(engine) == before
        assert result.fatal or result.errors or result.rows == 0
    for issue in [*result.errors, *result.warnings]:
        assert not _HIDDEN.search(issue.text()), issue.text()
    assert "Traceback" not in "\n".join(result.summary_lines())
    out = folder / "out.xlsx"
    export_roster(Database(engine), out, full_ids=True)  # whatever was stored exports
    with zipfile.ZipFile(out) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


@st.composite
def problem_lists(draw):
    base = {"发现日期": "2020-05-06", "问题来源": "自查", "村": "花园村",
            "问题描述": "住房漏雨", "整改类型": "立行立改"}  # fmt: skip
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        row = dict(base)
        for _ in range(draw(st.integers(0, 4))):
            row[draw(st.sampled_from(PROBLEM_COLUMNS))] = draw(hostile_cell)
        rows.append(row)
    return rows


@FUZZ
@given(rows=problem_lists())
def test_problem_import_fuzz(tmp_path_factory, demo_engine, data_dir, rows):
    import xlwt

    folder = tmp_path_factory.mktemp("fuzz")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("问题清单")
    for c, header in enumerate(PROBLEM_COLUMNS):
        sheet.write(0, c, header)
    try:
        for r, row in enumerate(_values_as_written(rows), 1):
            for c, header in enumerate(PROBLEM_COLUMNS):
                if row.get(header, "") != "":
                    sheet.write(r, c, row[header])
        book.save(str(folder / "p.xls"))
    except Exception:
        return
    ps = service(demo_engine, data_dir, empty=False)
    with demo_engine.connect() as conn:
        before = conn.execute(select(func.count(Problem.id))).scalar()
    try:
        result = ProblemImporter(ps).run(folder / "p.xls", "测试")
    except ProblemImportError as exc:
        assert re.search(r"[\u4e00-\u9fff]", str(exc))
        return
    with demo_engine.connect() as conn:
        after = conn.execute(select(func.count(Problem.id))).scalar()
    assert after == (before + result.created if result.ok else before)
    for issue in result.errors:
        assert not _HIDDEN.search(issue.text()), issue.text()
