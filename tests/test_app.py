"""Starting the application: default database, first run, the demo."""

from __future__ import annotations

from desktop import app as app_module
from desktop.app import _first_run, open_services
from desktop.views.first_run_dialog import CREATE, DEMO, FirstRunDialog


def test_first_run_creates_the_township(qtbot, db_path, monkeypatch):
    services = open_services(db_path)
    answer = ((CREATE, "桃江县", "修山镇"), True)
    monkeypatch.setattr(FirstRunDialog, "run", classmethod(lambda cls, *_a, **_k: answer))
    result = _first_run(services)
    assert result is services
    assert services.registry.title() == "桃江县修山镇"


def test_first_run_can_open_the_demo_in_the_data_folder(qtbot, db_path, data_dir, monkeypatch):
    services = open_services(db_path)
    answer = ((DEMO, "", ""), True)
    monkeypatch.setattr(FirstRunDialog, "run", classmethod(lambda cls, *_a, **_k: answer))
    from desktop.demo import township as demo

    original = demo.build_demo
    monkeypatch.setattr(demo, "build_demo", lambda engine: original(engine, households=120))
    result = _first_run(services)
    assert result.db_path == data_dir / app_module.DEMO_DB_NAME
    assert len(result.registry.village_summaries()) == 26 + 8  # and 青神县西龙镇
    assert not services.registry.has_township()


def test_first_run_dialog_requires_both_names(qtbot):
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.county_edit.setText("桃江县")  # keyClicks types ASCII only
    dialog.create_button.click()
    assert "请填写" in dialog.error_label.text()
    assert dialog.choice is None
    dialog.township_edit.setText("桃花江镇")
    dialog.create_button.click()
    assert dialog.choice == CREATE
    assert dialog.names() == ("桃江县", "桃花江镇")


def test_the_demo_goes_into_the_file_named_with_db_and_says_so(qtbot, db_path, monkeypatch):
    from desktop.views.main_window import MainWindow
    from desktop.views.safety.login_dialog import LoginDialog

    services = open_services(db_path)
    shown = {}

    def answer(cls, parent=None, target="", **_):
        shown["target"] = target
        return (DEMO, "", ""), True

    monkeypatch.setattr(FirstRunDialog, "run", classmethod(answer))
    from desktop.demo import township as demo

    original = demo.build_demo
    monkeypatch.setattr(demo, "build_demo", lambda engine: original(engine, households=60))
    result = _first_run(services, demo_here=True)
    assert result is services and shown["target"] == str(db_path)
    assert services.registry.has_township() and services.registry.is_demo()
    services.auth.create_first_admin("管理员", "an-admin-pw")
    login = LoginDialog(services)
    qtbot.addWidget(login)
    assert login.database_label.text() == f"数据库：{db_path.name}"
    assert not login.demo_label.isHidden() and "演示数据" in login.demo_label.text()
    window = MainWindow(services)
    qtbot.addWidget(window)
    assert window.windowTitle().startswith("【演示数据】")
    assert db_path.name in window.windowTitle()
    assert not window.demo_label.isHidden()


def test_a_real_database_does_not_say_demo(qtbot, db_path):
    from desktop.views.main_window import MainWindow
    from desktop.views.safety.login_dialog import LoginDialog

    services = open_services(db_path)
    services.registry.create_township("桃江县", "修山镇")
    services.auth.create_first_admin("管理员", "an-admin-pw")
    login = LoginDialog(services)
    qtbot.addWidget(login)
    assert login.demo_label.isHidden() and db_path.name in login.database_label.text()
    window = MainWindow(services)
    qtbot.addWidget(window)
    assert "演示" not in window.windowTitle() and "桃江县修山镇" in window.windowTitle()
    assert window.demo_label.isHidden()
