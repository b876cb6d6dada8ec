"""`huitoukan --self-test`: prove that an installed copy has everything it loads at run time.

Run by IT staff after installing, and by installer/build.py on the freshly built bundle. It starts
without a display, builds a database through the migrations, writes demo data, prints one 核查表 to
PDF with the bundled font and reads it back, and builds the main window offscreen. Anything missing
makes it exit non-zero and name what is missing, in Chinese and English.

`huitoukan --self-test --startup-probe` instead starts the real application on a demo database and
quits after the first paint of a window, printing the milliseconds it took (installer/README.md).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_STARTED = time.perf_counter()

DEMO_HOUSEHOLDS = 30  # enough for one township with villages, fast enough for every build
DEMO_SEED = 2020
PROBE_HOUSEHOLDS = 300  # the start-up probe opens a database of a realistic small township
VERIFICATION_FORM = "verification"  # the 核查表's form code in resources/forms/
PROBE_FLAG = "--startup-probe"
PROBE_PREFIX = "STARTUP-PROBE"  # installer/build.py reads this line to time the first paint
PROBE_TIMEOUT_S = 60
PROBE_PASSWORD = "probe-startup-2020"  # only ever set in the probe's private copy of a database


class Missing(Exception):
    """A resource the application loads at run time is not there."""

    def __init__(self, zh: str, en: str, detail: str = "") -> None:
        super().__init__(f"缺少{zh} / missing {en}" + (f": {detail}" if detail else ""))


@dataclass
class Context:
    """What the checks hand on to each other."""

    workdir: Path
    engine: object = None
    services: object = None  # the AppServices of the self-test's database
    db_path: Path | None = None
    pdf: bytes = b""
    household_code: str = ""
    app: object = None


def _ensure_offscreen() -> None:
    # No display on a build machine or over remote IT tools; the user's own choice wins.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _qt_plugin_dirs() -> list[Path]:
    from PySide6.QtCore import QCoreApplication, QLibraryInfo

    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))]
    dirs += [Path(p) for p in QCoreApplication.libraryPaths()]
    dirs += [Path(p) for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    return dirs


def _find_plugin(kind: str, stem: str) -> Path | None:
    for folder in _qt_plugin_dirs():
        sub = folder / kind
        if sub.is_dir():
            for path in sub.iterdir():
                # libqoffscreen.so on Linux, qoffscreen.dll on Windows, libqoffscreen.dylib on macOS
                if path.stem.removeprefix("lib") == stem:
                    return path
    return None


def check_qt() -> str:
    """Qt's widgets module and the platform plugin for this run load (else nothing else can)."""
    try:
        from PySide6 import QtGui, QtWidgets  # noqa: F401
    except ImportError as exc:
        raise Missing("Qt 界面模块", "Qt widgets module", str(exc)) from exc
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] or "offscreen"
    if _find_plugin("platforms", f"q{platform}") is None:
        searched = ", ".join(str(p) for p in _qt_plugin_dirs())
        raise Missing(
            f"Qt 平台插件 {platform}", f"Qt platform plugin {platform}", f"searched {searched}"
        )
    from PySide6.QtCore import qVersion

    return f"Qt {qVersion()}, platform {platform}"


def check_qt_pdf() -> str:
    """Qt's PDF modules (the print preview) load."""
    for module in ("QtPdf", "QtPdfWidgets"):
        try:
            __import__(f"PySide6.{module}")
        except ImportError as exc:
            raise Missing(f"Qt PDF 模块 {module}", f"Qt PDF module {module}", str(exc)) from exc
    return "QtPdf, QtPdfWidgets"


def check_utf8_mode() -> str:
    """An installed copy runs in Python's UTF-8 mode, whatever the Windows code page."""
    import locale

    encoding = locale.getpreferredencoding(False)
    if getattr(sys, "frozen", False) and not sys.flags.utf8_mode:
        raise Missing(
            "UTF-8 模式", "UTF-8 mode (PyInstaller option X utf8=1)", f"encoding {encoding}"
        )
    stdout = getattr(sys.stdout, "encoding", None)  # None: the windowed exe has no console
    return f"utf8_mode={sys.flags.utf8_mode}, files {encoding}, stdout {stdout}"


def check_app(ctx: Context) -> str:
    """A QApplication starts on the chosen platform."""
    from PySide6.QtWidgets import QApplication

    ctx.app = QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])
    return QApplication.platformName()


