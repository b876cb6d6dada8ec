"""Tab goes down each form as its rows stand, in every window a clerk fills in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QWidget

from desktop.services.context import AppServices
from tests.views.test_window_fit import _windows


@pytest.fixture
def services(demo_engine, tmp_path):
    return AppServices(demo_engine, db_path=tmp_path / "demo.sqlite3")


def _focus_chain(window: QWidget) -> list[QWidget]:
    chain, widget = [], window.nextInFocusChain()
    while widget is not window and widget not in chain:
        chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def _takes_tab(widget: QWidget, window: QWidget) -> bool:
    return (
        widget.isVisibleTo(window)
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
    )


def _form_fields(form: QFormLayout, window: QWidget) -> list[tuple[str, QWidget]]:
    """The rows' fields that Tab stops at, top to bottom, each named by its label."""
    fields = []
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        name = label.widget().text() if label and label.widget() else f"第 {row + 1} 行"
        widget = item.widget() if item else None
        if widget is None:
            continue
        stops = [widget] if _takes_tab(widget, window) else []
        stops += [w for w in widget.findChildren(QWidget) if _takes_tab(w, window)]
        fields += [(name, stop) for stop in stops[:1]]
    return fields


def _windows_with_forms(services, empty):
    from desktop.views.safety.login_dialog import LoginDialog

    windows = dict(_windows(services))
    windows["首次使用"] = lambda: LoginDialog(empty)  # no user yet: the first-run rows
    windows["登录"] = lambda: LoginDialog(services)
    return windows


@pytest.mark.parametrize(
    "name", ["首次使用", "登录", "户", "问题", "备份", "用户", "入户核查表", "农户信息采集表"]
)
def test_tab_follows_the_rows_of_every_form(qtbot, services, engine, monkeypatch, name):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    window = _windows_with_forms(services, AppServices(engine=engine))[name]()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    chain = _focus_chain(window)
    for form in window.findChildren(QFormLayout):
        fields = _form_fields(form, window)
        places = [(chain.index(w), label) for label, w in fields if w in chain]
        order = [label for _place, label in sorted(places)]
        assert order == [label for _place, label in places], f"{name}: Tab goes {order}"
