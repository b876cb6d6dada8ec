"""The main window: tree, search, filters, villages tab, first run."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.services.context import AppServices
from desktop.views.main_window import MainWindow
from desktop.views.registry.household_table_model import COL_HEAD


@pytest.fixture
def window(qtbot, demo_engine):
    services = AppServices(engine=demo_engine)
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    return window


def test_title_names_the_township(window):
    assert "回头看工作台" in window.windowTitle()
    assert "桃江县桃花江镇" in window.windowTitle()


def test_search_by_pinyin_initials_narrows_the_table(window, qtbot):
    page = window.households_page
    assert page.model.rowCount() == 300
    head = page.model.row_at(0).head_name
    from desktop.services.registry.rules import initials

    qtbot.keyClicks(page.search_edit, initials(head))
    assert 0 < page.model.rowCount() < 300
    shown = [page.model.data(page.model.index(i, COL_HEAD)) for i in range(page.model.rowCount())]
    assert head in shown or any(page.model.row_at(i).head_name for i in range(len(shown)))
    assert "显示" in page.count_label.text()


def test_selecting_a_village_in_the_tree_filters_households(window):
    village = window.villages_page.model.village_at(0)
    assert window.nav_tree.select_node("village", village.id)
    page = window.households_page
    assert page.model.rowCount() == village.households
    assert {page.model.row_at(i).village_id for i in range(page.model.rowCount())} == {village.id}


def test_villages_tab_has_totals_and_refuses_deleting_a_village_with_households(
    window, monkeypatch
):
    messages = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: messages.append(a[2]))
    village = window.villages_page.model.village_at(0)
    window.villages_page.table.selectRow(0)
    window.villages_page.delete_button.click()
    assert messages and "还有" in messages[0] and "不能删除" in messages[0]
    names = [v.name for v in window.services.registry.village_summaries()]
    assert village.name in names


def test_sorting_by_clicking_a_header(window, qtbot):
    page = window.households_page
    header = page.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_center(header, 4))
    counts = [page.model.row_at(i).member_count for i in range(page.model.rowCount())]
    assert counts in (sorted(counts), sorted(counts, reverse=True))


def _section_center(header, section):
    from PySide6.QtCore import QPoint

    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    return QPoint(x, header.height() // 2)


def test_menus_offer_every_job_and_show_the_user(window):
    titles = {a.text() for a in window.menuBar().actions()}
    assert {"文件(&F)", "户(&H)", "村(&V)", "工具(&T)", "帮助(&A)"} <= titles
    texts = {
        a.text()
        for menu in window.menuBar().findChildren(type(window.file_menu))
        for a in menu.actions()
    }
    for wanted in (
        "导入花名册…",
        "导出花名册…",
        "填写入户核查表…",
        "登记问题…",
        "备份与恢复…",
        "修改历史…",
        "督查（抽样、整改函、季度档案）",
    ):
        assert wanted in texts
    assert "管理员" in window.user_label.text()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "户籍", "村", "整改台账", "整改看板", "督查", "部门比对", "摸底表（附件2–6）", "调查问卷",
    ]  # fmt: skip


def test_feature_tabs_are_built_when_first_shown(window, qtbot):
    """Start-up builds the households and villages only; a tab's page appears when it is shown."""
    from desktop.views.inspections.inspections_page import InspectionsPage
    from desktop.views.problems.problem_ledger import ProblemLedgerWidget

    labels = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert not any(
        isinstance(window.tabs.widget(i), (ProblemLedgerWidget, InspectionsPage))
        for i in range(window.tabs.count())
    )
    window.tabs.setCurrentIndex(labels.index("督查"))
    shown = window.tabs.currentWidget()
    assert isinstance(shown, InspectionsPage) and shown.isVisible()
    assert window.tabs.tabText(window.tabs.currentIndex()) == "督查"
    assert window.inspections_page is shown  # the same page from then on
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == labels


def test_a_ledger_built_after_the_tree_was_used_takes_its_scope(window):
    village = window.villages_page.model.village_at(0)
    assert window.nav_tree.select_node("village", village.id)
    labels = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(labels.index("整改台账"))
    ledger = window.tabs.currentWidget()
    assert ledger is window.problem_ledger
    shown = {ledger.model.row_at(i).village_id for i in range(ledger.model.rowCount())}
    assert shown <= {village.id}
    assert ledger.count_label.text().startswith(f"{window.nav_tree.currentItem().text(0)}：")


