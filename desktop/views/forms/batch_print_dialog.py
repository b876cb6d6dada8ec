"""Printing many households' forms into one PDF, off the GUI thread, then the preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.errors import CancelledError
from desktop.services.context import AppServices
from desktop.views.background import ProgressJob

FORM_TITLES = {"verification": "入户核查表", "collection": "农户信息采集表"}


class PrintCancelled(CancelledError):
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
    cancelled: Callable[[], bool] | None = None,
) -> BatchResult:
    """Render one form per household in 户编号 order (or one blank form when ids is None)."""
    from desktop.printing.form_renderer import find_missing_glyphs, render_form
    from desktop.services.forms.catalog import load_form
    from desktop.views.forms.print_preview import missing_from_places

    description = load_form(form_code)
    if household_ids is None:
        return BatchResult(render_form(description, [], blank=True), {}, 1)
    items = []
    for start in range(0, len(household_ids), 200):
        if cancelled is not None and cancelled():
            raise PrintCancelled()
        items.extend(services.forms.print_items(household_ids[start : start + 200], form_code))
    items.sort(key=lambda item: item.household_code)
    missing = missing_from_places(find_missing_glyphs(description, items))
    if cancelled is not None and cancelled():
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
        self.result: BatchResult | None = None
        self.error = ""
        count = "空白表" if household_ids is None else f"{len(household_ids)} 户"
        self.job = ProgressJob(
            parent,
            "批量打印",
            f"正在生成{FORM_TITLES.get(form_code, form_code)}（{count}）…",
            lambda _progress, cancelled: build_batch(
                self.services, self.household_ids, self.form_code, cancelled
            ),
            self._on_done,
            self._on_failed,
            busy=True,
            minimum_duration=0,
        )

    def start(self) -> None:
        """Start rendering; the preview opens when it is done."""
        self.job.start()

    def _on_done(self, result: BatchResult) -> None:
        if self.job.cancelled():
            return
        self.result = result
        from desktop.views.forms.print_preview import PrintPreviewDialog

        title = FORM_TITLES.get(self.form_code, self.form_code)
        name = f"{title}_空白" if self.household_ids is None else f"{title}_{result.forms}户"
        PrintPreviewDialog.run(result.pdf, name, self.parent, result.missing)

    def _on_failed(self, message: str) -> None:
        if self.job.cancelled():
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
