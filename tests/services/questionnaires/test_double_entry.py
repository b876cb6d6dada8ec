"""Double entry: a second clerk keys blind, differences field by field, resolution, error rates."""

from __future__ import annotations

import pytest

from desktop.errors import FormLockedError
from desktop.services.actor import CurrentUser
from desktop.services.forms.service import FormService
from desktop.services.questionnaires.double_entry import DoubleEntryError, DoubleEntryService
from tests.engine.test_questions import REGISTERED, _complete
from tests.team_fixtures import CLERK, DAY, REVIEWER, build

SECOND = CurrentUser("录入员丙", "clerk")


@pytest.fixture
def town(engine):
    town = build(engine)
    town.forms = FormService(town.db)
    town.double = DoubleEntryService(town.db)
    town.hid = town.households["花园村"][0]  # registered: 附件1
    town.answers = _complete(REGISTERED)
    town.forms.save(town.hid, REGISTERED, town.answers, complete=True, user=CLERK)
    return town


def test_the_second_entry_is_by_another_clerk(town):
    with pytest.raises(DoubleEntryError, match="另一名录入员"):
        town.double.enter_second(town.hid, REGISTERED, town.answers, CLERK)


def test_only_a_completed_questionnaire_is_keyed_again(town):
    other = town.households["花园村"][2]
    with pytest.raises(DoubleEntryError, match="还未录入完成"):
        town.double.enter_second(other, REGISTERED, town.answers, SECOND)


def test_the_same_answers_differ_nowhere(town):
    assert town.double.enter_second(town.hid, REGISTERED, town.answers, SECOND) == []
    with pytest.raises(DoubleEntryError, match="已二次录入过"):
        town.double.enter_second(town.hid, REGISTERED, town.answers, SECOND)


def test_differences_are_listed_field_by_field_as_the_paper_names_them(town):
    second = town.answers | {"Q2": "否", "Q1_2": 700}
    found = town.double.enter_second(town.hid, REGISTERED, second, SECOND)
    assert [(d.field, d.question, d.first, d.second) for d in found] == [
        ("Q1_2", "第1—2题", 600, 700),
        ("Q2", "第2题", "是", "否"),
    ]


def test_a_skip_taken_in_one_entry_shows_the_skipped_answers_as_differences(town):
    second = town.answers | {"Q4": "否"}
    fields = [d.field for d in town.double.enter_second(town.hid, REGISTERED, second, SECOND)]
    assert (
        fields[0] == "Q4" and "Q4_1" in fields
    )  # the first clerk answered 4—1, the second skipped it


def test_keeping_a_skip_answer_clears_the_answers_it_skips_and_says_so(town):
    """The second clerk keyed 4 as 否: 4—1 and 4—2 follow 4, and keeping 否 strikes them out."""
    second = {k: v for k, v in town.answers.items() if k not in ("Q4_1", "Q4_2")} | {"Q4": "否"}
    found = town.double.enter_second(town.hid, REGISTERED, second, SECOND)
    assert [(d.field, d.decided_by) for d in found] == [("Q4", ""), ("Q4_1", "Q4"), ("Q4_2", "Q4")]
    done = town.double.resolve(town.hid, REGISTERED, {"Q4": "否"}, REVIEWER)
    assert done.kept == {"Q4": "否", "Q4_1": None, "Q4_2": None}
    assert done.cleared == {"第4题填“②否”，跳过": ["第4—1题", "第4—2题"]}
    assert done.notice == "第4题填“②否”，跳过：第4—1题、第4—2题的答案已清空"
    stored = town.forms.open_form(town.hid, REGISTERED).answers
    assert stored["Q4"] == "否" and "Q4_1" not in stored and "Q4_2" not in stored
    rates = {r.clerk: r.errors for r in town.double.error_rates()}
    assert rates == {"录入员甲": 3, "录入员丙": 0}  # 4, 4—1 and 4—2 keyed where the paper has none


def test_keeping_the_other_skip_answer_keeps_the_answers_it_asks(town):
    second = {k: v for k, v in town.answers.items() if k not in ("Q4_1", "Q4_2")} | {"Q4": "否"}
    town.double.enter_second(town.hid, REGISTERED, second, SECOND)
    done = town.double.resolve(town.hid, REGISTERED, {"Q4": "是"}, REVIEWER)
    assert done.cleared == {} and done.notice == ""
    stored = town.forms.open_form(town.hid, REGISTERED).answers
    assert (stored["Q4"], stored["Q4_1"], stored["Q4_2"]) == (
        "是", town.answers["Q4_1"], town.answers["Q4_2"],
    )  # fmt: skip


