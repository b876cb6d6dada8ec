"""The 整改函 as poppler's pdffonts sees it: every font embedded and subset, none by name only."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from desktop.printing.notice import render_notice
from tests.printing.test_notice import _data

pytestmark = pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed"
)


def _pdffonts(path) -> list[dict[str, str]]:
    """Return pdffonts' table: name, type, emb, sub per font."""
    out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    # The second line is dashes, one run per column: their widths cut every row.
    widths = [len(run) for run in out[1].split(" ")]
    rows = []
    for line in out[2:]:
        cells, at = [], 0
        for width in widths:
            cells.append(line[at : at + width].strip())
            at += width + 1
        rows.append({"name": cells[0], "type": cells[1], "emb": cells[-4], "sub": cells[-3]})
    return rows


@pytest.mark.parametrize("problems", [1, 40])  # one page, and the 问题清单 over several
def test_pdffonts_reports_every_font_embedded_and_subset(tmp_path, problems):
    path = tmp_path / "整改函.pdf"
    path.write_bytes(render_notice(_data(problems)))
    fonts = _pdffonts(path)
    assert fonts, "pdffonts found no font"
    for font in fonts:
        assert (font["emb"], font["sub"]) == ("yes", "yes"), fonts
        assert "+" in font["name"], fonts  # a subset's name: ABCDEF+FontName
        assert "Helvetica" not in font["name"], fonts
