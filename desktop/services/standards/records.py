"""Completed and signed 附件: kept as computed, with the standard they were computed under.

A sheet is stored the way the form engine stores a completed form: a FormRecord about the
village or township (its `computed` holds the filled rows, its `standard` the campaign's
snapshot from `services.forms.service.standard_snapshot` plus the per-year standards and their
revision), locked by the signed-form guard once signed. A draft is never stored: it is
evaluated afresh every time, so a changed standard reaches it at once.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_SIGNED,
    Campaign,
    FormRecord,
)
from desktop.services.actor import CurrentUser
from desktop.services.forms.service import standard_snapshot
from desktop.services.registry.writer import collector_paused
from desktop.services.standards.service import StandardError, StandardsService
from desktop.services.standards.sheet_data import Check, Sheet
from desktop.services.standards.sheets import (
    SCOPE_VILLAGE,
    build_sheet,
    fill_sheet,
    load_layouts,
)

STATE_LABELS = {FORM_STATE_COMPLETE: "已完成", FORM_STATE_SIGNED: "已签字"}


@dataclass(frozen=True)
class SheetShown:
    """A sheet as shown: recomputed (a draft) or as stored, with a note when the standard moved."""

    sheet: Sheet
    state: str  # "" for a draft, else complete / signed
    changed_note: str = ""

    @property
    def state_label(self) -> str:
        """草稿 / 已完成 / 已签字."""
        return STATE_LABELS.get(self.state, "草稿（随标准重新计算）")


def _encode(value):
    if isinstance(value, Check):
        return {"check": list(value.options), "chosen": value.chosen}
    return value


def _decode(value):
    if isinstance(value, dict) and "check" in value:
        return Check(tuple(value["check"]), value["chosen"])
    return value


def _subject(village_id: int | None, township_id: int | None) -> dict:
    if village_id is not None:
        return {"village_id": village_id}
    if township_id is None:
        raise StandardError("请选择村或乡镇", "village")
    return {"township_id": township_id}


def _record(s, campaign_id: int, code: str, subject: dict) -> FormRecord | None:
    column = FormRecord.village_id if "village_id" in subject else FormRecord.township_id
    return s.scalar(
        select(FormRecord).where(
            FormRecord.campaign_id == campaign_id,
            FormRecord.form_code == code,
            column == next(iter(subject.values())),
        )
    )


def _campaign(service: StandardsService, village_id: int | None, township_id: int | None):
    return service.campaign_of_place(village_id, township_id)


@contextmanager
def _stored(service: StandardsService, code: str, village_id, township_id):
    """Open a unit of work on the sheet's stored record (None when it was never completed)."""
    subject = _subject(village_id, township_id)
    campaign = _campaign(service, village_id, township_id)
    with service.db.unit_of_work() as s:
        yield s, _record(s, campaign.id, code, subject)


def _snapshot(campaign: Campaign) -> dict:
    snapshot = standard_snapshot(campaign)
    snapshot["thresholds"] = dict(campaign.thresholds or {})
    snapshot["standard_revision"] = campaign.standard_revision
    return snapshot


def _stored_sheet(layout, record: tuple, campaign) -> SheetShown:
    """A completed or signed sheet as stored, noting when the standard has changed since."""
    state, computed, standard = record
    sheet = Sheet(
        code=layout.code,
        attachment=layout.attachment,
        title=computed["title"],
        header_lines=computed["header_lines"],
        header=layout.header,
        header_rows=layout.header_rows,
        columns=layout.columns,
        rows=[[_decode(v) for v in row] for row in computed["rows"]],
        total=computed["total"],
        total_first=computed["total_first"],
        signatures=layout.signatures,
        notes=layout.notes,
        standard_note=computed["standard_note"],
        scope_name=computed["scope_name"],
        row_ids=computed["row_ids"],
    )
    note = ""
    if standard.get("standard_revision") != campaign.standard_revision:
        note = (
            f"本表{STATE_LABELS[state]}时按当时的标准计算，此后标准已改动；"
            "表中仍是当时的结果。如需按新标准重算，请先重新打开（已签字的须先解锁）。"
        )
    return SheetShown(sheet, state, note)


def show_sheet(
    service: StandardsService, code: str, *, village_id=None, township_id=None
) -> SheetShown:
    """The sheet as stored when completed or signed, else freshly filled."""
    subject = _subject(village_id, township_id)
    campaign = _campaign(service, village_id, township_id)
    with service.db.session() as s:
        record = _record(s, campaign.id, code, subject)
        stored = None
        if record is not None and record.state in STATE_LABELS and record.computed:
            stored = (record.state, dict(record.computed), dict(record.standard))
    if stored is None:
        return SheetShown(
            fill_sheet(service, code, village_id=village_id, township_id=township_id), ""
        )
    return _stored_sheet(load_layouts(campaign.standard_code)[code], stored, campaign)


