"""Marks for tests that cannot run everywhere: each names its reason, none skips silently.

The suite runs on Linux (CI), under a Windows Python in Wine in a Chinese and an English locale
(scripts/windows_check.sh, CI) and on a real Windows (the release workflow). A test that truly
needs one system says which and why; `-rs` lists every skip with its reason.

    @linux_only("network file systems are found in /proc/mounts")
    @windows_only("drive types come from GetDriveTypeW")
    @wine_lacks("printing to a real printer")  # runs on Linux and on a real Windows
"""

from __future__ import annotations

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
