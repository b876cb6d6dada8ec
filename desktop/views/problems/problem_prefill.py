"""What 登记问题… carries over from a form just filled in: the problem as the paper states it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

# The paper's own labels, by the problem field they fill. A form whose paper prints one of
# these labels (存在主要问题 on the 入户核查表…) prefills that field; no field code is named here.
LABELS = {
    "description": ("存在主要问题", "存在问题", "发现问题", "主要问题"),
    "cause": ("原因分析", "问题原因"),
    "measures": ("整改措施", "整改意见"),
}
DATE_LABELS = ("核查时间", "核查日期", "调查时间", "填表日期")
FORM_SOURCE = "回头看排查"  # a problem found while filling a form on a household visit


@dataclass(frozen=True)
class ProblemPrefill:
    """The entries a new problem starts with; empty strings leave a field as it was."""

    description: str = ""
    cause: str = ""
    measures: str = ""
    found_date: datetime.date | None = None
    source: str = ""

    def is_empty(self) -> bool:
        """True when nothing would be filled in."""
        return not (self.description or self.cause or self.measures or self.found_date)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:  # answers keep dates as ISO text, as they are stored
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def prefill_from_form(form, answers: dict[str, Any]) -> ProblemPrefill:
    """Return what a problem raised from this form (its description, its answers as on
    screen, saved or not) starts with."""
    by_label: dict[str, str] = {}
    for cell in form.input_cells:
        if cell.label and cell.field:
            by_label.setdefault(cell.label, _text(answers.get(cell.field)))
    texts = {
        name: next((by_label[label] for label in labels if by_label.get(label)), "")
        for name, labels in LABELS.items()
    }
    found = None
    for row in form.signatures:
        for item in row:
            value = _date(answers.get(item.field)) if item.field else None
            if item.label in DATE_LABELS and value is not None:
                found = value
    return ProblemPrefill(**texts, found_date=found, source=FORM_SOURCE)
