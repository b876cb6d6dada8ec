"""The audit log viewer: filters, Chinese names, an empty result says why, exports the view."""

from __future__ import annotations

import datetime

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.safety.audit_view import VIEW_HEADERS
from desktop.views.safety.audit_log_dialog import AuditLogDialog
from desktop.views.safety.audit_table_model import COL_FIELD, COL_NEW, COL_TABLE
from tests.problem_fixtures import clear_problems, problem


@pytest.fixture
def services(demo_engine):
    clear_problems(demo_engine)
    services = AppServices(engine=demo_engine, user=CurrentUser(name="刘芳", role="admin"))
    problem_id = services.problems.save(problem(services.problems, demo_engine), "刘芳")
    data = services.problems.get(problem_id)
    data.cause = "年久失修"
    services.problems.save(data, "刘芳")
    return services


def _dialog(qtbot, services):
    dialog = AuditLogDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _texts(dialog, column):
    model = dialog.model
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_the_log_shows_in_chinese_and_filters(qtbot, services):
    dialog = _dialog(qtbot, services)
    model = dialog.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(10)] == list(VIEW_HEADERS)
    assert model.rowCount() > 0
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("问题"))
    assert set(_texts(dialog, COL_TABLE)) <= {"问题", "整改记录", "延期", "佐证材料"}
    fields, news = _texts(dialog, COL_FIELD), _texts(dialog, COL_NEW)
    assert ("原因分析", "年久失修") in set(zip(fields, news, strict=True))
    assert all(text.isascii() is False for text in fields if text)
    dialog.user_combo.setCurrentIndex(dialog.user_combo.findData("刘芳"))
    assert model.rowCount() > 0
    assert "刘芳" in dialog.count_label.text()


def test_an_empty_result_says_which_filters_are_on(qtbot, services):
    dialog = _dialog(qtbot, services)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    dialog.start_edit.set_value(yesterday)
    dialog.end_edit.set_value(yesterday)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("问题"))
    assert dialog.model.rowCount() == 0
    text = dialog.count_label.text()
    assert "没有符合条件的记录" in text and "对象 问题" in text and str(yesterday) in text
    assert not dialog.export_button.isEnabled()


def test_export_writes_the_rows_on_screen(qtbot, services, tmp_path, monkeypatch):
    dialog = _dialog(qtbot, services)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("问题"))
    shown = dialog.model.rowCount()
    path = tmp_path / "日志.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    dialog.export_button.click()
    sheet = openpyxl.load_workbook(path).active
    assert sheet.max_row == shown + 2
    assert [c.value for c in sheet[2]] == list(VIEW_HEADERS)


def test_a_clerk_sees_no_log(qtbot, services, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    services.user = CurrentUser(name="李录入", role="clerk")
    dialog = _dialog(qtbot, services)
    assert dialog.model.rowCount() == 0
    assert "只有管理员" in dialog.count_label.text()
    assert not dialog.export_button.isEnabled()


def test_the_time_is_read_whole_under_the_apps_style_sheet(qtbot, qapp, services):
    """The style sheet's larger font counts when the columns are sized before the dialog shows."""
    from desktop.views.safety.audit_table_model import COL_AT
    from desktop.views.startup import apply_style

    before = qapp.styleSheet()
    apply_style(qapp)
    try:
        dialog = _dialog(qtbot, services)
        qtbot.waitExposed(dialog)
        metrics = dialog.table.fontMetrics()
        longest = max(metrics.horizontalAdvance(text) for text in _texts(dialog, COL_AT))
        assert dialog.table.columnWidth(COL_AT) >= longest + 12
    finally:
        qapp.setStyleSheet(before)
