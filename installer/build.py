"""Build the one-folder bundle (and, on Windows, the setup .exe) of 回头看工作台.

    python installer/build.py            bundle for this system; on Windows also the setup .exe
    python installer/build.py --check    Linux: bundle, `--self-test` on it, makensis on the script
    python installer/build.py --measure  also time the self-test and the start to first paint
    python installer/build.py --bundle-only --dist D --work W   bundle and self-test only

The PyInstaller spec imports this file for its helpers (version, font, file filters), so both
agree on the version and on what goes into the bundle.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / "huitoukan"
SPEC = ROOT / "installer" / "huitoukan.spec"
NSIS_SCRIPT = ROOT / "installer" / "huitoukan.nsi"
IS_WINDOWS = sys.platform == "win32"
PUBLISHER = "回头看工作台项目组"
PRODUCT = "回头看工作台"

# Where the free CJK font for PDFs comes from when the source tree does not carry one: Debian's
# fonts-arphic-uming on Linux; on Windows CI the workflow unpacks the same file (see the workflow).
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/arphic-uming/uming.ttc"),
    Path("/usr/share/fonts/arphic-uming/uming.ttc"),
)
FONT_LICENCE_CANDIDATES = (
    Path("/usr/share/doc/fonts-arphic-uming/license/english/ARPHICPL.TXT.gz"),
    Path("/usr/share/doc/fonts-arphic-uming/license/english/ARPHICPL.TXT"),
)
ENV_FONT = "HUITOUKAN_FONT_FILE"  # a path to uming.ttc where it is not in a system folder
ENV_FONT_LICENCE = "HUITOUKAN_FONT_LICENCE"

# Qt pieces PySide6's hooks collect wholesale that nothing in the application loads: display
# servers other than Windows/X11/offscreen, QML and 3D runtimes, FFmpeg for multimedia.
UNWANTED = re.compile(
    r"(platforms[/\\](lib)?q(eglfs|linuxfb|minimalegl|vkkhrdisplay|vnc|wayland[-\w]*)\.)"
    r"|(wayland-(decoration-client|graphics-integration-\w+|shell-integration)[/\\])"
    r"|(egldeviceintegrations[/\\])|(platformthemes[/\\](lib)?qgtk3\.)"
    r"|((lib)?Qt6(Qml|Quick|3D|Multimedia|WebEngine|Designer|Wayland|EglFS|EglFs|FFmpeg|"
    r"Lottie|Labs|ShaderTools|VirtualKeyboard|Graphs|DataVisualization|Location|Positioning|"
    r"Sensors|Bluetooth|Nfc|Scxml|TextToSpeech|SpatialAudio|CanvasPainter)\w*\.)",
    re.IGNORECASE,
)


def project_version() -> str:
    """Return the version in pyproject.toml (the one place the version is written)."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """Return four numbers for Windows file properties and NSIS (0.1.0rc1 → 0.1.0.0)."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3]]
    return tuple([*numbers, 0, 0, 0, 0][:4])  # type: ignore[return-value]


def unwanted_binary(path: str) -> bool:
    """True for a Qt plugin or library that the bundle leaves out to stay small."""
    return bool(UNWANTED.search(path.replace("\\", "/")))


def _find_font() -> tuple[Path | None, Path | None]:
    override = os.environ.get(ENV_FONT)
    font = Path(override) if override else next((p for p in FONT_CANDIDATES if p.is_file()), None)
    licence_override = os.environ.get(ENV_FONT_LICENCE)
    licence = (
        Path(licence_override)
        if licence_override
        else next((p for p in FONT_LICENCE_CANDIDATES if p.is_file()), None)
    )
    return font, licence


