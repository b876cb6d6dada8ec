"""BackupDialog and the start-up guard: backup to a folder, restore, damaged file at start-up."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.safety import backup as backup_service
from tests.platforms import linux_only, read_only


def _damage(path: Path) -> None:
    with path.open("r+b") as f:
        f.seek(path.stat().st_size // 2)
        f.write(b"\xff" * 8192)


def _answer_sign_in(monkeypatch, accepted: bool) -> list[str]:
    """The 请重新登录 note and the sign-in dialog answer at once; what was asked is listed."""
    from desktop.views.safety.login_dialog import LoginDialog

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: asked.append(a[1]))
    monkeypatch.setattr(
        LoginDialog, "run", classmethod(lambda cls, *a, **k: (asked.append("登录"), accepted))
    )
    return asked


def test_backup_to_folder_and_restore(demo_engine, tmp_path, qtbot, monkeypatch):
    from desktop.views.safety.backup_dialog import NO_BACKUPS_TEXT, BackupDialog

    path = Path(demo_engine.url.database)
    services = AppServices(engine=demo_engine, db_path=path, user=CurrentUser("王站长", "admin"))
    dialog = BackupDialog(services)
    qtbot.addWidget(dialog)
    stick = tmp_path / "stick"
    stick.mkdir()
    assert dialog.backup_to(stick) is None and "还没有设置备份密码" in dialog.status_label.text()
    assert "还没有设置备份密码" in dialog.password_label.text()
    assert dialog.set_backup_password("Beifen-mima-2026")
    assert dialog.password_button.text() == "更改备份密码…"
    copy = dialog.backup_to(stick)  # no password asked
    assert copy is not None and "已加密" in dialog.status_label.text()
    hid = services.registry.household_rows()[0].id
    services.registry.delete_household(hid)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    _answer_sign_in(monkeypatch, accepted=True)  # 王站长 is no account of the demo
    assert not dialog.restore_from(copy, "wrong-password")
    assert "备份密码不正确" in warned[0] and "未作任何改动" in warned[0]
    assert not any(r.id == hid for r in services.registry.household_rows())  # still gone
    assert dialog.restore_from(copy, "Beifen-mima-2026")
    assert any(r.id == hid for r in services.registry.household_rows())  # back again
    assert "原数据库另存为" in dialog.status_label.text()
    texts = [dialog.backups_list.item(i).text() for i in range(dialog.backups_list.count())]
    assert texts and NO_BACKUPS_TEXT not in texts  # the copy made before restoring is listed


def test_an_empty_backup_list_says_why(engine, db_path, qtbot):
    from desktop.views.safety.backup_dialog import NO_BACKUPS_TEXT, BackupDialog

    services = AppServices(engine=engine, db_path=db_path, user=CurrentUser("王站长", "admin"))
    dialog = BackupDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.backups_list.count() == 1
    note = dialog.backups_list.item(0)
    assert note.text() == NO_BACKUPS_TEXT and not note.flags()  # cannot be chosen


def test_clerk_cannot_restore(engine, db_path, qtbot):
    from desktop.views.safety.backup_dialog import BackupDialog

    services = AppServices(engine=engine, db_path=db_path, user=CurrentUser("李", "clerk"))
    dialog = BackupDialog(services)
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()
    assert not dialog.generations_spin.isEnabled()
    assert not dialog.password_button.isEnabled()


def test_startup_guard_offers_the_newest_good_backup(demo_engine, qtbot, monkeypatch):
    from desktop.views.safety.backup_dialog import startup_guard

    path = Path(demo_engine.url.database)
    demo_engine.dispose()
    lock = startup_guard(path)  # makes today's backup
    assert lock is not None and lock.held
    lock.release()
    _damage(path)
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes,
    )
    lock = startup_guard(path)
    assert lock is not None and "损坏" in asked[0]
    assert backup_service.check_file(path).ok
    lock.release()


def test_startup_guard_refuses_a_second_window(db_path, qtbot, monkeypatch):
    from desktop.views.safety.backup_dialog import startup_guard

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    first = startup_guard(db_path)
    assert startup_guard(db_path) is None
    assert "另一个回头看工作台窗口" in shown[0]
    first.release()


def test_startup_guard_refuses_a_network_share_as_the_command_line_does(qtbot, monkeypatch):
    """The window and every command refuse the same UNC paths (issue 12), before a lock file or
    a backup is written there."""
    from desktop.views.safety.backup_dialog import startup_guard

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    for path in ("//server/share/h.sqlite3", "\\\\server\\share\\h.sqlite3"):
        assert startup_guard(Path(path)) is None
    assert len(shown) == 2 and all("网络" in text and "本机硬盘" in text for text in shown)


def test_after_restoring_a_database_without_the_user_one_signs_in_again(
    engine, db_path, tmp_path, qtbot, monkeypatch
):
    # Under Xvfb: a backup taken before the first account was restored and the window went on
    # as 管理员 wangli, whom the restored database does not know (用户管理 listed nobody).
    from desktop.services.safety import backup as backup_service
    from desktop.views.safety.backup_dialog import BackupDialog

    services = AppServices(engine=engine, db_path=db_path, user=CurrentUser("王站长", "admin"))
    empty = backup_service.write_backup(db_path, tmp_path / "before-accounts.sqlite3")
    services.auth.create_first_admin("王站长", "secret-1")
    dialog = BackupDialog(services)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    asked = _answer_sign_in(monkeypatch, accepted=True)
    assert dialog.restore_from(empty)
    assert asked == ["请重新登录", "登录"]
    assert services.auth.users() == []  # the restored file's own (no) accounts


@linux_only("chattr makes a folder read-only for root too")
def test_startup_guard_says_a_read_only_folder_is_one(db_path, qtbot, monkeypatch):
    """Not an unexpected error (the lock file could not be made) and not a damaged database."""
    from desktop.models.database import open_database
    from desktop.views.safety.backup_dialog import startup_guard

    open_database(db_path).dispose()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[1:3]))
    with read_only(db_path, db_path.parent):
        assert startup_guard(db_path) is None
    assert len(shown) == 1 and "只读" in shown[0][1] and "损坏" not in "".join(shown[0]), shown
