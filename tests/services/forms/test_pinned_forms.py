"""Kept forms stay as they were: forms completed before migration 0006 are pinned, and a change of
the campaign's standard under completed or signed forms is written in the audit log and shown on
each such form."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.models.campaign import FORMULA_LABELS, FORMULA_NET_PER_CAPITA, Campaign, FormRecord
from desktop.models.safety import AuditEntry
from desktop.services.forms.service import FormService
from desktop.services.forms.standard_watch import FIELD, PINNED_NOTE
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database
from tests.services.forms.test_stored_forms import (
    CLERK,
    _complete_collection,
    _two_member_household,
)


def _record(engine, hid, code="collection") -> FormRecord:
    with Session(engine) as s:
        return s.scalar(
            select(FormRecord).where(FormRecord.household_id == hid, FormRecord.form_code == code)
        )


def _as_before_0006(engine, hid, shown_a53: float) -> None:
    """Make a kept form look as migration 0006 left one: computed values inside the answers
    (the old screen saved them there), no computed column, no standard."""
    record = _record(engine, hid)
    answers = {**record.answers, **record.computed, "A53": shown_a53}
    answers.pop("bank_name", None)  # blank when it was completed
    with Session(engine) as s, s.begin():
        s.execute(
            update(FormRecord)
            .where(FormRecord.id == record.id)
            .values(answers=answers, computed={}, standard={}, state="signed")
        )


def test_a_form_completed_before_0006_reprints_what_it_showed(demo_engine):
    hid = _two_member_household(demo_engine)
    _complete_collection(FormService(Database(demo_engine)), hid)
    # Before 0006 the income hook printed 人均纯收入 under this campaign's formula: 1500, not
    # today's A52 ÷ 人口 (1750). That 1500 is what the signed paper shows.
    _as_before_0006(demo_engine, hid, 1500.0)
    registry = RegistryService(Database(demo_engine))
    household = registry.get_household(hid)
    household.bank_name = "农村信用社"
    registry.save_household(household)

    service = FormService(Database(demo_engine))  # the first start after the upgrade
    [first] = service.print_items([hid], "collection")
    assert first.answers["A53"] == 1500.0
    record = _record(demo_engine, hid)
    assert record.state == "signed" and record.computed["A53"] == 1500.0
    assert record.standard["pinned"] == PINNED_NOTE and record.standard["version"]
    assert "A53" not in record.answers  # kept where every completed form keeps it
    assert record.answers["bank_name"] == "农村信用社"  # the blank the old print refilled

    # From now on nothing moves it: a new formula, a changed registry, another start.
    with Session(demo_engine) as s, s.begin():
        s.execute(update(Campaign).values(income_formula="disposable_per_capita"))
    household = registry.get_household(hid)
    household.bank_name = "邮储银行"
    registry.save_household(household)
    [again] = FormService(Database(demo_engine)).print_items([hid], "collection")
    assert again.answers == first.answers
    state = FormService(Database(demo_engine)).open_form(hid, "collection")
    assert state.stored and state.answers["A53"] == 1500.0
    with Session(demo_engine) as s:
        notes = s.scalars(
            select(AuditEntry.note).where(
                AuditEntry.table_name == "form_record", AuditEntry.record_id == record.id
            )
        ).all()
    assert PINNED_NOTE in notes  # the pin is in the log


def test_a_standard_changed_before_the_pin_keeps_the_old_one(demo_engine):
    hid = _two_member_household(demo_engine)
    _complete_collection(FormService(Database(demo_engine)), hid)
    _as_before_0006(demo_engine, hid, 1500.0)
    with Session(demo_engine) as s:
        old = s.scalar(select(Campaign.income_formula))
    new = "disposable_per_capita" if old == FORMULA_NET_PER_CAPITA else FORMULA_NET_PER_CAPITA
    with Database(demo_engine).unit_of_work() as s:
        s.scalar(select(Campaign)).income_formula = new
    record = _record(demo_engine, hid)
    assert record.standard["income_formula"] == old  # the one it was shown with
    [item] = FormService(Database(demo_engine)).print_items([hid], "collection")
    assert item.answers["A53"] == 1500.0


def _campaign_entries(engine) -> list[AuditEntry]:
    with Session(engine) as s:
        return s.scalars(
            select(AuditEntry).where(AuditEntry.field == FIELD).order_by(AuditEntry.id)
        ).all()


def _kept_counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        states = s.scalars(
            select(FormRecord.state).where(FormRecord.state.in_(("complete", "signed")))
        ).all()
    return {state: states.count(state) for state in set(states)}


def test_a_changed_standard_under_a_signed_form_is_in_the_log(demo_engine):
    """Defect 1: the reprint keeps its numbers, the log says the standard changed under the
    campaign's kept forms, and the form itself says so when it is opened."""
    service = FormService(Database(demo_engine))
    hid = _two_member_household(demo_engine)
    version = _complete_collection(service, hid)
    service.sign(hid, "collection", CLERK)
    assert service.open_form(hid, "collection").standard_note == ""  # nothing changed yet
    kept = _record(demo_engine, hid).standard["version"]
    with Session(demo_engine) as s:
        campaign_id, formula = s.execute(select(Campaign.id, Campaign.income_formula)).first()
    other = "disposable_per_capita" if formula == FORMULA_NET_PER_CAPITA else FORMULA_NET_PER_CAPITA
    with Database(demo_engine).unit_of_work() as s:
        s.get(Campaign, campaign_id).income_formula = other
    record = _record(demo_engine, hid)
    [entry] = _campaign_entries(demo_engine)
    formula, other = FORMULA_LABELS[formula], FORMULA_LABELS[other]  # as the clerk reads them
    assert entry.table_name == "campaign" and entry.record_id == campaign_id
    assert f"收入计算方式 {formula} → {other}" in entry.new_value
    signed = _kept_counts(demo_engine)["signed"]
    assert f"已签字 {signed} 张" in entry.old_value and f"已签字 {signed} 张" in entry.note
    assert "农户信息采集表已签字" in entry.note and "未重新计算" in entry.note
    assert record.standard["version"] == kept  # the form itself did not change
    assert record.version == version  # signing keeps the version the paper was printed from

    state = FormService(Database(demo_engine)).open_form(hid, "collection")
    assert state.stored and state.answers["A53"] == 1750.0  # as computed when completed
    assert "本表已签字时按当时的标准计算，" in state.standard_note
    assert f"此后标准已改动（收入计算方式 {formula} → {other}）" in state.standard_note
    assert "未重新计算" in state.standard_note

    # The campaign's provincial standard of a year (标准 → 标准线) is watched the same way.
    with Database(demo_engine).unit_of_work() as s:
        s.get(Campaign, campaign_id).thresholds = {"2019": 5000.0}
    entries = [e.new_value for e in _campaign_entries(demo_engine)]
    assert len(entries) == 2 and "各年标准线 （无） → 2019年 5000" in entries[-1]
    note = FormService(Database(demo_engine)).open_form(hid, "collection").standard_note
    assert "各年标准线 （无） → 2019年 5000" in note  # against what the form keeps

    # Renaming the campaign is no change of its standard.
    with Database(demo_engine).unit_of_work() as s:
        s.get(Campaign, campaign_id).name = "改名后的活动"
    assert len(_campaign_entries(demo_engine)) == 2


