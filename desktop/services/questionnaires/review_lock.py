"""A questionnaire under review (审核中) or passed (已通过) is read-only, whatever changes it.

`install` puts a flush guard on a session factory (the safety listeners call it for every
`Database`); `lock_message` says why a household's questionnaire may not be changed now.
Kept apart from TeamService so that the listeners do not import the unit of work.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from desktop.errors import FormLockedError
from desktop.models.campaign import FormRecord
from desktop.models.team import ReviewAssignment
from desktop.services.questionnaires.team_data import REVIEW_PASSED, REVIEW_SUBMITTED
from desktop.services.safety.form_lock import is_pinning

REGISTERED_FORM = "hunan_registered"  # 附件1 建档立卡贫困户脱贫情况调查问卷
UNREGISTERED_FORM = "hunan_unregistered"  # 附件2 非建档立卡户情况调查问卷
QUESTIONNAIRES = (REGISTERED_FORM, UNREGISTERED_FORM)


def lock_message(s: Session, household_id: int, form_code: str, campaign_id: int) -> str:
    if form_code not in QUESTIONNAIRES:
        return ""
    with s.no_autoflush:
        state = s.scalar(
            select(ReviewAssignment.state).where(
                ReviewAssignment.household_id == household_id,
                ReviewAssignment.campaign_id == campaign_id,
                ReviewAssignment.form_code == form_code,
            )
        )
    if state == REVIEW_SUBMITTED:
        return "该问卷已提交审核，审核期间不能修改；如需更正，请审核人员退回。"
    if state == REVIEW_PASSED:
        return "该问卷已审核通过，不能修改。"
    return ""


# What a review covers: a change of these while under review or passed is refused.
REVIEWED_CONTENT = ("answers", "accepted_warnings", "computed", "state")


def install(sessions: sessionmaker) -> None:
    """Refuse, at every flush of this factory's sessions, a change to a questionnaire that is
    under review or passed (whatever screen or command makes it)."""
    event.listen(sessions, "before_flush", _guard_reviewed)


def _guard_reviewed(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty):
        if not isinstance(obj, FormRecord) or obj.household_id is None or is_pinning(session, obj):
            continue
        if obj.form_code not in QUESTIONNAIRES:
            continue
        state = inspect(obj)
        if not any(state.attrs[key].history.has_changes() for key in REVIEWED_CONTENT):
            continue
        message = lock_message(session, obj.household_id, obj.form_code, obj.campaign_id)
        if message:
            raise FormLockedError(message)
