"""Demo review teams for 桃花江镇 (seed 003) and its questionnaires in every review state.

Each village gets a 排查组 whose 排查小组 pair a 县直干部 with a cadre of another village (half
county cadres, as the seed asks; cross review by construction). The village's households are
spread over its pairs at ten a day from 4月13日; on the demo's day (4月20日) the visits before it
are entered, and of those some are in review, passed or returned. Written with Core bulk
inserts: the answers of one kind of household are judged by the engine once, not per household.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import Engine, insert, select

from desktop.engine import Evaluator, FormDescription
from desktop.models.campaign import FORM_STATE_COMPLETE, FORM_STATE_DRAFT, Campaign, FormRecord
from desktop.models.registry import Group, Household, Member, Township, Village
from desktop.models.team import ReviewAssignment, Reviewer, ReviewPair, ReviewTeam
from desktop.services.forms.catalog import load_form
from desktop.services.forms.hooks import build_hooks
from desktop.services.forms.prefill import prefill
from desktop.services.forms.service import standard_snapshot, village_places
from desktop.services.questionnaires.team_data import (
    REVIEW_ASSIGNED,
    REVIEW_PASSED,
    REVIEW_RETURNED,
    REVIEW_SUBMITTED,
)
from desktop.services.questionnaires.teams import (
    ENTRY_START,
    PER_DAY,
    questionnaire_for,
)
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.service import HOUSEHOLD_FIELDS, MEMBER_FIELDS, RegistryService
from desktop.services.unit_of_work import Database

PersonName = Callable[[random.Random], str]
DEMO_DAY = datetime.date(2020, 4, 20)  # the demo's “today” within the entry window
DAYS_PER_PAIR = 12  # a village gets enough pairs to finish in about 12 days (by 4月24日)
COUNTY_CADRES = 21  # “县抽调21名人员参与各村排查工作”
COUNTY_UNITS = (
    "县扶贫办",
    "县教育局",
    "县卫健局",
    "县住建局",
    "县民政局",
    "县水利局",
    "县农业农村局",
    "县人社局",
    "县医保局",
    "县残联",
    "县财政局",
    "县自然资源局",
)
OFFICE = "镇回头看办公室"
RETURN_REASONS = (
    "第9题饮用水源与入户照片不符，请核实",
    "第1题人均纯收入与家庭人口不一致，请复核",
    "被访者签名为代签，未写明原因",
    "第6题住房鉴定结果与危改台账不一致",
)
# What each questionnaire's review looks like on the demo's day: (state, share) of the
# entered ones; the rest are entered and waiting to be submitted.
REVIEW_MIX = ((REVIEW_PASSED, 0.45), (REVIEW_SUBMITTED, 0.25), (REVIEW_RETURNED, 0.1))
DRAFT_SHARE = 0.12  # entered in part (录入中)
SIGNED = {
    "signed_by": "本人签名",
    "reviewer_name": "复核人",
    "reviewer_unit": "单位",
    "signed_on": ENTRY_START.isoformat(),
}
VARIANTS = 6  # kinds of answers per questionnaire, judged once each per household size


def _age(birth: datetime.date | None, on: datetime.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _amounts(code: str, rng: random.Random, size: int) -> dict:
    """Incomes that agree with each other and the household's size (question 1's rules)."""
    if code == "hunan_registered":
        wage, business = rng.randrange(6000, 36000, 100), rng.randrange(0, 12000, 100)
        prop, transfer = rng.randrange(0, 1500, 50), rng.randrange(600, 6000, 50)
        cost = min(business, rng.randrange(0, 5000, 100))
        total = wage + business + prop + transfer
        return {
            "Q1_1a": wage,
            "Q1_1b": business,
            "Q1_2": prop,
            "Q1_3": transfer,
            "Q1_4": cost,
            "Q1a": total,
            "Q1b": round((total - cost) / size),
        }
    support, other = rng.choice((0, 0, 4800)), rng.randrange(6000, 30000, 100)
    paid = rng.randrange(500, 6000, 100)
    return {
        "Q1a": support + other,
        "Q1b": support,
        "Q1c": other,
        "Q3_2": rng.randrange(0, 3000, 50),
        "Q3_4a": paid * 3,
        "Q3_4b": paid,
    }


def _variant(form: FormDescription, rng: random.Random) -> dict:
    """One household's answers: mostly the common answer, now and then another choice."""
    answers: dict = {}
    for cell in form.input_cells:
        if not cell.field.startswith("Q"):
            continue
        if cell.type == "choice":
            jumps = {s.if_value for s in cell.skips}
            common = next((c for c in cell.choices if c not in jumps), cell.choices[0])
            answers[cell.field] = common if rng.random() < 0.75 else rng.choice(cell.choices)
        elif cell.type == "multi_choice":
            answers[cell.field] = sorted(
                rng.sample(list(cell.choices), k=rng.randint(1, 2)), key=list(cell.choices).index
            )
        elif cell.type == "money":
            answers[cell.field] = 0
        elif cell.type in ("count", "int"):
            answers[cell.field] = 1
    return answers