def test_a_draft_under_a_changed_standard_needs_no_entry(demo_engine):
    service = FormService(Database(demo_engine))
    hid = _two_member_household(demo_engine)
    state = service.open_form(hid, "collection")
    service.save(hid, "collection", state.answers, False, None, CLERK)
    with Database(demo_engine).unit_of_work() as s:
        s.scalar(select(Campaign)).income_threshold = 4321.0
    [entry] = _campaign_entries(demo_engine)  # the demo's kept forms are counted, not the draft
    counts = _kept_counts(demo_engine)
    said = "、".join(
        f"{t} {counts[k]} 张"
        for k, t in (("complete", "已完成"), ("signed", "已签字"))
        if counts.get(k)
    )
    assert entry.old_value == f"保留原标准的表：{said}"
    draft = service.open_form(hid, "collection")
    assert not draft.stored and draft.standard_note == ""  # a draft is recomputed, not kept


def test_a_standard_changed_under_no_kept_form_writes_no_entry(demo_engine):
    with Session(demo_engine) as s, s.begin():
        s.execute(update(FormRecord).values(state="draft"))
    with Database(demo_engine).unit_of_work() as s:
        s.scalar(select(Campaign)).income_threshold = 4321.0
    assert _campaign_entries(demo_engine) == []


def test_the_kept_forms_entry_is_a_link_of_the_audit_chain(demo_engine):
    """A changed standard writes its entry through the chain; none breaks the log."""
    from desktop.services.safety.audit_chain import head_of, verify_connection

    service = FormService(Database(demo_engine))
    hid = _two_member_household(demo_engine)
    _complete_collection(service, hid)
    service.sign(hid, "collection", CLERK)
    with Database(demo_engine).unit_of_work() as s:
        s.scalar(select(Campaign)).thresholds = {"2019": 5000.0}
    with demo_engine.connect() as conn:
        report = verify_connection(conn)
        last = conn.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        field = conn.scalar(select(AuditEntry.field).where(AuditEntry.id == last))
        assert report.ok, report
        assert head_of(conn)[0] == last and field == FIELD
