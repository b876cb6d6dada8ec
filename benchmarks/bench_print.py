"""Batch printing of 1,000 pre-filled 核查表 from a demo database, against the peer workflow.

Prints pages/s of our renderer end to end (database → PDF), the peer workflow measured in the same
run (the same forms written by openpyxl into one .xlsx with a sheet per household, converted by
`libreoffice --headless --convert-to pdf` in batches of 200, because LibreOffice 7.4 silently stops
after about 246 files per call; the PDFs are counted), the ratio, and one household's form inside
a running process after font registration.

    python benchmarks/bench_print.py [--households 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.demo.forms import add_demo_forms
from desktop.demo.township import build_demo
from desktop.models.database import open_database
from desktop.printing.fonts import register_fonts
from desktop.printing.form_renderer import render_form
from desktop.services.forms.catalog import load_form
from desktop.services.forms.service import FormService
from desktop.services.unit_of_work import Database

PEER_BATCH = 200


def ours(engine, ids: list[int]) -> tuple[float, int, bytes]:
    """Database to PDF for all households: seconds, pages, bytes."""
    started = time.perf_counter()
    items = FormService(Database(engine)).print_items(ids, "verification")
    pdf = render_form(load_form("verification"), items)
    seconds = time.perf_counter() - started
    return seconds, pdf.count(b"/Type /Page\n") or len(items), pdf


def _peer_workbooks(engine, ids: list[int], folder: Path) -> list[Path]:
    """The clerk's way: one sheet per household in a workbook, split into batches of files."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    form = load_form("verification")
    grid = form.section("main")
    items = FormService(Database(engine)).print_items(ids, "verification")
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # One workbook per 200 households: LibreOffice converts each workbook to one PDF.
    paths = []
    for start in range(0, len(items), PEER_BATCH):
        book = Workbook()
        book.remove(book.active)
        for item in items[start : start + PEER_BATCH]:
            _peer_sheet(book, form, grid, item, centre, border)
        part = Path(folder) / f"batch_{start // PEER_BATCH:03d}.xlsx"
        book.save(part)
        paths.append(part)
    return paths


def _peer_sheet(book, form, grid, item, centre, border) -> None:
    """One household's 核查表 as a worksheet, the way a clerk fills an Excel template."""
    ws = book.create_sheet(item.household_code[-20:])
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(grid.columns_mm))
    ws.cell(1, 1, form.title).alignment = centre
    for i, width in enumerate(grid.columns_mm, 1):
        ws.column_dimensions[ws.cell(2, i).column_letter].width = width / 2.2
    for cell in grid.cells:
        row, col = cell.row + 3, cell.col + 1
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=row,
                start_column=col,
                end_row=row + cell.rowspan - 1,
                end_column=col + cell.colspan - 1,
            )
        value = cell.label if not cell.is_input else item.answers.get(cell.field)
        if isinstance(value, list):
            value = "、".join(value)
        elif isinstance(value, bool):
            value = "☑" if value else "□"
        target = ws.cell(row, col, value)
        target.alignment = centre
        target.border = border


def peer(engine, ids: list[int], folder: Path) -> tuple[float, int, int] | None:
    """openpyxl + LibreOffice: seconds, PDF files and pages produced; None without LibreOffice."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        return None
    started = time.perf_counter()
    books = _peer_workbooks(engine, ids, folder)
    out = folder / "pdf"
    out.mkdir()
    for start in range(0, len(books), PEER_BATCH):
        batch = books[start : start + PEER_BATCH]
        subprocess.run(
            [office, "--headless", f"-env:UserInstallation=file://{folder}/profile",
             "--convert-to", "pdf", "--outdir", str(out), *map(str, batch)],
            check=True, capture_output=True, timeout=1800,
        )  # fmt: skip
    seconds = time.perf_counter() - started
    from pypdf import PdfReader

    pdfs = sorted(out.glob("*.pdf"))
    pages = sum(len(PdfReader(p).pages) for p in pdfs)
    if len(pdfs) != len(books):
        print(f"  注意：LibreOffice 只生成了 {len(pdfs)}/{len(books)} 个 PDF")
    return seconds, len(pdfs), pages


def one_household(engine, household_id: int) -> float:
    """Median ms for one household's form inside a running process (fonts registered)."""
    service = FormService(Database(engine))
    form = load_form("verification")
    render_form(form, service.print_items([household_id], "verification"))  # warm caches
    times = []
    for _ in range(15):
        started = time.perf_counter()
        render_form(form, service.print_items([household_id], "verification"))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the PDFs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = open_database(folder / "bench.sqlite3")
        build_demo(engine, households=args.households, seed=2020)
        add_demo_forms(engine, seed=2020)
        with engine.connect() as conn:
            ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM household ORDER BY code")]
        from reportlab.lib import rl_accel

        accelerated = isinstance(rl_accel.fp_str, type(len))
        state = "已启用" if accelerated else "未安装，纯 Python"
        print(f"reportlab 的 C 加速模块（rl_accel）：{state}")
        started = time.perf_counter()
        register_fonts()
        print(f"字体注册（每个进程一次）：{(time.perf_counter() - started) * 1000:.0f} ms")
        seconds, _pages, pdf = ours(engine, ids)
        rate = len(ids) / seconds
        print(f"本程序：{len(ids)} 份核查表 → {len(ids)} 页，{seconds:.2f} s，{rate:.0f} 页/秒，"
              f"PDF {len(pdf) / 1e6:.1f} MB")  # fmt: skip
        print(f"单户核查表（进程内，字体已注册）：{one_household(engine, ids[0]):.1f} ms")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / "verification_batch.pdf").write_bytes(pdf)
        result = peer(engine, ids, folder)
        if result is None:
            print("对照流程（openpyxl + LibreOffice）：未找到 libreoffice，跳过")
        else:
            peer_seconds, produced, peer_pages = result
            print(f"对照流程：openpyxl 写 {len(ids)} 个工作表（{produced} 个工作簿，每批 "
                  f"{PEER_BATCH} 户）+ LibreOffice 转换，得 {produced} 个 PDF 共 {peer_pages} 页，"
                  f"{peer_seconds:.1f} s，{peer_pages / peer_seconds:.0f} 页/秒")  # fmt: skip
            print(f"倍数：本程序快 {peer_seconds / seconds:.1f} 倍（目标 ≥10 倍）")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
