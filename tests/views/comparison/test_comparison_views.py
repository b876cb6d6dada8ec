"""The 部门比对 tab: import with preview and mapping, hits, a case taken through its levels."""

from __future__ import annotations

import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.views.comparison import comparison_page
from desktop.views.comparison.case_dialog import CaseDialog
from desktop.views.comparison.comparison_page import ComparisonPage
from desktop.views.comparison.import_dialog import NOT_MAPPED, ImportListDialog


@pytest.fixture
def services(demo_engine):
    return AppServices(engine=demo_engine, user=CurrentUser("李录入", "clerk"))


def test_page_lists_hits_cases_and_lists(qtbot, services):
    page = ComparisonPage(services)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    assert page.hits_model.rowCount() > 0
    assert page.hit_filter.currentText() == "未处理"
    assert all(h.status == "open" for h in page.hits_model.rows())
    assert page.lists_model.rowCount() == 7
    assert "公安（车管所）" in page.summary.text()
    page.stage_filter.setCurrentIndex(page.stage_filter.findText("待县核定"))
    assert {c.stage for c in page.cases_model.rows()} == {"approve"}


def test_import_dialog_previews_maps_and_reports_errors(qtbot, services, tmp_path):
    path = tmp_path / "公积金.csv"
    number = services.comparison.hits()[0]
    path.write_text("缴存人,证件号,单位\n张三,123,某公司\n", encoding="gbk")
    dialog = ImportListDialog(services)
    qtbot.addWidget(dialog)
    dialog.department.setCurrentText("公积金")
    dialog.open_file(path)
    assert dialog.preview.rowCount() == 1 and dialog.preview.columnCount() == 3
    assert dialog.role_boxes["name"].currentText() == "缴存人"
    assert dialog.role_boxes["birth_date"].currentText() == NOT_MAPPED
    assert "GBK" in dialog.message.text()
    dialog.role_boxes["id_number"].setCurrentText("证件号")
    dialog.import_button.click()
    assert "整个文件没有导入" in dialog.message.text()
    assert dialog.issues.rowCount() == 1 and dialog.issues.item(0, 0).text() == "2"
    assert dialog.report_button.isVisible() or not dialog.isVisible()
    assert number  # the demo's hits are untouched by the rejected file
    before = len(services.comparison.lists())
    path.write_text("缴存人,证件号,单位\n张三,\n", encoding="utf-8")
    dialog.open_file(path)
    dialog.role_boxes["id_number"].setCurrentText("证件号")
    dialog.import_button.click()
    assert len(services.comparison.lists()) == before


def test_a_case_goes_through_the_dialog_and_permissions_show(qtbot, services):
    waiting = services.cases.cases(stage="verify")[0]
    dialog = CaseDialog(services, waiting.id)
    qtbot.addWidget(dialog)
    assert dialog.hits.rowCount() >= 1
    assert dialog.finding.isVisibleTo(dialog) and not dialog.send_back.isEnabled()
    dialog.submit.click()
    assert "核实的情况" in dialog.error_label.text()
    dialog.finding.setPlainText("入户核实：车辆属实")
    dialog.submit.click()
    assert dialog.error_label.text() == ""
    assert dialog.detail.row.stage == "review" and dialog.steps.rowCount() == 1
    dialog.submit.click()  # a clerk may not review
    assert "无权" in dialog.error_label.text()
    assert dialog.detail.row.stage == "review"


def _type_date(qtbot, date_edit, text):
    """Type over a date field and leave it with Tab, as a clerk does."""
    date_edit.line_edit.setFocus()
    qtbot.waitUntil(lambda: date_edit.line_edit.hasFocus())
    date_edit.line_edit.selectAll()
    qtbot.keyClicks(date_edit.line_edit, text)
    qtbot.keyClick(date_edit.line_edit, Qt.Key.Key_Tab)


def test_roster_dialog_writes_a_pdf(qtbot, services, tmp_path, monkeypatch):
    target = tmp_path / "清退.pdf"
    monkeypatch.setattr(
        comparison_page.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
    )
    dialog = comparison_page.RosterDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    _type_date(qtbot, dialog.start, "2018.1.1")  # as a clerk types it
    assert dialog.start.value() == datetime.date(2018, 1, 1)
    dialog._save(".pdf")
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert target.read_bytes().startswith(b"%PDF")
    assert dialog.written == target


def test_the_tab_follows_the_navigation_trees_scope(qtbot, services):
    from desktop.views.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    page = window.comparison_page
    every_hit, every_case = page.hits_model.rowCount(), page.cases_model.rowCount()
    villages = [h.village for h in page.hits_model.rows()]
    busiest = max(set(villages), key=villages.count)
    village_id = next(v.id for v in services.registry.village_summaries() if v.name == busiest)
    assert window.nav_tree.select_node("village", village_id)
    shown = {page.hits_model.row_at(i).village for i in range(page.hits_model.rowCount())}
    assert shown == {busiest} and page.hits_model.rowCount() == villages.count(busiest)
    assert {c.village for c in page.cases_model.rows()} <= {busiest}
    assert page.summary.text().startswith(f"{busiest}：各部门疑点")
    assert page.lists_model.rowCount() == 7  # a department's list is the whole county's
    quiet = next(v.id for v in services.registry.village_summaries() if v.name not in set(villages))
    assert window.nav_tree.select_node("village", quiet)
    assert page.hits_model.rowCount() == 0
    assert " 0/0" in page.summary.text()
    township = services.registry.tree()[0].children[0]
    assert window.nav_tree.select_node("township", township.id)
    assert page.hits_model.rowCount() == every_hit
    assert page.cases_model.rowCount() == every_case
    window.nav_tree.setCurrentItem(window.nav_tree.topLevelItem(0))  # 全部
    assert page.hits_model.rowCount() == every_hit
    assert page.summary.text().startswith("各部门疑点")


def test_a_wrong_typed_date_is_refused_and_the_entries_stay(qtbot, services, monkeypatch):
    warned = []
    monkeypatch.setattr(
        "PySide6.QtWidgets.QMessageBox.warning", lambda _parent, _title, text: warned.append(text)
    )
    waiting = services.cases.cases(stage="verify")[0]
    dialog = CaseDialog(services, waiting.id)
    qtbot.addWidget(dialog)
    dialog.finding.setPlainText("入户核实：车辆属实")
    dialog.show()
    _type_date(qtbot, dialog.day, "2024-13-01")
    dialog.submit.click()
    qtbot.wait(20)  # the refusal put the cursor back in the field: let that settle
    assert warned and "月份" in warned[0]
    assert dialog.detail.row.stage == "verify" and dialog.steps.rowCount() == 0
    assert dialog.finding.toPlainText() == "入户核实：车辆属实"
    assert services.cases.case(waiting.id).row.stage == "verify"
