"""Opening a household's form on screen: target under 300 ms (issue 3), no slower than before.

Builds a demo township (1,000 households), then opens the 核查表 and the 采集表 for 30
households each: FormDialog construction (registry prefill, compute, checks, every widget) up to
the first paint. Prints the first open (cold: description loaded, Python modules warm) and the
median and worst of the following ones. With the application's style sheet (resources/styles/
app.qss) applied as the window applies it, or without (`--no-app-style`, as round 1 measured).

`--against DIR` measures a second checkout (an older commit: `git worktree add DIR COMMIT`) in
the same run, the two taking turns, and prints the ratio of the medians.

    python benchmarks/bench_form_view.py [--households 1000] [--opens 30] [--against DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TARGET_MS = 300.0
FORMS = ("verification", "collection")


def measure(tree: Path, households: int, opens: int, app_style: bool) -> dict[str, list[float]]:
    """Open each form `opens` times in the checkout at `tree`; return the times in ms."""
    sys.path.insert(0, str(tree))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="bench_form_view_"))
    os.environ["HUITOUKAN_DATA_DIR"] = str(folder / "userdata")

    from PySide6.QtWidgets import QApplication

    try:
        from desktop.demo.township import build_demo
        from desktop.views.forms.form_dialog import FormDialog
    except ImportError:  # a checkout from before the domain packages (round 1)
        from desktop.services.demo import build_demo
        from desktop.views.form_dialog import FormDialog
    from desktop.models.database import open_database
    from desktop.services.context import AppServices

    app = QApplication.instance() or QApplication([])
    if app_style:
        app.setStyleSheet((tree / "resources" / "styles" / "app.qss").read_text(encoding="utf-8"))
    db = folder / "demo.sqlite3"
    engine = open_database(db)
    build_demo(engine, households=households, seed=11)
    services = AppServices(engine, db_path=db)
    rows = services.registry.household_rows()
    step = max(1, len(rows) // opens)
    ids = [r.id for r in rows[::step]][:opens]
    out: dict[str, list[float]] = {}
    for code in FORMS:
        times = []
        for household_id in ids:
            start = time.perf_counter()
            dialog = FormDialog(services, household_id, code)
            dialog.show()
            dialog.repaint()  # paint now: the clerk sees the form, not only objects in memory
            app.processEvents()
            times.append((time.perf_counter() - start) * 1000)
            dialog.hide()
            dialog.deleteLater()
            app.processEvents()
        out[code] = times
    engine.dispose()
    return out


def run_child(tree: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    """Measure `tree` in a fresh process (its own modules, its own Qt)."""
    command = [sys.executable, __file__, "--child", str(tree), "--households",
               str(args.households), "--opens", str(args.opens)]  # fmt: skip
    if not args.app_style:
        command.append("--no-app-style")
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(times: list[float]) -> tuple[float, float, float]:
    """First open, median and worst of the warm ones."""
    rest = times[1:] or times
    return times[0], statistics.median(rest), max(rest)


def main() -> None:
    """Measure and print the time to open a form view for a household."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--opens", type=int, default=30)
    parser.add_argument("--no-app-style", dest="app_style", action="store_false")
    parser.add_argument("--against", type=Path, help="a second checkout to measure in the run")
    parser.add_argument("--rounds", type=int, default=2, help="turns each checkout takes")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.households, args.opens, args.app_style)))
        return

    trees = {"this checkout": HERE}
    if args.against:
        trees[f"against {args.against}"] = args.against.resolve()
    style = "with the app's style sheet" if args.app_style else "without the app's style sheet"
    print(f"demo: {args.households} households; {args.opens} opens of each form, {style}")
    times: dict[str, dict[str, list[float]]] = {name: {c: [] for c in FORMS} for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            for code, got in run_child(tree, args).items():
                times[name][code] += got
    worst_all = 0.0
    medians: dict[str, dict[str, float]] = {}
    for name in trees:
        medians[name] = {}
        for code in FORMS:
            first, median, worst = summary(times[name][code])
            medians[name][code] = median
            if name == "this checkout":
                worst_all = max(worst_all, worst)
            print(f"{name}: {code:13s} first open {first:6.1f} ms | median {median:6.1f} ms"
                  f" | worst {worst:6.1f} ms  (target < {TARGET_MS:.0f} ms)")  # fmt: skip
    if args.against:
        other = list(trees)[1]
        for code in FORMS:
            ratio = medians["this checkout"][code] / medians[other][code]
            print(f"{code:13s} median this / against = {ratio:.2f}")
    verdict = "OK" if worst_all < TARGET_MS else "SLOWER THAN TARGET"
    print(f"worst warm open {worst_all:.1f} ms: {verdict}")


if __name__ == "__main__":
    main()
