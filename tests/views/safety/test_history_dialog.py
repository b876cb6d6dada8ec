"""HistoryDialog: a household's changes, with the user, field, old and new values."""

from __future__ import annotations

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices


def test_history_lists_who_changed_which_field(demo_engine, qtbot):
    from desktop.views.safety.history_dialog import HistoryDialog

    services = AppServices(engine=demo_engine, user=CurrentUser("李录入", "clerk", 2))
    hid = services.registry.household_rows()[0].id
    data = services.registry.get_household(hid)
    old_phone = data.phone
    data.phone = "13912345678"
    services.registry.save_household(data)
    dialog = HistoryDialog(services, "household", hid)
    qtbot.addWidget(dialog)
    cells = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
    assert cells[1:3] == ["李录入", "修改"]
    assert cells[5:8] == ["联系电话", old_phone, "13912345678"]
