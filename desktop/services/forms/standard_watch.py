"""A campaign's standard changed under completed or signed forms: the log and each form say so.

A completed or signed form keeps the standard it was computed under and is never recomputed, so
a change of the campaign's standard (its income formula, threshold, province, year or yearly
thresholds) leaves the paper as signed. Without a word that would go unseen: the campaign's own
entry shows its new figures, and nothing on the form. `install` puts a flush listener on a session
factory (the unit of work's, next to the audit trail) that writes one entry for the change, in
the same transaction: how many completed and signed forms of each paper keep the old standard
and were not recomputed. Each such form says so itself when it is opened (`kept_note`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from sqlalchemy import String, cast, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from desktop.models.base import utcnow
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_SIGNED,
    FORMULA_LABELS,
    PROVINCE_LABELS,
    Campaign,
    FormRecord,
)
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
    if isinstance(value, str):
        return {**FORMULA_LABELS, **PROVINCE_LABELS}.get(value, value) or "（无）"
    return "（无）" if value is None else str(value)


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


def changes_between(kept: dict, now: dict) -> str:
    """What differs between the standard a form keeps and the campaign's now, in Chinese.

    "" when they are the same standard (or the form keeps none: it is recomputed anyway); a
    renamed campaign is the same standard.
    """
    if not kept or not now or kept.get("version") == now.get("version"):
        return ""
    return "；".join(
        f"{LABELS[k]} {_text(kept.get(k))} → {_text(now.get(k))}"
        for k in WATCHED
        if kept.get(k) != now.get(k)
    )


def kept_note(state: str, kept: dict, now: dict) -> str:
    """The note a completed or signed form shows when the campaign's standard changed since."""
    said = changes_between(kept, now)
    if not said or state not in STATE_TEXT:
        return ""
    done = STATE_TEXT[state]
    return (
        f"本表{done}时按当时的标准计算，"
        f"此后标准已改动（{said}）；显示和打印仍按{done[1:]}时的标准，未重新计算。"
        "如需按新标准重算，须先解锁（已签字的）再重新打开并保存，纸质表须重新签字。"
    )


def entries(session: Session, actor: Actor, campaign_id: int, name: str, changes) -> list[dict]:
    """The log's entry for one change of a campaign's standard under its kept forms.

    One entry for the change, naming how many completed and signed forms of each paper keep
    the old standard: a county has tens of thousands, and each of them says so itself when it
    is opened (`kept_note`), so the log is not given one copy of the same sentence per form.
    None when the campaign keeps no completed or signed form.
    """
    said = "；".join(f"{LABELS[k]} {_text(old)} → {_text(new)}" for k, old, new in changes)
    counts = (
        session.connection()
        .execute(
            select(FormRecord.form_code, FormRecord.state, func.count())
            .where(
                FormRecord.campaign_id == campaign_id,
                FormRecord.state.in_(tuple(STATE_TEXT)),
            )
            .group_by(FormRecord.form_code, FormRecord.state)
            .order_by(FormRecord.form_code, FormRecord.state)
        )
        .all()
    )
    if not counts:
        return []
    by_state = {state: sum(n for _c, s, n in counts if s == state) for state in STATE_TEXT}
    kept = "、".join(f"{STATE_TEXT[s]} {n} 张" for s, n in by_state.items() if n)
    papers = "，".join(f"{_paper(code)}{STATE_TEXT[state]} {n} 张" for code, state, n in counts)
    return [
        {
            "at": utcnow(),
            "user_name": actor.name,
            "source": actor.source,
            "table_name": "campaign",
            "record_id": campaign_id,
            "record_label": f"活动“{name}”"[:128],
            "household_id": None,
            "field": FIELD,
            "old_value": f"保留原标准的表：{kept}",
            "new_value": said,
            "action": ACTION_UPDATE,
            "note": (
                f"活动“{name}”的标准已改动（{said}）。"
                f"{kept}（{papers}）仍按完成或签字时的标准显示和打印，未重新计算，"
                "各表打开时注明此后标准已改动；"
                "如需按新标准重算，须先解锁（已签字的）再重新打开并保存，纸质表须重新签字。"
            ),
        }
    ]


def _paper(code: str) -> str:
    """A form code's paper title (the code itself when this version does not describe it)."""
    # Imported here: this module is installed on every database's sessions when the window
    # opens, and the form engine (50 ms at start) is needed only once a standard changes.
    from desktop.engine import FormDescriptionError
    from desktop.services.forms.catalog import load_form

    try:
        return load_form(code).title
    except FormDescriptionError:
        return code


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