class _Judged:
    """The engine's verdict on a variant for one household size, computed once."""

    def __init__(self, form: FormDescription, seed: int) -> None:
        self.form = form
        self.evaluator = Evaluator(form, build_hooks())
        self.rng = random.Random(seed)
        self.variants = [_variant(form, self.rng) for _ in range(VARIANTS)]
        self.cache: dict[tuple, tuple[dict, dict, dict] | None] = {}

    def answers(self, index: int, header: dict, has_child: bool) -> tuple[dict, dict, dict] | None:
        """(stored answers, computed, reasons) for a household, or None when it cannot pass."""
        size = max(1, int(header.get("family_size") or 1))
        key = (index, size, has_child, header.get("special_kind", ""))
        if key not in self.cache:
            answers = dict(self.variants[index]) | _amounts(self.form.code, self.rng, size)
            # The first household of its kind stands for the others: the rules read the
            # household's size and kind, and the registry's header is valid for every one.
            answers |= header
            if "Q4" in answers:  # question 4 as the members' ages say; a pupil is a 在校生 (Q10)
                answers |= dict(Q4="是", Q4_1="是", Q10="是") if has_child else dict(Q4="否")
            # Signed by the household itself; who reviewed is written per household after.
            answers |= SIGNED
            found = self.evaluator.evaluate(answers)
            if found.blocking:
                self.cache[key] = None
            else:
                stored = {
                    k: v
                    for k, v in found.values.items()
                    if k not in found.computed and k.startswith("Q")
                }
                reasons = {i.field: "已入户核实，被访户确认属实" for i in found.warnings}
                self.cache[key] = (stored, found.computed, reasons)
        return self.cache[key]


def _households(s, village_ids: list[int]) -> tuple[dict[int, list], dict[int, list]]:
    """The villages' households (by village, in 户编号 order) and members, as Core rows: the
    ORM would spend seconds building objects that are read once."""
    columns = [getattr(Household, f) for f in HOUSEHOLD_FIELDS]
    rows = s.execute(
        select(
            Household.id,
            Household.code,
            Household.village_id,
            Household.version,
            Group.name.label("group_name"),
            *columns,
        )
        .outerjoin(Group, Group.id == Household.group_id)
        .where(Household.village_id.in_(village_ids))
        .order_by(Household.code)
    ).all()
    by_village: dict[int, list] = defaultdict(list)
    for row in rows:
        by_village[row.village_id].append(row)
    members: dict[int, list] = defaultdict(list)
    for row in s.execute(
        select(Member.household_id, Member.id, *[getattr(Member, f) for f in MEMBER_FIELDS])
        .join(Household, Household.id == Member.household_id)
        .where(Household.village_id.in_(village_ids))
        .order_by(Member.household_id, Member.seq, Member.id)
    ):
        members[row.household_id].append(row)
    return by_village, members


def _data(h, members: list, place) -> HouseholdData:
    """A household row and its member rows as the HouseholdData that prefill reads."""
    return HouseholdData(
        code=h.code,
        village_id=h.village_id,
        group_name=h.group_name or "",
        id=h.id,
        version=h.version,
        village_name=place.village_name,
        township_name=place.township_name,
        county_name=place.county_name,
        members=[MemberData(**{f: getattr(m, f) for f in MEMBER_FIELDS}, id=m.id) for m in members],
        **{f: getattr(h, f) for f in HOUSEHOLD_FIELDS},
    )


def _people(
    rng: random.Random, villages: list[tuple[int, str]], person: PersonName
) -> tuple[list, list]:
    county = [
        dict(
            name=person(rng),
            unit=COUNTY_UNITS[i % len(COUNTY_UNITS)],
            phone="",
            is_county_cadre=True,
            home_village_id=None,
        )
        for i in range(COUNTY_CADRES)
    ]
    local = [
        dict(
            name=person(rng),
            unit=f"{name}村委",
            phone="",
            is_county_cadre=False,
            home_village_id=vid,
        )
        for vid, name in villages
    ]
    return county, local


