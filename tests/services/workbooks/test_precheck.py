"""The workbook pre-check: hostile files are refused in Chinese before any parser sees them."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from desktop.models.registry import Household
from desktop.services.problems.importer import ProblemImporter, ProblemImportError
from desktop.services.roster.importer import import_roster
from desktop.services.roster.report import write_error_report
from desktop.services.unit_of_work import Database
from desktop.services.workbooks.precheck import (
    MAX_CELLS,
    WorkbookRefused,
    check_workbook,
)
from tests import hostile_files
from tests.problem_fixtures import service
from tests.roster_samples import clean_rows, household_rows, person_id, write_xls, write_xlsx

# (builder, words the refusal must contain)
HOSTILE = {
    "far_cell": (hostile_files.far_cell, ["XFD1048576", "1,048,576 行", "16,384 列"]),
    "far_cell_declared": (
        lambda p: hostile_files.far_cell(p, dimension="A1:XFD1048576"),
        ["声明的使用范围", "XFD1048576"],
    ),
    "far_cell_lying_dimension": (
        lambda p: hostile_files.far_cell(p, dimension="A1:U2"),
        ["实际使用范围为", "XFD1048576"],
    ),
    "far_cell_out_of_order": (hostile_files.far_cell_out_of_order, ["XFD1048576"]),
    "far_row": (lambda p: hostile_files.far_cell(p, ref="A1048576"), ["1,048,576 行"]),
    "zip_bomb": (hostile_files.zip_bomb, ["压缩了", "倍", "MB"]),
    "lying_size": (hostile_files.lying_size, ["声明的", "更大"]),
    "styled_empty_rows": (hostile_files.styled_empty_rows, ["至少为", "× 21 列", "空行", "MB"]),
    "space_rows": (lambda p: hostile_files.space_rows(p, 600_000, 2), ["至少为", "× 21 列"]),
    "huge_cell": (hostile_files.huge_cell, ["32767 个字符"]),
    "shared_string_bomb": (hostile_files.shared_string_bomb, ["反复引用超长文字"]),
    "not_a_workbook": (hostile_files.not_a_workbook, ["不是Excel文件"]),
    "encrypted": (hostile_files.encrypted_xlsx, ["设有密码"]),
}


def hostile(tmp_path, name):
    builder, words = HOSTILE[name]
    suffix = ".xls" if name.endswith("xls") else ".xlsx"
    return builder(tmp_path / f"{name}{suffix}"), words


def assert_chinese_sentence(message: str, file_name: str) -> None:
    rest = message.replace(file_name, "")
    # Cell references (XFD1048576), sizes (MB, KB) and Excel's own names may appear; library
    # English (BadZipFile, invalid Zip archive, Cfb error, Traceback) may not.
    words = set(re.findall(r"[A-Za-z]{3,}", rest)) - {"XFD", "Excel", "WPS", "xlsx", "xls"}
    assert not words, message
    assert re.search(r"[\u4e00-\u9fff]", message)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_in_chinese(tmp_path, name):
    path, words = hostile(tmp_path, name)
    with pytest.raises(WorkbookRefused) as refused:
        check_workbook(path)
    message = str(refused.value)
    for word in words:
        assert word in message, message
    assert_chinese_sentence(message, path.name)


def test_wide_xls_is_refused_by_its_biff_dimensions(tmp_path):
    path = hostile_files.wide_xls(tmp_path / "wide.xls")
    with pytest.raises(WorkbookRefused, match="65,536 行 × 256 列"):
        check_workbook(path)


def test_truncated_workbook_is_refused(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", clean_rows())
    path = hostile_files.truncated_zip(tmp_path / "half.xlsx", good)
    with pytest.raises(WorkbookRefused, match="已损坏") as refused:
        check_workbook(path)
    assert_chinese_sentence(str(refused.value), path.name)


def test_real_rosters_pass_with_their_size(tmp_path):
    facts = check_workbook(write_xlsx(tmp_path / "r.xlsx", clean_rows()))
    sheet = facts.sheets[0]
    assert (sheet.rows, sheet.columns) == (7, 21)
    assert check_workbook(write_xls(tmp_path / "r.xls", clean_rows())).sheets[0].rows == 7


def test_wide_but_legal_sheet_passes(tmp_path):
    # 40 columns (AA… references in every row) and rows past 9, 99, 999: all legal.
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in ("A", "Z", "AN"))
        + "</row>"
        for r in range(1, 1500)
    )
    facts = check_workbook(
        hostile_files.write_parts(tmp_path / "w.xlsx", hostile_files.sheet_xml(rows))
    )
    assert (facts.sheets[0].rows, facts.sheets[0].columns) == (1499, 40)
    assert facts.sheets[0].cells < MAX_CELLS


@pytest.mark.parametrize("name", ["far_cell", "far_cell_out_of_order", "zip_bomb", "huge_cell"])
def test_roster_import_refuses_and_writes_nothing(tmp_path, engine, name):
    path, words = hostile(tmp_path, name)
    result = import_roster(Database(engine), path)
    assert not result.written
    assert words[0] in result.fatal
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Household.id))).scalar() == 0


@pytest.mark.parametrize("name", ["far_cell", "zip_bomb", "not_a_workbook"])
def test_problem_import_refuses(tmp_path, engine, data_dir, name):
    path, words = hostile(tmp_path, name)
    with pytest.raises(ProblemImportError) as refused:
        ProblemImporter(service(engine, data_dir)).run(path, "测试")
    assert words[0] in str(refused.value)


def test_far_cell_import_on_the_command_line_ends_in_one_sentence(tmp_path, db_path):
    # In a subprocess: were the file to reach calamine, the interpreter would abort (SIGABRT).
    path, _words = hostile(tmp_path, "far_cell")
    for command in (["roster", "import"], ["problems", "import"]):
        done = subprocess.run(
            [sys.executable, "-m", "desktop", *command, str(path), "--db", str(db_path)],
            capture_output=True,
            encoding="utf-8",
            timeout=120,
        )
        assert done.returncode in (1, 2), done
        output = done.stdout + done.stderr
        assert "XFD1048576" in output
        assert "Traceback" not in output


def test_rows_of_spaces_are_blank(tmp_path, engine):
    path = hostile_files.space_rows(tmp_path / "spaces.xlsx", 300)
    result = import_roster(Database(engine), path)
    assert result.rows == 0 and result.error_count == 0
    rows = clean_rows()
    blank = dict.fromkeys(rows[0], " \u3000\t")
    source = write_xlsx(tmp_path / "mixed.xlsx", [rows[0], blank, blank, *rows[1:]])
    result = import_roster(Database(engine), source)
    assert result.written and result.rows == 6, result.summary_lines()


def test_errors_are_capped_but_counted(tmp_path, engine):
    rows = []
    for n in range(1500):
        rows += household_rows(
            f"H{n:04d}", f"户主{n}", [(f"户主{n}", "男", "户主", person_id(n))], 贫困户属性="富裕户"
        )
    source = write_xlsx(tmp_path / "bad.xlsx", rows)
    result = import_roster(Database(engine), source, skip_invalid=True)
    assert result.error_count == 1500
    assert len(result.errors) == 1000
    assert result.skipped_households == 1500 and result.created == 0
    assert "发现 1500 处错误" in "\n".join(import_roster(Database(engine), source).summary_lines())
    report = write_error_report(result, source, tmp_path / "report.xlsx")
    from openpyxl import load_workbook

    summary = list(load_workbook(report)["错误汇总"].values)
    assert any("另有 500 处错误未列出" in str(r[3]) for r in summary)


# --- .ods ------------------------------------------------------------------------------------

ODS_HOSTILE = {
    "ods_styled_empty_rows": (hostile_files.ods_styled_empty_rows, ["1,000,012 行", "× 21 列"]),
    "ods_repeated_rows": (hostile_files.ods_repeated_rows, ["1,000,011 行", "× 21 列"]),
    "ods_repeated_columns": (hostile_files.ods_repeated_columns, ["16,384 列", "XFD12"]),
}


@pytest.mark.parametrize("name", sorted(ODS_HOSTILE))
def test_hostile_ods_is_refused_in_chinese_naming_file_and_sheet(tmp_path, engine, name):
    builder, words = ODS_HOSTILE[name]
    path = builder(tmp_path / f"{name}.ods")
    assert path.stat().st_size < 4096  # a million rows or columns in a few hundred bytes
    with pytest.raises(WorkbookRefused) as refused:
        check_workbook(path)
    message = str(refused.value)
    for word in [path.name, "工作表“花名册”", "超过导入上限", *words]:
        assert word in message, message
    assert_chinese_sentence(message, path.name)
    result = import_roster(Database(engine), path)
    assert not result.written and result.fatal == message
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Household.id))).scalar() == 0


def test_ods_with_libreoffice_trailing_styled_run_imports(tmp_path, engine):
    # LibreOffice ends a sheet with styled columns in one empty run to XFD1048576: calamine
    # skips it, so the pre-check measures the range up to the last value and lets it pass.
    from desktop.services.roster.template import HEADERS

    rows = [list(HEADERS)] + [[r.get(h, "") for h in HEADERS] for r in clean_rows()]
    path = hostile_files.ods_trailing_styled_run(tmp_path / "lo.ods", rows)
    sheet = check_workbook(path).sheets[0]
    assert (sheet.name, sheet.rows, sheet.columns) == ("花名册", 7, 21)
    result = import_roster(Database(engine), path)
    assert result.written and (result.created, result.members) == (3, 6), result.summary_lines()


def _refs_flagged(digits: int, column: int, cell: bytes) -> bool:
    from desktop.services.workbooks.precheck import _anomaly

    return _anomaly(digits, column).search(cell) is not None


@pytest.mark.parametrize("column", [0, 1, 5, 21, 26, 27, 30, 52, 53, 78, 700, 702, 703, 1000])
def test_anomaly_flags_exactly_the_cells_past_what_was_seen(column):
    from desktop.services.workbooks.precheck import _column_letters

    for digits in (1, 3, 6, 7):
        for ref_column in sorted({1, 2, 25, 26, 27, 52, 53, 702, 703, 16384, column, column + 1}):
            for row in (1, 10**digits - 1, 10**digits):
                ref = f"{_column_letters(ref_column)}{row}".encode()
                beyond = not 1 <= column <= 702 or ref_column > column or row >= 10**digits
                for cell in (b'<c r="%s" t="s">' % ref, b'<c r="%s"/>' % ref):
                    assert _refs_flagged(digits, column, cell) == beyond, (digits, column, cell)
    # A reference that is not the first attribute, a cell without one, odd spacing: all looked
    # at; the tags that merely start with <c are not cells.
    for odd in (
        b'<c t="s" r="A1">',
        b"<c>",
        b'<c  r="A1">',
        b'<c\tr="A1">',
        b'<c r="$XFD$9">',
        b'<c r="A">',
    ):
        assert _refs_flagged(6, max(column, 1), odd), odd
    for tag in (b'<col min="1" max="3"/>', b"<cols>", b"<cfRule>", b"</c>"):
        assert not _refs_flagged(6, max(column, 1), tag), tag


def test_far_cell_is_found_wherever_a_chunk_cuts_it(tmp_path, monkeypatch):
    # Chunks of at most 1 KB: the far cell, hidden before a valid cell, lands at every place
    # around a chunk's end (cut in two, inside the carried tail, at the sheet's very end).
    from desktop.services.workbooks import precheck

    monkeypatch.setattr(precheck, "_CHUNK", 256)
    far = '<c s="1" r="XFD9"/>'
    for pad in range(0, 1100, 9):
        for at_end in (False, True):
            rows = hostile_files.header_row() + "".join(
                f'<row r="{r}"><c r="A{r}"/><c r="U{r}"/></row>' for r in range(2, 9)
            )
            filler = f'<c r="B9" t="inlineStr"><is><t>{"x" * pad}</t></is></c>'
            rows += f'<row r="9">{filler}{far}<c r="C9"/></row>'
            if not at_end:
                rows += "".join(f'<row r="{r}"><c r="A{r}"/></row>' for r in range(10, 60))
            path = hostile_files.write_parts(tmp_path / "far.xlsx", hostile_files.sheet_xml(rows))
            with pytest.raises(WorkbookRefused, match="XFD"):
                check_workbook(path)


def test_valid_sheet_is_read_cell_by_cell_only_until_its_width_is_known(tmp_path, monkeypatch):
    # However the chunks fall, a valid sheet passes on one search per chunk (the county
    # roster's pre-check time): a chunk is rescanned for its references only while the
    # sheet's width is not known yet, never because a chunk's end cut a cell.
    from desktop.services.workbooks import precheck

    monkeypatch.setattr(precheck, "_CHUNK", 256)
    rescans = []
    real = precheck._far_cells
    monkeypatch.setattr(precheck, "_far_cells", lambda *a: rescans.append(1) or real(*a))
    path = write_xlsx(tmp_path / "roster.xlsx", clean_rows() * 40)
    sheet = check_workbook(path).sheets[0]
    assert (sheet.rows, sheet.columns) == (241, 21)
    assert sheet.xml_bytes > 100 * 1024  # a hundred chunks and more
    assert len(rescans) <= 2
