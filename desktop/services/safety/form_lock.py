"""Signed forms are locked: changing one needs an unlock with a reason, and a new signed paper.

`form_service` calls `ensure_editable` before it changes a form's answers, `sign` when the
signed paper comes back, and `unlock` when a signed form must be corrected. A flush-time guard
refuses any change to a signed form's answers that bypasses these functions.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from desktop.errors import FormLockedError
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_DRAFT,
    FORM_STATE_SIGNED,
    FormRecord,
)
from desktop.models.safety import ACTION_SIGN, ACTION_UNLOCK, ACTION_UPDATE
from desktop.services.actor import CurrentUser
from desktop.services.safety.audit import annotate
from desktop.services.safety.auth import UNLOCK_SIGNED_FORM, require

# What a signature covers: changing these on a signed form needs an unlock first.
SIGNED_CONTENT = (
    "answers", "accepted_warnings", "computed", "standard", "household_id", "village_id",
    "township_id", "campaign_id", "form_code",
)  # fmt: skip
MIN_REASON_LENGTH = 4
_PINNING = "form_lock_pinning"  # session.info: records `pin` is writing (the guard lets them)


def is_locked(record: FormRecord) -> bool:
    """True when the form is signed, so its answers may not change."""
    return record.state == FORM_STATE_SIGNED


def ensure_editable(session: Session, record: FormRecord) -> None:
    """Raise FormLockedError when the form is signed (call before changing its answers)."""
    if is_locked(record):
        raise FormLockedError(
            "该表已签字，已锁定不能修改。如需更正，请由审核员或管理员“解锁”并填写原因；"
            "解锁后纸质表作废，须重新打印并签字。"
        )


def sign(session: Session, record: FormRecord, user: CurrentUser) -> None:
    """Mark a completed form 已签字 (its signed paper came back): it is locked from now on."""
    if record.state == FORM_STATE_SIGNED:
        return
    if record.state == FORM_STATE_DRAFT:
        raise FormLockedError("该表尚未填写完成（草稿），不能标记为已签字")
    note = f"{user.name} 确认纸质表已签字（第 {record.version} 版）"
    annotate(session, record, ACTION_SIGN, note, user.name)
    record.state = FORM_STATE_SIGNED
    record.paper_outdated = False
    record.updated_by = user.name
    session.flush()


def unlock(session: Session, record: FormRecord, reason: str, user: CurrentUser) -> None:
    """Unlock a signed form with a reason (logged); its paper is outdated until signed again."""
    require(user, UNLOCK_SIGNED_FORM)
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise FormLockedError(f"请写明解锁原因（至少 {MIN_REASON_LENGTH} 个字）")
    if record.state != FORM_STATE_SIGNED:
        raise FormLockedError("该表未签字，无需解锁")
    annotate(session, record, ACTION_UNLOCK, reason, user.name)
    record.state = FORM_STATE_COMPLETE
    record.paper_outdated = True
    record.updated_by = user.name
    # Flushed now, so that the corrections that follow are logged as edits of their own.
    session.flush()


def pin(
    session: Session,
    record: FormRecord,
    *,
    answers: dict,
    computed: dict,
    standard: dict,
    note: str,
) -> None:
    """Keep what a completed or signed form shows (a form from before computed values were
    stored): the one change the guard lets through on a signed form; logged with `note`."""
    if record.state not in (FORM_STATE_COMPLETE, FORM_STATE_SIGNED):
        raise FormLockedError("只有已完成或已签字的表才需固定")
    session.info.setdefault(_PINNING, set()).add(id(record))
    annotate(session, record, ACTION_UPDATE, note)
    record.answers = answers
    record.computed = computed
    record.standard = standard


def is_pinning(session: Session, record: FormRecord) -> bool:
    """True when `pin` is writing this record in this session: keeping what a form shows is no
    change, and no guard (signed form, questionnaire under review) refuses it."""
    return id(record) in session.info.get(_PINNING, ())


def install(sessions: sessionmaker) -> None:
    """Refuse, at every flush of this factory's sessions, a change to a signed form's content."""
    event.listen(sessions, "before_flush", _guard_signed_forms)


def _guard_signed_forms(session: Session, _context, _instances) -> None:
    # The service layer checks first; this refuses what slips past it (a forgotten check).
    for obj in session.dirty:
        if not isinstance(obj, FormRecord) or is_pinning(session, obj):
            continue
        state = inspect(obj)
        history = state.attrs.state.history
        was = history.deleted[0] if history.deleted else obj.state
        if was != FORM_STATE_SIGNED or obj.state != FORM_STATE_SIGNED:
            continue
        for key in SIGNED_CONTENT:
            changed = state.attrs[key].history
            if (changed.added or changed.deleted) and (
                (changed.deleted[0] if changed.deleted else None)
                != (changed.added[0] if changed.added else None)
            ):
                raise FormLockedError("该表已签字，已锁定不能修改；请先解锁（需填写原因）后再修改")
