"""The audit trail: which entries a change produces, who they name, the log cannot be edited."""

from __future__ import annotations

import datetime
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.models.campaign import Campaign, FormRecord
from desktop.models.safety import (
    ACTION_DELETE,
    ACTION_EXPORT,
    ACTION_IMPORT_INSERT,
    ACTION_IMPORT_UPDATE,
    ACTION_INSERT,
    ACTION_UPDATE,
    ROLE_ADMIN,
    ROLE_CLERK,
    SOURCE_CLI,
    AuditEntry,
)
from desktop.services.actor import Actor, CurrentUser
from desktop.services.context import AppServices
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import make_id, mask_id
from desktop.services.registry.writer import write_households
from desktop.services.safety.audit import AuditService, acting_as
from desktop.services.safety.auth import PermissionDeniedError
from desktop.services.unit_of_work import Database


@pytest.fixture
def services(engine):
    services = AppServices(engine=engine, user=CurrentUser("李录入", ROLE_CLERK, 2))
    township = services.registry.create_township("桃江县", "桃花江镇")
    services.village_id = services.registry.save_village(township_id=township, name="花园村")
    return services


def _household(village_id: int, code: str = "H001") -> HouseholdData:
    head = MemberData(
        name="张三", id_number=make_id("430922", datetime.date(1970, 3, 1), 11), sex="男",
        relation="户主",
    )  # fmt: skip
    wife = MemberData(
        name="李四", id_number=make_id("430922", datetime.date(1972, 5, 1), 22), sex="女",
        relation="配偶",
    )  # fmt: skip
    return HouseholdData(
        code=code, village_id=village_id, phone="13800000000", members=[head, wife]
    )


def _entries(engine, **where) -> list[AuditEntry]:
    with Session(engine) as s:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        return list(s.scalars(stmt))


def test_creating_a_household_logs_one_entry_per_record_under_the_user(services, engine):
    hid = services.registry.save_household(_household(services.village_id))
    household = _entries(engine, table_name="household", record_id=hid)
    assert [(e.action, e.user_name, e.source) for e in household] == [
        (ACTION_INSERT, "李录入", "app")
    ]
    assert household[0].record_label == "H001 张三"
    assert json.loads(household[0].new_value)["phone"] == "13800000000"
    members = _entries(engine, table_name="member", household_id=hid)
    assert sorted(e.record_label for e in members) == ["张三", "李四"]


def test_a_changed_field_logs_old_and_new_values(services, engine):
    hid = services.registry.save_household(_household(services.village_id))
    data = services.registry.get_household(hid)
    data.phone = "13900000000"
    new_id = make_id("430922", datetime.date(1972, 5, 1), 33)
    data.members[1].id_number = new_id
    services.user = CurrentUser("王审核", "reviewer", 3)
    services.registry.save_household(data)
    changes = [
        (e.table_name, e.field, e.old_value, e.new_value, e.user_name)
        for e in _entries(engine, action=ACTION_UPDATE)
    ]
    old_id = make_id("430922", datetime.date(1972, 5, 1), 22)
    assert ("household", "phone", "13800000000", "13900000000", "王审核") in changes
    # The log is read by more people than may see ID numbers: it keeps them masked.
    assert ("member", "id_number", mask_id(old_id), mask_id(new_id), "王审核") in changes
    # Nothing else changed: derived columns (search text, flags, version) are not logged.
    assert {c[1] for c in changes} == {"phone", "id_number"}


def test_bank_numbers_are_masked_in_the_log_when_set_and_changed(services, engine):
    data = _household(services.village_id)
    data.bank_account = "6217001234567890123"
    hid = services.registry.save_household(data)
    data = services.registry.get_household(hid)
    data.bank_account = "6228480012345678901"
    services.registry.save_household(data)
    logged = " ".join(f"{e.old_value or ''} {e.new_value or ''} {e.note}" for e in _entries(engine))
    for number in ("6217001234567890123", "6228480012345678901"):
        assert number not in logged
    change = _entries(engine, action=ACTION_UPDATE, field="bank_account")
    assert [(e.old_value, e.new_value) for e in change] == [
        ("6217***********0123", "6228***********8901")
    ]


def test_removing_a_member_logs_a_deletion_and_history_shows_it(services, engine):
    hid = services.registry.save_household(_household(services.village_id))
    data = services.registry.get_household(hid)
    data.members.pop()
    services.registry.save_household(data)
    deleted = _entries(engine, action=ACTION_DELETE)
    assert [(e.table_name, e.record_label, e.household_id) for e in deleted] == [
        ("member", "李四", hid)
    ]
    history = services.audit.history("household", hid)
    assert history[0].action_label == "删除"  # newest first
    assert {h.table_label for h in history} == {"户", "家庭成员"}


