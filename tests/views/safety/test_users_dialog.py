"""UsersDialog: the administrator adds users; others only see the list."""

from __future__ import annotations

from desktop.services.context import AppServices


def test_admin_adds_a_user_and_sees_errors(engine, qtbot):
    from desktop.views.safety.users_dialog import UsersDialog

    services = AppServices(engine=engine)
    services.user = services.auth.create_first_admin("王站长", "secret-1")
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.add_user("李录入", "clerk", "secret-1")
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    roles = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert names == ["王站长", "李录入"] and roles == ["管理员", "录入员"]
    assert not dialog.add_user("李录入", "clerk", "secret-1")
    assert "已有名为" in dialog.error_label.text()


def test_clerk_cannot_manage_users(engine, qtbot):
    from desktop.views.safety.users_dialog import UsersDialog

    services = AppServices(engine=engine)
    admin = services.auth.create_first_admin("王站长", "secret-1")
    services.auth.add_user(admin, "李录入", "clerk", "secret-1")
    services.user = services.auth.sign_in("李录入", "secret-1")
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    assert not dialog.add_button.isEnabled()