def font_files(root: Path = ROOT) -> list[tuple[Path, str]]:
    """The CJK font (and its licence) to put under resources/fonts/ in the bundle.

    Nothing when the source tree already carries a font in resources/fonts/ (it is bundled with
    the rest of resources/). Raises SystemExit when no font can be found: a bundle without one
    would print forms with boxes instead of characters.
    """
    fonts = root / "resources" / "fonts"
    if fonts.is_dir() and any(fonts.glob("*.tt[fc]")):
        return []
    font, licence = _find_font()
    if font is None or not font.is_file():
        raise SystemExit(
            "找不到 PDF 用的中文字体 AR PL UMing (uming.ttc)：请安装 fonts-arphic-uming，"
            f"或用环境变量 {ENV_FONT} 指定文件 / CJK font uming.ttc not found"
        )
    files = [(font, "resources/fonts")]
    if licence is None or not licence.is_file():
        raise SystemExit(
            "找不到字体许可证 ARPHICPL.TXT / font licence not found: the Arphic Public License "
            f"requires it next to the font (set {ENV_FONT_LICENCE})"
        )
    # Section 1 of the Arphic Public License: copies keep ARPHICPL.TXT, unaltered.
    staged = WORK / "installer" / "fonts" / "ARPHICPL.TXT"
    staged.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if licence.suffix == ".gz" else open
    with opener(licence, "rb") as source:
        staged.write_bytes(source.read())
    files.append((staged, "resources/fonts"))
    return files


def write_dist_info(folder: Path) -> Path:
    """Write a minimal huitoukan-X.dist-info so importlib.metadata finds the version."""
    version = project_version()
    dist_info = folder / "meta" / f"huitoukan-{version}.dist-info"
    if dist_info.parent.exists():
        shutil.rmtree(dist_info.parent)  # an older version's folder must not travel along
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: huitoukan\nVersion: {version}\n", encoding="utf-8"
    )
    return dist_info


def write_version_file(folder: Path) -> Path:
    """Write the PyInstaller version resource: Windows shows it in the exe's file properties."""
    version = project_version()
    numbers = numeric_version(version)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "version_info.txt"
    strings = {
        "CompanyName": PUBLISHER,
        "FileDescription": PRODUCT,
        "FileVersion": version,
        "InternalName": "huitoukan",
        "LegalCopyright": "MIT License",
        "OriginalFilename": "huitoukan.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    string_structs = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    path.write_text(
        f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,
                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('080404b0', [
{string_structs}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [2052, 1200])])
  ]
)
""",
        encoding="utf-8",
    )
    return path


def _reproducible_env() -> dict[str, str]:
    # Same sources, same bytes: fixed hash seed for PyInstaller, file times from the last commit.
    env = dict(os.environ, PYTHONHASHSEED="0")
    try:
        stamp = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        stamp = ""
    if stamp:
        env.setdefault("SOURCE_DATE_EPOCH", stamp)
    return env


def build_bundle() -> Path:
    """Run PyInstaller on the spec; return the bundle folder."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK / "pyinstaller"),
            str(SPEC),
        ],
        cwd=ROOT,
        env=_reproducible_env(),
        check=True,
    )
    print(f"bundle built in {time.perf_counter() - started:.0f} s: {BUNDLE}")
    return BUNDLE


def cli_executable(bundle: Path = BUNDLE) -> Path:
    """The console executable in the bundle (self-test output needs a console on Windows)."""
    return bundle / ("huitoukan-cli.exe" if IS_WINDOWS else "huitoukan-cli")


def _clean_env() -> dict[str, str]:
    # The bundle must stand on its own: no source tree or site-packages leaking in.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def run_self_test(bundle: Path = BUNDLE) -> float:
    """Run `--self-test` on the bundle from outside the source tree; return seconds taken."""
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result = subprocess.run(
        [str(cli_executable(bundle)), "--self-test"], cwd=WORK, env=_clean_env(), timeout=300
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"bundle self-test failed (exit {result.returncode})")
    return seconds


