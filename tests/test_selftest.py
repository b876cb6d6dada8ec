"""`huitoukan --self-test`: passes on a complete installation, names what is missing otherwise."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from desktop import selftest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    # UTF-8 mode, as the bundle runs (installer/huitoukan.spec): else a Windows Python writes
    # the pipe in the code page (GBK, cp1252) and the Chinese lines cannot be read back.
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUTF8": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=240,
    )


def test_self_test_passes_in_process(qapp, capsys, data_dir):
    code = selftest.run_self_test(["--self-test"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "自检通过 / self-test passed" in out
    for zh, en, _check in selftest._checks():
        assert f"[通过 OK] {zh} / {en}" in out
    # The self-test works in a temporary folder, never in the user's data folder.
    assert list(data_dir.iterdir()) == []


def test_self_test_passes_as_a_command():
    result = _run("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "打印核查表 PDF / verification form PDF" in result.stdout
    assert "font embedded" in result.stdout
    assert "自检通过 / self-test passed" in result.stdout


def test_missing_form_descriptions_are_named(qapp, capsys, monkeypatch, tmp_path):
    empty = tmp_path / "resources"
    (empty / "forms").mkdir(parents=True)
    import desktop.services.forms.catalog  # noqa: F401  (patch where it is looked up)

    monkeypatch.setattr("desktop.services.forms.catalog.resources_dir", lambda: empty)
    code = selftest.run_self_test(["--self-test"])
    out = capsys.readouterr().out
    assert code == 1
    assert "缺少表单描述 / missing form descriptions" in out
    assert str(empty / "forms") in out
    assert "自检失败" in out and "self-test FAILED" in out


def test_missing_migrations_are_named(qapp, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("desktop.models.database.MIGRATIONS_DIR", tmp_path / "migrations")
    code = selftest.run_self_test(["--self-test"])
    out = capsys.readouterr().out
    assert code == 1
    assert "缺少数据库迁移脚本 / missing database migrations" in out


def test_missing_id_region_table_is_named(qapp, capsys, monkeypatch):
    def no_file(name):
        raise FileNotFoundError(f"stdnum/{name}.dat")

    monkeypatch.setattr("stdnum.numdb.get", no_file)
    code = selftest.run_self_test(["--self-test"])
    out = capsys.readouterr().out
    assert code == 1
    assert "缺少身份证地区码表 / missing ID region table stdnum/cn/loc.dat" in out


def test_missing_qt_pdf_module_is_named(qapp, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "PySide6.QtPdf", None)  # import now raises ImportError
    code = selftest.run_self_test(["--self-test"])
    out = capsys.readouterr().out
    assert code == 1
    assert "缺少Qt PDF 模块 QtPdf / missing Qt PDF module QtPdf" in out
    # One run names everything that is missing: the checks after it still ran.
    assert "[通过 OK] 数据库与演示数据 / database and demo data" in out


def test_missing_cjk_font_is_named(qapp, capsys, monkeypatch):
    from desktop.printing import fonts

    def no_font():
        raise fonts.FontError("找不到可用的中文字体。")

    monkeypatch.setattr(fonts, "register_fonts", no_font)
    code = selftest.run_self_test(["--self-test"])
    out = capsys.readouterr().out
    assert code == 1
    assert "缺少PDF 中文字体 / missing CJK font for PDFs: 找不到可用的中文字体" in out


def test_missing_qt_platform_plugin_is_named_without_a_crash():
    # Qt itself would abort with its own message; the self-test names the plugin first.
    result = _run("--self-test", QT_QPA_PLATFORM="nosuchplatform")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "缺少Qt 平台插件 nosuchplatform / missing Qt platform plugin nosuchplatform" in (
        result.stdout
    )


def test_pdf_without_embedded_font_is_rejected():
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 700, "Helvetica is not embedded")
    page.save()
    with pytest.raises(selftest.Missing, match="FontFile2"):
        selftest._inspect_pdf(buffer.getvalue())


def test_pdf_that_is_not_a_pdf_is_rejected():
    with pytest.raises(RuntimeError, match="%PDF"):
        selftest._inspect_pdf(b"<html>not a pdf</html>")


def test_startup_probe_paints_the_main_window(demo_engine):
    db = Path(demo_engine.url.database)
    demo_engine.dispose()
    before = db.read_bytes()
    result = _run("--self-test", "--startup-probe", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    first = next(s for s in lines if s.startswith("STARTUP-PROBE first-window"))
    main = next(s for s in lines if s.startswith("STARTUP-PROBE painted"))
    title = re.search(r"'(.*)'", main).group(1)
    assert "回头看工作台" in title and "桃江县" in title  # the main window on that database
    assert f"'{title}'" in first  # no other window (sign-in skipped) came before it
    assert "ms since" in main
    # The probe opens a private copy: the database it was given is untouched.
    assert db.read_bytes() == before


def test_the_server_driver_is_checked_and_required_in_the_bundle(without_psycopg, monkeypatch):
    """A township PC opens the county's server with the bundle alone: the bundle's self-test
    fails without psycopg; a source install without the `postgres` extra only says so."""
    assert "not installed" in selftest.check_server_driver()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(selftest.Missing) as missing:
        selftest.check_server_driver()
    assert "PostgreSQL 驱动" in str(missing.value)
