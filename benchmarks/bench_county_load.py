"""Many clerks on one county PostgreSQL server (issue 19): no lost update, p95 save and open.

Each clerk is its own process with its own connection pool, as a PC of the county would be.
For `--seconds`, each one opens a household (p95 target < 100 ms), changes its phone and saves
it (p95 < 200 ms), now and then opens, edits and saves the household's 入户核查表 draft, and
prints it once in a while. Clerks pick from a small set of households (`--hot`) so that they
collide on purpose: a collision must end in a refused save (a conflict the clerk would be shown),
never in a silent overwrite. A lost update is two saves that both succeeded from the same
version of one record; the script counts them from every clerk's log (target: 0).

    python3 benchmarks/bench_county_load.py [--clerks 20] [--seconds 300] [--url postgresql://…]

Without --url it starts a throw-away server with scripts/postgres.sh (Debian's PostgreSQL) and
builds a demo township of `--households` in it.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPEN_TARGET_MS, SAVE_TARGET_MS = 100, 200


def _p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _clerk(index: int, url: str, hot: list[int], seconds: float, out) -> None:
    """One clerk's session: open, edit, save, sometimes the form and a print."""
    from desktop.errors import StaleRecordError
    from desktop.models.database import open_database
    from desktop.printing.form_renderer import render_form
    from desktop.services.actor import CurrentUser
    from desktop.services.context import AppServices
    from desktop.services.forms.catalog import load_form

    engine = open_database(url)
    user = CurrentUser(f"录入员{index:02d}", "clerk")
    services = AppServices(engine, user=user)
    rng = random.Random(index)
    log = {"open": [], "save": [], "form_open": [], "form_save": [], "print": []}
    saves, conflicts, form_saves, form_conflicts = [], 0, [], 0
    description = load_form("verification")
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        hid = rng.choice(hot)
        t = time.perf_counter()
        data = services.registry.get_household(hid)
        log["open"].append((time.perf_counter() - t) * 1000)
        time.sleep(rng.uniform(0.05, 0.4))  # the clerk types
        base = data.version
        data.phone = f"139{index:02d}{n:06d}"
        t = time.perf_counter()
        try:
            services.registry.save_household(data)
            saves.append((hid, base))
        except StaleRecordError:
            conflicts += 1
        log["save"].append((time.perf_counter() - t) * 1000)
        if n % 5 == 0:
            t = time.perf_counter()
            state = services.forms.open_form(hid, "verification")
            log["form_open"].append((time.perf_counter() - t) * 1000)
            if not state.is_signed and state.state != "complete":
                answers = dict(state.answers)
                answers["public_post_count"] = rng.randint(0, 3)
                t = time.perf_counter()
                try:
                    services.forms.save(
                        hid, "verification", answers, False, None, user,
                        expected_version=state.version,
                    )  # fmt: skip
                    form_saves.append((hid, state.version))
                except StaleRecordError:
                    form_conflicts += 1
                log["form_save"].append((time.perf_counter() - t) * 1000)
        if n % 25 == 0:
            t = time.perf_counter()
            render_form(description, services.forms.print_items([hid], "verification"))
            log["print"].append((time.perf_counter() - t) * 1000)
    engine.dispose()
    out.put((index, log, saves, conflicts, form_saves, form_conflicts))


