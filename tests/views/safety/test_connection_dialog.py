"""工具 → 数据库连接…: choose the county's server or this PC's file; the password is not saved."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop.services.context import AppServices
from desktop.services.settings import load_settings, save_setting
from desktop.views.safety.connection_dialog import LOCAL, ConnectionDialog


def _dialog(qtbot, engine, db_path):
    dialog = ConnectionDialog(AppServices(engine, db_path=db_path))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _save(dialog):
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert button.text() == "保存"
    button.click()


def _fill(dialog, host="127.0.0.1", port=1, database="county", user="clerk", password="pw"):
    dialog.server_radio.setChecked(True)
    dialog.host_edit.setText(host)
    dialog.port_spin.setValue(port)
    dialog.database_edit.setText(database)
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)


def test_the_dialog_names_the_database_open_now_and_starts_on_the_file(qtbot, engine, db_path):
    dialog = _dialog(qtbot, engine, db_path)
    assert dialog.local_radio.isChecked() and not dialog.server_box.isEnabled()
    texts = [w.text() for w in dialog.findChildren(type(dialog.result_label))]
    assert any(t == f"当前使用：本机数据库文件 {db_path}" for t in texts)


def test_a_server_that_does_not_answer_is_said_in_chinese_and_nothing_is_saved(
    qtbot, engine, db_path
):
    pytest.importorskip("psycopg", reason="the PostgreSQL driver (extra postgres) is not installed")
    dialog = _dialog(qtbot, engine, db_path)
    _fill(dialog)
    assert dialog.server_box.isEnabled()
    dialog.test_button.click()
    said = dialog.result_label.text()
    assert "无法连接数据库服务器" in said and "连接被拒绝" in said and "pw" not in said
    assert "last_database" not in load_settings()


def test_saving_a_server_keeps_its_address_for_the_next_start_without_the_password(
    qtbot, engine, db_path
):
    dialog = _dialog(qtbot, engine, db_path)
    _fill(dialog, host="192.168.1.10", port=5432, password="secret")
    _save(dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert load_settings()["last_database"] == "postgresql://clerk@192.168.1.10:5432/county"
    assert "secret" not in str(load_settings())
    again = _dialog(qtbot, engine, db_path)  # opened again: the saved server filled in
    assert again.server_radio.isChecked() and again.host_edit.text() == "192.168.1.10"
    assert again.password_edit.text() == ""


def test_missing_fields_are_named_and_the_dialog_stays(qtbot, engine, db_path):
    dialog = _dialog(qtbot, engine, db_path)
    _fill(dialog, host="", database="")
    _save(dialog)
    assert "请填写服务器地址" in dialog.result_label.text()
    assert "请填写数据库名" in dialog.result_label.text() and dialog.isVisible()


def test_going_back_to_the_file_saves_the_file(qtbot, engine, db_path):
    save_setting("last_database", "postgresql://clerk@192.168.1.10:5432/county")
    dialog = _dialog(qtbot, engine, db_path)
    assert dialog.server_radio.isChecked()
    dialog.local_radio.setChecked(True)
    _save(dialog)
    assert dialog.saved == LOCAL and load_settings()["last_database"] == str(db_path)


def test_the_window_opens_a_server_that_is_not_there_with_a_chinese_message(qtbot, monkeypatch):
    pytest.importorskip("psycopg", reason="the PostgreSQL driver (extra postgres) is not installed")
    from desktop.app import open_server

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    assert open_server("postgresql://clerk@127.0.0.1:1/county") is None
    assert "连接被拒绝" in shown[0]
