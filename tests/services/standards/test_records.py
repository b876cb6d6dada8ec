"""A completed or signed 附件 keeps what it was computed as; a draft follows the standard."""

import pytest

from desktop.errors import FormLockedError
from desktop.services.actor import CurrentUser
from desktop.services.standards.records import (
    complete_sheet,
    reopen_sheet,
    show_sheet,
    show_village_sheets,
    sign_sheet,
    unlock_sheet,
)
from desktop.services.standards.service import StandardError, StandardsService
from desktop.services.unit_of_work import Database

ADMIN = CurrentUser("王审核", "admin", 1)


@pytest.fixture
def service(sichuan_engine):
    return StandardsService(Database(sichuan_engine))


def test_completed_sheets_stay_as_computed_and_say_the_standard_changed(service):
    campaign = next(c for c in service.campaigns() if c.province_profile == "sichuan")
    village_id = service.village_of("柳沟村")
    draft = show_sheet(service, "fj3", village_id=village_id)
    assert draft.state == "" and draft.changed_note == ""
    complete_sheet(service, "fj3", ADMIN, village_id=village_id)
    service.set_threshold(campaign.id, 2016, 9000)
    kept = show_sheet(service, "fj3", village_id=village_id)
    assert kept.state == "complete" and kept.state_label == "已完成"
    assert kept.sheet.rows == draft.sheet.rows and kept.sheet.total == draft.sheet.total
    assert "此后标准已改动" in kept.changed_note
    assert "2016年3100元" in kept.sheet.standard_note
    # Another village's draft follows the new standard at once.
    other = show_sheet(service, "fj3", village_id=service.village_of("西龙村"))
    assert other.state == "" and "2016年9000元" in other.sheet.standard_note
    sign_sheet(service, "fj3", ADMIN, village_id=village_id)
    with pytest.raises(FormLockedError):
        reopen_sheet(service, "fj3", village_id=village_id)
    with pytest.raises(FormLockedError):
        complete_sheet(service, "fj3", ADMIN, village_id=village_id)
    assert show_sheet(service, "fj3", village_id=village_id).state == "signed"
    unlock_sheet(service, "fj3", "标准调整后重新核查", ADMIN, village_id=village_id)
    reopen_sheet(service, "fj3", village_id=village_id)
    again = show_sheet(service, "fj3", village_id=village_id)
    assert again.state == "" and len(again.sheet.rows) > len(draft.sheet.rows)


def test_a_township_sheet_is_kept_too(service):
    township_id = service.township_of("西龙镇")
    complete_sheet(service, "fj5", ADMIN, township_id=township_id)
    kept = show_sheet(service, "fj5", township_id=township_id)
    assert kept.state == "complete" and kept.sheet.total_first
    assert kept.sheet.total[0] == "西龙镇小计"


def test_every_village_of_a_township_at_once_keeps_the_completed_one(service):
    township_id = service.township_of("西龙镇")
    village_id = service.village_of("柳沟村")
    complete_sheet(service, "fj3", ADMIN, village_id=village_id)
    campaign = next(c for c in service.campaigns() if c.province_profile == "sichuan")
    service.set_threshold(campaign.id, 2016, 9000)
    shown = show_village_sheets(service, "fj3", township_id=township_id)
    names = [s.sheet.scope_name for s in shown]
    assert len(names) == 8 and names[0] == "西龙村" and "柳沟村" in names  # 户编号 order
    for s in shown:
        alone = show_sheet(service, "fj3", village_id=service.village_of(s.sheet.scope_name))
        assert (s.state, s.sheet.rows, s.sheet.total) == (
            alone.state,
            alone.sheet.rows,
            alone.sheet.total,
        )
    kept = shown[names.index("柳沟村")]
    assert kept.state == "complete" and "此后标准已改动" in kept.changed_note
    assert all("2016年9000元" in s.sheet.standard_note for s in shown if s is not kept)
    with pytest.raises(StandardError, match="按乡镇填报"):
        show_village_sheets(service, "fj5", township_id=township_id)
