"""UsersDialog: the administrator adds users; others only see the list."""

from __future__ import annotations

from desktop.services.context import AppServices


def test_admin_adds_a_user_and_sees_errors(engine, qtbot):
    from desktop.views.safety.users_dialog import COLUMNS, UsersDialog

    services = AppServices(engine=engine)
    services.user = services.auth.create_first_admin("王站长", "secret-1")
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.add_user("李录入", "clerk", "secret-1")
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    roles = [
        dialog.table.item(r, COLUMNS.index("角色")).text() for r in range(dialog.table.rowCount())
    ]
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


def test_the_signed_in_admin_has_signed_in_and_users_carry_real_names(engine, qtbot):
    from desktop.views.safety.users_dialog import COLUMNS, UsersDialog

    services = AppServices(engine=engine)
    services.user = services.auth.create_first_admin("wang", "secret-1", "王建华")
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    last = COLUMNS.index("上次登录")
    assert dialog.table.item(0, last).text() != "从未登录"
    assert dialog.table.item(0, COLUMNS.index("姓名")).text() == "王建华"
    assert dialog.add_user("li", "clerk", "secret-1", "李小红")
    assert dialog.table.item(1, COLUMNS.index("姓名")).text() == "李小红"
    assert dialog.table.item(1, last).text() == "从未登录"
    dialog.table.selectRow(1)
    assert dialog.real_name_edit.text() == "李小红"
    dialog.real_name_edit.setText("李晓红")
    dialog.real_name_button.click()
    assert [u.real_name for u in services.auth.users()] == ["王建华", "李晓红"]


def test_the_dialog_says_what_each_role_may_do(engine, qtbot):
    from desktop.views.safety.users_dialog import AddUserDialog, UsersDialog

    services = AppServices(engine=engine)
    services.user = services.auth.create_first_admin("wang", "secret-1")
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    import re

    labels = dialog.findChildren(type(dialog.error_label))
    texts = re.sub("<[^>]+>", "", " ".join(label.text() for label in labels))
    assert "录入员可以：" in texts and "不可以：" in texts and "管理员可以：" in texts
    assert "管理用户" in texts  # 管理员's own permission, from the one permission table
    add = AddUserDialog()
    qtbot.addWidget(add)
    add.role_combo.setCurrentIndex(add.role_combo.findData("reviewer"))
    assert add.role_hint.text().startswith("审核员可以：")
    assert "查看完整身份证号" in add.role_hint.text().split("不可以")[0]


def test_admin_sees_a_locked_account_and_unlocks_it(engine, qtbot):
    import datetime

    import pytest
    from PySide6.QtCore import Qt

    from desktop.errors import AppError
    from desktop.services.safety.auth import LOCK_AFTER
    from desktop.views.safety.users_dialog import COLUMNS, UsersDialog

    services = AppServices(engine=engine)
    services.user = services.auth.create_first_admin("王站长", "secret-1")
    clerk = services.auth.add_user(services.user, "李录入", "clerk", "secret-1")
    start = datetime.datetime.now()
    for n in range(LOCK_AFTER):  # an hour apart: no waiting between the tries
        with pytest.raises(AppError):
            services.auth.sign_in("李录入", "wrong", now=start + datetime.timedelta(hours=n))
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    state = COLUMNS.index("状态")
    assert dialog.table.item(1, state).text() == "启用，已锁定（密码连续错误）"
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert "没有被锁定" in dialog.error_label.text()
    dialog.table.selectRow(1)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.table.item(
        1, COLUMNS.index("状态")
    ).text() == "启用" and not services.auth.locked(clerk)
    assert services.auth.sign_in("李录入", "secret-1").name == "李录入"


def test_admin_grants_a_clerk_townships_in_the_dialog(engine, qtbot):
    from PySide6.QtCore import Qt
    from sqlalchemy import select

    from desktop.models.safety import UserTownship
    from desktop.views.safety.users_dialog import COLUMNS, UsersDialog

    services = AppServices(engine=engine)
    services.user = admin = services.auth.create_first_admin("王站长", "secret-1")
    first = services.registry.create_township("桃江县", "桃花江镇")
    second = services.registry.create_township("桃江县", "西河镇")
    services.auth.add_user(admin, "李录入", "clerk", "secret-1")
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    items = [dialog.townships_list.item(i) for i in range(dialog.townships_list.count())]
    assert [i.text() for i in items] == ["全部乡镇", "桃花江镇", "西河镇"]
    column = COLUMNS.index("乡镇")
    assert dialog.table.item(1, column).text() == "全部乡镇"
    dialog.table.selectRow(0)  # the administrator: always every township
    assert not dialog.townships_list.isEnabled() and "管理员" in dialog.townships_hint.text()
    dialog.table.selectRow(1)
    assert dialog.townships_list.isEnabled()
    assert items[0].checkState() == Qt.CheckState.Checked
    items[2].setCheckState(Qt.CheckState.Checked)
    assert items[0].checkState() == Qt.CheckState.Unchecked  # 全部乡镇 gives way
    qtbot.mouseClick(dialog.townships_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == ""
    with services.db.session() as s:
        assert s.scalars(select(UserTownship.township_id)).all() == [second]
    assert dialog.table.item(1, column).text() == "西河镇"
    dialog.table.selectRow(1)
    assert [i.checkState() for i in items] == [
        Qt.CheckState.Unchecked, Qt.CheckState.Unchecked, Qt.CheckState.Checked,
    ]  # fmt: skip
    items[0].setCheckState(Qt.CheckState.Checked)  # back to every township
    assert items[2].checkState() == Qt.CheckState.Unchecked
    qtbot.mouseClick(dialog.townships_button, Qt.MouseButton.LeftButton)
    assert dialog.table.item(1, column).text() == "全部乡镇"
    assert first not in {g for u in services.auth.users() for g, _ in u.townships}