def check_resources() -> str:
    """Form descriptions, migrations and the bundled font are where the application looks."""
    from desktop.models.database import MIGRATIONS_DIR
    from desktop.services.forms.catalog import forms_dir, list_forms, load_form

    if not (forms_dir() / f"{VERIFICATION_FORM}.json").is_file():
        raise Missing("表单描述", "form descriptions", str(forms_dir()))
    codes = [code for code, _title in list_forms()]
    for code in codes:
        load_form(code)  # a damaged description raises FormDescriptionError naming the place
    for name in ("env.py", "script.py.mako"):
        if not (MIGRATIONS_DIR / name).is_file():
            raise Missing("数据库迁移脚本", "database migrations", str(MIGRATIONS_DIR / name))
    versions = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))
    if not versions:
        raise Missing("数据库迁移脚本", "database migrations", str(MIGRATIONS_DIR / "versions"))
    font = _bundled_font()
    return f"forms {', '.join(codes)}; {len(versions)} migrations; font {font.name}"


def _bundled_font() -> Path:
    """The CJK TrueType font shipped in resources/fonts/ (required in an installed copy)."""
    from desktop.paths import resources_dir

    folder = resources_dir() / "fonts"
    found = sorted(folder.glob("*.tt[fc]")) if folder.is_dir() else []
    if found:
        return found[0]
    if getattr(sys, "frozen", False):
        raise Missing("PDF 中文字体", "CJK font for PDFs", str(folder))
    return Path("(source tree: system fonts)")


def check_data_files() -> str:
    """Libraries that read data files at run time find them (stdnum, pypinyin, metadata)."""
    from stdnum import numdb

    # desktop.services.registry.idcard swallows lookup errors (a region code only warns), so a
    # missing loc.dat would go unnoticed there: every ID would warn. Ask the table directly.
    try:
        parts = numdb.get("cn/loc").info("430922")
    except Exception as exc:  # numdb raises FileNotFoundError when loc.dat is absent
        raise Missing("身份证地区码表", "ID region table stdnum/cn/loc.dat", str(exc)) from exc
    if len(parts) < 2 or "county" not in parts[1][1]:
        raise Missing("身份证地区码表", "ID region table stdnum/cn/loc.dat", repr(parts))
    from pypinyin import Style, pinyin

    letters = "".join(p[0] for p in pinyin("张三", style=Style.FIRST_LETTER))
    if letters != "zs":
        raise Missing("拼音字典", "pinyin dictionary", f"张三 → {letters!r}")
    import sqlite3

    version = sqlite3.sqlite_version  # the _sqlite3 extension and its DLL are in the bundle
    return f"stdnum loc.dat, pypinyin, SQLite {version}, version {_bundle_version()}"


def _bundle_version() -> str:
    """The version as the window title shows it; a bundle must carry its pip metadata."""
    from importlib import metadata

    from desktop import __version__

    if getattr(sys, "frozen", False):
        try:
            found = metadata.version("huitoukan")
        except metadata.PackageNotFoundError as exc:
            raise Missing("版本信息", "version metadata huitoukan-*.dist-info") from exc
        if found != __version__:
            raise RuntimeError(f"metadata says {found}, desktop.__version__ says {__version__}")
    return __version__


def check_database(ctx: Context) -> str:
    """A new database is created through the migrations and takes demo data."""
    from desktop.demo.township import build_demo
    from desktop.models.database import current_revisions, head_revisions, open_database
    from desktop.services.context import AppServices

    ctx.db_path = ctx.workdir / "selftest.sqlite3"
    ctx.engine = open_database(ctx.db_path, backup_dir=ctx.workdir / "backups")
    heads = head_revisions()
    if current_revisions(ctx.engine) != heads:
        raise RuntimeError(f"migrations did not reach {sorted(heads)}")
    result = build_demo(ctx.engine, households=DEMO_HOUSEHOLDS, seed=DEMO_SEED)
    ctx.services = AppServices(ctx.engine, ctx.db_path)
    return (
        f"revision {', '.join(sorted(heads))}; {result.villages} villages, "
        f"{result.households} households, {result.members} members"
    )


def check_server_driver() -> str:
    """The PostgreSQL driver loads with its libpq, so a township PC can open the county's server
    (without it the window said 本程序未安装 PostgreSQL 驱动)."""
    try:
        import psycopg
    except ImportError as exc:
        if not getattr(sys, "frozen", False):  # a source install without the `postgres` extra
            return "not installed (optional here: pip install .[postgres]); the bundle has it"
        raise Missing("PostgreSQL 驱动", "PostgreSQL driver psycopg", str(exc)) from exc
    from sqlalchemy import create_engine

    create_engine("postgresql+psycopg://127.0.0.1/none").dispose()  # the dialect, no connection
    libpq = psycopg.pq.version()
    return (
        f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__}), "
        f"libpq {libpq // 10000}.{libpq % 100}"
    )


