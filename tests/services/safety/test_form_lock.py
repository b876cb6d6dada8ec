"""Signed forms: sign locks, unlock needs a reason and a role, the paper becomes outdated."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_DRAFT,
    FORM_STATE_SIGNED,
    Campaign,
    FormRecord,
)
from desktop.models.safety import ACTION_SIGN, ACTION_UNLOCK, ROLE_CLERK, ROLE_REVIEWER, AuditEntry
from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import make_id
from desktop.services.safety import form_lock
from desktop.services.safety.auth import PermissionDeniedError
from desktop.services.safety.form_lock import FormLockedError
from desktop.services.unit_of_work import Database

CLERK = CurrentUser("李录入", ROLE_CLERK, 2)
REVIEWER = CurrentUser("王审核", ROLE_REVIEWER, 3)


@pytest.fixture
def db(engine):
    return Database(engine)


@pytest.fixture
def form_id(engine, db):
    services = AppServices(engine=engine, user=CLERK)
    township = services.registry.create_township("桃江县", "桃花江镇")
    village = services.registry.save_village(township_id=township, name="花园村")
    head = MemberData(
        name="张三", id_number=make_id("430922", datetime.date(1970, 3, 1), 11), relation="户主"
    )
    hid = services.registry.save_household(
        HouseholdData(code="H1", village_id=village, members=[head])
    )
    with db.unit_of_work() as s:
        campaign = Campaign(name="回头看")
        s.add(campaign)
        s.flush()
        form = FormRecord(
            household_id=hid, campaign_id=campaign.id, form_code="verification",
            state=FORM_STATE_COMPLETE, answers={"A1": "3"},
        )  # fmt: skip
        s.add(form)
        s.flush()
        return form.id


def _form(s: Session, form_id: int) -> FormRecord:
    return s.get(FormRecord, form_id)


def test_sign_locks_the_form(db, form_id):
    with db.unit_of_work() as s:
        form = _form(s, form_id)
        form_lock.ensure_editable(s, form)  # complete: still editable
        form_lock.sign(s, form, CLERK)
    with db.session() as s:
        form = _form(s, form_id)
        assert (form.state, form.paper_outdated) == (FORM_STATE_SIGNED, False)
        with pytest.raises(FormLockedError, match="已签字"):
            form_lock.ensure_editable(s, form)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == ACTION_SIGN)).one()
        assert (entry.field, entry.new_value, entry.user_name) == ("state", "signed", "李录入")


def test_a_draft_cannot_be_signed(db, form_id):
    with db.unit_of_work() as s:
        form = _form(s, form_id)
        form.state = FORM_STATE_DRAFT
        with pytest.raises(FormLockedError, match="草稿"):
            form_lock.sign(s, form, CLERK)


def test_changing_a_signed_form_behind_the_service_is_refused_at_flush(db, form_id):
    with db.unit_of_work() as s:
        form_lock.sign(s, _form(s, form_id), CLERK)
    with db.session() as s:
        form = _form(s, form_id)
        form.answers = {"A1": "5"}
        with pytest.raises(FormLockedError, match="请先解锁"):
            s.flush()
    with db.session() as s:
        assert _form(s, form_id).answers == {"A1": "3"}


def test_unlock_needs_a_role_and_a_reason_and_outdates_the_paper(db, form_id):
    with db.unit_of_work() as s:
        form_lock.sign(s, _form(s, form_id), CLERK)
    with db.unit_of_work() as s:
        form = _form(s, form_id)
        with pytest.raises(PermissionDeniedError, match="无权解锁"):
            form_lock.unlock(s, form, "户主电话写错了", CLERK)
        with pytest.raises(FormLockedError, match="解锁原因"):
            form_lock.unlock(s, form, "  ", REVIEWER)
        form_lock.unlock(s, form, "户主电话写错了", REVIEWER)
        form_lock.ensure_editable(s, form)
        form.answers = {"A1": "4"}
    with db.session() as s:
        form = _form(s, form_id)
        assert (form.state, form.paper_outdated, form.answers) == (
            FORM_STATE_COMPLETE, True, {"A1": "4"},
        )  # fmt: skip
        unlocks = s.scalars(select(AuditEntry).where(AuditEntry.action == ACTION_UNLOCK)).all()
        assert {(e.field, e.note, e.user_name) for e in unlocks} == {
            ("state", "户主电话写错了", "王审核"),
            ("paper_outdated", "户主电话写错了", "王审核"),
        }
    # Signed again: the reprinted paper is current and the form is locked again.
    with db.unit_of_work() as s:
        form_lock.sign(s, _form(s, form_id), CLERK)
    with db.session() as s:
        form = _form(s, form_id)
        assert (form.state, form.paper_outdated) == (FORM_STATE_SIGNED, False)
