"""Marks for tests that cannot run everywhere: each names its reason, none skips silently.

The suite runs on Linux (CI), under a Windows Python in Wine in a Chinese and an English locale
(scripts/windows_check.sh, CI) and on a real Windows (the release workflow). A test that truly
needs one system says which and why; `-rs` lists every skip with its reason.

    @linux_only("network file systems are found in /proc/mounts")
    @windows_only("drive types come from GetDriveTypeW")
    @wine_lacks("printing to a real printer")  # runs on Linux and on a real Windows
"""

from __future__ import annotations

import contextlib
import sys

import pytest


def _under_wine() -> bool:
    if sys.platform != "win32":
        return False
    import ctypes

    try:
        return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")
    except OSError:
        return False


UNDER_WINE = _under_wine()


def linux_only(reason: str) -> pytest.MarkDecorator:
    """Skip on Windows, saying why the test is about Linux only."""
    return pytest.mark.skipif(sys.platform == "win32", reason=f"Linux only: {reason}")


def windows_only(reason: str) -> pytest.MarkDecorator:
    """Skip elsewhere than Windows, saying why the test is about Windows only."""
    return pytest.mark.skipif(sys.platform != "win32", reason=f"Windows only: {reason}")


def wine_lacks(reason: str) -> pytest.MarkDecorator:
    """Skip under Wine only, for what a real Windows has and Wine 8 does not."""
    return pytest.mark.skipif(UNDER_WINE, reason=f"Wine lacks {reason} (real Windows runs it)")


@contextlib.contextmanager
def read_only(*paths):
    """Make files and folders immutable (chattr +i) for the block: read-only for root too,
    whom mode bits do not stop. Skips the test where chattr is missing or refused."""
    import shutil
    import subprocess

    def chattr(flag, path):
        done = subprocess.run(["chattr", flag, str(path)], capture_output=True)
        return done.returncode == 0

    made = []
    try:
        for path in paths:
            if shutil.which("chattr") is None or not chattr("+i", path):
                pytest.skip("chattr +i is not available here")
            made.append(path)
        yield
    finally:
        for path in reversed(made):
            chattr("-i", path)
