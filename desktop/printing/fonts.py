"""CJK fonts for the printed forms: registered once per process, embedded as subsets.

Which font is used where:
- Windows: 宋体 (simsun.ttc) for labels and values, 黑体 (simhei.ttf) for titles, 仿宋
  (simfang.ttf) where a form asks for it; rare characters from SimSun-ExtB (simsunb.ttf).
- Linux: AR PL UMing CN (Debian fonts-arphic-uming) for everything; fallbacks AR PL UKai CN
  (fonts-arphic-ukai) and HanaMin A/B (fonts-hanazono: CJK Ext-A/B such as 𠮷).
- Any TrueType font placed in resources/fonts/ is tried after those.

Only TrueType outlines work (reportlab cannot embed CFF/OpenType-PS fonts such as Noto CJK). A
character that no font has is reported by `missing_chars` before printing; it is never dropped or
printed as an empty box.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from desktop.errors import FontError
from desktop.paths import resources_dir

# (file name, index inside a .ttc, role label shown to the user)
WINDOWS_SONG = (("simsun.ttc", 0, "宋体"), ("simsun.ttf", 0, "宋体"))
WINDOWS_HEI = (("simhei.ttf", 0, "黑体"),)
WINDOWS_FANG = (("simfang.ttf", 0, "仿宋"),)
WINDOWS_FALLBACKS = (("simsunb.ttf", 0, "宋体-ExtB"), ("mingliub.ttc", 0, "细明体-ExtB"))
LINUX_SONG = (("uming.ttc", 0, "AR PL UMing CN"),)
LINUX_FALLBACKS = (
    ("ukai.ttc", 0, "AR PL UKai CN"),
    ("HanaMinA.ttf", 0, "花园明朝 A"),
    ("HanaMinB.ttf", 0, "花园明朝 B"),
)
LINUX_DIRS = (
    Path("/usr/share/fonts/truetype/arphic"),
    Path("/usr/share/fonts/truetype/hanazono"),
    Path("/usr/share/fonts/truetype"),
    Path("/usr/local/share/fonts"),
)
# Characters that need no glyph: they are spacing or layout only.
_NO_GLYPH_NEEDED = {" ", "\n", "\t", "\r", "\u3000"}


@dataclass(frozen=True)
class FontFace:
    """One registered font: its reportlab name, file, and which characters it has."""

    name: str
    path: str
    label: str
    codepoints: frozenset[int]

    def has(self, char: str) -> bool:
        """True when the font has a glyph for this character."""
        return ord(char) in self.codepoints


def windows_fonts_dir() -> Path:
    """Return C:\\Windows\\Fonts (from %WINDIR%)."""
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def _search_dirs() -> list[Path]:
    dirs = [resources_dir() / "fonts"]
    if sys.platform == "win32":
        dirs.insert(0, windows_fonts_dir())
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.insert(1, Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs + list(LINUX_DIRS)


def _find(file: str) -> Path | None:
    for folder in _search_dirs():
        path = folder / file
        if path.is_file():
            return path
    return None


def _register(path: Path, index: int, label: str) -> FontFace:
    name = f"HTK-{path.stem}-{index}"
    if name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(name)
    else:
        font = TTFont(name, str(path), subfontIndex=index)
        pdfmetrics.registerFont(font)
    return FontFace(name, str(path), label, frozenset(font.face.charToGlyph))


def _first(candidates: Iterable[tuple[str, int, str]]) -> FontFace | None:
    for file, index, label in candidates:
        path = _find(file)
        if path is not None:
            try:
                return _register(path, index, label)
            except Exception:  # a damaged or CFF font: try the next one
                continue
    return None


class FontSet:
    """The registered fonts: a main face per role and a fallback chain for rare characters."""

    def __init__(self, song: FontFace, hei: FontFace, fang: FontFace) -> None:
        self.song = song
        self.hei = hei
        self.fang = fang
        self._fallbacks: list[FontFace] | None = None
        self._lock = threading.Lock()

    @property
    def main(self) -> str:
        """The reportlab name of the main (宋体) font."""
        return self.song.name

    @property
    def title(self) -> str:
        """The reportlab name of the title (黑体) font."""
        return self.hei.name

    @property
    def title_is_bold(self) -> bool:
        """True when the title font is a real 黑体, not the main font drawn again."""
        return self.hei.name != self.song.name

    def fallbacks(self) -> list[FontFace]:
        """Return the fallback faces, registering them on first need (they are large)."""
        with self._lock:
            if self._fallbacks is None:
                found = []
                candidates = list(WINDOWS_FALLBACKS) + list(LINUX_FALLBACKS)
                candidates += [
                    (p.name, 0, p.stem)
                    for p in sorted((resources_dir() / "fonts").glob("*.tt[fc]"))
                    if p.is_file()
                ]
                seen = {self.song.path, self.hei.path, self.fang.path}
                for file, index, label in candidates:
                    path = _find(file)
                    if path is None or str(path) in seen:
                        continue
                    seen.add(str(path))
                    try:
                        found.append(_register(path, index, label))
                    except Exception:
                        continue
                self._fallbacks = found
            return self._fallbacks

    def faces(self) -> list[FontFace]:
        """Return every face in the order they are tried."""
        return [self.song, *self.fallbacks()]

    def font_for(self, char: str, preferred: FontFace | None = None) -> str | None:
        """Return the name of the first font that has the character, or None."""
        face = preferred or self.song
        if face.has(char) or char in _NO_GLYPH_NEEDED:
            return face.name
        if face is not self.song and self.song.has(char):
            return self.song.name
        for fallback in self.fallbacks():
            if fallback.has(char):
                return fallback.name
        return None

    def runs(self, text: str, preferred: str | None = None) -> tuple[tuple[str, str], ...]:
        """Split text into (font name, text) runs; a character no font has keeps font ''."""
        return _runs(self, text, preferred or self.song.name)

    def missing_chars(self, texts: Iterable[str]) -> list[str]:
        """Return, in first-seen order, the characters that no available font has."""
        missing: dict[str, None] = {}
        for text in texts:
            if not text:
                continue
            for char in _missing_in(self, text):
                missing.setdefault(char, None)
        return list(missing)

    def describe(self) -> list[str]:
        """Return, for the user, which font file serves which role."""
        lines = [
            f"正文（宋体）：{self.song.label}（{self.song.path}）",
            f"标题（黑体）：{self.hei.label}（{self.hei.path}）",
            f"仿宋：{self.fang.label}（{self.fang.path}）",
        ]
        lines += [f"后备字体：{f.label}（{f.path}）" for f in self.fallbacks()]
        return lines

    def face(self, name: str) -> FontFace:
        """Return the face registered under a reportlab name."""
        for f in (self.song, self.hei, self.fang, *(self._fallbacks or [])):
            if f.name == name:
                return f
        raise KeyError(name)


@lru_cache(maxsize=65536)
def _missing_in(fonts: FontSet, text: str) -> tuple[str, ...]:
    song = fonts.song.codepoints
    if all(ord(c) in song or c in _NO_GLYPH_NEEDED for c in text):
        return ()
    return tuple(c for c in text if fonts.font_for(c) is None)


@lru_cache(maxsize=65536)
def _runs(fonts: FontSet, text: str, preferred: str) -> tuple[tuple[str, str], ...]:
    face = fonts.face(preferred)
    if all(ord(c) in face.codepoints or c in _NO_GLYPH_NEEDED for c in text):
        return ((preferred, text),)
    out: list[list[str]] = []
    for char in text:
        name = fonts.font_for(char, face) or ""
        if out and out[-1][0] == name:
            out[-1][1] += char
        else:
            out.append([name, char])
    return tuple((name, chunk) for name, chunk in out)


def _patch_to_unicode() -> None:
    """Make copy-paste and search work for Ext-B names (𠮷): reportlab writes their ToUnicode
    entry as a 5-digit code; PDF wants the UTF-16 surrogate pair."""
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "_htk_patched", False):
        return

    def to_unicode(fontname, subset):
        cmap = original(fontname, subset)
        for i, v in enumerate(subset):
            if v > 0xFFFF:
                pair = chr(v).encode("utf-16-be").hex().upper()
                cmap = cmap.replace(f"<{i:02X}> <{v:04X}>", f"<{i:02X}> <{pair}>")
        return cmap

    to_unicode._htk_patched = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode


_lock = threading.Lock()
_fonts: FontSet | None = None


def register_fonts() -> FontSet:
    """Register the fonts once per process and return them (thread-safe)."""
    global _fonts
    with _lock:
        if _fonts is None:
            _patch_to_unicode()
            song = _first(WINDOWS_SONG + LINUX_SONG) if sys.platform == "win32" else None
            song = song or _first(LINUX_SONG + WINDOWS_SONG)
            if song is None:
                raise FontError(
                    "找不到可用的中文字体。Windows 请确认系统字体“宋体”完整；"
                    "Linux 请安装 fonts-arphic-uming。"
                )
            hei = _first(WINDOWS_HEI) or song
            fang = _first(WINDOWS_FANG) or song
            _fonts = FontSet(song, hei, fang)
        return _fonts


@dataclass(frozen=True)
class RoleFonts:
    """The reportlab font names for each role of an official document (整改函, 台账, 花名册)."""

    body: str  # 仿宋 (GB/T 9704: 3号仿宋 for the body)
    title: str  # 黑体 where installed, else the main font
    heading: str  # 黑体 for the first level of headings and table heads
    song: str  # 宋体 for tables


@cache
def role_fonts() -> RoleFonts:
    """Return the registered fonts by the role an official document gives them."""
    faces = register_fonts()
    return RoleFonts(
        body=faces.fang.name, title=faces.hei.name, heading=faces.hei.name, song=faces.song.name
    )


def missing_chars(texts: Iterable[str]) -> list[str]:
    """Return the characters that no available font has (report them before printing)."""
    return register_fonts().missing_chars(texts)


def char_name(char: str) -> str:
    """Return a character with its code point for messages: “𠮷（U+20BB7）”."""
    return f"{char}（U+{ord(char):04X}）"