def check_xlsx(ctx: Context) -> str:
    """openpyxl writes and reads back a workbook (its data files are bundled)."""
    from openpyxl import Workbook, load_workbook

    path = ctx.workdir / "selftest.xlsx"
    book = Workbook()
    book.active.append(["户主姓名", "人数"])
    book.active.append(["张三", 3])
    book.save(path)
    opened = load_workbook(path, read_only=True)
    try:
        rows = list(opened.active.iter_rows(values_only=True))
    finally:
        opened.close()  # a read-only workbook keeps its file open (Windows cannot delete it)
    if rows != [("户主姓名", "人数"), ("张三", 3)]:
        raise RuntimeError(f"xlsx round trip gave {rows!r}")
    return "openpyxl round trip"


def check_pdf(ctx: Context) -> str:
    """One 核查表 of a demo household prints to PDF with a CJK font embedded."""
    from sqlalchemy import select

    from desktop.models.registry import Household
    from desktop.printing.fonts import FontError, register_fonts
    from desktop.printing.form_renderer import render_form
    from desktop.services.forms.catalog import load_form

    try:
        fonts = register_fonts()
    except FontError as exc:
        raise Missing("PDF 中文字体", "CJK font for PDFs", str(exc)) from exc
    _check_font_source(fonts.song.path)
    with ctx.engine.connect() as conn:
        household_id, ctx.household_code = conn.execute(
            select(Household.id, Household.code).order_by(Household.code).limit(1)
        ).one()
    items = ctx.services.forms.print_items([household_id], VERIFICATION_FORM, None)
    ctx.pdf = render_form(load_form(VERIFICATION_FORM), items)  # the stamp prints the 户编号
    (ctx.workdir / "verification.pdf").write_bytes(ctx.pdf)
    from reportlab.lib import rl_accel

    if not isinstance(rl_accel.fp_str, type(len)):  # a built-in function: the C accelerator
        raise Missing("PDF 加速模块 rl_accel", "reportlab's C accelerator (rl_accel)")
    return f"{_inspect_pdf(ctx.pdf)}; font {fonts.song.label} ({fonts.song.path}); rl_accel"


def _check_font_source(path: str) -> None:
    # Windows prefers the system 宋体; elsewhere an installed copy must print with its own font,
    # not with whatever the build machine had.
    from desktop.paths import resources_dir

    if getattr(sys, "frozen", False) and sys.platform != "win32":
        bundled = (resources_dir() / "fonts").resolve()
        if bundled not in Path(path).resolve().parents:
            raise Missing(
                "随程序安装的 PDF 字体", "bundled CJK font", f"{path} is outside {bundled}"
            )


def _inspect_pdf(data: bytes) -> str:
    # pypdf is a test dependency only; the bytes say enough without it.
    if not data.startswith(b"%PDF-"):
        raise RuntimeError("the PDF does not start with %PDF-")
    if b"/FontFile2" not in data:
        raise Missing("嵌入 PDF 的中文字体", "embedded CJK font in the PDF (/FontFile2)")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    if pages < 1:
        raise RuntimeError("the PDF has no page")
    return f"{len(data) // 1024} KB, {pages} page(s), font embedded"


