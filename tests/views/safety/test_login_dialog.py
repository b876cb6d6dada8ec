"""LoginDialog: first run creates the administrator; a wrong password keeps the entries."""

from __future__ import annotations

from desktop.services.context import AppServices


def test_first_run_creates_the_administrator(engine, qtbot):
    from desktop.views.safety.login_dialog import LoginDialog

    services = AppServices(engine=engine)
    dialog = LoginDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.first_run and dialog.ok_button.text() == "创建并登录"
    dialog.name_edit.setText("王站长")
    dialog.password_edit.setText("secret-1")
    dialog.confirm_edit.setText("secret-2")
    dialog._on_buttons_accepted()
    assert dialog.error_label.text() == "两次输入的密码不一致"
    dialog.confirm_edit.setText("secret-1")
    dialog.real_name_edit.setText("王建华")
    dialog._on_buttons_accepted()
    assert dialog.user.name == "王站长" and dialog.user.role == "admin"
    [admin] = services.auth.users()
    assert admin.real_name == "王建华" and admin.last_sign_in is not None


def test_wrong_password_shows_why_and_keeps_the_name(engine, qtbot):
    from desktop.views.safety.login_dialog import LoginDialog

    services = AppServices(engine=engine)
    services.auth.create_first_admin("王站长", "secret-1")
    dialog = LoginDialog(services)
    qtbot.addWidget(dialog)
    assert not dialog.first_run
    dialog.name_edit.setText("王站长")
    dialog.password_edit.setText("wrong-pw")
    dialog._on_buttons_accepted()
    assert "用户名或密码不正确" in dialog.error_label.text()
    assert dialog.name_edit.text() == "王站长" and dialog.user is None
    dialog.password_edit.setText("secret-1")
    dialog._on_buttons_accepted()
    assert dialog.user.name == "王站长"


def test_first_run_is_filled_in_from_the_keyboard_top_to_bottom(engine, qtbot):
    # A clerk types the name, then Tab, password, Tab, the password again, Tab, 姓名. The keys go
    # to 用户名 at once (nothing had the focus: under Wine the first keys were lost).
    from PySide6.QtCore import Qt

    from desktop.views.safety.login_dialog import LoginDialog
    from tests.views.keyboard import type_text

    services = AppServices(engine=engine)
    dialog = LoginDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.name_edit  # the first row takes the keys at once
    for text in ("zhanzhang", "secret-1", "secret-1", "王建华"):
        type_text(qtbot, dialog.focusWidget(), text)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.name_edit.text() == "zhanzhang"
    assert dialog.password_edit.text() == dialog.confirm_edit.text() == "secret-1"
    assert dialog.real_name_edit.text() == "王建华"


def test_after_a_wrong_password_the_right_one_is_typed_over_it(engine, qtbot):
    # Under Xvfb: 'wrong1', Enter, then 'secret123' gave 'wrong1secret123' and a second refusal.
    from PySide6.QtCore import Qt

    from desktop.views.safety.login_dialog import LoginDialog
    from tests.views.keyboard import type_text

    services = AppServices(engine=engine)
    services.auth.create_first_admin("wangli", "secret123")
    dialog = LoginDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(qtbot, dialog.name_edit, "wangli")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    type_text(qtbot, dialog.password_edit, "wrong1")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.user is None and "不正确" in dialog.error_label.text()
    type_text(qtbot, dialog.focusWidget(), "secret123")
    assert dialog.password_edit.text() == "secret123"
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.user is not None and dialog.user.name == "wangli"
