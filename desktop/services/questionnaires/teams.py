"""TeamService: 排查组, 排查小组 of two, households assigned by day, and the review of each
questionnaire (提交审核 → 通过 / 退回 with a reason), as seed 003 organises them.

Cross review (“实行镇内村际交叉排查”): nobody reviews a household of the village they come from;
a 县直干部 has no home village and may serve in any village. “每个排查小组（2人）每天完成10户左右”:
`plan` spreads a village's households over its pairs at `per_day` a day over the entry window
(4月13日—28日). A questionnaire submitted for review or passed is read-only everywhere: the
flush guard `install` refuses a change to its answers, and `review_lock` tells a screen why.
Every write goes through a unit of work, so it is audited like every other change.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import AppError
from desktop.models.base import count_where
from desktop.models.campaign import (
    Campaign,
    FormRecord,
)
from desktop.models.registry import Household, Village
from desktop.models.team import (
    ReviewAssignment,
    Reviewer,
    ReviewPair,
    ReviewTeam,
)
from desktop.services.actor import CurrentUser
from desktop.services.questionnaires.review_lock import (
    REGISTERED_FORM,
    UNREGISTERED_FORM,
    lock_message,
)
from desktop.services.questionnaires.team_data import (
    ENTERED_STATES,
    PROGRESS_COUNTS,
    REVIEW_ASSIGNED,
    REVIEW_LABELS,
    REVIEW_PASSED,
    REVIEW_RETURNED,
    REVIEW_SUBMITTED,
    AssignmentRow,
    DailyList,
    PairData,
    ProgressRow,
    ReviewerData,
    TeamRow,
)
from desktop.services.safety.auth import REVIEW_QUESTIONNAIRE, require
from desktop.services.unit_of_work import Database, get_or_raise

ENTRY_START = datetime.date(2020, 4, 13)  # “4月13日-28日，完成入户排查工作”
ENTRY_END = datetime.date(2020, 4, 28)
PER_DAY = 10  # “原则上每个排查小组（2人）每天完成10户左右”
MIN_REASON_LENGTH = 4
# An assignment's questionnaire: the household's record of that form in that campaign.
_RECORD_OF_ASSIGNMENT = (
    (FormRecord.household_id == ReviewAssignment.household_id)
    & (FormRecord.campaign_id == ReviewAssignment.campaign_id)
    & (FormRecord.form_code == ReviewAssignment.form_code)
)


class TeamError(AppError):
    """A team, pair or assignment that the seed's rules do not allow; the message says why."""


def current_campaign_id(s: Session, error: type[AppError] = TeamError) -> int:
    """Return the current campaign's id (the first, should several be current); else raise."""
    found = s.scalar(select(Campaign.id).where(Campaign.is_current).order_by(Campaign.id))
    if found is None:
        raise error("还没有当前的回头看工作，请先新建")
    return found


def questionnaire_for(is_registered: bool) -> str:
    """The questionnaire a household answers: 附件1 when registered, else 附件2."""
    return REGISTERED_FORM if is_registered else UNREGISTERED_FORM


def _reviewer(r: Reviewer, villages: dict[int, str]) -> ReviewerData:
    return ReviewerData(
        r.id, r.name, r.unit, bool(r.is_county_cadre), villages.get(r.home_village_id or 0, "")
    )