def show_village_sheets(
    service: StandardsService, code: str, *, township_id=None, county_id=None
) -> list[SheetShown]:
    """A village sheet (附件2–4) for every village of a township or a county, in order.

    The campaign is evaluated once for all of them (a county's 附件3 is 336 villages); a
    completed or signed village sheet is given as stored, the others as evaluated now.
    """
    if township_id is not None:
        campaign = service.campaign_for_township(township_id)
    elif county_id is not None:
        campaign = service.campaign_for_county(county_id)
    else:
        raise StandardError("请选择乡镇或县", "township")
    if campaign is None:
        raise StandardError("该地没有“回头看”活动，无法确定标准")
    layouts = load_layouts(campaign.standard_code)
    layout = layouts.get(code)
    if layout is None:
        known = "、".join(layouts) or "无"
        raise StandardError(f"该标准没有表 {code}（可用：{known}）", "code")
    if layout.scope != SCOPE_VILLAGE:
        raise StandardError(f"{layout.attachment} 按乡镇填报，不是每村一张", "code")
    places = service.sheet_context(township_id=township_id, county_id=county_id)
    village_ids = list(places.villages)
    with service.db.session() as s:
        stored = {
            r.village_id: (r.state, dict(r.computed), dict(r.standard))
            for r in s.scalars(
                select(FormRecord).where(
                    FormRecord.campaign_id == campaign.id,
                    FormRecord.form_code == code,
                    FormRecord.village_id.in_(village_ids),
                    FormRecord.state.in_(list(STATE_LABELS)),
                )
            )
            if r.computed
        }
    evaluation = service.evaluate(campaign.id, township_id=township_id)
    context = service.sheet_context(village_ids=village_ids)
    shown = []
    with collector_paused():  # thousands of rows of small lists: no cycles among them
        for village_id in context.villages:
            if village_id in stored:
                shown.append(_stored_sheet(layout, stored[village_id], campaign))
            else:
                sheet = build_sheet(code, evaluation, context, village_id=village_id)
                shown.append(SheetShown(sheet, ""))
    return shown


def complete_sheet(
    service: StandardsService, code: str, user: CurrentUser, *, village_id=None, township_id=None
) -> None:
    """Keep the sheet as computed now (已完成), with the standard it was computed under."""
    from desktop.services.safety import form_lock

    subject = _subject(village_id, township_id)
    sheet = fill_sheet(service, code, village_id=village_id, township_id=township_id)
    campaign_id = _campaign(service, village_id, township_id).id
    computed = {
        "title": sheet.title,
        "header_lines": sheet.header_lines,
        "rows": [[_encode(v) for v in row] for row in sheet.rows],
        "total": sheet.total,
        "total_first": sheet.total_first,
        "standard_note": sheet.standard_note,
        "scope_name": sheet.scope_name,
        "row_ids": sheet.row_ids,
    }
    with service.db.unit_of_work() as s:
        campaign = s.get(Campaign, campaign_id)
        record = _record(s, campaign_id, code, subject)
        if record is None:
            record = FormRecord(
                campaign_id=campaign_id, form_code=code, answers={}, accepted_warnings={},
                version=0, **subject,
            )  # fmt: skip
            s.add(record)
        else:
            form_lock.ensure_editable(s, record)
        record.computed = computed
        record.standard = _snapshot(campaign)
        record.state = FORM_STATE_COMPLETE
        record.version = (record.version or 0) + 1
        record.updated_by = user.name


def sign_sheet(
    service: StandardsService, code: str, user: CurrentUser, *, village_id=None, township_id=None
) -> None:
    """Mark a completed sheet 已签字: it is locked from now on."""
    from desktop.services.safety import form_lock

    with _stored(service, code, village_id, township_id) as (s, record):
        if record is None:
            raise StandardError("该表尚未标记为已完成，不能标记为已签字")
        form_lock.sign(s, record, user)


def reopen_sheet(
    service: StandardsService, code: str, *, village_id=None, township_id=None
) -> None:
    """Back to a draft (recomputed under the current standard); a signed sheet must be unlocked."""
    from desktop.services.safety import form_lock

    with _stored(service, code, village_id, township_id) as (s, record):
        if record is None:
            return
        form_lock.ensure_editable(s, record)
        s.delete(record)


def unlock_sheet(
    service: StandardsService,
    code: str,
    reason: str,
    user: CurrentUser,
    *,
    village_id=None,
    township_id=None,
) -> None:
    """Unlock a signed sheet with a reason (logged); it stays as stored until reopened."""
    from desktop.services.safety import form_lock

    with _stored(service, code, village_id, township_id) as (s, record):
        if record is None:
            raise StandardError("该表未签字，无需解锁")
        form_lock.unlock(s, record, reason, user)
