"""Two clerks save the same form: the second sees both versions answer by answer and chooses."""

from __future__ import annotations

import pytest

from desktop.services.actor import CurrentUser
from desktop.services.forms.service import FormService, StaleFormError
from desktop.services.unit_of_work import Database
from tests.services.forms.test_stored_forms import _two_member_household

FIRST, SECOND = CurrentUser("王录入", "clerk"), CurrentUser("李录入", "clerk")


def test_a_form_saved_meanwhile_shows_both_answers_and_keeps_the_others_elsewhere(demo_engine):
    service = FormService(Database(demo_engine))
    hid = _two_member_household(demo_engine)
    opened = service.open_form(hid, "collection")  # the second clerk opens the form …
    theirs = dict(service.open_form(hid, "collection").answers)  # … so does the first
    theirs.update(A39=3000, filled_by="王五")
    members = [dict(m) for m in theirs["members"]]
    members[1]["A5"] = "土家族"
    theirs["members"] = members
    saved = service.save(hid, "collection", theirs, False, None, FIRST)

    mine = dict(opened.answers)
    mine.update(A39=3200, A40=1000)
    members = [dict(m) for m in mine["members"]]
    members[0]["A1"] = members[0]["A1"] + "某"
    mine["members"] = members
    with pytest.raises(StaleFormError, match="王录入"):
        service.save(hid, "collection", mine, False, None, SECOND, expected_version=opened.version)

    conflict = service.form_conflict(opened, mine)
    assert conflict.version == saved and conflict.saved_by == "王录入"
    assert "农户信息采集表" in conflict.summary and f"第 {saved} 版" in conflict.summary
    rows = {d.label: d for d in conflict.differences}
    income = next(d for label, d in rows.items() if "A39" in label)
    assert (income.mine, income.theirs, income.changed_by) == ("3200", "3000", "双方")
    [filled_by] = [d for d in conflict.differences if d.theirs == "王五"]
    assert filled_by.changed_by == "对方" and filled_by.merged == "王五"
    [nation] = [d for d in conflict.differences if d.theirs == "土家族"]
    assert "第 2 行" in nation.label and "民族" in nation.label
    [name] = [d for d in conflict.differences if d.mine.endswith("某")]
    assert "第 1 行" in name.label and name.changed_by == "您"

    merged = conflict.merged
    assert merged["A39"] == 3200 and merged["A40"] == 1000 and merged["filled_by"] == "王五"
    assert merged["members"][1]["A5"] == "土家族" and merged["members"][0]["A1"].endswith("某")
    version = service.save(
        hid, "collection", merged, False, None, SECOND, expected_version=conflict.version
    )
    state = service.open_form(hid, "collection")
    assert version == saved + 1 and state.answers["A39"] == 3200
    assert state.answers["filled_by"] == "王五" and state.updated_by == "李录入"


def test_two_first_saves_at_once_end_in_a_conflict(demo_engine, monkeypatch):
    first, second = FormService(Database(demo_engine)), FormService(Database(demo_engine))
    hid = _two_member_household(demo_engine)
    opened = second.open_form(hid, "collection")
    assert opened.version == 0
    first.save(hid, "collection", dict(first.open_form(hid, "collection").answers), False,
               None, FIRST)  # fmt: skip
    # The second clerk's save read no record to lock before the first one's was committed.
    monkeypatch.setattr(second, "_record", lambda *args, **kwargs: None)
    with pytest.raises(StaleFormError, match="已被他人保存"):
        second.save(hid, "collection", dict(opened.answers), False, None, SECOND,
                    expected_version=opened.version)  # fmt: skip
    monkeypatch.undo()
    assert second.open_form(hid, "collection").updated_by == "王录入"