def check_pdf_view(ctx: Context) -> str:
    """Qt's PDF module (print preview) opens the printed form and finds its text."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    if not ctx.pdf:
        raise RuntimeError("no PDF was printed")
    buffer = QBuffer()
    buffer.setData(QByteArray(ctx.pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise RuntimeError(f"QPdfDocument: {document.status().name}, {document.error().name}")
    text = "".join(document.getAllText(page).text() for page in range(document.pageCount()))
    compact = "".join(text.split())
    for expected in ("入户核查表", ctx.household_code):
        if expected not in compact:
            raise RuntimeError(f"{expected!r} not found in the printed text")
    return f"QtPdf reads {document.pageCount()} page(s), title and 户编号 {ctx.household_code}"


def check_main_window(ctx: Context) -> str:
    """The main window builds offscreen on the demo database."""
    import importlib.util

    if importlib.util.find_spec("desktop.views.main_window") is None:
        return "skipped: desktop.views.main_window not in this version"
    from desktop.views.main_window import MainWindow

    window = MainWindow(ctx.services)
    window.show()
    ctx.app.processEvents()
    title = window.windowTitle()
    window.close()
    window.deleteLater()
    ctx.app.processEvents()
    return title


def _checks() -> list[tuple[str, str, Callable[[Context], str]]]:
    return [
        ("Qt 模块与平台插件", "Qt modules and platform plugin", lambda ctx: check_qt()),
        ("Qt 应用程序", "Qt application", check_app),
        ("UTF-8 模式", "UTF-8 mode", lambda ctx: check_utf8_mode()),
        ("Qt PDF 模块", "Qt PDF module", lambda ctx: check_qt_pdf()),
        ("资源文件", "resources", lambda ctx: check_resources()),
        ("数据文件", "library data files", lambda ctx: check_data_files()),
        ("数据库与演示数据", "database and demo data", check_database),
        ("Excel 读写", "Excel files", check_xlsx),
        ("PostgreSQL 驱动", "PostgreSQL driver", lambda ctx: check_server_driver()),
        ("打印核查表 PDF", "verification form PDF", check_pdf),
        ("PDF 预览", "PDF preview", check_pdf_view),
        ("主窗口", "main window", check_main_window),
    ]


def run_self_test(argv: list[str] | None = None) -> int:
    """Check the installation offscreen; 0 when everything is there, 1 otherwise."""
    argv = sys.argv[1:] if argv is None else argv
    if PROBE_FLAG in argv:
        return run_startup_probe(argv)
    _ensure_offscreen()
    from desktop import APP_NAME, __version__

    print(f"{APP_NAME} {__version__} 自检 / self-test")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="huitoukan-selftest-") as tmp:
        ctx = Context(workdir=Path(tmp))
        with _private_data_dir(ctx.workdir):
            for zh, en, check in _checks():
                started = time.perf_counter()
                try:
                    detail = check(ctx)
                except Missing as exc:
                    failures += 1
                    print(f"[失败 FAIL] {zh} / {en}: {exc}")
                    if ctx.app is None:
                        break  # without the platform plugin Qt would abort the process
                    continue
                except Exception as exc:
                    failures += 1
                    print(f"[失败 FAIL] {zh} / {en}: {type(exc).__name__}: {exc}")
                    continue
                ms = (time.perf_counter() - started) * 1000
                print(f"[通过 OK] {zh} / {en} ({ms:.0f} ms): {detail}")
            if ctx.engine is not None:
                ctx.engine.dispose()  # release the file so the temporary folder can go (Windows)
    total = (time.perf_counter() - _STARTED) * 1000
    if failures:
        print(f"自检失败：{failures} 项 / self-test FAILED: {failures} check(s) ({total:.0f} ms)")
        return 1
    print(f"自检通过 / self-test passed ({total:.0f} ms)")
    return 0


class _private_data_dir:
    """Point the user's data folder at the self-test's temporary folder, then restore it."""

    def __init__(self, folder: Path) -> None:
        from desktop.paths import ENV_DATA_DIR

        self.key = ENV_DATA_DIR
        self.folder = folder / "userdata"
        self.saved: str | None = None

    def __enter__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.saved = os.environ.get(self.key)
        os.environ[self.key] = str(self.folder)

    def __exit__(self, *exc) -> None:
        if self.saved is None:
            os.environ.pop(self.key, None)
        else:
            os.environ[self.key] = self.saved


def _process_age_ms() -> float | None:
    """Milliseconds since the operating system started this process (None if unknown)."""
    try:
        if sys.platform.startswith("linux"):
            ticks = os.sysconf("SC_CLK_TCK")
            fields = Path("/proc/self/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            started = int(fields[19]) / ticks  # starttime, in clock ticks after boot
            uptime = float(Path("/proc/uptime").read_text(encoding="utf-8").split()[0])
            return (uptime - started) * 1000
        if sys.platform == "win32":
            import ctypes
            from ctypes import wintypes

            # Typed prototypes: untyped, ctypes passes the pseudo-handle -1 as a 32-bit int.
            kernel32 = ctypes.WinDLL("kernel32")
            kernel32.GetCurrentProcess.restype = wintypes.HANDLE
            kernel32.GetProcessTimes.argtypes = [wintypes.HANDLE] + [wintypes.LPFILETIME] * 4
            kernel32.GetProcessTimes.restype = wintypes.BOOL
            kernel32.GetSystemTimeAsFileTime.argtypes = [wintypes.LPFILETIME]
            kernel32.GetSystemTimeAsFileTime.restype = None
            times = [wintypes.FILETIME() for _ in range(4)]
            if not kernel32.GetProcessTimes(
                kernel32.GetCurrentProcess(), *map(ctypes.byref, times)
            ):
                return None
            now = wintypes.FILETIME()
            kernel32.GetSystemTimeAsFileTime(ctypes.byref(now))

            def as_int(ft: wintypes.FILETIME) -> int:
                return (ft.dwHighDateTime << 32) | ft.dwLowDateTime

            return (as_int(now) - as_int(times[0])) / 10_000  # 100 ns units
    except (OSError, ValueError, AttributeError):
        return None
    return None


def _probe_db(argv: list[str], workdir: Path) -> tuple[Path, float]:
    """A private copy of `--db PATH` (the probe signs in to it), else a new demo township."""
    from desktop.models.database import backup_file, open_database

    path = workdir / "probe.sqlite3"
    if "--db" in argv and argv.index("--db") + 1 < len(argv):
        backup_file(Path(argv[argv.index("--db") + 1]), path)
        return path, 0.0
    from desktop.demo.township import build_demo

    started = time.perf_counter()
    engine = open_database(path)
    build_demo(engine, households=PROBE_HOUSEHOLDS, seed=DEMO_SEED)
    engine.dispose()
    return path, time.perf_counter() - started


def _probe_line(what: str, title: str, prep_seconds: float) -> str:
    age = _process_age_ms()
    own = (time.perf_counter() - _STARTED - prep_seconds) * 1000
    since = f"{age - prep_seconds * 1000:.0f} ms since process start" if age else "n/a"
    return f"{PROBE_PREFIX} {what} {title!r}: {since}, {own:.0f} ms since Python import"


def _probe_timeout(seen: dict[str, str]) -> None:
    print(f"{PROBE_PREFIX} timed out after {PROBE_TIMEOUT_S} s; windows seen: {seen}", flush=True)
    os._exit(3)


def run_startup_probe(argv: list[str] | None = None) -> int:
    """Start the real application on a database, print when its windows first paint, then quit.

    Prints `STARTUP-PROBE first-window …` at the first paint of any window and `STARTUP-PROBE
    painted …` at the main window's. The sign-in dialog is skipped (`run_app(sign_in=False)`);
    any other dialog is answered (a first-run sign-in creates an administrator in the probe's
    private copy) or declined. installer/build.py times both lines from outside the process.
    """
    argv = sys.argv[1:] if argv is None else argv
    _ensure_offscreen()
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget

    with tempfile.TemporaryDirectory(prefix="huitoukan-probe-") as tmp:
        workdir = Path(tmp)
        with _private_data_dir(workdir):
            db_path, prep_seconds = _probe_db(argv, workdir)
            app = QApplication.instance() or QApplication([sys.argv[0]])
            seen: dict[str, str] = {}
            answered: set[int] = set()

            def answer(dialog: QDialog) -> None:
                # The first-run sign-in creates an administrator; anything else is declined.
                if getattr(dialog, "first_run", False) and hasattr(dialog, "confirm_edit"):
                    dialog.name_edit.setText("probe")
                    dialog.password_edit.setText(PROBE_PASSWORD)
                    dialog.confirm_edit.setText(PROBE_PASSWORD)
                    dialog.ok_button.click()
                else:
                    dialog.reject()

            class FirstPaint(QObject):
                """Note the first paint of the first window and of the main window."""

                def eventFilter(self, watched, event) -> bool:  # Qt's name
                    if event.type() != QEvent.Type.Paint or not isinstance(watched, QWidget):
                        return False
                    if not watched.isWindow():
                        return False
                    title = watched.windowTitle() or type(watched).__name__
                    if "first" not in seen:
                        seen["first"] = title
                        print(_probe_line("first-window", title, prep_seconds), flush=True)
                    if isinstance(watched, QMainWindow) and "main" not in seen:
                        seen["main"] = title
                        print(_probe_line("painted", title, prep_seconds), flush=True)
                        QTimer.singleShot(0, watched.close)
                    elif isinstance(watched, QDialog) and id(watched) not in answered:
                        answered.add(id(watched))
                        QTimer.singleShot(0, lambda: answer(watched))
                    return False

            spy = FirstPaint()
            app.installEventFilter(spy)
            from desktop.app import run_app

            # A window the probe cannot answer would wait for a person forever: give up loudly.
            watchdog = threading.Timer(PROBE_TIMEOUT_S, _probe_timeout, args=(seen,))
            watchdog.daemon = True
            watchdog.start()
            code = run_app(db_path, sign_in=False)  # the window, not the typing of a password
            watchdog.cancel()
            app.removeEventFilter(spy)
            for widget in app.topLevelWidgets():
                widget.close()
                widget.deleteLater()
            app.processEvents()
    if "main" not in seen:
        first = seen.get("first", "none")
        print(
            f"{PROBE_PREFIX} the main window never painted (first window: {first!r}, exit {code})"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_self_test())
