"""The proposed sample of a round, drawn reproducibly from a recorded seed (seed 004, 四).

Pure functions on plain candidates: the service reads the registry into them, so the rules
can be tested without a database. The same seed on the same registry draws the same sample.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop.services.inspections.rules import (
    HOUSEHOLD_KINDS,
    MIN_HOUSEHOLDS,
    MIN_VILLAGES,
    VILLAGE_KINDS,
    village_kind,
)


@dataclass(frozen=True)
class HouseholdCandidate:
    """A household that may be drawn: its kind in the sample year (None: neither kind)."""

    id: int
    code: str
    head_name: str
    kind: str | None


@dataclass(frozen=True)
class VillageCandidate:
    """A village that may be drawn, with its households."""

    id: int
    name: str
    code: str
    is_poor_village: bool
    households: tuple[HouseholdCandidate, ...] = ()

    @property
    def kind(self) -> str:
        """贫困村 or 面上村."""
        return village_kind(self.is_poor_village)

    def pool(self, kind: str) -> list[HouseholdCandidate]:
        """Its households of one kind, in 户编号 order (the draw's fixed starting order)."""
        return sorted((h for h in self.households if h.kind == kind), key=lambda h: h.code)

    def shortfalls(self) -> list[str]:
        """What the village cannot supply of the plan's minimums, in Chinese (empty: nothing)."""
        out = []
        for kind, need in MIN_HOUSEHOLDS.items():
            have = len(self.pool(kind))
            if have < need:
                out.append(f"{self.name}（{self.kind}）只有 {have} 户{kind}，少于要求的 {need} 户")
        return out


@dataclass(frozen=True)
class TownshipCandidate:
    """A township that may be drawn, with its villages."""

    id: int
    name: str
    villages: tuple[VillageCandidate, ...] = ()


@dataclass(frozen=True)
class SampleLine:
    """One line of a proposed sample: a village (household fields empty) or a household."""

    kind: str
    township_id: int
    township_name: str
    village_id: int
    village_name: str
    household_id: int | None = None
    household_code: str = ""
    head_name: str = ""

    @property
    def is_household(self) -> bool:
        """True for a household line."""
        return self.household_id is not None

    @property
    def text(self) -> str:
        """The line as the command prints it."""
        if self.is_household:
            return f"  {self.kind}\t{self.household_code}\t{self.head_name}"
        return f"{self.kind}\t{self.township_name} {self.village_name}"


@dataclass
class SampleProposal:
    """A proposed sample and what it could not supply (messages in Chinese)."""

    seed: int
    year: int
    lines: list[SampleLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was drawn instead, and why
    shortfalls: list[str] = field(default_factory=list)  # what the sample still lacks

    @property
    def complete(self) -> bool:
        """True when the sample meets every minimum of the plan."""
        return not self.shortfalls


def draw_households(
    village: VillageCandidate, township: TownshipCandidate, rng: random.Random
) -> list[SampleLine]:
    """Draw the plan's households of each kind from one village (fewer when it has fewer)."""
    lines = []
    for kind in HOUSEHOLD_KINDS:
        pool = village.pool(kind)
        for h in rng.sample(pool, min(MIN_HOUSEHOLDS[kind], len(pool))):
            lines.append(
                SampleLine(
                    kind,
                    township.id,
                    township.name,
                    village.id,
                    village.name,
                    h.id,
                    h.code,
                    h.head_name,
                )
            )
    return lines


def village_seed(seed: int, village_id: int) -> int:
    """The seed of one village's household draw, so that redrawing a village is reproducible."""
    return seed * 1_000_003 + village_id


def propose_sample(
    townships: Sequence[TownshipCandidate],
    seed: int,
    year: int,
    township_id: int | None = None,
) -> SampleProposal:
    """Propose a round's sample from a recorded seed.

    One township (the one given, or drawn), in it one village of each kind. The first village
    drawn that can supply all the households is taken; one drawn before it that cannot is named
    in `notes`. When no village of a kind can supply them, the one that can supply the most is
    taken and `shortfalls` says what is missing.
    """
    proposal = SampleProposal(seed=seed, year=year)
    rng = random.Random(seed)
    ordered = sorted(townships, key=lambda t: (t.name, t.id))
    if township_id is not None:
        ordered = [t for t in ordered if t.id == township_id]
    if not ordered:
        proposal.shortfalls.append("没有可抽查的镇（乡、街道）")
        return proposal
    township = rng.choice(ordered)
    for kind in VILLAGE_KINDS:
        candidates = sorted(
            (v for v in township.villages if v.kind == kind), key=lambda v: (v.code, v.id)
        )
        if len(candidates) < MIN_VILLAGES[kind]:
            proposal.shortfalls.append(f"{township.name}没有{kind}，无法按要求抽查{kind}")
            continue
        order = rng.sample(candidates, len(candidates))
        chosen = next((v for v in order if not v.shortfalls()), None)
        if chosen is None:
            chosen = max(
                order, key=lambda v: sum(min(len(v.pool(k)), n) for k, n in MIN_HOUSEHOLDS.items())
            )
            proposal.shortfalls.append(
                f"{township.name}没有能抽足 3 户（2 户预脱贫户、1 户未脱贫户）的{kind}；"
                + "；".join(chosen.shortfalls())
            )
        else:
            for skipped in order[: order.index(chosen)]:
                proposal.notes.append("；".join(skipped.shortfalls()) + f"，改抽{chosen.name}")
        proposal.lines.append(SampleLine(kind, township.id, township.name, chosen.id, chosen.name))
        proposal.lines += draw_households(
            chosen, township, random.Random(village_seed(seed, chosen.id))
        )
    return proposal
