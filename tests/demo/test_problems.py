"""The demo problems: about 200, every status, some overdue, some extended, evidence on disk."""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter

import pytest

from desktop.demo.problems import add_demo_problems
from desktop.services.problems.attachments import ATTACHMENT_OK
from desktop.services.problems.rules import STATUSES
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database
from tests.problem_fixtures import clear_problems

TODAY = datetime.date(2020, 6, 15)


def test_demo_township_comes_with_problems(demo_engine):
    assert ProblemService(Database(demo_engine), ".").count() >= 20


def test_demo_problems(demo_engine, data_dir):
    clear_problems(demo_engine)
    result = add_demo_problems(demo_engine, 7, today=TODAY, data_dir=data_dir)
    assert result.problems == 200 and result.extensions > 5 and result.attachments > 3
    ps = ProblemService(Database(demo_engine), data_dir)
    rows = ps.rows()
    assert len(rows) == 200
    counts = Counter(r.status for r in rows)
    assert set(counts) == set(STATUSES) and min(counts.values()) >= 5
    assert sum(r.overdue(TODAY) for r in rows) >= 10
    assert sum(r.due_soon(TODAY) for r in rows) >= 1
    assert sum(r.extension_count > 0 for r in rows) == result.extensions
    assert len({r.number for r in rows}) == 200
    with_files = [r for r in rows if r.attachment_count]
    data = ps.get(with_files[0].id)
    for a in data.attachments:
        assert a.state == ATTACHMENT_OK
        path = ps.attachment_file(a.path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == a.sha256
    assert ps.rates(TODAY).overall.rate is not None
    with pytest.raises(ValueError, match="已有整改问题"):
        add_demo_problems(demo_engine, 7, today=TODAY, data_dir=data_dir)


def test_the_demo_evidence_photos_look_like_photos_of_papers():
    import io
    import random

    from PIL import Image

    from desktop.demo.problems import _png

    image = Image.open(io.BytesIO(_png(random.Random(1)))).convert("L")
    assert image.size == (320, 240)
    levels = image.histogram()
    assert sum(levels[240:]) > 0.25 * 320 * 240  # a sheet of paper fills much of the picture
    assert sum(levels[:120]) > 1000  # with ink on it (text, table lines) and a desk around
    assert sum(1 for n in levels if n) > 50  # not a plain colour block