# Each piece the self-test must miss when it is gone from a bundle, and the name it must print.
REMOVALS = (
    ("_internal/resources/forms", "form descriptions"),
    ("_internal/desktop/models/migrations/versions", "database migrations"),
    ("_internal/resources/fonts", "CJK font for PDFs"),
    ("_internal/stdnum/cn/loc.dat", "ID region table stdnum/cn/loc.dat"),
    ("_internal/PySide6/Qt/plugins/platforms", "Qt platform plugin offscreen"),
    ("_internal/PySide6/QtPdf.abi3.so", "Qt PDF module QtPdf"),
)


def check_removals(bundle: Path = BUNDLE) -> None:
    """Take each resource out of a hard-linked copy of the bundle: the self-test must name it."""
    copy = WORK / "installer" / "bundle-without"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(bundle, copy, symlinks=True, copy_function=os.link)  # links: no 250 MB copy
    stash = WORK / "installer" / "removed"
    for relative, name in REMOVALS:
        target = copy / relative
        if not target.exists():
            raise SystemExit(f"{relative} is not in the bundle: update REMOVALS")
        if stash.exists():
            shutil.rmtree(stash)
        stash.mkdir(parents=True)
        moved = stash / target.name
        target.rename(moved)
        try:
            result = subprocess.run(
                [str(cli_executable(copy)), "--self-test"],
                cwd=WORK,
                env=_clean_env(),
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=300,
            )
        finally:
            moved.rename(target)
        if result.returncode == 0 or f"missing {name}" not in result.stdout:
            raise SystemExit(
                f"self-test without {relative}: exit {result.returncode}, "
                f"expected 'missing {name}':\n{result.stdout}{result.stderr}"
            )
        print(f"without {relative}: exit {result.returncode}, names '{name}'")
    shutil.rmtree(copy)
    shutil.rmtree(stash, ignore_errors=True)


def probe_database(bundle: Path = BUNDLE, households: int = 300) -> Path:
    """Build a demo township with the bundled `demo` command, for the start-up probe to open."""
    path = WORK / "installer" / f"probe-{households}.sqlite3"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                str(cli_executable(bundle)),
                "demo",
                "--db",
                str(path),
                "--households",
                str(households),
            ],
            cwd=WORK,
            env=_clean_env(),
            check=True,
            timeout=300,
        )
    return path


def startup_probe(bundle: Path = BUNDLE, db: Path | None = None) -> tuple[float, float, str]:
    """Start the bundled app on a database; return seconds to the first window's and the main
    window's first paint (timed from outside the process), and the probe's own line."""
    WORK.mkdir(parents=True, exist_ok=True)
    command = [str(cli_executable(bundle)), "--self-test", "--startup-probe"]
    if db is not None:
        command += ["--db", str(db)]
    from_start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=WORK,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    first = painted = None
    report = ""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("STARTUP-PROBE first-window") and first is None:
            first = time.perf_counter() - from_start
        if line.startswith("STARTUP-PROBE painted") and painted is None:
            painted = time.perf_counter() - from_start
            report = line.strip()
    process.wait(timeout=120)
    if process.returncode != 0 or painted is None or first is None:
        raise SystemExit(f"start-up probe failed (exit {process.returncode})")
    return first, painted, report


