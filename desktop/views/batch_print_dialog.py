"""Printing many households' forms into one PDF, off the GUI thread, then the preview."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from desktop.services.context import AppServices
from desktop.views.background import run_in_background

FORM_TITLES = {"verification": "入户核查表", "collection": "农户信息采集表"}


class PrintCancelled(Exception):
    """The clerk cancelled the batch; nothing is shown."""


@dataclass
class BatchResult:
    """The PDF of a batch and the characters no font has, by character → places."""

    pdf: bytes
    missing: dict[str, list[str]]
    forms: int


def build_batch(
    services: AppServices,
    household_ids: list[int] | None,
    form_code: str,
    cancelled: threading.Event | None = None,
) -> BatchResult:
    """Render one form per household in 户编号 order (or one blank form when ids is None)."""
    from desktop.printing.form_renderer import find_missing_glyphs, render_form
    from desktop.services.form_description import load_form
    from desktop.views.print_preview import missing_from_places

    description = load_form(form_code)
    if household_ids is None:
        return BatchResult(render_form(description, [], blank=True), {}, 1)
    items = []
    for start in range(0, len(household_ids), 200):
        if cancelled is not None and cancelled.is_set():
            raise PrintCancelled()
        items.extend(services.forms.print_items(household_ids[start : start + 200], form_code))
    items.sort(key=lambda item: item.household_code)
    missing = missing_from_places(find_missing_glyphs(description, items))
    if cancelled is not None and cancelled.is_set():
        raise PrintCancelled()
    # Characters no font has are marked 〔U+XXXX〕 in the PDF and listed before the preview.
    return BatchResult(render_form(description, items, on_missing="mark"), missing, len(items))


class BatchPrinter:
    """Runs a batch in the background behind a cancellable progress dialog."""

    def __init__(
        self,
        services: AppServices,
        household_ids: list[int] | None,
        form_code: str,
        parent: QWidget | None = None,
    ) -> None:
        self.services = services
        self.household_ids = household_ids
        self.form_code = form_code
        self.parent = parent
        self.cancelled = threading.Event()
        self.result: BatchResult | None = None
        self.error = ""
        count = "空白表" if household_ids is None else f"{len(household_ids)} 户"
        self.progress = QProgressDialog(
            f"正在生成{FORM_TITLES.get(form_code, form_code)}（{count}）…", "取消", 0, 0, parent
        )
        self.progress.setWindowTitle("批量打印")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(self.cancelled.set)

    def start(self) -> None:
        """Start rendering; the preview opens when it is done."""
        self.progress.show()
        self._relay = run_in_background(
            lambda: build_batch(self.services, self.household_ids, self.form_code, self.cancelled),
            self._on_relay_done,
            self._on_relay_failed,
        )

    def _close_progress(self) -> None:
        # QProgressDialog emits `canceled` when it closes: stop listening first.
        self.progress.canceled.disconnect(self.cancelled.set)
        self.progress.close()

    def _on_relay_done(self, result: BatchResult) -> None:
        if self.cancelled.is_set():
            self._close_progress()
            return
        self._close_progress()
        self.result = result
        from desktop.views.print_preview import PrintPreviewDialog

        title = FORM_TITLES.get(self.form_code, self.form_code)
        name = f"{title}_空白" if self.household_ids is None else f"{title}_{result.forms}户"
        PrintPreviewDialog.preview(result.pdf, name, self.parent, result.missing)

    def _on_relay_failed(self, message: str) -> None:
        self._close_progress()
        if self.cancelled.is_set():
            return  # the cancel reached the worker: nothing to show
        self.error = message
        QMessageBox.warning(self.parent, "未能打印", f"未能生成PDF：{message}")


def print_forms(
    services: AppServices,
    household_ids: list[int] | None,
    form_code: str,
    parent: QWidget | None = None,
) -> BatchPrinter:
    """Start a batch (None: a blank form); keep the returned printer until it finishes."""
    printer = BatchPrinter(services, household_ids, form_code, parent)
    printer.start()
    return printer