def test_resolving_writes_the_kept_values_and_counts_each_clerks_errors(town):
    second = town.answers | {"Q2": "否", "Q3": "否"}
    town.double.enter_second(town.hid, REGISTERED, second, SECOND)
    with pytest.raises(DoubleEntryError, match="还有差异未处理：第3题"):
        town.double.resolve(town.hid, REGISTERED, {"Q2": "是"}, REVIEWER)
    with pytest.raises(DoubleEntryError, match="只能取两次录入中的一个值"):
        town.double.resolve(town.hid, REGISTERED, {"Q2": "是", "Q3": "不知道"}, REVIEWER)
    town.double.resolve(town.hid, REGISTERED, {"Q2": "是", "Q3": "否"}, REVIEWER)
    state = town.forms.open_form(town.hid, REGISTERED)
    assert (state.answers["Q2"], state.answers["Q3"]) == ("是", "否")
    rates = {r.clerk: r for r in town.double.error_rates()}
    assert rates["录入员甲"].errors == 1 and rates["录入员丙"].errors == 1
    assert rates["录入员甲"].fields == rates["录入员丙"].fields > 40
    assert 0 < rates["录入员甲"].rate < 0.05


def test_a_questionnaire_under_review_takes_no_resolution(town):
    pair = town.teams.add_pair(
        town.teams.create_team(town.villages["花园村"]),
        town.reviewers["付县干"],
        town.reviewers["桃源干部"],
    )
    town.teams.assign(pair, [town.hid], DAY)
    town.teams.submit(town.teams.assignments()[0].id, CLERK)
    town.double.enter_second(town.hid, REGISTERED, town.answers | {"Q2": "否"}, SECOND)
    with pytest.raises(FormLockedError, match="已提交审核"):
        town.double.resolve(town.hid, REGISTERED, {"Q2": "否"}, REVIEWER)


def test_the_sample_draws_a_share_of_the_entered_ones_and_skips_those_done(town):
    for hid in town.households["花园村"][2:10:2]:  # four more registered households
        town.forms.save(hid, REGISTERED, town.answers, complete=True, user=CLERK)
    drawn = town.double.sample(share=0.4, seed=3)
    assert len(drawn) == 2 and drawn == town.double.sample(share=0.4, seed=3)
    town.double.enter_second(town.hid, REGISTERED, town.answers, SECOND)
    assert (town.hid, REGISTERED) not in town.double.sample(share=1.0)
    assert len(town.double.sample(share=1.0)) == 4


def test_a_clerk_draws_by_share_or_count_and_the_draw_is_recorded(town):
    from sqlalchemy import select

    from desktop.models.safety import AuditEntry

    for hid in town.households["花园村"][2:12:2]:  # five more registered households: six in all
        town.forms.save(hid, REGISTERED, town.answers, complete=True, user=CLERK)
    with pytest.raises(DoubleEntryError, match="二者选一"):
        town.double.draw_sample(REVIEWER, share=0.1, count=2)
    with pytest.raises(DoubleEntryError, match="1%—100%"):
        town.double.draw_sample(REVIEWER, share=1.5)
    first = town.double.draw_sample(REVIEWER, share=0.5, seed=7)
    assert (first.rule, first.available, len(first.items)) == ("按比例 50%", 6, 3)
    second = town.double.draw_sample(REVIEWER, count=2, seed=7)
    assert (second.rule, second.available, len(second.items)) == ("按份数 2 份", 3, 2)
    assert not set(first.items) & set(second.items)  # one questionnaire is drawn once
    assert town.double.draws() == [first, second]
    assert town.double.pending() == set(first.items) | set(second.items)
    hid, code = first.items[0]
    town.double.enter_second(hid, code, town.answers, SECOND)
    assert (hid, code) not in town.double.pending()
    with town.db.session() as s:
        tables = set(s.scalars(select(AuditEntry.table_name)))
    assert "database_setting" in tables  # the draw went through the audit log