def add_demo_teams(engine: Engine, seed: int, person: PersonName) -> dict[str, int]:
    """Write teams, pairs and assignments for the first township, and its questionnaires as
    they stand on 4月20日; return counts per review state (and 'draft' for those in part).

    `person` makes a name (the township builder's, so that the demo's names look alike).
    """
    rng = random.Random(seed + 53)
    db = Database(engine)
    campaign_id = RegistryService(db).current_campaign_id()
    counts: dict[str, int] = defaultdict(int)
    if campaign_id is None:
        return {}
    with db.session() as s:
        township = s.scalar(select(Township.id).order_by(Township.id).limit(1))
        villages = s.execute(
            select(Village.id, Village.name)
            .where(Village.township_id == township)
            .order_by(Village.id)
        ).all()
        sizes = defaultdict(int)
        for vid in s.scalars(
            select(Household.village_id).where(Household.village_id.in_([v for v, _ in villages]))
        ):
            sizes[vid] += 1
        standard = standard_snapshot(s.get(Campaign, campaign_id))
    if len(villages) < 2:
        return {}
    county_rows, local_rows = _people(rng, villages, person)
    with engine.begin() as conn:
        conn.execute(insert(Reviewer), county_rows + local_rows)
        people = conn.execute(
            select(
                Reviewer.id,
                Reviewer.is_county_cadre,
                Reviewer.home_village_id,
                Reviewer.name,
                Reviewer.unit,
            ).order_by(Reviewer.id)
        ).all()
        county = [p for p in people if p.is_county_cadre]
        local = {p.home_village_id: p for p in people if not p.is_county_cadre}
        conn.execute(
            insert(ReviewTeam),
            [
                dict(
                    village_id=vid,
                    name=f"{name}排查组",
                    leader=county[i % len(county)].name,
                    note="",
                )
                for i, (vid, name) in enumerate(villages)
            ],
        )
        teams = dict(conn.execute(select(ReviewTeam.village_id, ReviewTeam.id)).all())
        pair_rows, turn = [], 0
        for v_index, (vid, _village) in enumerate(villages):
            n = max(1, math.ceil(sizes[vid] / (PER_DAY * DAYS_PER_PAIR)))
            for seq in range(1, n + 1):
                # A county cadre (serving across villages) with a cadre of another village.
                partner = local[villages[(v_index + seq) % len(villages)][0]]
                pair_rows.append(
                    dict(
                        team_id=teams[vid],
                        seq=seq,
                        first_id=county[turn % len(county)].id,
                        second_id=partner.id,
                    )
                )
                turn += 1
        conn.execute(insert(ReviewPair), pair_rows)
        pairs = defaultdict(list)
        for pid, tid, first, second in conn.execute(
            select(
                ReviewPair.id, ReviewPair.team_id, ReviewPair.first_id, ReviewPair.second_id
            ).order_by(ReviewPair.team_id, ReviewPair.seq)
        ):
            pairs[tid].append((pid, first, second))
    names = {p.id: (p.name, p.unit) for p in people}

    forms = {
        code: _Judged(load_form(code), seed + i)
        for i, code in enumerate(("hunan_registered", "hunan_unregistered"))
    }
    assignments, records = [], []
    created = datetime.datetime.combine(ENTRY_START, datetime.time(8, 0)) - datetime.timedelta(
        days=2
    )
    with db.session() as s:
        places = village_places(s)
        households, members = _households(s, [vid for vid, _ in villages])
        for vid, _name in villages:
            team_pairs = pairs[teams[vid]]
            for i, h in enumerate(households[vid]):
                pid, first, second = team_pairs[i % len(team_pairs)]
                day = ENTRY_START + datetime.timedelta(days=i // (PER_DAY * len(team_pairs)))
                code = questionnaire_for(h.is_registered)
                row = dict(
                    pair_id=pid,
                    household_id=h.id,
                    campaign_id=campaign_id,
                    form_code=code,
                    visit_date=day,
                    state=REVIEW_ASSIGNED,
                    signed_by="",
                    submitted_by="",
                    submitted_at=None,
                    reviewed_by="",
                    reviewed_at=None,
                    return_reason="",
                    created_at=created,
                )
                assignments.append(row)
                if day >= DEMO_DAY:
                    continue
                place = places[vid]
                data = _data(h, members.get(h.id, []), place)
                header, _ = prefill(forms[code].form, data, None, place)
                has_child = any(6 <= (_age(m.birth_date, day) or 0) <= 15 for m in data.members)
                judged = forms[code].answers(rng.randrange(VARIANTS), header, has_child)
                if judged is None:
                    continue
                stored, computed, reasons = judged
                signer = rng.choice((first, second))
                answers = (
                    header
                    | stored
                    | {
                        "reviewer_name": names[signer][0],
                        "reviewer_unit": names[signer][1],
                        "signed_on": day.isoformat(),
                        "signed_by": "本人签名",
                    }
                )
                draft = rng.random() < DRAFT_SHARE
                if draft:
                    answers = {k: v for k, v in answers.items() if not k.startswith(("Q1", "Q2"))}
                    counts["draft"] += 1
                else:
                    roll, state = rng.random(), REVIEW_ASSIGNED
                    for candidate, share in REVIEW_MIX:
                        if roll < share:
                            state = candidate
                            break
                        roll -= share
                    row["state"] = state
                    if state != REVIEW_ASSIGNED:
                        at = datetime.datetime.combine(day, datetime.time(18, 0))
                        row.update(
                            signed_by=names[signer][0],
                            submitted_by=names[signer][0],
                            submitted_at=at,
                        )
                    if state in (REVIEW_PASSED, REVIEW_RETURNED):
                        row.update(reviewed_by=OFFICE, reviewed_at=at + datetime.timedelta(days=1))
                    if state == REVIEW_RETURNED:
                        row["return_reason"] = rng.choice(RETURN_REASONS)
                counts[row["state"]] += 1
                records.append(
                    dict(
                        household_id=h.id,
                        campaign_id=campaign_id,
                        form_code=code,
                        state=FORM_STATE_DRAFT if draft else FORM_STATE_COMPLETE,
                        answers=answers,
                        computed={} if draft else computed,
                        standard={} if draft else standard,
                        accepted_warnings={} if draft else reasons,
                        version=1,
                        paper_outdated=False,
                        note="",
                        updated_by=names[signer][0],
                    )
                )
    with engine.begin() as conn:
        for start in range(0, len(assignments), 1000):
            conn.execute(insert(ReviewAssignment), assignments[start : start + 1000])
        for start in range(0, len(records), 1000):
            conn.execute(insert(FormRecord), records[start : start + 1000])
    counts["assigned_total"] = len(assignments)
    return dict(counts)


DOUBLE_CLERKS = ("录入员小周", "录入员小谭")  # the second clerks of the double entry
SLIPS = ("Q2", "Q3", "Q16", "Q17", "Q18")  # 是/否 answers no skip or rule hangs on
SKIP_SLIP = "Q4"  # 4 keyed ②否 by mistake: 4—1 and 4—2 left blank, as a skip says


def add_demo_double_entry(engine: Engine, seed: int) -> dict[str, int]:
    """Draw a tenth of the entered questionnaires for double entry, key two thirds of them a
    second time with a few slips (one a skip answer), and resolve half of those, so that the
    draw, the differences and each clerk's error rate have something to show."""
    from desktop.services.actor import CurrentUser
    from desktop.services.questionnaires.double_entry import DoubleEntryService
    from desktop.services.questionnaires.review_lock import lock_message

    db = Database(engine)
    double = DoubleEntryService(db)
    if not double.drawable():
        return {}
    rng = random.Random(seed + 61)
    office = CurrentUser(OFFICE, "reviewer")
    draw = double.draw_sample(office, share=0.1, seed=seed + 61)
    keyed = draw.items[: max(1, len(draw.items) * 2 // 3)]
    counts: dict[str, int] = defaultdict(int)
    for n, (hid, code) in enumerate(keyed):
        with db.session() as s:
            record = s.scalar(
                select(FormRecord).where(FormRecord.household_id == hid,
                                         FormRecord.form_code == code)
            )  # fmt: skip
            first = dict(record.answers)
            locked = bool(lock_message(s, hid, code, record.campaign_id))
        second = dict(first)
        slips = [f for f in SLIPS if first.get(f) in ("是", "否")]
        for f in rng.sample(slips, k=min(len(slips), rng.choice((0, 1, 1, 2)))):
            second[f] = "否" if first[f] == "是" else "是"
        if n % 4 == 1 and first.get(SKIP_SLIP) == "是":
            second = {k: v for k, v in second.items() if k not in ("Q4_1", "Q4_2")}
            second[SKIP_SLIP] = "否"
        clerk = CurrentUser(DOUBLE_CLERKS[n % 2], "clerk")
        found = double.enter_second(hid, code, second, clerk)
        counts["keyed"] += 1
        if n % 3 == 2 or not found:  # a third of the second entries wait to be resolved
            continue
        # The paper decides. A questionnaire still open may have been keyed wrong the first
        # time (its 是/否 slip is corrected); one under review keeps what it has.
        kept = {d.field: d.first for d in found if not d.decided_by}
        if not locked:
            slipped = [d for d in found if d.field in SLIPS]
            if slipped:
                kept[slipped[0].field] = slipped[0].second
        double.resolve(hid, code, kept, office)
        counts["resolved"] += 1
    counts["drawn"] = len(draw.items)
    return dict(counts)
