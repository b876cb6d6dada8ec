"""Fonts of the 整改函 and the 整改台账 PDF: 仿宋 for body text, 小标宋/黑体 for titles.

A private stand-in until the shared desktop/printing/fonts.py lands; it embeds (subsets)
TrueType fonts so the PDFs print the same on any machine. Windows has 仿宋/黑体/宋体 installed;
Linux falls back to AR PL UMing (fonts-arphic-uming) for every role.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktop.errors import FontError


@dataclass(frozen=True)
class FontSet:
    """Registered reportlab font names for each role of an official document."""

    body: str  # 仿宋 (GB/T 9704: 3号仿宋 for the body)
    title: str  # 小标宋, else 黑体, else the body font
    heading: str  # 黑体 for the first level of headings and table heads
    song: str  # 宋体 for tables


def _windows_fonts() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


# (role, candidates as (file, subfont index)); the first file that exists wins.
_CANDIDATES = {
    "body": (("simfang.ttf", 0), ("STFANGSO.TTF", 0), ("uming.ttc", 0)),
    "title": (("FZXBSJW.TTF", 0), ("simhei.ttf", 0), ("STXIHEI.TTF", 0), ("uming.ttc", 0)),
    "heading": (("simhei.ttf", 0), ("STXIHEI.TTF", 0), ("uming.ttc", 0)),
    "song": (("simsun.ttc", 0), ("STSONG.TTF", 0), ("uming.ttc", 0)),
}
_LINUX_DIRS = (
    Path("/usr/share/fonts/truetype/arphic"),
    Path("/usr/share/fonts/truetype"),
    Path("/usr/share/fonts"),
)


def _find(file: str) -> Path | None:
    for folder in (_windows_fonts(), *_LINUX_DIRS):
        path = folder / file
        if path.is_file():
            return path
    return None


@cache
def register_fonts() -> FontSet:
    """Register the CJK fonts once and return their names for each role.

    Uses the shared desktop/printing/fonts.py when it is there, so every PDF embeds one set.
    """
    try:
        from desktop.printing import fonts as shared

        faces = shared.register_fonts()
        return FontSet(
            body=faces.fang.name, title=faces.hei.name, heading=faces.hei.name, song=faces.song.name
        )
    except (ImportError, AttributeError):
        return _register_own()


def _register_own() -> FontSet:
    names: dict[str, str] = {}
    for role, candidates in _CANDIDATES.items():
        for file, index in candidates:
            path = _find(file)
            if path is None:
                continue
            name = f"HTK-{Path(file).stem}-{index}"
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
            names[role] = name
            break
        else:
            raise FontError(
                "找不到可用的中文字体（仿宋、黑体或宋体）。"
                "Windows 请确认系统字体完整；Linux 请安装 fonts-arphic-uming。"
            )
    return FontSet(**names)
