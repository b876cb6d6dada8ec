"""Batch printing from the main window: one PDF, one form per household, in 户编号 order."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from PySide6.QtWidgets import QPushButton

from desktop.services.context import AppServices
from desktop.views.forms import print_preview
from desktop.views.forms.batch_print_dialog import BatchPrinter, build_batch


@pytest.fixture
def services(demo_engine):
    return AppServices(engine=demo_engine)


def test_a_village_prints_in_household_code_order(services):
    village = services.registry.village_summaries()[0]
    ids = sorted(services.registry.household_ids_in("village", village.id), reverse=True)
    result = build_batch(services, ids, "verification")
    assert result.forms == village.households
    codes = sorted(r.code for r in services.registry.household_rows() if r.id in set(ids))
    with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
        assert len(pdf.pages) == village.households
        first, last = pdf.pages[0].extract_text(), pdf.pages[-1].extract_text()
        assert pdf.pages[0].width > pdf.pages[0].height  # the 核查表 is landscape
    assert codes[0] in first and codes[-1] in last


def test_blank_forms_print_without_a_household(services):
    result = build_batch(services, None, "verification")
    with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
        assert len(pdf.pages) == 1
        assert "空白" in pdf.pages[0].extract_text()
    result = build_batch(services, None, "collection")
    with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
        assert "农户信息采集表" in pdf.pages[0].extract_text()


def test_printer_runs_in_the_background_then_previews(qtbot, services, monkeypatch):
    shown = []
    monkeypatch.setattr(
        print_preview.PrintPreviewDialog,
        "run",
        classmethod(lambda cls, pdf, name, parent=None, missing=None: shown.append((pdf, name))),
    )
    ids = [r.id for r in services.registry.household_rows()[:5]]
    printer = BatchPrinter(services, ids, "verification")
    printer.start()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert shown[0][0].startswith(b"%PDF")
    assert shown[0][1] == "入户核查表_5户"


def test_cancel_shows_nothing(qtbot, services, monkeypatch):
    shown = []
    monkeypatch.setattr(
        print_preview.PrintPreviewDialog,
        "run",
        classmethod(lambda cls, *a, **k: shown.append(a)),
    )
    ids = [r.id for r in services.registry.household_rows()]
    printer = BatchPrinter(services, ids, "verification")
    printer.job.progress.findChild(QPushButton).click()  # 取消, before the batch even starts
    printer.start()
    qtbot.waitUntil(lambda: not printer.job.is_running(), timeout=20000)
    assert shown == []