def test_form_answers_are_logged_key_by_key(services, engine):
    hid = services.registry.save_household(_household(services.village_id))
    with services.db.unit_of_work() as s:
        campaign = Campaign(name="回头看")
        s.add(campaign)
        s.flush()
        form = FormRecord(
            household_id=hid, campaign_id=campaign.id, form_code="verification",
            answers={"A1": "3", "A2": "否"},
        )  # fmt: skip
        s.add(form)
    with services.db.unit_of_work() as s:
        form = s.scalars(select(FormRecord)).one()
        form.answers = {"A1": "4", "A2": "否", "A3": "是"}
    changes = {(e.field, e.old_value, e.new_value) for e in _entries(engine, action=ACTION_UPDATE)}
    assert changes == {("answers.A1", "3", "4"), ("answers.A3", None, "是")}
    assert all(e.household_id == hid for e in _entries(engine, table_name="form_record"))


def test_a_rolled_back_change_leaves_no_entry(services, engine):
    before = len(_entries(engine))
    with pytest.raises(RuntimeError), services.db.unit_of_work() as s:
        campaign = Campaign(name="不会保存")
        s.add(campaign)
        s.flush()
        raise RuntimeError("cancelled")
    assert len(_entries(engine)) == before


def test_command_line_changes_are_logged_under_the_os_user(services, engine):
    with acting_as(Actor("it-admin", SOURCE_CLI)):
        services.registry.save_household(_household(services.village_id))
    entry = _entries(engine, table_name="household")[0]
    assert (entry.user_name, entry.source) == ("it-admin", SOURCE_CLI)


def test_bulk_import_logs_one_entry_per_household_created_or_updated(services, engine):
    vid = services.village_id
    with engine.begin() as conn:
        write_households(conn, [_household(vid, f"B{i:03d}") for i in range(12)], chunk=5)
    created = _entries(engine, action=ACTION_IMPORT_INSERT)
    assert len(created) == 12
    assert created[0].record_label == "B000 张三"
    changed = [_household(vid, "B001"), _household(vid, "B002")]
    changed[0].phone = "13700000000"
    with engine.begin() as conn:
        write_households(conn, changed)
    updated = _entries(engine, action=ACTION_IMPORT_UPDATE)
    assert [(e.record_label, e.field) for e in updated] == [
        ("B001 张三", "联系电话"),
        ("B002 张三", ""),
    ]
    assert json.loads(updated[0].old_value) == {"phone": "13800000000"}
    assert json.loads(updated[0].new_value) == {"phone": "13700000000"}


def test_the_log_cannot_be_edited(services, engine):
    services.registry.save_household(_household(services.village_id))
    for sql in ("UPDATE audit_entry SET user_name = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(IntegrityError, match="审计日志不可"), engine.begin() as conn:
            conn.execute(text(sql))
    with Session(engine) as s:
        entry = s.scalars(select(AuditEntry)).first()
        entry.user_name = "改名"
        with pytest.raises(IntegrityError):
            s.commit()


def test_export_of_a_period_is_for_administrators_and_logged(services, engine, tmp_path):
    services.registry.save_household(_household(services.village_id))
    out = tmp_path / "日志.xlsx"
    with pytest.raises(PermissionDeniedError, match="无权导出操作日志"):
        services.audit.export_xlsx(out)
    services.user = CurrentUser("王站长", ROLE_ADMIN, 1)
    today = datetime.date.today()
    count = services.audit.export_xlsx(out, today, today)
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作人", "来源", "操作")
    assert len(rows) == count + 1
    assert any(r[1:5] == ("李录入", "程序", "新增", "户") for r in rows[1:])
    assert services.audit.export_xlsx(out, today - datetime.timedelta(days=9),
                                      today - datetime.timedelta(days=8)) == 0  # fmt: skip
    exports = _entries(engine, action=ACTION_EXPORT)
    assert exports[0].user_name == "王站长" and "日志.xlsx" in exports[0].note


def test_log_export_records_full_id_exports(services, engine, tmp_path):
    AuditService(Database(engine)).log_export(
        "household", 300, tmp_path / "花名册.xlsx", full_ids=True
    )
    entry = _entries(engine, action=ACTION_EXPORT)[0]
    assert entry.field == "full_ids"
    assert "含完整身份证号" in entry.note and entry.new_value == "300"