def _server(households: int) -> tuple[str, Path]:
    folder = Path(tempfile.mkdtemp(prefix="huitoukan-load-"))
    url = subprocess.run(
        ["bash", str(ROOT / "scripts" / "postgres.sh"), "start", str(folder), "54351"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    admin = url.rsplit("/", 1)[0] + "/postgres"
    from sqlalchemy import create_engine, text

    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CREATE DATABASE county_load"))
    engine.dispose()
    county = url.rsplit("/", 1)[0] + "/county_load"
    from desktop.demo.township import build_demo
    from desktop.models.database import open_database

    engine = open_database(county)
    build_demo(engine, households=households, sichuan=False)
    engine.dispose()
    return county, folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--hot", type=int, default=40, help="households the clerks share")
    parser.add_argument("--url", help="an existing server database (else a throw-away one)")
    args = parser.parse_args()

    folder = None
    started = time.perf_counter()
    url = args.url
    if url is None:
        url, folder = _server(args.households)
    print(f"服务器：{url.split('@')[-1]}，准备 {time.perf_counter() - started:.1f} 秒", flush=True)
    try:
        from sqlalchemy import select

        from desktop.models.database import open_database
        from desktop.models.registry import Household

        engine = open_database(url)
        with engine.connect() as conn:
            ids = conn.execute(select(Household.id).order_by(Household.id)).scalars().all()
            before = dict(conn.execute(select(Household.id, Household.version)).all())
        engine.dispose()
        hot = random.Random(7).sample(ids, min(args.hot, len(ids)))
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        workers = [
            ctx.Process(target=_clerk, args=(i, url, hot, args.seconds, out))
            for i in range(args.clerks)
        ]
        for w in workers:
            w.start()
        results = []
        for _ in workers:
            try:  # a clerk that died (its traceback above) never reports: do not wait for ever
                results.append(out.get(timeout=args.seconds + 120))
            except queue.Empty:
                dead = [i for i, w in enumerate(workers) if w.exitcode not in (None, 0)]
                raise SystemExit(f"录入员 {dead} 异常退出，没有结果（错误见上）") from None
        for w in workers:
            w.join()

        engine = open_database(url)
        with engine.connect() as conn:
            after = dict(conn.execute(select(Household.id, Household.version)).all())
        engine.dispose()
    finally:
        if folder is not None:
            subprocess.run(
                ["bash", str(ROOT / "scripts" / "postgres.sh"), "stop", str(folder)],
                capture_output=True,
            )

    merged = {k: [] for k in ("open", "save", "form_open", "form_save", "print")}
    saves, form_saves, conflicts, form_conflicts = [], [], 0, 0
    for _index, log, s, c, fs, fc in results:
        for key, values in log.items():
            merged[key] += values
        saves += s
        form_saves += fs
        conflicts += c
        form_conflicts += fc
    lost = len(saves) - len(set(saves))
    lost_forms = len(form_saves) - len(set(form_saves))
    counted = sum(after[h] - before[h] for h in hot)
    print(
        f"{args.clerks} 名录入员 × {args.seconds:.0f} 秒，{len(hot)} 户共用："
        f"户保存 {len(saves)} 次成功、{conflicts} 次冲突（已拒绝）；"
        f"核查表保存 {len(form_saves)} 次成功、{form_conflicts} 次冲突；"
        f"打印 {len(merged['print'])} 次"
    )
    print(
        f"丢失的更新：户 {lost} 次，核查表 {lost_forms} 次（目标 0）；"
        f"版本号增加 {counted}，成功保存 {len(saves)}："
        f"{'一致' if counted == len(saves) else '不一致'}"
    )
    for key, label, target in (
        ("open", "打开户", OPEN_TARGET_MS),
        ("save", "保存户", SAVE_TARGET_MS),
        ("form_open", "打开核查表", OPEN_TARGET_MS),
        ("form_save", "保存核查表", SAVE_TARGET_MS),
        ("print", "打印一户", None),
    ):
        values = merged[key]
        if not values:
            continue
        p95 = _p95(values)
        met = (
            ""
            if target is None
            else f"（目标 < {target} 毫秒，{'达到' if p95 < target else '未达标'}）"
        )
        print(
            f"{label}：{len(values)} 次，中位数 {statistics.median(values):.0f} 毫秒，"
            f"p95 {p95:.0f} 毫秒{met}"
        )
    print(f"本机 {os.cpu_count()} 核；总用时 {time.perf_counter() - started:.0f} 秒")


if __name__ == "__main__":
    main()
