"""A small township for the review-team tests: three villages, households, a team of pairs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from desktop.models.campaign import FORM_STATE_COMPLETE, Campaign, FormRecord
from desktop.models.registry import County, Household, Township, Village
from desktop.services.actor import CurrentUser
from desktop.services.questionnaires.teams import TeamService, questionnaire_for
from desktop.services.unit_of_work import Database

CLERK = CurrentUser("录入员甲", "clerk")
REVIEWER = CurrentUser("审核员乙", "reviewer")
DAY = datetime.date(2020, 4, 13)


@dataclass
class Township3:
    """Ids of what `build` wrote."""

    db: Database
    teams: TeamService
    campaign_id: int
    villages: dict[str, int]
    households: dict[str, list[int]] = field(default_factory=dict)
    reviewers: dict[str, int] = field(default_factory=dict)


def build(engine, per_village: int = 12) -> Township3:
    """花园村, 桃源村, 石门村 with `per_village` households each (even ones registered)."""
    db = Database(engine)
    with db.unit_of_work() as s:
        county = County(name="桃江县", province="湖南省", city="益阳市")
        township = Township(county=county, name="桃花江镇")
        s.add(township)
        campaign = Campaign(name="2020年回头看", province_profile="hunan", standard_year=2020)
        s.add(campaign)
        villages = {n: Village(township=township, name=n) for n in ("花园村", "桃源村", "石门村")}
        s.add_all(villages.values())
        s.flush()
        households: dict[str, list[int]] = {}
        for v_index, (name, village) in enumerate(villages.items()):
            rows = [
                Household(
                    code=f"4309{v_index}{i:04d}",
                    village_id=village.id,
                    head_name=f"{name[0]}户主{i}",
                    is_registered=i % 2 == 0,
                )
                for i in range(per_village)
            ]
            s.add_all(rows)
            s.flush()
            households[name] = [h.id for h in rows]
        result = Township3(db, TeamService(db), campaign.id, {n: v.id for n, v in villages.items()})
        result.households = households
    t = result.teams
    v = result.villages
    result.reviewers = {
        "付县干": t.add_reviewer("付县干", unit="县扶贫办", is_county_cadre=True),
        "刘县干": t.add_reviewer("刘县干", unit="县教育局", is_county_cadre=True),
        "桃源干部": t.add_reviewer("桃源干部", unit="桃源村委", home_village_id=v["桃源村"]),
        "花园干部": t.add_reviewer("花园干部", unit="花园村委", home_village_id=v["花园村"]),
    }
    return result


def enter(town: Township3, household_id: int, state: str = FORM_STATE_COMPLETE) -> None:
    """Write a household's questionnaire record in `state`, as entry would have left it."""
    with town.db.unit_of_work() as s:
        h = s.get(Household, household_id)
        s.add(
            FormRecord(
                household_id=household_id,
                campaign_id=town.campaign_id,
                form_code=questionnaire_for(h.is_registered),
                state=state,
                answers={"Q2": "是"},
                accepted_warnings={},
                version=1,
            )
        )
