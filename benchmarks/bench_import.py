"""Roster import at county scale: end to end vs python-calamine merely reading the same file.

Target (issue 2): importing a 100,000-household roster (about 350,000 member rows) into an empty
database, end to end (read, validate, write, commit), takes at most 3× the time calamine takes
to read the file, measured in the same run. Also compares .xls readers (calamine vs xlrd) and
.xlsx readers (calamine vs openpyxl read-only) on smaller files.

    python benchmarks/bench_import.py [--households 100000] [--repeat 3] [--profile]
        [--postgres postgresql://…]   # also into an empty PostgreSQL database (target ≤ 2× SQLite)
        [--before DIR [--rounds 3]]   # this checkout against another one, same file, same run

Issue 12 (no slower than round 1): `--before DIR` imports the same roster with the code in DIR
(another checkout, e.g. /tmp/r1) and with this one, each in a fresh interpreter, alternating
with calamine's read, and prints the medians, the ratio after / before and each one's ratio to
calamine, in wall seconds and in each import's CPU seconds (on a shared machine the wall figures
follow whatever else runs; the CPU ones much less).

The big roster is generated once (demo county → export with full IDs) and cached in the temp
folder; delete it to regenerate.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.demo.township import build_demo
from desktop.models.database import open_database
from desktop.services.roster.export import export_roster
from desktop.services.roster.importer import import_roster
from desktop.services.unit_of_work import Database

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "huitoukan-bench"


def roster_file(households: int) -> Path:
    """Return the cached roster of a demo county with `households` households, making it once."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"roster-{households}.xlsx"
    if path.exists():
        return path
    db = CACHE / f"roster-source-{households}.sqlite3"  # not bench_registry's demo-N file
    db.unlink(missing_ok=True)
    print(f"生成 {households} 户的演示花名册（只需一次）…", flush=True)
    started = time.perf_counter()
    engine = open_database(db)
    build_demo(engine, households=households, seed=2020)
    export_roster(Database(engine), path, full_ids=True)
    engine.dispose()
    db.unlink(missing_ok=True)
    print(f"  生成用时 {time.perf_counter() - started:.1f} s", flush=True)
    return path


def calamine_read(path: Path) -> tuple[float, int]:
    """Read every row of the first sheet with python-calamine; return seconds and rows."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sum(1 for _ in sheet.iter_rows())
    return time.perf_counter() - started, rows


def openpyxl_read(path: Path, limit: int) -> tuple[float, int]:
    """Read up to `limit` rows with openpyxl read-only mode; return seconds and rows."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    wb = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for _row in wb.worksheets[0].iter_rows(values_only=True):
        rows += 1
        if rows >= limit:
            break
    wb.close()
    return time.perf_counter() - started, rows


def xls_comparison(xlsx: Path, rows: int = 60000) -> None:
    """Write a .xls of the first rows with xlwt and time calamine and xlrd on it."""
    try:
        import xlrd
        import xlwt
    except ImportError:
        print(".xls 对比：需要 xlwt 和 xlrd（pip install xlwt xlrd），跳过")
        return
    from python_calamine import CalamineWorkbook

    path = CACHE / f"roster-{rows}.xls"
    if not path.exists():
        sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0)
        book = xlwt.Workbook(encoding="utf-8")
        ws = book.add_sheet("花名册")
        for r, row in enumerate(sheet.iter_rows()):
            if r >= rows:
                break
            for c, value in enumerate(row):
                if value != "":
                    ws.write(r, c, value)
        book.save(str(path))
    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    n_cal = sum(1 for _ in sheet.iter_rows())
    t_cal = time.perf_counter() - started
    started = time.perf_counter()
    book = xlrd.open_workbook(str(path))
    ws = book.sheet_by_index(0)
    n_xlrd = sum(1 for r in range(ws.nrows) if ws.row_values(r) is not None)
    t_xlrd = time.perf_counter() - started
    print(
        f".xls 读取（{n_cal} 行）：calamine {t_cal:.2f} s（{n_cal / t_cal:,.0f} 行/秒），"
        f"xlrd {t_xlrd:.2f} s（{n_xlrd / t_xlrd:,.0f} 行/秒）；"
        f"calamine 快 {t_xlrd / t_cal:.1f} 倍"
    )


def timed_import(path: Path, profiler: cProfile.Profile | None, target: str | None = None):
    """Import the roster into a new database, audited as in the window and on the command line.

    `target`: an empty PostgreSQL database's URL instead of a new SQLite file.
    """
    from desktop.services.actor import cli_actor
    from desktop.services.safety import audit as audit_service

    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(target or Path(folder) / "import.sqlite3")
        audit_service.attach(engine, cli_actor)
        if profiler:
            profiler.enable()
        result = import_roster(Database(engine), path)
        if profiler:
            profiler.disable()
        engine.dispose()
    return result


# Imports the roster with whatever code PYTHONPATH names: this checkout's API, or round 1's
# (desktop.services.roster_io, audit_service.cli_actor, an engine instead of a Database).
_CHILD = """
import json, sys, tempfile, time
from pathlib import Path
from desktop.models.database import open_database
try:
    from desktop.services.actor import cli_actor
    from desktop.services.roster.importer import import_roster
    from desktop.services.safety import audit as audit_service
    from desktop.services.unit_of_work import Database
    target = Database
except ImportError:
    from desktop.services import audit_service
    from desktop.services.roster_io import import_roster
    cli_actor = audit_service.cli_actor
    target = lambda engine: engine
with tempfile.TemporaryDirectory() as folder:
    engine = open_database(Path(folder) / "import.sqlite3")
    audit_service.attach(engine, cli_actor)
    started, cpu = time.perf_counter(), time.process_time()
    result = import_roster(target(engine), Path(sys.argv[1]))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
print(json.dumps({"seconds": wall, "cpu": cpu, "written": bool(result.written),
                  "members": result.members, "households": result.created + result.updated}))
"""


