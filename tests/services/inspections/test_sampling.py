"""Seed 004's sampling rules: 1 镇, 1 贫困村 and 1 面上村, 2 预脱贫户 + 1 未脱贫户 in each."""

from __future__ import annotations

from desktop.services.inspections.rules import (
    HOUSEHOLD_NOT_EXITED,
    HOUSEHOLD_PRE_EXIT,
    VILLAGE_ORDINARY,
    VILLAGE_POOR,
    household_kind,
)
from desktop.services.inspections.sampling import (
    HouseholdCandidate,
    TownshipCandidate,
    VillageCandidate,
    propose_sample,
)

_next_id = iter(range(1, 100_000))


def _village(name: str, poor: bool, pre: int, not_exited: int, exited: int = 4) -> VillageCandidate:
    vid = next(_next_id)
    kinds = [HOUSEHOLD_PRE_EXIT] * pre + [HOUSEHOLD_NOT_EXITED] * not_exited + [None] * exited
    households = tuple(
        HouseholdCandidate(next(_next_id), f"{vid:04d}{n:04d}", f"户主{vid}-{n}", kind)
        for n, kind in enumerate(kinds, 1)
    )
    return VillageCandidate(vid, name, f"{vid:06d}", poor, households)


def _township(*villages: VillageCandidate, name: str = "桃花江镇") -> TownshipCandidate:
    return TownshipCandidate(next(_next_id), name, villages)


def _kinds(proposal, village_id):
    return sorted(
        line.kind for line in proposal.lines if line.is_household and line.village_id == village_id
    )


def test_household_kind_follows_the_registry_and_the_year():
    assert household_kind(True, None, 2026, 2026) == HOUSEHOLD_PRE_EXIT
    assert household_kind(True, None, 2025, 2026) == HOUSEHOLD_NOT_EXITED  # planned last year
    assert household_kind(True, None, None, 2026) == HOUSEHOLD_NOT_EXITED
    assert household_kind(True, 2026, 2026, 2026) is None  # exited: no longer 预脱贫
    assert household_kind(False, None, None, 2026) is None  # not registered


def test_the_proposal_meets_the_seed_minimums():
    township = _township(
        _village("花园村", True, 5, 3),
        _village("桃花村", True, 2, 1),
        _village("青山村", False, 4, 6),
        _village("石门村", False, 3, 2),
    )
    proposal = propose_sample([township], seed=11, year=2026)
    assert proposal.complete and proposal.shortfalls == []
    villages = [line for line in proposal.lines if not line.is_household]
    assert [v.kind for v in villages] == [VILLAGE_POOR, VILLAGE_ORDINARY]
    assert {line.township_id for line in proposal.lines} == {township.id}
    for v in villages:
        assert _kinds(proposal, v.village_id) == [
            HOUSEHOLD_NOT_EXITED, HOUSEHOLD_PRE_EXIT, HOUSEHOLD_PRE_EXIT,
        ]  # fmt: skip
    households = [line.household_id for line in proposal.lines if line.is_household]
    assert len(households) == len(set(households)) == 6


def test_the_same_seed_proposes_the_same_sample_and_another_seed_may_not():
    township = _township(*[_village(f"{n}村", n % 2 == 0, 6, 6) for n in range(10)])
    first = propose_sample([township], seed=2026, year=2026)
    assert propose_sample([township], seed=2026, year=2026).lines == first.lines
    others = {tuple(propose_sample([township], seed=s, year=2026).lines) for s in range(20)}
    assert len(others) > 1


def test_a_village_too_small_is_named_and_another_is_drawn():
    small = _village("白石村", True, 1, 0)
    township = _township(small, _village("龙口村", True, 3, 2), _village("杨林村", False, 2, 1))
    # Find a seed that draws the small village first, then check what the proposal says.
    for seed in range(200):
        proposal = propose_sample([township], seed=seed, year=2026)
        if proposal.notes:
            break
    assert proposal.complete
    assert proposal.notes == [
        "白石村（贫困村）只有 1 户预脱贫户，少于要求的 2 户；"
        "白石村（贫困村）只有 0 户未脱贫户，少于要求的 1 户，改抽龙口村"
    ]
    assert small.id not in {line.village_id for line in proposal.lines}


def test_when_no_village_can_supply_the_sample_says_what_is_missing():
    only = _village("狮子村", True, 1, 1)
    township = _township(only, _village("凤凰村", False, 2, 1))
    proposal = propose_sample([township], seed=5, year=2026)
    assert not proposal.complete
    assert proposal.shortfalls == [
        "桃花江镇没有能抽足 3 户（2 户预脱贫户、1 户未脱贫户）的贫困村；"
        "狮子村（贫困村）只有 1 户预脱贫户，少于要求的 2 户"
    ]
    # What it has is still proposed: the one 预脱贫户 and the one 未脱贫户.
    assert _kinds(proposal, only.id) == [HOUSEHOLD_NOT_EXITED, HOUSEHOLD_PRE_EXIT]


def test_a_township_without_a_poor_village_is_said_so():
    township = _township(_village("新塘村", False, 3, 3))
    proposal = propose_sample([township], seed=1, year=2026)
    assert proposal.shortfalls == ["桃花江镇没有贫困村，无法按要求抽查贫困村"]
    assert [line.kind for line in proposal.lines if not line.is_household] == [VILLAGE_ORDINARY]


def test_one_township_is_drawn_from_several_or_the_one_asked_for():
    a = _township(_village("甲村", True, 2, 1), _village("乙村", False, 2, 1), name="修山镇")
    b = _township(_village("丙村", True, 2, 1), _village("丁村", False, 2, 1), name="武潭镇")
    drawn = {propose_sample([a, b], seed=s, year=2026).lines[0].township_id for s in range(30)}
    assert drawn == {a.id, b.id}
    assert {line.township_id for line in propose_sample([a, b], 3, 2026, b.id).lines} == {b.id}
