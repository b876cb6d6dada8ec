"""Fuzzing both imports with hostile cells and shapes: nothing crashes, nothing half-written.

Both imports get their files as .xls (xlwt), .ods (cells as text) and .xlsx written as sheet XML by
hand (openpyxl refuses control characters; Excel escapes them as `_x0007_`, and so does this), an
.xlsx sometimes with one more cell anywhere up to XFD1048576 for the pre-check to judge.

CI runs a bounded budget; a longer run by hand:

    HUITOUKAN_FUZZ_EXAMPLES=2000 python -m pytest --timeout=0 --hypothesis-show-statistics \
        tests/services/workbooks/test_fuzz_imports.py
"""

from __future__ import annotations

import datetime
import os
import re
import zipfile

from hypothesis import HealthCheck, event, given, settings
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
    return rows, headers, draw(suffixes), draw(far_cells)


suffixes = st.sampled_from([".xls", ".ods", ".xlsx"])
# One more cell somewhere in the sheet, edges of Excel's grid weighted (only in an .xlsx).
far_cells = st.one_of(
    st.none(),
    st.tuples(
        st.one_of(st.integers(1, 1_048_576), st.sampled_from([1_048_576, 65_536, 100_001])),
        st.one_of(st.integers(1, 16_384), st.sampled_from([16_384, 256, 22])),
    ),
)
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xlsx_cell(ref, value):
    """Return one cell of sheet XML as Excel writes it: numbers as numbers, the rest as text."""
    if isinstance(value, bool) or value is None or value == "":
        return ""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime.date):  # as a serial day number, the way a date is stored
        return f'<c r="{ref}"><v>{(value - datetime.date(1899, 12, 30)).days}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def write_table(path, table, far=None):
    """Write a table (header row first) as .xls, .ods or .xlsx, by the path's suffix."""
    if path.suffix == ".xls":
        return write_xls(path, _values_as_written(table[1:]), headers=table[0])
    if path.suffix == ".ods":
        return hostile_files.write_ods(path, hostile_files.ods_rows(table))
    rows = [
        f'<row r="{r}">'
        + "".join(_xlsx_cell(f"{hostile_files._column(c)}{r}", v) for c, v in enumerate(line))
        + "</row>"
        for r, line in enumerate(table, 1)
    ]
    if far is not None:
        row, column = far
        cell = _xlsx_cell(f"{hostile_files._column(column - 1)}{row}", "x")
        if row > len(table):
            rows.append(f'<row r="{row}">{cell}</row>')
        else:  # inside a row of the table, after its cells (attribute order as in the file)
            rows[row - 1] = rows[row - 1].replace("</row>", cell + "</row>")
    return hostile_files.write_parts(path, hostile_files.sheet_xml("".join(rows)))


def _write(path, rows, headers, far=None):
    """Write the roster case as a table: header row, then each row's cells under `headers`."""
    if path.suffix == ".xls":
        return write_xls(path, _values_as_written(rows), headers=headers)
    table = [headers] + [[row.get(h, "") for h in headers] for row in rows]
    return write_table(path, table, far)


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
    rows, headers, suffix, far = case
    folder = tmp_path_factory.mktemp("fuzz")
    try:
        path = _write(folder / f"r{suffix}", rows, headers, far)
    except Exception:  # a value xlwt cannot write: not a file this test can make
        return
    before = counts(engine)
    result = import_roster(Database(engine), path)
    outcome = "refused" if result.fatal else "written" if result.written else "row errors"
    event(f"{suffix}{' + far cell' if far and suffix == '.xlsx' else ''}: {outcome}")
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
    return rows, draw(suffixes), draw(far_cells)


def _write_problems(path, rows, far):
    if path.suffix != ".xls":
        table = [list(PROBLEM_COLUMNS)] + [
            [row.get(h, "") for h in PROBLEM_COLUMNS] for row in rows
        ]
        return write_table(path, table, far)
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("问题清单")
    for c, header in enumerate(PROBLEM_COLUMNS):
        sheet.write(0, c, header)
    for r, row in enumerate(_values_as_written(rows), 1):
        for c, header in enumerate(PROBLEM_COLUMNS):
            if row.get(header, "") != "":
                sheet.write(r, c, row[header])
    book.save(str(path))
    return path


@FUZZ
@given(case=problem_lists())
def test_problem_import_fuzz(tmp_path_factory, demo_engine, data_dir, case):
    rows, suffix, far = case
    folder = tmp_path_factory.mktemp("fuzz")
    try:
        path = _write_problems(folder / f"p{suffix}", rows, far)
    except Exception:  # a value xlwt cannot write: not a file this test can make
        return
    ps = service(demo_engine, data_dir, empty=False)
    with demo_engine.connect() as conn:
        before = conn.execute(select(func.count(Problem.id))).scalar()
    try:
        result = ProblemImporter(ps).run(path, "测试")
    except ProblemImportError as exc:
        assert re.search(r"[\u4e00-\u9fff]", str(exc))
        with demo_engine.connect() as conn:
            assert conn.execute(select(func.count(Problem.id))).scalar() == before
        event(f"{suffix}{' + far cell' if far and suffix == '.xlsx' else ''}: refused")
        return
    event(f"{suffix}{' + far cell' if far and suffix == '.xlsx' else ''}: "
          + ("written" if result.ok else "row errors"))  # fmt: skip
    with demo_engine.connect() as conn:
        after = conn.execute(select(func.count(Problem.id))).scalar()
    assert after == (before + result.created if result.ok else before)
    for issue in result.errors:
        assert not _HIDDEN.search(issue.text()), issue.text()