def child_import(path: Path, code: Path) -> dict:
    """Import `path` into a new SQLite file in a fresh interpreter running the code in `code`."""
    env = dict(os.environ, PYTHONPATH=str(code), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=code,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{code} 的导入失败：\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if not figures["written"]:
        raise SystemExit(f"{code} 没有写入花名册")
    return figures


def compare(path: Path, before: Path, rounds: int) -> int:
    """Import with `before` and with this checkout, alternating with calamine; print medians.

    Wall seconds and CPU seconds (the process's own, which others' work on a shared machine
    disturbs far less); the verdict is on both.
    """
    print(f"本目录 对比 {before}：同一花名册，{rounds} 轮交替（中位数）")
    reads, befores, afters, cpu_befores, cpu_afters = [], [], [], [], []
    for run in range(rounds):
        t_read, _rows = calamine_read(path)
        old = child_import(path, before)
        new = child_import(path, ROOT)
        reads.append(t_read)
        befores.append(old["seconds"])
        afters.append(new["seconds"])
        cpu_befores.append(old["cpu"])
        cpu_afters.append(new["cpu"])
        print(
            f"  第 {run + 1} 轮：calamine {t_read:.2f} s，之前 {old['seconds']:.2f} s"
            f"（CPU {old['cpu']:.2f} s），现在 {new['seconds']:.2f} s（CPU {new['cpu']:.2f} s）"
            f"（{new['households']} 户，{new['members']} 人）",
            flush=True,
        )
    t_read = statistics.median(reads)
    t_before, t_after = statistics.median(befores), statistics.median(afters)
    c_before, c_after = statistics.median(cpu_befores), statistics.median(cpu_afters)
    verdict = "达标" if t_after <= t_before else "未达标"
    print(
        f"calamine 读取 {t_read:.2f} s；之前 {t_before:.2f} s（{t_before / t_read:.2f}×calamine），"
        f"现在 {t_after:.2f} s（{t_after / t_read:.2f}×calamine）；"
        f"现在 / 之前 = {t_after / t_before:.2f}（目标 ≤ 1）{verdict}"
    )
    cpu_verdict = "达标" if c_after <= c_before else "未达标"
    print(
        f"CPU 时间：之前 {c_before:.2f} s，现在 {c_after:.2f} s；"
        f"现在 / 之前 = {c_after / c_before:.2f}（目标 ≤ 1）{cpu_verdict}"
    )
    return 0 if t_after <= t_before and c_after <= c_before else 1


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="profile the (first) import")
    parser.add_argument(
        "--repeat", type=int, default=1, help="read and import N times; the ratio of medians"
    )
    parser.add_argument(
        "--postgres", help="an empty PostgreSQL database (URL) to import into after SQLite"
    )
    parser.add_argument("--before", type=Path, help="another checkout to import with as well")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of --before")
    args = parser.parse_args()
    path = roster_file(args.households)
    print(f"花名册：{path}（{path.stat().st_size / 1e6:.1f} MB）")
    if args.before:
        return compare(path, args.before.resolve(), args.rounds)

    reads, imports = [], []
    profiler = cProfile.Profile() if args.profile else None
    for run in range(args.repeat):
        t_read, rows = calamine_read(path)
        reads.append(t_read)
        print(f"calamine 读取：{t_read:.2f} s，{rows} 行，{rows / t_read:,.0f} 行/秒")
        result = timed_import(path, profiler if run == 0 else None)
        if not result.written:
            print("导入失败：\n" + "\n".join(result.summary_lines()))
            return 1
        imports.append(result.seconds)
        print(
            f"完整导入（读取、检查、写入、提交）：{result.seconds:.2f} s，{result.created} 户，"
            f"{result.members} 人，{result.members / result.seconds:,.0f} 行/秒"
        )
    t_read, t_import = statistics.median(reads), statistics.median(imports)
    ratio = t_import / t_read
    if args.repeat > 1:
        print(f"{args.repeat} 次的中位数：calamine 读取 {t_read:.2f} s，完整导入 {t_import:.2f} s")
    print(
        f"比值 导入 / calamine 读取 = {ratio:.2f}（目标 ≤ 3）{' 达标' if ratio <= 3 else ' 未达标'}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
    if args.postgres:
        result = timed_import(path, None, args.postgres)
        if not result.written:
            print("PostgreSQL 导入失败：\n" + "\n".join(result.summary_lines()))
            return 1
        pg_ratio = result.seconds / t_import
        print(
            f"PostgreSQL 完整导入：{result.seconds:.2f} s，{result.created} 户，"
            f"{result.members} 人；为 SQLite 的 {pg_ratio:.2f} 倍（目标 ≤ 2）"
            + (" 达标" if pg_ratio <= 2 else " 未达标")
        )

    t_opx, n_opx = openpyxl_read(path, 50_000)
    print(f".xlsx 读取对比：openpyxl 只读模式 {n_opx / t_opx:,.0f} 行/秒（前 {n_opx} 行）")
    xls_comparison(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
