"""A campaign's standard changed under completed or signed forms: each such form says so in the log.

A completed or signed form keeps the standard it was computed under and is never recomputed, so
a change of the campaign's standard (its income formula, threshold, province, year or yearly
thresholds) leaves the paper as signed. Without a word that would go unseen: the log shows the
campaign's new figures, and nothing on the form. `install` puts a flush listener on a session
factory (the unit of work's, next to the audit trail) that writes one entry per kept form of
the campaign, in the same transaction as the change: which standard the form keeps, the new one,
and that the form was not recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from sqlalchemy import String, cast, event, inspect, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from desktop.models.base import utcnow
from desktop.models.campaign import FORM_STATE_COMPLETE, FORM_STATE_SIGNED, Campaign, FormRecord
from desktop.models.safety import ACTION_UPDATE
from desktop.services.actor import Actor
from desktop.services.forms.snapshot import STANDARD_FIELDS, standard_snapshot
from desktop.services.safety import audit_chain

WATCHED = STANDARD_FIELDS  # the campaign's columns a kept form's standard is made of
PINNED_NOTE = "升级前完成的表：按升级后首次读取时的内容固定（计算结果与当时的标准），不再重算"
LABELS = {
    "province_profile": "省份标准",
    "standard_year": "标准年度",
    "income_threshold": "收入标准",
    "income_formula": "收入计算方式",
    "thresholds": "各年标准线",
}
STATE_TEXT = {FORM_STATE_COMPLETE: "已完成", FORM_STATE_SIGNED: "已签字"}
FIELD = "campaign_standard"  # the entry's field: the standard of the campaign, not of the form
_PENDING = "forms_standard_changes"


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return "、".join(f"{k}年 {_text(v)}" for k, v in sorted(value.items())) or "（无）"
    return "（无）" if value in (None, "") else str(value)


def _changes(campaign: Campaign) -> list[tuple[str, object, object]]:
    state = inspect(campaign)
    found = []
    for key in WATCHED:
        history = state.attrs[key].history
        if not history.added and not history.deleted:
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            found.append((key, old, new))
    return found


def _before_flush(session: Session, _context, _instances) -> None:
    pending = session.info[_PENDING] = []
    for obj in list(session.dirty):
        if not isinstance(obj, Campaign):
            continue
        changes = _changes(obj)
        if not changes:
            continue
        # A form completed before the engine kept its standard (migration 0006) keeps the one
        # it was shown with until now; its values are in its answers (FormService pins them).
        old = {k: getattr(obj, k) for k in STANDARD_FIELDS} | {"name": obj.name}
        old.update({k: was for k, was, _now in changes})
        session.connection().execute(
            update(FormRecord)
            .where(
                FormRecord.campaign_id == obj.id,
                FormRecord.state.in_(tuple(STATE_TEXT)),
                FormRecord.household_id.is_not(None),
                unpinned(),
            )
            .values(standard={**standard_snapshot(SimpleNamespace(**old)), "pinned": PINNED_NOTE})
        )
        pending.append((obj.id, obj.name, changes))


def unpinned():
    """The condition of a form record kept without a standard (completed before 0006)."""
    return or_(
        FormRecord.standard.is_(None),
        cast(FormRecord.standard, String).in_(("{}", "null", "")),
    )


def entries(session: Session, actor: Actor, campaign_id: int, name: str, changes) -> list[dict]:
    """The log's entries for one change of a campaign's standard: one per kept form."""
    said = "；".join(f"{LABELS[k]} {_text(old)} → {_text(new)}" for k, old, new in changes)
    rows = []
    kept = (
        session.connection()
        .execute(
            select(
                FormRecord.id,
                FormRecord.household_id,
                FormRecord.form_code,
                FormRecord.state,
                FormRecord.version,
                # Only the version is said: the whole JSON of 30,000 forms is not parsed for it.
                FormRecord.standard["version"].as_string(),
            ).where(
                FormRecord.campaign_id == campaign_id,
                FormRecord.state.in_(tuple(STATE_TEXT)),
            )
        )
        .all()
    )
    at = utcnow()  # one change, one moment for all its entries
    for record_id, household_id, code, state, version, was in kept:
        was = was or "未记录"
        rows.append(
            {
                "at": at,
                "user_name": actor.name,
                "source": actor.source,
                "table_name": "form_record",
                "record_id": record_id,
                "record_label": f"{code}（户ID {household_id or ''}）"[:128],
                "household_id": household_id,
                "field": FIELD,
                "old_value": f"标准版本 {was}",
                "new_value": said,
                "action": ACTION_UPDATE,
                "note": (
                    f"活动“{name}”的标准已改动（{said}）。"
                    f"本表{STATE_TEXT[state]}（第 {version} 版），"
                    f"仍按{STATE_TEXT[state][1:]}时的标准（版本 {was}）显示和打印，未重新计算；"
                    "如需按新标准重算，须先解锁（已签字的）再重新打开并保存，纸质表须重新签字。"
                ),
            }
        )
    return rows


def install(sessions: sessionmaker, actor: Callable[[], Actor]) -> None:
    """Log, at every flush of this factory's sessions, a standard changed under kept forms."""

    def after_flush(session: Session, _context) -> None:
        pending = session.info.pop(_PENDING, [])
        rows = []
        for campaign_id, name, changes in pending:
            rows += entries(session, actor(), campaign_id, name, changes)
        # Through the chain like every other entry: inserted around it, they would show as
        # the chain's first break and their ids would not be the chain's.
        audit_chain.append(session.connection(), rows)

    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "after_flush", after_flush)
