"""Evaluation of households and villages against a standard: plain data in, results out.

No database here: the service feeds rows, so a county (100,000 households) is one tight loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import NamedTuple

from desktop.services.standards.standard import (
    COMPARE_GREATER,
    KIND_BOOL,
    KIND_COUNT,
    KIND_INCOME,
    KIND_RATE,
    IncomeMeasure,
    IndicatorSet,
    Standard,
)

STATUS_MET = "达标"
STATUS_SHORT = "未达标"
STATUS_INCOMPLETE = "未录全"  # nothing short, but some indicator has no value yet


class Threshold(NamedTuple):
    """The line a household is held to: the provincial standard of `year`, or None if unset."""

    year: int | None
    amount: float | None


class HouseholdResult(NamedTuple):
    """One household's result: its income per head, the line, and what is short or missing."""

    household_id: int
    village_id: int
    exit_year: int | None
    size: int
    income: float | None
    threshold: Threshold
    shortfalls: tuple[str, ...]  # indicator codes, in the set's order
    missing: tuple[str, ...]
    values: Mapping

    @property
    def status(self) -> str:
        """达标, 未达标 or 未录全."""
        if self.shortfalls:
            return STATUS_SHORT
        return STATUS_INCOMPLETE if self.missing else STATUS_MET


class VillageResult(NamedTuple):
    """One village's result against the village set (一低六有)."""

    village_id: int
    exit_year: int | None
    shortfalls: tuple[str, ...]
    missing: tuple[str, ...]
    values: Mapping

    @property
    def status(self) -> str:
        """达标, 未达标 or 未录全."""
        if self.shortfalls:
            return STATUS_SHORT
        return STATUS_INCOMPLETE if self.missing else STATUS_MET


def threshold_for(
    measure: IncomeMeasure, exit_year: int | None, overrides: Mapping[int, float | None]
) -> Threshold:
    """The line for a household that exited in `exit_year` (the campaign's own figure wins)."""
    year = measure.check_year(exit_year)
    if year is None:
        return Threshold(None, None)
    amount = overrides.get(year, measure.standards_by_year.get(year))
    return Threshold(year, amount)


def _total_function(measure: IncomeMeasure):
    """The measure's numerator as a function of a household's values; it raises KeyError or
    TypeError while an input is missing, which is rare, so the common case pays nothing."""
    add, subtract = measure.add, measure.subtract

    def total(values: Mapping) -> float:
        t = 0.0
        for name in add:
            t += values[name]
        for name in subtract:
            t -= values[name]
        return t

    return total


def income_per_head(measure: IncomeMeasure, values: Mapping, size: int) -> float | None:
    """The income measure of one household, or None while an input is missing."""
    if size <= 0:
        return None
    try:
        return round(_total_function(measure)(values) / size, 2)
    except (KeyError, TypeError):
        return None


def _getter(codes: tuple[str, ...]):
    """values → the tuple of these codes' values (itemgetter, always a tuple)."""
    if not codes:
        return lambda values: ()
    if len(codes) == 1:
        code = codes[0]
        return lambda values: (values[code],)
    return itemgetter(*codes)


def evaluate_households(
    standard: Standard,
    rows: Iterable[tuple[int, int, int | None, int, Mapping | None]],
    overrides: Mapping[int, float | None] | None = None,
) -> list[HouseholdResult]:
    """Evaluate rows of (household_id, village_id, exit_year, size, values) against the
    household set of `standard`; `overrides` are the campaign's own standards by year."""
    measure = standard.income
    overrides = overrides or {}
    lines: dict[int | None, Threshold] = {}
    greater = measure.compare == COMPARE_GREATER
    indicators = standard.household_set.indicators
    order = {i.code: n for n, i in enumerate(indicators)}
    bools = tuple(i.code for i in indicators if i.kind == KIND_BOOL)
    counts = tuple(i.code for i in indicators if i.kind == KIND_COUNT)
    valued = bools + counts
    income_code = next(i.code for i in indicators if i.kind == KIND_INCOME)
    total = _total_function(measure)
    complete = frozenset(valued)
    get_bools, get_counts = _getter(bools), _getter(counts)
    empty: dict = {}
    out: list[HouseholdResult] = []
    append = out.append
    # A county is 75,000 exited households: a household with every value recorded (nearly all)
    # is checked with C-level tuple tests, and only one with a shortfall pays for the lists;
    # the paper's order is restored only where two are short.
    for household_id, village_id, exit_year, size, values in rows:
        if values is None:
            values = empty
        line = lines.get(exit_year)
        if line is None:
            line = lines[exit_year] = threshold_for(measure, exit_year, overrides)
        b = n = (None,)
        if values.keys() >= complete:
            b, n = get_bools(values), get_counts(values)
        if None not in b and None not in n:
            missing = []
            short = [c for c, v in zip(bools, b, strict=True) if v is False] if False in b else []
            if any(n):
                short += [c for c, v in zip(counts, n, strict=True) if v and v > 0]
        else:
            short = [c for c in bools if values.get(c) is False]
            short += [c for c in counts if (values.get(c) or 0) > 0]
            missing = [c for c in valued if values.get(c) is None]
        try:
            income = round(total(values) / size, 2)
        except (KeyError, TypeError, ZeroDivisionError):
            income = None
            missing.append(income_code)
        else:
            amount = line.amount
            if amount is None:
                missing.append(income_code)
            elif (income <= amount) if greater else (income < amount):
                short.append(income_code)
        if len(short) > 1:
            short.sort(key=order.__getitem__)
        if len(missing) > 1:
            missing.sort(key=order.__getitem__)
        append(
            HouseholdResult(
                household_id,
                village_id,
                exit_year,
                size,
                income,
                line,
                tuple(short),
                tuple(missing),
                values,
            )
        )
    return out


def evaluate_villages(
    indicator_set: IndicatorSet, rows: Iterable[tuple[int, int | None, Mapping | None]]
) -> list[VillageResult]:
    """Evaluate rows of (village_id, exit_year, indicators) against a village set."""
    out: list[VillageResult] = []
    for village_id, exit_year, values in rows:
        values = values or {}
        short: list[str] = []
        missing: list[str] = []
        for indicator in indicator_set.indicators:
            v = values.get(indicator.code)
            if v is None:
                missing.append(indicator.code)
            elif indicator.kind == KIND_RATE:
                if not v < indicator.below_percent:
                    short.append(indicator.code)
            elif not v:
                short.append(indicator.code)
        out.append(VillageResult(village_id, exit_year, tuple(short), tuple(missing), values))
    return out


__all__ = [
    "KIND_INCOME",
    "STATUS_INCOMPLETE",
    "STATUS_MET",
    "STATUS_SHORT",
    "HouseholdResult",
    "Threshold",
    "VillageResult",
    "evaluate_households",
    "evaluate_villages",
    "income_per_head",
    "threshold_for",
]
