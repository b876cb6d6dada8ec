"""Registry at township and county scale: window start, table load, search, sort, memory.

Targets (issue 2): window painted within 1 s on the demo township and 2 s on the county;
households table first rows within 300 ms; a search keystroke within 100 ms; any sort under
150 ms; memory under 500 MB with the county open. Peer: a bare PySide6 window.

Issue 10 (no slower start): `--before DIR` also measures another checkout of the code (e.g. an
older commit unpacked with `git archive`) in the same run, alternating the two, and prints the
window-painted and import times of both with their ratio.

Run: python benchmarks/bench_registry.py [--households 100000] [--before DIR [--rounds 5]]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CACHE = Path(tempfile.gettempdir()) / "huitoukan-bench"


def demo_db(households: int, code: Path = ROOT) -> Path:
    """Return a cached demo database with this many households, built by the code in `code`.

    Another checkout gets a database of its own, built by its own `demo` command: an older tree
    cannot open a database that this one's migrations have moved on.
    """
    CACHE.mkdir(exist_ok=True)
    tag = "" if code == ROOT else f"-{hashlib.sha1(str(code).encode()).hexdigest()[:8]}"
    path = CACHE / f"demo-{households}{tag}.sqlite3"
    if path.exists():
        return path
    t = time.perf_counter()
    if code == ROOT:
        from desktop.demo.township import build_demo
        from desktop.models.database import open_database

        engine = open_database(path)
        build_demo(engine, households=households, seed=2020)
        engine.dispose()
    else:
        command = [sys.executable, "-m", "desktop", "demo", "--db", str(path)]
        command += ["--households", str(households), "--seed", "2020"]
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(code))
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=code)
    print(f"  (built {path.name} in {time.perf_counter() - t:.1f} s)")
    return path


def bare_window_ms() -> float:
    """Spawn a bare PySide6 window and return ms until it has painted (the peer)."""
    code = (
        "import time;t=time.perf_counter()\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "from PySide6.QtCore import QTimer\n"
        "app=QApplication([]);w=QLabel('x');w.show()\n"
        "QTimer.singleShot(0, lambda:(print((time.perf_counter()-t)*1000),app.quit()))\n"
        "app.exec()\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return float(out.stdout.strip())


def window(path: Path, code: Path = ROOT) -> dict:
    """Spawn the real window (of the code in `code`) on a database; return its figures."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(code))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "_window_probe.py"), str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()
    wall_to_line = (time.perf_counter() - start) * 1000
    proc.wait()
    data = json.loads(line)
    data["wall_ms"] = wall_to_line
    return data


def table_load_ms(path: Path) -> float:
    """Time loading the households rows and filling the model (first rows ready)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.models.database import open_database
    from desktop.services.registry.service import RegistryService
    from desktop.services.unit_of_work import Database
    from desktop.views.registry.household_table_model import HouseholdTableModel

    engine = open_database(path)
    registry = RegistryService(Database(engine))
    model = HouseholdTableModel()
    t = time.perf_counter()
    model.set_rows(registry.household_rows())
    ms = (time.perf_counter() - t) * 1000
    engine.dispose()
    return ms


def import_ms(module: str, code: Path, preload: str = "") -> float:
    """Spawn an interpreter on the code in `code`; return ms to import a module there.

    `preload` is imported first, untimed: what the module adds on top of it is measured.
    """
    script = (f"import {preload}\n" if preload else "") + (
        f"import time;t=time.perf_counter()\nimport {module}\nprint((time.perf_counter()-t)*1000)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(code))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    return float(out.stdout.strip())


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def compiled(code: Path) -> None:
    """Compile a checkout's modules to bytecode, as an installed copy has them.

    An installed application never compiles its sources at start (pip compiles at install, the
    bundle carries bytecode); a checkout run with PYTHONDONTWRITEBYTECODE=1 compiles every module
    at every start, which charged the newer, larger tree 0.14 s that no clerk ever waits for.
    """
    import compileall

    compileall.compile_dir(code / "desktop", quiet=1)


def compare(before: Path, households: int, rounds: int) -> None:
    """Measure this checkout against `before`, alternating, and print medians and ratios."""
    for code in (before, ROOT):
        compiled(code)
    print(f"this checkout against {before}, {rounds} alternating rounds (median, min):")
    shared = "PySide6.QtWidgets, desktop.models.database"  # Qt and SQLAlchemy, models
    probes = [
        ("import desktop.cli", "desktop.cli", ""),
        ("import desktop.models", "desktop.models", ""),
        ("import desktop.views.main_window (on top of Qt and the models)",
         "desktop.views.main_window", shared),
    ]  # fmt: skip
    dbs = [
        (label, demo_db(size, before), demo_db(size))
        for label, size in (("township", 3000), ("county", households))
    ]
    for label, module, preload in probes:
        figures: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(rounds):
            figures["before"].append(import_ms(module, before, preload))
            figures["after"].append(import_ms(module, ROOT, preload))
        _print_pair(label, figures)
    for label, before_path, path in dbs:
        figures = {"before": [], "after": []}
        for _ in range(rounds):
            figures["before"].append(window(before_path, before)["painted_ms"])
            figures["after"].append(window(path, ROOT)["painted_ms"])
        _print_pair(f"{label}: start → window painted", figures)


def _print_pair(label: str, figures: dict[str, list[float]]) -> None:
    before, after = _median(figures["before"]), _median(figures["after"])
    print(
        f"  {label}: before {before:.0f} ms (min {min(figures['before']):.0f}), "
        f"after {after:.0f} ms (min {min(figures['after']):.0f}); after/before {after / before:.2f}"
    )


def main() -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--before", type=Path, help="another checkout to measure against")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.before:
        compare(args.before.resolve(), args.households, args.rounds)
        return
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    compiled(ROOT)
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    print(f"bare PySide6 window, interpreter start → painted: {bare_window_ms():.0f} ms (peer)")
    for label, n, target_paint in (("township", 3000, 1000), ("county", args.households, 2000)):
        path = demo_db(n)
        load = table_load_ms(path)
        data = window(path)
        sorts = data["sort_ms"]
        worst = max(sorts, key=sorts.get)
        print(f"{label} ({data['rows']} households):")
        print(
            f"  interpreter start → window painted: {data['painted_ms']:.0f} ms "
            f"(target {target_paint} ms)"
        )
        print(
            f"  interpreter start → every household loaded: {data['all_rows_ms']:.0f} ms; "
            f"full reload into the model alone: {load:.0f} ms"
        )
        print(f"  search keystroke, worst of 4: {data['search_ms_max']:.1f} ms (target 100 ms)")
        print(f"  sort, worst column ({worst}): {sorts[worst]:.0f} ms (target 150 ms)")
        print(
            f"  memory after paint: {data['rss_mb']:.0f} MB, after search and sorts: "
            f"{data['rss_after_mb']:.0f} MB (target 500 MB)"
        )


if __name__ == "__main__":
    main()
