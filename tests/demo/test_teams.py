"""The demo's review teams (seed 003): pairs of two, cross review, half county cadres, ten a
day, questionnaires in every review state that pass the engine; the 核查表 progress unchanged."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from desktop.demo.teams import DEMO_DAY
from desktop.engine import Evaluator
from desktop.models.campaign import FORM_STATE_COMPLETE, FORM_STATE_SIGNED, FormRecord
from desktop.models.registry import Household
from desktop.models.team import ReviewAssignment, Reviewer, ReviewPair, ReviewTeam
from desktop.services.forms.catalog import load_form
from desktop.services.forms.hooks import build_hooks
from desktop.services.questionnaires.team_data import REVIEW_ASSIGNED, REVIEW_RETURNED
from desktop.services.questionnaires.teams import PER_DAY, TeamService
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database


@pytest.fixture
def db(demo_engine):
    return Database(demo_engine)


def test_every_village_of_the_township_has_a_team_of_pairs_that_cross_villages(db):
    with db.session() as s:
        people = {r.id: r for r in s.scalars(select(Reviewer))}
        teams = s.scalars(select(ReviewTeam)).all()
        assert len(teams) == 26  # “全镇26个有扶贫任务的村（社区）”
        for team in teams:
            assert team.pairs
            for pair in team.pairs:
                first, second = people[pair.first_id], people[pair.second_id]
                assert first.id != second.id
                assert team.village_id not in (first.home_village_id, second.home_village_id)
        county = {r.id for r in people.values() if r.is_county_cadre}
        assert len(county) == 21
        served = Counter(
            s.scalar(select(ReviewTeam.village_id).where(ReviewTeam.id == p.team_id))
            for p in s.scalars(select(ReviewPair))
            for who in (p.first_id, p.second_id)
            if who in county
        )
        assert served  # county cadres sit in the teams
    service = TeamService(db)
    for team in teams:
        county_members, everyone = service.county_share(team.id)
        assert county_members * 2 >= everyone  # “县直干部占排查组成员50%”


def test_no_pair_reviews_a_household_of_its_members_villages(db):
    with db.session() as s:
        homes = dict(s.execute(select(Reviewer.id, Reviewer.home_village_id)).all())
        pairs = {
            p.id: (homes[p.first_id], homes[p.second_id]) for p in s.scalars(select(ReviewPair))
        }
        rows = s.execute(
            select(ReviewAssignment.pair_id, Household.village_id).join(
                Household, Household.id == ReviewAssignment.household_id
            )
        ).all()
    assert rows
    assert all(village not in pairs[pair] for pair, village in rows)


def test_about_ten_a_day_per_pair_from_the_13th(db):
    with db.session() as s:
        per_day = s.execute(
            select(ReviewAssignment.pair_id, ReviewAssignment.visit_date, func.count()).group_by(
                ReviewAssignment.pair_id, ReviewAssignment.visit_date
            )
        ).all()
        households = s.scalar(select(func.count()).select_from(Household))
        assigned = s.scalar(select(func.count()).select_from(ReviewAssignment))
    assert assigned == households  # the demo township is the only one at 300 households
    assert max(n for _, _, n in per_day) <= PER_DAY
    assert min(d for _, d, _ in per_day).isoformat() == "2020-04-13"
    assert max(d for _, d, _ in per_day).isoformat() <= "2020-04-28"


def test_questionnaires_stand_in_every_state_on_the_demo_day(db):
    rows = TeamService(db).assignments()
    labels = Counter(r.state_label for r in rows)
    assert {"已分配", "录入中", "已录入", "审核中", "已通过", "已退回"} <= set(labels)
    for r in rows:
        if r.state == REVIEW_RETURNED:
            assert r.return_reason and r.reviewed_by
        if r.state != REVIEW_ASSIGNED:
            assert r.form_state in (FORM_STATE_COMPLETE, FORM_STATE_SIGNED)
            assert r.visit_date < DEMO_DAY
            assert r.signed_by
        if r.visit_date >= DEMO_DAY:
            assert r.form_state == "" and r.state == REVIEW_ASSIGNED


def test_entered_questionnaires_pass_the_engine_with_reasons_for_warnings(db):
    evaluators = {
        c: Evaluator(load_form(c), build_hooks())
        for c in ("hunan_registered", "hunan_unregistered")
    }
    registry = RegistryService(db)
    with db.session() as s:
        records = s.scalars(
            select(FormRecord).where(
                FormRecord.form_code.in_(evaluators), FormRecord.state == FORM_STATE_COMPLETE
            )
        ).all()
        s.expunge_all()
    assert records
    for record in records[:60]:
        household = registry.get_household(record.household_id)
        found = evaluators[record.form_code].evaluate(record.answers, subject=household)
        assert not found.blocking, (record.household_id, found.blocking)
        assert {i.field for i in found.warnings} <= set(record.accepted_warnings)
        assert record.answers["family_size"] == len(household.members)


def test_the_verification_progress_counts_only_verification_forms(db):
    with db.session() as s:
        per_village = defaultdict(int)
        for village_id, code in s.execute(
            select(Household.village_id, FormRecord.form_code)
            .join(FormRecord, FormRecord.household_id == Household.id)
            .where(FormRecord.state.in_((FORM_STATE_COMPLETE, FORM_STATE_SIGNED)))
        ):
            per_village[(village_id, code == "verification")] += 1
    summaries = RegistryService(db).village_summaries()
    assert any(per_village[(v.id, False)] for v in summaries)  # questionnaires are there too
    for v in summaries:
        assert v.reviewed_households == per_village[(v.id, True)]


def test_the_demo_draws_keys_twice_and_resolves_a_sample(db):
    """A recorded tenth, two thirds of it keyed again, some resolved: both clerks have a rate,
    some second entries wait, and a resolution kept every questionnaire's skips as on paper."""
    from desktop.demo.teams import DOUBLE_CLERKS
    from desktop.models.team import VerifyEntry
    from desktop.services.questionnaires.double_entry import DoubleEntryService

    double = DoubleEntryService(db)
    (draw,) = double.draws()
    assert draw.rule == "按比例 10%" and len(draw.items) == round(draw.available * 0.1)
    with db.session() as s:
        entries = s.scalars(select(VerifyEntry)).all()
        assert {e.clerk for e in entries} == set(DOUBLE_CLERKS)
        assert any(e.resolved_by for e in entries) and any(not e.resolved_by for e in entries)
        stored = {(r.household_id, r.form_code): r.answers for r in s.scalars(select(FormRecord))}
    assert len(double.pending()) == len(draw.items) - len(entries)
    rates = {r.clerk: r for r in double.error_rates()}
    assert all(rates[c].fields and rates[c].errors for c in DOUBLE_CLERKS)
    for e in entries:
        if e.resolved_by:
            answers = stored[(e.household_id, e.form_code)]
            skipped = Evaluator(load_form(e.form_code), build_hooks()).skipped(answers)
            assert not skipped & set(answers)