def folder_size(path: Path) -> int:
    """Total bytes of the files under a folder."""
    # Symlinks (PyInstaller links Qt libraries on Linux) would count the same bytes twice.
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def makensis(
    bundle: Path,
    *,
    check: bool,
    outfile: Path | None = None,
    target: str | None = None,
    compressor: str | None = None,
) -> Path:
    """Compile the NSIS script with the bundle as its payload; return the setup .exe.

    `target` names an NSIS stub other than the default 32-bit one, and `compressor` one other
    than the release's solid LZMA: scripts/windows_check.py packs a 64-bit stub (`amd64-unicode`:
    Debian's Wine runs 64-bit programs only) with zlib (LZMA takes minutes on 2 cores).
    """
    tool = shutil.which("makensis")
    if tool is None:
        raise SystemExit(
            "makensis not found: install NSIS (Debian: nsis; Windows: choco install nsis)"
        )
    version = project_version()
    suffix = "check" if check else "setup"
    if outfile is None:
        outfile = (WORK / "installer" if check else DIST) / f"huitoukan-{version}-{suffix}.exe"
    outfile.parent.mkdir(parents=True, exist_ok=True)
    # makensis on Linux takes -D; on Windows it also accepts /D. The dash form works on both.
    defines = {
        "VERSION": version,
        "VERSION4": ".".join(map(str, numeric_version(version))),
        "PAYLOAD_DIR": str(bundle),
        "OUTFILE": str(outfile),
        "SIZE_KB": str(folder_size(bundle) // 1024),
    }
    command = [tool, "-V2", "-INPUTCHARSET", "UTF8"]
    if target:
        command.append(f"-XTarget {target}")
    if compressor:
        # /FINAL: the script's own SetCompressor is ignored (NSIS warns 8020, harmlessly).
        command.append(f"-XSetCompressor /SOLID /FINAL {compressor}")
    if check:
        command.append("-WX")  # the check fails on a warning; a release build on a newer NSIS not
    command += [f"-D{key}={value}" for key, value in defines.items()]
    if check:
        command.append("-DCHECK_ONLY")  # store without compression: the check is about the script
    command.append(str(NSIS_SCRIPT))
    started = time.perf_counter()
    subprocess.run(command, check=True, env=_reproducible_env())
    print(f"makensis: {outfile} ({outfile.stat().st_size // 2**20} MB, "
          f"{time.perf_counter() - started:.0f} s)")  # fmt: skip
    return outfile


def measure(bundle: Path = BUNDLE, runs: int = 5) -> None:
    """Print the bundle's size and its start-up times (for installer/README.md)."""
    size = folder_size(bundle)
    files = sum(1 for p in bundle.rglob("*") if p.is_file())
    tests = [run_self_test(bundle) for _ in range(runs)]
    db = probe_database(bundle)
    probes = [startup_probe(bundle, db) for _ in range(runs)]
    firsts = [p[0] for p in probes]
    paints = [p[1] for p in probes]
    print(f"MEASURE bundle: {size / 2**20:.0f} MB in {files} files")
    print(f"MEASURE self-test: median {statistics.median(tests):.2f} s of {runs} runs")
    print(
        f"MEASURE start to first window: median {statistics.median(firsts):.2f} s,"
        f" max {max(firsts):.2f} s of {runs} runs"
    )
    print(
        f"MEASURE start to main window painted (300 households, sign-in skipped):"
        f" median {statistics.median(paints):.2f} s, max {max(paints):.2f} s"
    )
    print(f"MEASURE last probe: {probes[-1][2]}")


def main(argv: list[str] | None = None) -> int:
    """Build, self-test and (on Windows or with --check) compile the installer."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="self-test and makensis check")
    parser.add_argument("--measure", action="store_true", help="print size and start-up times")
    parser.add_argument("--no-build", action="store_true", help="reuse dist/huitoukan")
    parser.add_argument(
        "--bundle-only", action="store_true", help="bundle and self-test, no makensis"
    )
    parser.add_argument("--dist", type=Path, help="output folder instead of dist/")
    parser.add_argument("--work", type=Path, help="work folder instead of build/")
    args = parser.parse_args(argv)
    global DIST, WORK, BUNDLE
    if args.dist:
        DIST, BUNDLE = args.dist.resolve(), args.dist.resolve() / "huitoukan"
    if args.work:
        WORK = args.work.resolve()
    bundle = BUNDLE if args.no_build else build_bundle()
    seconds = run_self_test(bundle)
    print(f"self-test passed in {seconds:.1f} s")
    if args.measure:
        measure(bundle)
    if args.bundle_only:
        return 0
    if IS_WINDOWS and not args.check:
        makensis(bundle, check=False)
    elif args.check:
        if not IS_WINDOWS:  # REMOVALS names Linux files
            check_removals(bundle)
        makensis(bundle, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