def test_the_tree_scopes_the_problem_ledger_too(window):
    ledger = window.problem_ledger
    everything = ledger.model.total_count()
    assert ledger.model.rowCount() == everything > 0
    village_id = max(
        (r.village_id for r in ledger.model.rows() if r.village_id is not None),
        key=[r.village_id for r in ledger.model.rows()].count,
    )
    assert window.nav_tree.select_node("village", village_id)
    shown = {ledger.model.row_at(i).village_id for i in range(ledger.model.rowCount())}
    assert shown == {village_id}
    village_name = window.nav_tree.currentItem().text(0)
    assert ledger.count_label.text().startswith(f"{village_name}：")
    assert f"显示 {ledger.model.rowCount()} 个" in ledger.count_label.text()
    township = window.services.registry.tree()[0].children[0]
    assert window.nav_tree.select_node("township", township.id)
    assert ledger.model.rowCount() == everything  # the one township: units' problems included


def test_the_village_box_and_the_tree_are_one_filter(window):
    assert window.wait_for_rows()
    page = window.households_page
    first, second = (window.villages_page.model.village_at(i) for i in (0, 1))
    window.nav_tree.select_node("village", first.id)
    assert page.village_combo.currentData() == first.id  # the box shows the tree's village
    page.village_combo.setCurrentIndex(page.village_combo.findData(second.id))
    assert window.nav_tree.village_of_selection() == second.id  # the tree follows the box
    assert page.model.rowCount() == second.households
    assert {page.model.row_at(i).village_id for i in range(page.model.rowCount())} == {second.id}
    page.village_combo.setCurrentIndex(0)  # 全部: back to the township around
    assert window.nav_tree.selected_node()[0] == "township"
    assert page.model.rowCount() == 300 and page.empty_label.isHidden()


def test_an_empty_result_says_which_filters_are_on(window, qtbot):
    assert window.wait_for_rows()
    page = window.households_page
    village = window.villages_page.model.village_at(0)
    window.nav_tree.select_node("village", village.id)
    page.kind_combo.setCurrentIndex(1)
    page.search_edit.setText("没有这个人")
    assert page.model.rowCount() == 0
    assert not page.empty_label.isHidden()
    text = page.empty_label.text()
    assert f"范围：{village.name}" in text and "搜索：“没有这个人”" in text
    assert f"属性：{page.kind_combo.currentText()}" in text
    page.clear_button.click()
    assert page.model.rowCount() == village.households and page.empty_label.isHidden()
    assert page.village_combo.currentData() == village.id  # the place stays


def test_at_county_scale_the_villages_counts_arrive_after_the_first_page(
    qtbot, demo_engine, monkeypatch
):
    # Above COUNTS_LATER households the window paints before the villages are counted.
    monkeypatch.setattr("desktop.views.main_window.COUNTS_LATER", 10)
    services = AppServices(engine=demo_engine)
    window = MainWindow(services)
    qtbot.addWidget(window)
    assert window.households_page.model.rowCount() == 300
    assert window.households_page.village_combo.count() > 1  # the filter has its villages
    assert window.wait_for_rows()
    expected = services.registry.village_summaries()
    model = window.villages_page.model
    assert [model.village_at(i) for i in range(len(expected))] == expected
    assert window.households_page.model.rowCount() == services.registry.household_count()


def test_a_clerk_granted_one_township_sees_only_it(qtbot, demo_engine):
    from desktop.services.registry.data import HouseholdData, MemberData

    services = AppServices(engine=demo_engine)
    services.user = admin = services.auth.create_first_admin("县管理员", "secret-1")
    other = services.registry.create_township("桃江县", "西河镇")
    village = services.registry.save_village(township_id=other, name="河口村", code="901")
    head = MemberData(name="周河", sex="男", relation="户主")
    services.registry.save_household(
        HouseholdData(code="901001", village_id=village, members=[head])
    )
    clerk = services.auth.add_user(admin, "李录入", "clerk", "secret-2")
    services.auth.set_townships(admin, clerk, [other])
    services.user = services.auth.sign_in("李录入", "secret-2")
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    assert "西河镇" in window.windowTitle() and "桃花江镇" not in window.windowTitle()
    page = window.households_page
    assert page.model.rowCount() == 1 and page.model.row_at(0).head_name == "周河"
    assert [v.name for v in window.services.registry.village_summaries()] == ["河口村"]
