"""Hostile workbooks: each is refused by the pre-check within 2 s and 300 MB (issue 12).

Each file is built once in the temp folder, then imported as a roster in a fresh process of its
own, so that the peak memory printed is that file's alone (the process's peak resident set,
VmHWM, interpreter and libraries included). Also prints what the pre-check costs on the county
roster of bench_import.py (when that file is cached), against calamine reading the same file.

    python benchmarks/bench_hostile.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile_files  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "huitoukan-bench" / "hostile"
LIMIT_SECONDS = 2.0
LIMIT_MB = 300

FILES = {
    "A1 和 XFD1048576 两个单元格": ("far.xlsx", hostile_files.far_cell),
    "XFD1048576 藏在第2行、属性换序": ("far2.xlsx", hostile_files.far_cell_out_of_order),
    "压缩炸弹（解压 3 GB）": ("bomb.xlsx", lambda p: hostile_files.zip_bomb(p, 3 * 1024**3)),
    "声明 4 KB、实际 64 MB": ("lying.xlsx", hostile_files.lying_size),
    "10 行数据 + 100 万带格式空行": ("styled.xlsx", hostile_files.styled_empty_rows),
    "100 万行只有空格": ("spaces.xlsx", lambda p: hostile_files.space_rows(p, 1_000_000, 2)),
    "20 万字的单元格": ("huge-cell.xlsx", hostile_files.huge_cell),
    "3 万字的文字复制进 4 万个单元格": ("sst-bomb.xlsx", hostile_files.shared_string_bomb),
    ".xls 使用范围 65536 × 256": ("wide.xls", hostile_files.wide_xls),
    ".ods 10 行 + 100 万带格式空行 + 1 个值": ("styled.ods", hostile_files.ods_styled_empty_rows),
    ".ods 一行空格重复 100 万次": ("rows.ods", hostile_files.ods_repeated_rows),
    ".ods 一个值重复 16384 列": ("columns.ods", hostile_files.ods_repeated_columns),
}

_CHILD = """
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
from desktop.models.database import open_database
from desktop.services.roster.importer import import_roster
from desktop.services.unit_of_work import Database
engine = open_database(Path(sys.argv[2]))
imported = time.perf_counter()
result = import_roster(Database(engine), Path(sys.argv[1]))
seconds = time.perf_counter() - imported
try:  # this process's own peak (ru_maxrss would include the parent's, kept across exec)
    status = Path("/proc/self/status").read_text()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "mb": peak, "refused": not result.written,
                  "message": result.fatal}))
"""


def run_one(path: Path) -> dict:
    """Import `path` in a fresh process; return its seconds, peak MB and message."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), str(Path(folder) / "db.sqlite3")],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
    if done.returncode != 0:
        return {"seconds": 0, "mb": 0, "refused": False, "message": f"进程退出码 {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def county_precheck() -> None:
    """Time the pre-check and calamine's read of bench_import's county roster, if cached."""
    county = CACHE.parent / "roster-100000.xlsx"
    if not county.exists():
        print("（没有缓存的县级花名册：先运行 bench_import.py，再看预检的开销）")
        return
    from python_calamine import CalamineWorkbook

    from desktop.services.workbooks.precheck import check_workbook

    started = time.perf_counter()
    facts = check_workbook(county)
    t_check = time.perf_counter() - started
    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(county)).get_sheet_by_index(0)
    rows = sum(1 for _ in sheet.iter_rows())
    t_read = time.perf_counter() - started
    first = facts.sheets[0]
    print(
        f"县级花名册（{first.rows:,} 行 × {first.columns} 列，工作表解压后 "
        f"{first.xml_bytes / 1e6:.0f} MB）：预检 {t_check:.2f} s，calamine 读取 {t_read:.2f} s "
        f"（{rows:,} 行），预检 / 读取 = {t_check / t_read:.2f}"
    )


def main() -> int:
    """Build each hostile file once, import it in its own process, print the figures."""
    CACHE.mkdir(parents=True, exist_ok=True)
    failures = 0
    for label, (name, build) in FILES.items():
        path = CACHE / name
        if not path.exists():
            build(path)
        figures = run_one(path)
        ok = (
            figures["refused"] and figures["seconds"] <= LIMIT_SECONDS and figures["mb"] <= LIMIT_MB
        )
        failures += not ok
        print(
            f"{'达标' if ok else '未达标'}  {label}（{path.stat().st_size / 1024:,.0f} KB）："
            f"{figures['seconds']:.2f} s，峰值 {figures['mb']:.0f} MB，"
            f"{'已拒绝' if figures['refused'] else '未拒绝'}：{figures['message'][:60]}…"
        )
    print(f"目标：每个文件 {LIMIT_SECONDS:.0f} s、{LIMIT_MB} MB 以内拒绝；未达标 {failures} 个")
    county_precheck()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