class TeamService:
    """Teams, pairs, assignments and the review of questionnaires (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- campaign and names ---------------------------------------------------------------

    def _campaign_id(self, s: Session, campaign_id: int | None) -> int:
        return current_campaign_id(s) if campaign_id is None else campaign_id

    @staticmethod
    def _villages(s: Session) -> dict[int, str]:
        return dict(s.execute(select(Village.id, Village.name)).all())

    # --- people, teams, pairs -------------------------------------------------------------

    def add_reviewer(
        self,
        name: str,
        *,
        unit: str = "",
        is_county_cadre: bool = False,
        home_village_id: int | None = None,
        phone: str = "",
    ) -> int:
        """Add a reviewer; a 县直干部 comes from no village, anyone else from one."""
        name = name.strip()
        if not name:
            raise TeamError("排查人员姓名不能为空")
        if is_county_cadre and home_village_id is not None:
            raise TeamError(f"{name}：县直干部不属于任何村，不能填写所在村")
        if not is_county_cadre and home_village_id is None:
            raise TeamError(f"{name}：镇村干部须填写所在村（用于交叉排查）")
        with self.db.unit_of_work() as s:
            person = Reviewer(
                name=name,
                unit=unit.strip(),
                phone=phone.strip(),
                is_county_cadre=is_county_cadre,
                home_village_id=home_village_id,
            )
            s.add(person)
            s.flush()
            return person.id

    def reviewers(self) -> list[ReviewerData]:
        """Every reviewer, by name."""
        with self.db.session() as s:
            villages = self._villages(s)
            return [
                _reviewer(r, villages) for r in s.scalars(select(Reviewer).order_by(Reviewer.id))
            ]

    def create_team(self, village_id: int, leader: str = "") -> int:
        """Set up a village's 排查组 (one per village)."""
        with self.db.unit_of_work() as s:
            village = get_or_raise(s, Village, village_id, TeamError("没有这个村"))
            if s.scalar(select(ReviewTeam.id).where(ReviewTeam.village_id == village_id)):
                raise TeamError(f"{village.name}已有排查组")
            team = ReviewTeam(village_id=village_id, name=f"{village.name}排查组", leader=leader)
            s.add(team)
            s.flush()
            return team.id

    def add_pair(self, team_id: int, first_id: int, second_id: int) -> int:
        """Add a 排查小组 of exactly two reviewers to a team; cross review is checked here."""
        if first_id == second_id:
            raise TeamError("排查小组须由两个不同的人组成")
        with self.db.unit_of_work() as s:
            team = get_or_raise(s, ReviewTeam, team_id, TeamError("没有这个排查组"))
            villages = self._villages(s)
            people = [s.get(Reviewer, i) for i in (first_id, second_id)]
            if None in people:
                raise TeamError("排查人员不存在")
            for person in people:
                if person.home_village_id == team.village_id:
                    raise TeamError(
                        f"{person.name}来自{villages[team.village_id]}，按“村际交叉排查”"
                        f"不能参加本村的排查组"
                    )
            busy = s.scalars(
                select(ReviewPair).where(
                    ReviewPair.team_id == team_id,
                    (ReviewPair.first_id.in_((first_id, second_id)))
                    | (ReviewPair.second_id.in_((first_id, second_id))),
                )
            ).first()
            if busy is not None:
                raise TeamError(f"{team.name}第{busy.seq}小组已有其中一人")
            seq = (
                s.scalar(select(func.max(ReviewPair.seq)).where(ReviewPair.team_id == team_id)) or 0
            ) + 1
            pair = ReviewPair(team_id=team_id, seq=seq, first_id=first_id, second_id=second_id)
            s.add(pair)
            s.flush()
            return pair.id

    def pairs(self, village_id: int | None = None) -> list[PairData]:
        """Every pair (of one village's team), by village and number."""
        with self.db.session() as s:
            villages = self._villages(s)
            people = {r.id: _reviewer(r, villages) for r in s.scalars(select(Reviewer))}
            query = (
                select(
                    ReviewPair.id,
                    ReviewPair.team_id,
                    ReviewTeam.village_id,
                    ReviewPair.seq,
                    ReviewPair.first_id,
                    ReviewPair.second_id,
                )
                .join(ReviewTeam, ReviewTeam.id == ReviewPair.team_id)
                .order_by(ReviewTeam.village_id, ReviewPair.seq)
            )
            if village_id is not None:
                query = query.where(ReviewTeam.village_id == village_id)
            return [
                PairData(pid, tid, vid, villages[vid], seq, people[a], people[b])
                for pid, tid, vid, seq, a, b in s.execute(query).all()
            ]

    def pair(self, pair_id: int) -> PairData:
        """One pair; TeamError when it does not exist."""
        for p in self.pairs():
            if p.id == pair_id:
                return p
        raise TeamError("没有这个排查小组")

    def county_share(self, team_id: int) -> tuple[int, int]:
        """(县直干部, everyone) among a team's pair members; the seed asks for half."""
        with self.db.session() as s:
            ids = set()
            for a, b in s.execute(
                select(ReviewPair.first_id, ReviewPair.second_id).where(
                    ReviewPair.team_id == team_id
                )
            ):
                ids.update((a, b))
            if not ids:
                return 0, 0
            county = s.scalar(
                select(func.count()).where(Reviewer.id.in_(ids), Reviewer.is_county_cadre)
            )
            return int(county or 0), len(ids)

    def teams(self) -> list[TeamRow]:
        """Every village with its 排查组 (or none yet), by village id, with the 县直干部
        share of the team's members."""
        with self.db.session() as s:
            villages = self._villages(s)
            teams = {t.village_id: t for t in s.scalars(select(ReviewTeam).order_by(ReviewTeam.id))}
            members: dict[int, set[int]] = defaultdict(set)
            pair_counts: dict[int, int] = defaultdict(int)
            for team_id, a, b in s.execute(
                select(ReviewPair.team_id, ReviewPair.first_id, ReviewPair.second_id)
            ):
                members[team_id].update((a, b))
                pair_counts[team_id] += 1
            county = set(s.scalars(select(Reviewer.id).where(Reviewer.is_county_cadre)))
        rows = []
        for vid in sorted(villages):
            team = teams.get(vid)
            if team is None:
                rows.append(TeamRow(vid, villages[vid], None))
                continue
            people = members[team.id]
            rows.append(
                TeamRow(vid, villages[vid], team.id, team.leader, pair_counts[team.id],
                        len(people & county), len(people))
            )  # fmt: skip
        return rows

    def remove_pair(self, pair_id: int) -> None:
        """Dissolve a pair that has no households; one that has must give them away first."""
        with self.db.unit_of_work() as s:
            pair = get_or_raise(s, ReviewPair, pair_id, TeamError("没有这个排查小组"))
            held = s.scalar(
                select(func.count(ReviewAssignment.id)).where(ReviewAssignment.pair_id == pair_id)
            )
            if held:
                raise TeamError(
                    f"{pair.team.name}第{pair.seq}小组已分配 {held} 户，请先把这些户改派给其他小组"
                )
            s.delete(pair)

    # --- assignments ----------------------------------------------------------------------

    def _check_cross(self, s: Session, pair: ReviewPair, households: Sequence[Household]) -> None:
        homes = {pair.first.home_village_id, pair.second.home_village_id} - {None}
        own = [h for h in households if h.village_id in homes]
        if own:
            villages = self._villages(s)
            names = "、".join(f"{h.code} {h.head_name}" for h in own[:5])
            raise TeamError(
                f"交叉排查：排查小组成员来自{villages[own[0].village_id]}，不能排查本村农户"
                f"（{names}{' 等' if len(own) > 5 else ''}）"
            )

    def assign(
        self,
        pair_id: int,
        household_ids: Iterable[int],
        visit_date: datetime.date,
        campaign_id: int | None = None,
    ) -> int:
        """Give households to a pair for a day; moves those not yet entered from another pair.

        Refused for a household of a member's own village (cross review) and for one whose
        questionnaire is already under review, passed or returned (it stays with its pair).
        """
        ids = list(dict.fromkeys(household_ids))
        with self.db.unit_of_work() as s:
            campaign_id = self._campaign_id(s, campaign_id)
            pair = get_or_raise(s, ReviewPair, pair_id, TeamError("没有这个排查小组"))
            households = s.scalars(select(Household).where(Household.id.in_(ids))).all()
            if len(households) != len(ids):
                raise TeamError("有的农户不存在")
            self._check_cross(s, pair, households)
            existing = {
                a.household_id: a
                for a in s.scalars(
                    select(ReviewAssignment).where(
                        ReviewAssignment.campaign_id == campaign_id,
                        ReviewAssignment.household_id.in_(ids),
                    )
                )
            }
            for h in households:
                a = existing.get(h.id)
                if a is None:
                    s.add(
                        ReviewAssignment(
                            pair_id=pair_id,
                            household_id=h.id,
                            campaign_id=campaign_id,
                            visit_date=visit_date,
                            form_code=questionnaire_for(h.is_registered),
                            state=REVIEW_ASSIGNED,
                        )
                    )
                elif a.state != REVIEW_ASSIGNED:
                    raise TeamError(
                        f"{h.code} {h.head_name}的问卷{REVIEW_LABELS[a.state]}，不能改派"
                    )
                else:
                    a.pair_id, a.visit_date = pair_id, visit_date
            s.flush()
            return len(households)

    def plan(
        self,
        village_id: int,
        start: datetime.date = ENTRY_START,
        end: datetime.date = ENTRY_END,
        per_day: int = PER_DAY,
        campaign_id: int | None = None,
    ) -> int:
        """Spread a village's unassigned households over its team's pairs, `per_day` each a
        day from `start`; return how many were assigned. Refused when the window is too short.
        """
        if per_day < 1:
            raise TeamError("每天户数至少为 1")
        with self.db.unit_of_work() as s:
            campaign_id = self._campaign_id(s, campaign_id)
            pairs = s.scalars(
                select(ReviewPair)
                .join(ReviewTeam, ReviewTeam.id == ReviewPair.team_id)
                .where(ReviewTeam.village_id == village_id)
                .order_by(ReviewPair.seq)
            ).all()
            if not pairs:
                raise TeamError(f"{self._villages(s).get(village_id, '该村')}还没有排查小组")
            taken = select(ReviewAssignment.household_id).where(
                ReviewAssignment.campaign_id == campaign_id
            )
            households = s.execute(
                select(Household.id, Household.is_registered)
                .where(Household.village_id == village_id, Household.id.not_in(taken))
                .order_by(Household.code)
            ).all()
            days = (end - start).days + 1
            if len(households) > days * per_day * len(pairs):
                raise TeamError(
                    f"{len(households)} 户需要 {len(pairs)} 个小组每天 {per_day} 户做 "
                    f"{-(-len(households) // (per_day * len(pairs)))} 天，超过了 {start:%m-%d}"
                    f"—{end:%m-%d} 的 {days} 天；请增加小组或调整每天户数"
                )
            rows = []
            for i, (hid, registered) in enumerate(households):
                pair = pairs[i % len(pairs)]
                day = start + datetime.timedelta(days=i // (per_day * len(pairs)))
                rows.append(
                    ReviewAssignment(
                        pair_id=pair.id,
                        household_id=hid,
                        campaign_id=campaign_id,
                        visit_date=day,
                        form_code=questionnaire_for(registered),
                        state=REVIEW_ASSIGNED,
                    )
                )
            s.add_all(rows)
            s.flush()
            return len(rows)

    def unassign(self, assignment_id: int) -> None:
        """Take a household back from its pair while nothing has been reviewed."""
        with self.db.unit_of_work() as s:
            a = self._assignment(s, assignment_id)
            if a.state != REVIEW_ASSIGNED:
                raise TeamError(f"该户问卷{REVIEW_LABELS[a.state]}，不能取消分配")
            s.delete(a)

    # --- listing --------------------------------------------------------------------------

    def assignments(
        self,
        *,
        pair_id: int | None = None,
        village_id: int | None = None,
        campaign_id: int | None = None,
    ) -> list[AssignmentRow]:
        """Assigned households (of a pair or of a village), by day and 户编号."""
        with self.db.session() as s:
            campaign_id = self._campaign_id(s, campaign_id)
            from desktop.models.registry import Group

            query = (
                select(
                    ReviewAssignment,
                    Household.code,
                    Household.head_name,
                    Village.name,
                    Group.name,
                    FormRecord.state,
                )
                .join(Household, Household.id == ReviewAssignment.household_id)
                .join(Village, Village.id == Household.village_id)
                .outerjoin(Group, Group.id == Household.group_id)
                .outerjoin(FormRecord, _RECORD_OF_ASSIGNMENT)
                .where(ReviewAssignment.campaign_id == campaign_id)
                .order_by(ReviewAssignment.visit_date, Household.code)
            )
            if pair_id is not None:
                query = query.where(ReviewAssignment.pair_id == pair_id)
            if village_id is not None:
                query = query.where(Household.village_id == village_id)
            return [
                AssignmentRow(
                    a.id,
                    a.pair_id,
                    a.household_id,
                    code,
                    head,
                    village,
                    group or "",
                    a.form_code,
                    a.visit_date,
                    a.state,
                    form_state or "",
                    a.return_reason,
                    a.reviewed_by,
                    a.signed_by,
                )
                for a, code, head, village, group, form_state in s.execute(query).all()
            ]

    def days(self, pair_id: int) -> dict[datetime.date, list[AssignmentRow]]:
        """A pair's households by day."""
        out: dict[datetime.date, list[AssignmentRow]] = defaultdict(list)
        for row in self.assignments(pair_id=pair_id):
            out[row.visit_date].append(row)
        return dict(out)

    def daily_list(self, pair_id: int, day: datetime.date) -> DailyList:
        """What a pair prints for one day."""
        pair = self.pair(pair_id)
        with self.db.session() as s:
            from desktop.models.registry import Township

            township = s.scalar(
                select(Township.name).join(Village).where(Village.id == pair.village_id)
            )
        rows = tuple(r for r in self.assignments(pair_id=pair_id) if r.visit_date == day)
        return DailyList(pair, day, township or "", rows)

    def progress(self, by: str = "village", campaign_id: int | None = None) -> list[ProgressRow]:
        """Counts by village (the households' village) or by pair, with a 合计 row last.

        Counted by the database (one GROUP BY), so a county's 100,000 assignments are not
        loaded to be counted. Every pair is listed, one with nothing assigned as zeros."""
        if by not in ("village", "pair"):
            raise ValueError(by)
        entered = (FormRecord.state.in_(ENTERED_STATES)) | (
            ReviewAssignment.state != REVIEW_ASSIGNED
        )
        key = ReviewAssignment.pair_id if by == "pair" else Household.village_id
        query = (
            select(
                key,
                func.count(ReviewAssignment.id),
                count_where(entered),
                count_where(ReviewAssignment.state == REVIEW_SUBMITTED),
                count_where(ReviewAssignment.state == REVIEW_PASSED),
                count_where(ReviewAssignment.state == REVIEW_RETURNED),
            )
            .join(Household, Household.id == ReviewAssignment.household_id)
            .outerjoin(FormRecord, _RECORD_OF_ASSIGNMENT)
            .group_by(key)
        )
        with self.db.session() as s:
            query = query.where(ReviewAssignment.campaign_id == self._campaign_id(s, campaign_id))
            counted = {row[0]: row[1:] for row in s.execute(query).all()}
            villages = self._villages(s)
        if by == "pair":
            rows = [ProgressRow(p.label, p.id) for p in self.pairs()]
        else:  # villages in the registry's order (by id), those with households assigned
            rows = [ProgressRow(villages[vid], vid) for vid in sorted(counted)]
        total = ProgressRow("合计", 0)
        for row in rows:
            numbers = counted.get(row.key, (0, 0, 0, 0, 0))
            for name, n in zip(PROGRESS_COUNTS, numbers, strict=True):
                setattr(row, name, int(n))
                setattr(total, name, getattr(total, name) + int(n))
        return [*rows, total]

    # --- review ---------------------------------------------------------------------------

    @staticmethod
    def _assignment(s: Session, assignment_id: int) -> ReviewAssignment:
        a = get_or_raise(s, ReviewAssignment, assignment_id, TeamError("没有这条分配记录"))
        return a

    def submit(self, assignment_id: int, user: CurrentUser, signed_by: str = "") -> None:
        """提交审核: only a completed questionnaire (its blocking rules pass, its warnings
        carry a reason); from now on it is read-only. `signed_by` is the 复核人员 who signed."""
        with self.db.unit_of_work() as s:
            a = self._assignment(s, assignment_id)
            if a.state not in (REVIEW_ASSIGNED, REVIEW_RETURNED):
                raise TeamError(f"该户问卷{REVIEW_LABELS[a.state]}，不能再次提交")
            state = s.scalar(
                select(FormRecord.state).where(
                    FormRecord.household_id == a.household_id,
                    FormRecord.campaign_id == a.campaign_id,
                    FormRecord.form_code == a.form_code,
                )
            )
            if state not in ENTERED_STATES:
                raise TeamError(
                    "问卷还未录入完成（有错误未改正或警告未填原因），不能提交审核"
                    if state
                    else "问卷还未录入，不能提交审核"
                )
            pair = s.get(ReviewPair, a.pair_id)
            members = {pair.first.name, pair.second.name}
            signed_by = signed_by.strip() or a.signed_by
            if signed_by and signed_by not in members:
                raise TeamError(f"复核人员签名应为本小组成员（{'、'.join(sorted(members))}）")
            a.state = REVIEW_SUBMITTED
            a.signed_by = signed_by
            a.submitted_by = user.name
            a.submitted_at = datetime.datetime.now().replace(microsecond=0)

    def pass_review(self, assignment_id: int, user: CurrentUser) -> None:
        """通过: the questionnaire stays read-only for good."""
        self._decide(assignment_id, user, REVIEW_PASSED, "", "通过")

    def return_review(self, assignment_id: int, reason: str, user: CurrentUser) -> None:
        """退回 with a reason: the pair corrects the questionnaire and submits it again."""
        reason = reason.strip()
        if len(reason) < MIN_REASON_LENGTH:
            raise TeamError(f"请写明退回原因（至少 {MIN_REASON_LENGTH} 个字）")
        self._decide(assignment_id, user, REVIEW_RETURNED, reason, "退回")

    def _decide(
        self, assignment_id: int, user: CurrentUser, state: str, reason: str, verb: str
    ) -> None:
        require(user, REVIEW_QUESTIONNAIRE)
        with self.db.unit_of_work() as s:
            a = self._assignment(s, assignment_id)
            if a.state != REVIEW_SUBMITTED:
                raise TeamError(f"该户问卷{REVIEW_LABELS[a.state]}，只有审核中的问卷可以{verb}")
            a.state = state
            a.reviewed_by = user.name
            a.reviewed_at = datetime.datetime.now().replace(microsecond=0)
            a.return_reason = reason

    def review_lock(self, household_id: int, form_code: str, campaign_id: int | None = None) -> str:
        """Why a household's questionnaire may not be changed now, or "" when it may."""
        with self.db.session() as s:
            return lock_message(s, household_id, form_code, self._campaign_id(s, campaign_id))
