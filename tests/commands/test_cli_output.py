"""The command line's Chinese survives a redirect on any Windows code page."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from desktop.cli import main


def test_redirected_output_is_utf8_even_on_a_code_page_without_chinese(tmp_path):
    # English Windows encodes redirected output in code page 1252, which has no Chinese: the
    # command would crash or print "\\u6253" escapes. It writes UTF-8 instead, as the installed
    # executables (Python's UTF-8 mode) do.
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--help"], capture_output=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")
    assert "打开指定的数据库文件" in text
    assert "\\u" not in text


def test_every_date_option_refuses_a_slashed_date_with_one_chinese_message(tmp_path, capsys):
    # 2020/05/01 is how a clerk may type it; each command that takes a date says the same thing.
    db = str(tmp_path / "d.sqlite3")
    commands = [
        ["problems", "export", "--db", db, "--out", str(tmp_path / "a.xlsx"), "--from"],
        ["rosters", "removals", "--db", db, "--to", "2020-06-30", "--from"],
        ["audit", "export", "--db", db, "--from"],
    ]
    for command in commands:
        with pytest.raises(SystemExit) as stop:
            main([*command, "2020/05/01"])
        assert stop.value.code == 2
        assert "日期格式不对：2020/05/01（应写成 2020-05-01）" in capsys.readouterr().err
