"""ProblemService without Qt: workflow, refusals that leave nothing half-saved, 整改率, evidence."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.problem import Attachment, Person, Problem, ProblemEvent
from desktop.services.problems.attachments import (
    ATTACHMENT_CHANGED,
    ATTACHMENT_MISSING,
    ATTACHMENT_OK,
)
from desktop.services.problems.rules import (
    IMMEDIATE_OPINION,
    KIND_IMMEDIATE,
    NO_RATE,
    SCOPE_UNIT,
    SCOPE_VILLAGE,
    STATUS_AWAITING,
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_OPEN,
    ProblemError,
)
from desktop.services.problems.service import StaleProblemError
from tests.problem_fixtures import FOUND, problem, service

USER = "刘芳"


def _count(engine, model) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count(model.id)))


@pytest.fixture
def ps(demo_engine, data_dir):
    return service(demo_engine, data_dir)


def test_new_problem_gets_a_number_a_timeline_and_its_village(ps, demo_engine):
    problem_id = ps.save(problem(ps, demo_engine), USER)
    data = ps.get(problem_id)
    assert data.number == "2020-001"
    assert data.status == STATUS_OPEN
    assert data.original_deadline == data.deadline == datetime.date(2020, 5, 31)
    assert data.village_id is not None
    assert [(e.who, e.action) for e in data.events] == [(USER, "登记")]
    assert ps.save(problem(ps, demo_engine), USER) != problem_id
    assert ps.next_number(2020) == "2020-003"


def test_workflow_runs_to_close_out_and_records_every_step(ps, demo_engine):
    pid = ps.save(problem(ps, demo_engine), USER)
    ps.set_status(pid, STATUS_IN_PROGRESS, USER)
    ps.set_status(pid, STATUS_AWAITING, USER)
    ps.set_status(pid, STATUS_IN_PROGRESS, USER, note="屋面未修完")  # 验收不通过
    ps.set_status(pid, STATUS_AWAITING, USER)
    ps.close(
        pid, verified_by="文斌", verified_on=datetime.date(2020, 6, 1), opinion="已修缮", user=USER
    )
    data = ps.get(pid)
    assert data.status == STATUS_CLOSED
    assert data.closed_on == datetime.date(2020, 6, 1)
    assert data.verification_opinion == "已修缮"
    actions = [e.action for e in data.events]
    assert actions == ["登记", "状态", "状态", "状态", "状态", "销号"]
    assert "屋面未修完" in data.events[3].detail


def test_refused_transitions(ps, demo_engine):
    pid = ps.save(problem(ps, demo_engine), USER)
    with pytest.raises(ProblemError, match="已整改待验收"):
        ps.close(pid, verified_by="文斌", verified_on=FOUND, opinion="好", user=USER)
    with pytest.raises(ProblemError, match="验收销号"):
        ps.set_status(pid, STATUS_CLOSED, USER)
    ps.set_status(pid, STATUS_AWAITING, USER)
    with pytest.raises(ProblemError, match="原因"):
        ps.set_status(pid, STATUS_IN_PROGRESS, USER)  # sent back without saying why
    assert ps.get(pid).status == STATUS_AWAITING


def test_close_without_opinion_is_refused_and_nothing_changes(ps, demo_engine):
    pid = ps.save(problem(ps, demo_engine), USER)
    ps.set_status(pid, STATUS_AWAITING, USER)
    before = _count(demo_engine, ProblemEvent)
    with pytest.raises(ProblemError, match="验收意见"):
        ps.close(pid, verified_by="文斌", verified_on=FOUND, opinion="  ", user=USER)
    data = ps.get(pid)
    assert data.status == STATUS_AWAITING and data.closed_on is None
    assert _count(demo_engine, ProblemEvent) == before


def test_deadline_before_found_date_is_refused_and_nothing_saved(ps, demo_engine):
    data = problem(ps, demo_engine, deadline=FOUND - datetime.timedelta(days=1))
    data.person_id, data.person_name = None, "新来的责任人"
    people = _count(demo_engine, Person)
    with pytest.raises(ProblemError, match="不能早于发现日期") as caught:
        ps.save(data, USER)
    assert caught.value.field == "deadline"
    assert _count(demo_engine, Problem) == 0
    assert _count(demo_engine, Person) == people  # the new person went with the refused save


def test_deadline_problem_needs_unit_person_and_deadline(ps, demo_engine):
    for field, message in (("unit_id", "责任单位"), ("person_id", "责任人"), ("deadline", "时限")):
        with pytest.raises(ProblemError, match=message):
            ps.save(problem(ps, demo_engine, **{field: None}), USER)
    assert _count(demo_engine, Problem) == 0


def test_new_person_is_added_with_the_problem(ps, demo_engine):
    data = problem(ps, demo_engine, person_id=None)
    data.person_name = "王春梅"
    pid = ps.save(data, USER)
    assert [r.person_name for r in ps.rows() if r.id == pid] == ["王春梅"]


def test_immediate_problem_closes_at_once(ps, demo_engine):
    data = problem(ps, demo_engine, kind=KIND_IMMEDIATE, deadline=None, unit_id=None)
    data.person_id = None
    pid = ps.save(data, USER)
    saved = ps.get(pid)
    assert saved.status == STATUS_CLOSED
    assert saved.closed_on == FOUND
    assert saved.verification_opinion == IMMEDIATE_OPINION
    with pytest.raises(ProblemError, match="整改措施"):
        ps.save(problem(ps, demo_engine, kind=KIND_IMMEDIATE, deadline=None, measures=""), USER)


def test_scopes_village_and_unit(ps, demo_engine):
    village_id = ps.villages()[0][0]
    pid = ps.save(
        problem(ps, demo_engine, scope=SCOPE_VILLAGE, household_id=None, village_id=village_id),
        USER,
    )
    row = next(r for r in ps.rows() if r.id == pid)
    assert row.village_id == village_id and row.target == ps.villages()[0][1]
    unit = ps.unit_id_by_name("党建办")
    pid = ps.save(problem(ps, demo_engine, scope=SCOPE_UNIT, scope_unit_id=unit), USER)
    row = next(r for r in ps.rows() if r.id == pid)
    assert row.target == "党建办" and row.village_id is None
    with pytest.raises(ProblemError, match="请选择村"):
        ps.save(problem(ps, demo_engine, scope=SCOPE_VILLAGE, village_id=None), USER)


def test_edit_records_changes_and_refuses_deadline_edits(ps, demo_engine):
    pid = ps.save(problem(ps, demo_engine), USER)
    data = ps.get(pid)
    data.measures = "先搬至安全住房过渡"
    ps.save(data, "周建国")
    again = ps.get(pid)
    assert again.measures == "先搬至安全住房过渡"
    assert again.events[-1].who == "周建国" and "整改措施" in again.events[-1].detail
    with pytest.raises(StaleProblemError):
        ps.save(data, USER)  # data still carries the old version
    again.deadline = datetime.date(2020, 7, 1)
    with pytest.raises(ProblemError, match="延期"):
        ps.save(again, USER)


def test_extension_rules(ps, demo_engine):
    pid = ps.save(problem(ps, demo_engine), USER)
    old = ps.get(pid).deadline
    with pytest.raises(ProblemError, match="原因"):
        ps.extend(pid, old + datetime.timedelta(days=10), " ", USER)
    with pytest.raises(ProblemError, match="必须晚于"):
        ps.extend(pid, old - datetime.timedelta(days=1), "雨季", USER)
    assert ps.get(pid).extensions == []
    ps.extend(pid, old + datetime.timedelta(days=30), "雨季施工困难", USER)
    data = ps.get(pid)
    assert data.deadline == old + datetime.timedelta(days=30)
    assert data.original_deadline == old  # the original deadline stays visible
    assert data.extensions[0].reason == "雨季施工困难"
    row = next(r for r in ps.rows() if r.id == pid)
    assert row.extension_count == 1


def test_overdue_is_derived_from_the_deadline(ps, demo_engine):
    pid = ps.save(problem(ps, demo_engine), USER)
    row = next(r for r in ps.rows() if r.id == pid)
    assert not row.overdue(row.deadline)
    assert row.overdue(row.deadline + datetime.timedelta(days=1))
    assert row.due_soon(row.deadline - datetime.timedelta(days=7))
    assert not row.due_soon(row.deadline - datetime.timedelta(days=8))
    ps.extend(pid, row.deadline + datetime.timedelta(days=20), "资金未下达", USER)
    row = next(r for r in ps.rows() if r.id == pid)
    assert not row.overdue(row.original_deadline + datetime.timedelta(days=1))


def test_rate_nothing_due_shows_dash(ps, demo_engine):
    ps.save(problem(ps, demo_engine), USER)
    summary = ps.rates(FOUND + datetime.timedelta(days=5))
    assert summary.overall.total == 1 and summary.overall.due == 0
    assert summary.overall.rate is None and summary.overall.rate_text == NO_RATE
    assert ps.rates(FOUND).by_area[0].rate_text == NO_RATE
    empty = ps.rates(FOUND, rows=[])
    assert empty.overall.rate_text == NO_RATE and empty.overall.total == 0


def test_rate_all_extended_counts_new_deadlines(ps, demo_engine):
    ids = [ps.save(problem(ps, demo_engine), USER) for _ in range(3)]
    for pid in ids:
        ps.extend(pid, datetime.date(2020, 8, 1), "需县直部门审批", USER)
    as_of = datetime.date(2020, 7, 1)  # past the first deadlines, before the new ones
    summary = ps.rates(as_of)
    assert summary.overall.extended == 3
    assert summary.overall.due == 0 and summary.overall.rate_text == NO_RATE
    assert summary.overall.overdue == 0
    later = ps.rates(datetime.date(2020, 8, 2))
    assert later.overall.due == 3 and later.overall.rate_text == "0.0%"
    assert later.overall.overdue == 3


def test_rate_counts_closed_over_due_by_area_unit_village(ps, demo_engine):
    a = ps.save(problem(ps, demo_engine), USER)
    ps.save(problem(ps, demo_engine), USER)
    ps.set_status(a, STATUS_AWAITING, USER)
    ps.close(a, verified_by="文斌", verified_on=datetime.date(2020, 5, 20), opinion="好", user=USER)
    summary = ps.rates(datetime.date(2020, 6, 15))
    assert (summary.overall.closed, summary.overall.due) == (1, 2)
    assert summary.overall.rate_text == "50.0%"
    assert summary.by_area[0].name == "三保障及饮水安全"
    assert summary.by_unit[0].name == "扶贫工作站"
    assert summary.by_village and summary.by_village[0].total >= 1
    # Closed after the day asked about: still open on that day.
    early = ps.rates(datetime.date(2020, 5, 10))
    assert early.overall.closed == 0


def test_attachment_is_copied_with_checksum_and_missing_file_is_reported(ps, demo_engine, tmp_path):
    pid = ps.save(problem(ps, demo_engine), USER)
    photo = tmp_path / "整改后照片.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    aid = ps.add_attachment(pid, photo, USER)
    data = ps.get(pid)
    (att,) = data.attachments
    assert att.id == aid and att.original_name == "整改后照片.png"
    assert att.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert att.size == 108 and att.state == ATTACHMENT_OK
    stored = ps.attachment_file(att.path)
    assert stored.is_file() and stored.parent.parent.name == "attachments"
    photo.unlink()  # the original may go: the copy stays
    assert ps.get(pid).attachments[0].state == ATTACHMENT_OK
    stored.write_bytes(b"changed")
    assert ps.get(pid).attachments[0].state == ATTACHMENT_CHANGED
    stored.unlink()
    assert ps.get(pid).attachments[0].state == ATTACHMENT_MISSING  # shown, never a crash
    row = next(r for r in ps.rows() if r.id == pid)
    assert row.attachment_count == 1
    ps.remove_attachment(aid, USER)
    assert ps.get(pid).attachments == []


def test_unreadable_attachment_is_refused_and_nothing_saved(ps, demo_engine, tmp_path):
    pid = ps.save(problem(ps, demo_engine), USER)
    events = _count(demo_engine, ProblemEvent)
    with pytest.raises(ProblemError, match="无法读取附件"):
        ps.add_attachment(pid, tmp_path / "不存在.jpg", USER)
    with pytest.raises(ProblemError, match="无法读取附件"):
        ps.add_attachment(pid, tmp_path, USER)  # a folder is not a file
    assert _count(demo_engine, Attachment) == 0
    assert _count(demo_engine, ProblemEvent) == events
    assert not (ps.data_dir / "attachments").exists() or not any(
        (ps.data_dir / "attachments").rglob("*.jpg")
    )


def test_closed_problem_cannot_be_edited_extended_or_deleted(ps, demo_engine):
    pid = ps.save(problem(ps, demo_engine), USER)
    ps.set_status(pid, STATUS_AWAITING, USER)
    ps.close(pid, verified_by="文斌", verified_on=FOUND, opinion="好", user=USER)
    data = ps.get(pid)
    data.note = "补记"
    with pytest.raises(ProblemError, match="已销号"):
        ps.save(data, USER)
    with pytest.raises(ProblemError, match="已销号"):
        ps.extend(pid, datetime.date(2021, 1, 1), "理由", USER)
    with pytest.raises(ProblemError, match="不能删除"):
        ps.delete(pid, USER)


def test_notice_problems_lists_open_problems_of_one_unit(ps, demo_engine):
    a = ps.save(problem(ps, demo_engine), USER)
    ps.save(problem(ps, demo_engine), USER)
    ps.set_status(a, STATUS_AWAITING, USER)
    ps.close(a, verified_by="文斌", verified_on=FOUND, opinion="好", user=USER)
    listed = ps.notice_problems("扶贫工作站")
    assert [p.number for p in listed] == ["2020-002"]
    with pytest.raises(ProblemError, match="没有名为"):
        ps.notice_problems("不存在的单位")


def test_create_many_numbers_logs_and_completes_each_problem(ps, demo_engine):
    """点球's bulk path: each problem as `save` makes it, numbered in order, audited, chained."""
    from desktop.models.safety import AuditEntry
    from desktop.services.problems.rules import SCOPE_VILLAGE
    from desktop.services.safety.audit_chain import verify_connection
    from tests.problem_fixtures import household_id

    ps.save(problem(ps, demo_engine, number="2020-002"), USER)  # the batch numbers after it
    batch = [problem(ps, demo_engine, household_id=household_id(demo_engine, i)) for i in range(3)]
    batch.append(problem(ps, demo_engine, scope=SCOPE_VILLAGE, household_id=None,
                         village_id=ps.villages()[0][0]))  # fmt: skip
    logged_before = _count(demo_engine, AuditEntry)
    ids = ps.create_many(batch, USER)
    made = [ps.get(i) for i in ids]
    assert [d.number for d in made] == ["2020-003", "2020-004", "2020-005", "2020-006"]
    assert all(d.status == STATUS_OPEN and [e.action for e in d.events] == ["登记"] for d in made)
    expected_village = ps.household_info(household_id(demo_engine, 1))[0]
    assert made[1].village_id == expected_village and made[3].household_id is None
    with Session(demo_engine) as s:
        logged = s.scalars(
            select(AuditEntry.record_id).where(
                AuditEntry.id > logged_before, AuditEntry.table_name == "problem"
            )
        ).all()
    assert sorted(logged) == sorted(ids)
    with demo_engine.connect() as conn:
        assert verify_connection(conn).ok


def test_create_many_refuses_the_whole_batch_for_one_bad_problem(ps, demo_engine):
    before = _count(demo_engine, Problem), _count(demo_engine, ProblemEvent)
    batch = [problem(ps, demo_engine), problem(ps, demo_engine, description="  ")]
    with pytest.raises(ProblemError, match="请填写问题描述"):
        ps.create_many(batch, USER)
    with pytest.raises(ProblemError, match="已被使用"):
        ps.create_many([problem(ps, demo_engine, number="2020-007")] * 2, USER)
    assert (_count(demo_engine, Problem), _count(demo_engine, ProblemEvent)) == before
