"""The team screens: 排查组 and pairs with cross review and the 县直干部 share, 改派 between pairs
and days, and the double-entry draw — what the clerk sees and what lands in the database."""

from __future__ import annotations

import datetime
import json

import pytest
from sqlalchemy import select

from desktop.models.setting import DatabaseSetting
from desktop.models.team import ReviewAssignment, Reviewer, ReviewPair
from desktop.services.context import AppServices
from desktop.views.questionnaires.questionnaires_page import QuestionnairesPage
from desktop.views.questionnaires.team_dialogs import MoveDialog, SampleDialog, TeamsDialog
from tests.team_fixtures import DAY, REVIEWER, build, enter


@pytest.fixture
def town(engine):
    return build(engine)


@pytest.fixture
def services(town):
    return AppServices(town.db.engine, user=REVIEWER)


def _cells(model, row: int) -> list[str]:
    return [model.index(row, c).data() for c in range(model.columnCount())]


def _dialog(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _pairs(town) -> list[tuple[int, int]]:
    with town.db.session() as s:
        return [(p.first_id, p.second_id) for p in s.scalars(select(ReviewPair))]


def test_a_team_is_set_up_and_cross_review_is_refused_in_words(qtbot, town, services):
    dialog = _dialog(qtbot, TeamsDialog(services))
    assert dialog.select_village(town.villages["花园村"])
    assert _cells(dialog.team_model, 0)[:2] == ["花园村", "未建立"]
    assert not dialog.add_pair_button.isEnabled()  # no team yet
    assert dialog.create_team("文组长")
    assert _cells(dialog.team_model, 0) == ["花园村", "已建立", "文组长", "0", "—"]
    assert dialog.message.text() == "已建立花园村排查组"

    # 花园干部 comes from 花园村: refused, said in the dialog, nothing written.
    refused = dialog.add_pair(town.reviewers["付县干"], town.reviewers["花园干部"])
    assert not refused
    assert "花园干部来自花园村，按“村际交叉排查”不能参加本村的排查组" in dialog.message.text()
    assert _pairs(town) == []

    assert dialog.add_pair(town.reviewers["桃源干部"], town.reviewers["付县干"])
    assert _cells(dialog.pair_model, 0) == ["第1小组", "桃源干部（桃源村）", "付县干（县直干部）"]
    assert _pairs(town) == [(town.reviewers["桃源干部"], town.reviewers["付县干"])]
    assert dialog.share_label.text() == "花园村排查组：1 个小组，县直干部 1/2（50%）"


def test_a_team_below_the_county_share_is_pointed_out(qtbot, town, services):
    team = town.teams.create_team(town.villages["石门村"])
    town.teams.add_pair(team, town.reviewers["桃源干部"], town.reviewers["花园干部"])
    dialog = _dialog(qtbot, TeamsDialog(services))
    dialog.select_village(town.villages["石门村"])
    assert "县直干部 0/2（0%），不足一半（实施方案：县直干部占排查组成员50%）" in (
        dialog.share_label.text()
    )


def test_people_are_added_a_county_cadre_without_a_village(qtbot, town, services):
    dialog = _dialog(qtbot, TeamsDialog(services))
    dialog.name_edit.setText("黄县干")
    dialog.unit_edit.setText("县人社局")
    dialog.county_check.setChecked(True)
    assert not dialog.village_combo.isEnabled()
    assert dialog.add_person()
    dialog.name_edit.setText("石门干部")
    dialog.county_check.setChecked(False)
    assert not dialog.add_person()  # a township or village cadre needs a village
    assert "须填写所在村" in dialog.message.text()
    dialog.village_combo.setCurrentIndex(dialog.village_combo.findText("石门村"))
    assert dialog.add_person()
    with town.db.session() as s:
        people = {r.name: (r.unit, r.is_county_cadre, r.home_village_id) for r in
                  s.scalars(select(Reviewer))}  # fmt: skip
    assert people["黄县干"] == ("县人社局", True, None)
    assert people["石门干部"] == ("", False, town.villages["石门村"])
    shown = [_cells(dialog.reviewer_model, n) for n in range(dialog.reviewer_model.rowCount())]
    assert ["黄县干", "县人社局", "县直干部", "—"] in shown


def test_plan_and_a_pair_holding_households_is_not_dissolved(qtbot, town, services):
    team = town.teams.create_team(town.villages["花园村"])
    town.teams.add_pair(team, town.reviewers["付县干"], town.reviewers["桃源干部"])
    dialog = _dialog(qtbot, TeamsDialog(services))
    dialog.select_village(town.villages["花园村"])
    assert dialog.plan()
    assert dialog.message.text() == "花园村：已分配 12 户（每个小组每天约10户，自04-13起）"
    with town.db.session() as s:
        days = sorted(set(s.scalars(select(ReviewAssignment.visit_date))))
    assert days == [DAY, DAY + datetime.timedelta(days=1)]  # 10 on the 13th, 2 on the 14th
    dialog.pair_view.selectRow(0)
    assert not dialog.remove_pair()
    assert "已分配 12 户，请先把这些户改派给其他小组" in dialog.message.text()
    assert len(_pairs(town)) == 1


@pytest.fixture
def two_pairs(town):
    garden = town.teams.create_team(town.villages["花园村"])
    first = town.teams.add_pair(garden, town.reviewers["付县干"], town.reviewers["桃源干部"])
    other = town.teams.add_reviewer("黄县干", unit="县人社局", is_county_cadre=True)
    second = town.teams.add_pair(garden, town.reviewers["刘县干"], other)
    town.teams.assign(first, town.households["花园村"][:4], DAY)
    return first, second


def test_households_move_to_another_pair_and_day(qtbot, town, services, two_pairs):
    first, second = two_pairs
    rows = town.teams.assignments(pair_id=first)[:2]
    dialog = _dialog(qtbot, MoveDialog(services, rows))
    dialog.pair_combo.setCurrentIndex(dialog.pair_combo.findData(second))
    dialog.date_edit.set_value(datetime.date(2020, 4, 20))
    assert dialog.move()
    with town.db.session() as s:
        moved = {a.household_id: (a.pair_id, a.visit_date) for a in s.scalars(
            select(ReviewAssignment))}  # fmt: skip
    for r in rows:
        assert moved[r.household_id] == (second, datetime.date(2020, 4, 20))
    assert sum(p == first for p, _d in moved.values()) == 2


def test_a_move_into_a_members_village_is_refused_in_words(qtbot, town, services, two_pairs):
    first, _second = two_pairs
    stone = town.teams.create_team(town.villages["桃源村"])
    own = town.teams.add_pair(stone, town.reviewers["刘县干"], town.reviewers["花园干部"])
    rows = town.teams.assignments(pair_id=first)[:1]
    dialog = _dialog(qtbot, MoveDialog(services, rows))
    dialog.pair_combo.setCurrentIndex(dialog.pair_combo.findData(own))
    assert not dialog.move()
    assert "交叉排查：排查小组成员来自花园村，不能排查本村农户" in dialog.message.text()
    assert town.teams.assignments(pair_id=first)[0].pair_id == first


def test_the_tab_moves_the_selected_households(qtbot, town, services, two_pairs, monkeypatch):
    first, _second = two_pairs
    page = QuestionnairesPage(services)
    qtbot.addWidget(page)
    page.pair_combo.setCurrentIndex(page.pair_combo.findData(first))
    assert not page.move_button.isEnabled()
    page.assignment_view.selectRow(0)
    assert page.move_button.isEnabled()
    seen = []
    monkeypatch.setattr(
        MoveDialog,
        "run",
        classmethod(lambda cls, _s, rows, _p=None: (seen.append(rows), (None, False))[1]),
    )
    page.move_button.click()
    assert [r.household_id for r in seen[0]] == [page.assignment_model.row_at(0).household_id]


def _entered(town, count: int) -> None:
    for hid in town.households["花园村"][:count]:
        enter(town, hid)


def test_a_draw_by_count_is_shown_and_recorded(qtbot, town, services):
    _entered(town, 6)
    dialog = _dialog(qtbot, SampleDialog(services))
    assert dialog.available_label.text().startswith(
        "可抽取的问卷（录入完成、未二次录入、未被抽中）：6 份"
    )
    dialog.by_count.setChecked(True)
    assert dialog.share_spin.isEnabled() is False
    dialog.count_spin.setValue(2)
    assert dialog.draw()
    assert dialog.message.text() == "已抽中 2 份（按份数 2 份，共 6 份可抽）"
    assert _cells(dialog.draw_model, 0)[1:4] == ["审核员乙", "按份数 2 份", "2 / 6 份"]
    assert dialog.drawn_model.rowCount() == 2
    assert _cells(dialog.drawn_model, 0)[4] == "待录入"
    with town.db.session() as s:
        stored = json.loads(s.scalars(select(DatabaseSetting.value).where(
            DatabaseSetting.key.like("double_entry_sample:%"))).one())  # fmt: skip
    assert [(d["by"], d["rule"], len(d["items"])) for d in stored] == [
        ("审核员乙", "按份数 2 份", 2)
    ]
    assert dialog.available_label.text().startswith(
        "可抽取的问卷（录入完成、未二次录入、未被抽中）：4 份"
    )


def test_a_draw_by_share_and_nothing_left_to_draw(qtbot, town, services):
    _entered(town, 4)
    dialog = _dialog(qtbot, SampleDialog(services))
    dialog.share_spin.setValue(50)
    assert dialog.draw()
    assert dialog.message.text() == "已抽中 2 份（按比例 50%，共 4 份可抽）"
    dialog.share_spin.setValue(100)
    assert dialog.draw()
    assert not dialog.draw_button.isEnabled()  # all four are drawn
    assert not dialog.draw()
    assert "没有可抽取的问卷" in dialog.message.text()
    assert dialog.draw_model.rowCount() == 2


def test_a_pair_made_in_the_team_screen_appears_in_the_tab(qtbot, town, services, monkeypatch):
    page = QuestionnairesPage(services)
    qtbot.addWidget(page)
    assert page.pair_combo.count() == 0

    def run(cls, services_, parent=None):
        team = services_.teams.create_team(town.villages["花园村"])
        services_.teams.add_pair(team, town.reviewers["付县干"], town.reviewers["桃源干部"])
        return None, True

    monkeypatch.setattr(TeamsDialog, "run", classmethod(run))
    page.teams_button.click()
    assert page.pair_combo.itemText(0) == "花园村第1小组（付县干、桃源干部）"
