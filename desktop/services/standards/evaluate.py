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
        return result_status(self.shortfalls, self.missing)


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
        return result_status(self.shortfalls, self.missing)


def result_status(shortfalls, missing) -> str:
    """达标, 未达标 or 未录全, for a household's or a village's result alike."""
    if shortfalls:
        return STATUS_SHORT
    return STATUS_INCOMPLETE if missing else STATUS_MET


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
    if len(add) == 1 and len(subtract) <= 1:
        # Seed 001's (总收入 − 生产经营性支出) and seed 000's A52: one subtraction or none, the
        # shape of every shipped standard, without a loop per household.
        first = add[0]
        if not subtract:
            return lambda values: values[first] + 0.0
        second = subtract[0]
        return lambda values: values[first] - values[second]

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


class _Verdict(NamedTuple):
    """What a household's indicator values say, apart from income, with the four ways the
    income can end (met, short, missing) already in the paper's order."""

    short: tuple[str, ...]
    missing: tuple[str, ...]
    short_with_income: tuple[str, ...]
    missing_with_income: tuple[str, ...]


def _verdict_function(household_set: IndicatorSet):
    """values → the _Verdict of its non-income indicators.

    A county's households share a few dozen combinations of 是/否 and counts, so the verdict
    is worked out once per combination and looked up by the tuple of values after that (a
    bool slot is short when its value == False, which agrees with how the tuple hashes).
    """
    indicators = household_set.indicators
    order = {i.code: n for n, i in enumerate(indicators)}
    bools = tuple(i.code for i in indicators if i.kind == KIND_BOOL)
    counts = tuple(i.code for i in indicators if i.kind == KIND_COUNT)
    valued = bools + counts
    income_code = next(i.code for i in indicators if i.kind == KIND_INCOME)
    get = _getter(valued)
    n_bools = len(bools)
    known: dict[tuple, _Verdict] = {}

    def work_out(key: tuple) -> _Verdict:
        short, missing = [], []
        for n, (code, v) in enumerate(zip(valued, key, strict=True)):
            if v is None:
                missing.append(code)
            elif (v == False) if n < n_bools else (v > 0):  # noqa: E712 (0 is 否 too)
                short.append(code)

        def ordered(codes):
            return tuple(sorted(codes, key=order.__getitem__))

        return _Verdict(
            ordered(short),
            ordered(missing),
            ordered([*short, income_code]),
            ordered([*missing, income_code]),
        )

    def verdict(values: Mapping) -> _Verdict:
        try:
            key = get(values)
        except KeyError:
            key = tuple(values.get(c) for c in valued)
        try:
            found = known.get(key)
        except TypeError:  # an unhashable value: not from the service's checks, but safe
            return work_out(key)
        if found is None:
            found = known[key] = work_out(key)
        return found

    return verdict


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
    total = _total_function(measure)
    verdict = _verdict_function(standard.household_set)
    empty: dict = {}
    new = tuple.__new__  # HouseholdResult(...) is a Python-level __new__: a frame per household
    out: list[HouseholdResult] = []
    append = out.append
    # A county is 75,000 exited households: each pays for a few C-level look-ups, the income
    # and one tuple; what its 是/否 values mean is worked out once per combination.
    for household_id, village_id, exit_year, size, values in rows:
        if values is None:
            values = empty
        line = lines.get(exit_year)
        if line is None:
            line = lines[exit_year] = threshold_for(measure, exit_year, overrides)
        v = verdict(values)
        short, missing = v.short, v.missing
        try:
            income = round(total(values) / size, 2)
        except (KeyError, TypeError, ZeroDivisionError):
            income = None
            missing = v.missing_with_income
        else:
            amount = line.amount
            if amount is None:
                missing = v.missing_with_income
            elif (income <= amount) if greater else (income < amount):
                short = v.short_with_income
        append(
            new(
                HouseholdResult,
                (household_id, village_id, exit_year, size, income, line, short, missing, values),
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
