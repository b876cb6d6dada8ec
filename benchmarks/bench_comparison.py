"""Cross-department comparison at county scale, against python-calamine merely reading the files.

Targets (issue 16): a county (100,000 households, about 350,000 members) against 1,000,000
department rows in seven .xlsx lists:
- the match itself (index the registry, look up every row, write the hits) under 2 s;
- importing the seven lists end to end (read, check every row, write, match, commit) within
  1.5× the time python-calamine takes to merely read the same files, measured in the same run.

    python benchmarks/bench_comparison.py [--households 100000] [--rows 1000000] [--repeat 1]

The county and the lists are generated once and cached in the temp folder; delete
huitoukan-bench/comparison-* to regenerate. About 1 % of the rows name a registered person
(by ID, by the old 15-digit ID, by name and birth date in the 民政 list, and people who left).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.demo.township import build_demo
from desktop.models.database import backup_file, open_database
from desktop.services.comparison.importer import import_department_list
from desktop.services.comparison.matching import run_matching
from desktop.services.comparison.reader import read_department_file
from desktop.services.registry.idcard import make_id
from desktop.services.unit_of_work import Database

CACHE = Path(tempfile.gettempdir()) / "huitoukan-bench"
# Share of the million rows per department, and the detail columns each list carries.
LISTS = (
    ("公安（车管所）", 0.25, ("号牌号码", "车辆类型", "初次登记日期")),
    ("地税（个人所得税）", 0.20, ("纳税年度", "应纳税额", "扣缴单位")),
    ("工商（企业法人、股东）", 0.15, ("企业名称", "统一社会信用代码", "担任职务")),
    ("住建（房管）", 0.15, ("房屋坐落", "建筑面积", "登记日期")),
    ("公积金", 0.10, ("单位名称", "个人账号", "月缴存额")),
    ("财政（财政供养人员）", 0.10, ("供养单位", "职务", "入编时间")),
    ("民政", 0.05, ("救助类别", "救助金额", "发放月份")),  # no ID: name + birth date
)


def county_db(households: int) -> Path:
    """Return the cached demo county database, building it once."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"comparison-county-{households}.sqlite3"
    if not path.exists():
        print(f"生成 {households} 户的演示县（只需一次）…", flush=True)
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        engine = open_database(part)
        build_demo(engine, households=households, seed=2020)
        engine.dispose()
        part.replace(path)
    return path


def _people(db: Path) -> list[tuple[str, str, str]]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT name, id_number, coalesce(birth_date, '') FROM member WHERE id_number != ''"
        ).fetchall()
    finally:
        conn.close()


def list_files(households: int, total_rows: int) -> list[tuple[str, Path]]:
    """Return (department, file) of the seven cached lists, writing them once."""
    from openpyxl import Workbook

    files = [
        (dept, CACHE / f"comparison-{households}-{total_rows}-{i}.xlsx")
        for i, (dept, _share, _cols) in enumerate(LISTS)
    ]
    if all(path.exists() for _d, path in files):
        return files
    print(f"生成 {total_rows} 行部门名单（只需一次）…", flush=True)
    rng = random.Random(2018)
    people = _people(county_db(households))
    surnames, given = "林陈黄吴张李王刘郑蔡", "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
    for (dept, share, columns), (_d, path) in zip(LISTS, files, strict=True):
        rows = int(total_rows * share)
        no_id = dept == "民政"
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Sheet1")
        ws.append([f"{dept}数据（2018年06月）"])
        ws.append(["序号", "姓名", "出生日期" if no_id else "身份证号码", *columns])
        for n in range(1, rows + 1):
            if rng.random() < 0.01:
                name, number, birth = rng.choice(people)
                if not no_id and rng.random() < 0.2:
                    number = number[:6] + number[8:17]  # the old 15-digit form
            else:
                birth_day = date(1940, 1, 1) + timedelta(days=rng.randrange(25000))
                name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
                region = f"440{rng.randrange(100, 999)}"
                number = make_id(region, birth_day, rng.randrange(1000))
                birth = birth_day.isoformat()
            key = birth if no_id else number
            ws.append([n, name, key, f"{dept[:2]}{n:07d}", rng.randrange(100, 99999), "2017-05-01"])
        wb.save(path)
        print(f"  {path.name}：{rows} 行", flush=True)
    return files


class Clock:
    """Wall-clock and CPU seconds of a block: on a shared machine the CPU time says more."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def calamine_read(files) -> tuple[Clock, int]:
    """Read every row of every list with python-calamine; return the clock and rows."""
    from python_calamine import CalamineWorkbook

    rows = 0
    with Clock() as clock:
        for _dept, path in files:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            rows += sum(1 for _ in sheet.iter_rows())
    return clock, rows


def timed_import(source_db: Path, files) -> tuple[Clock, Clock, int, int, Path]:
    """Import the seven lists into a copy of the county; return times, rows, hits and the copy."""
    db = CACHE / "comparison-run.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    backup_file(source_db, db)
    engine = open_database(db)
    database = Database(engine)
    rows = hits = 0
    list_ids = []
    with Clock() as t_import:
        for dept, path in files:
            result = import_department_list(
                database, read_department_file(path), dept, received_on=date(2018, 6, 10),
                who="基准",
            )  # fmt: skip
            if not result.ok:
                raise SystemExit("\n".join(result.summary_lines()))
            rows += result.rows
            hits += result.hits
            list_ids.append(result.list_id)
    # The match itself over every stored list (what `huitoukan compare run` does), with the
    # hits written again from scratch so that it does the whole work.
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM comparison_hit")
        with Clock() as t_match:
            written = run_matching(conn)
        # The demo county brings department lists of its own (and their hits): the seven
        # lists of this run must be found again exactly.
        ids = ",".join(map(str, list_ids))
        again = conn.exec_driver_sql(
            f"SELECT count(*) FROM comparison_hit WHERE list_id IN ({ids})"
        ).scalar()
    assert again == hits <= written, (again, hits, written)
    engine.dispose()
    return t_import, t_match, rows, hits, db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100000)
    parser.add_argument("--rows", type=int, default=1000000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    source = county_db(args.households)
    files = list_files(args.households, args.rows)
    runs = []
    for run in range(1, args.repeat + 1):
        t_read, read_rows = calamine_read(files)
        t_import, t_match, rows, hits, _db = timed_import(source, files)
        runs.append((t_read, t_import, t_match))
        print(
            f"第{run}次：calamine 读取 {t_read.wall:.2f} s（CPU {t_read.cpu:.2f} s，"
            f"{read_rows} 行）；导入+比对 {t_import.wall:.2f} s（CPU {t_import.cpu:.2f} s，"
            f"{rows} 行，疑点 {hits} 条）；比对本身 {t_match.wall:.2f} s"
            f"（CPU {t_match.cpu:.2f} s）",
            flush=True,
        )
    for what in ("wall", "cpu"):
        label = "墙钟" if what == "wall" else "CPU"
        t_read, t_import, t_match = (
            statistics.median(getattr(r[i], what) for r in runs) for i in range(3)
        )
        ratio = t_import / t_read
        print(
            f"[{label}] 比对本身 {t_match:.2f} s（目标 < 2 s）"
            f"{' 达标' if t_match < 2 else ' 未达标'}；"
            f"比值 导入+比对 / calamine 读取 = {ratio:.2f}（目标 ≤ 1.5）"
            f"{' 达标' if ratio <= 1.5 else ' 未达标'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
