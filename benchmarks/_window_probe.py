"""Child process of bench_registry: open the main window, report when it has painted.

Prints one line of JSON: ms from interpreter start to first paint of the households table,
the resident memory after painting, and in-window timings of search and sort.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

T0 = time.perf_counter()


def rss_mb() -> float:
    """Return the resident set size of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    """Open the window on the database given as argv[1] and measure."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.app import open_services
    from desktop.views.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    result: dict = {}

    class PaintWatcher(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "painted_ms" not in result:
                result["painted_ms"] = (time.perf_counter() - T0) * 1000
                QTimer.singleShot(0, after_paint)
            return False

    def after_paint():
        window.wait_for_rows()
        result["all_rows_ms"] = (time.perf_counter() - T0) * 1000
        result["rss_mb"] = rss_mb()
        page = window.households_page
        timings = []
        for text in ("z", "zh", "zha", "zhang"[:1] + "s"):
            t = time.perf_counter()
            page.search_edit.setText(text)
            app.processEvents()
            timings.append((time.perf_counter() - t) * 1000)
        result["search_ms_max"] = max(timings)
        page.search_edit.setText("")
        sorts = {}
        for col in range(page.model.columnCount()):
            t = time.perf_counter()
            page.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
            app.processEvents()
            sorts[page.model.headerData(col, Qt.Orientation.Horizontal)] = (
                time.perf_counter() - t
            ) * 1000
        result["sort_ms"] = sorts
        result["rows"] = page.model.rowCount()
        result["rss_after_mb"] = rss_mb()
        print(json.dumps(result, ensure_ascii=False), flush=True)
        os._exit(0)  # skip interpreter teardown: only the figures matter here

    services = open_services(Path(sys.argv[1]))
    window = MainWindow(services)
    watcher = PaintWatcher()
    window.households_page.table.viewport().installEventFilter(watcher)
    window.show()
    app.exec()


if __name__ == "__main__":
    main()
