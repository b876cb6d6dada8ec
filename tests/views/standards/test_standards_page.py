"""The 摸底表 page: the chosen 附件 on screen as on paper, export, standards, 补短清单 / 点球."""

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QDoubleSpinBox, QMessageBox

from desktop.services.context import AppServices
from desktop.views.standards.standards_page import (
    HouseholdValuesDialog,
    ShortfallDialog,
    StandardsPage,
    ThresholdDialog,
)


@pytest.fixture
def services(sichuan_engine):
    return AppServices(engine=sichuan_engine)


@pytest.fixture
def page(qtbot, services):
    page = StandardsPage(services)
    qtbot.addWidget(page)
    return page


def _choose(page, code, place_text=None):
    page.sheet_combo.setCurrentIndex(page.sheet_combo.findData(code))
    if place_text:
        page.place_combo.setCurrentIndex(page.place_combo.findText(place_text))


def test_the_page_offers_the_sichuan_campaign_and_its_five_tables(page):
    texts = [page.campaign_combo.itemText(i) for i in range(page.campaign_combo.count())]
    assert len(texts) == 2 and any("桃江县" in t and "无附件表样" in t for t in texts)
    assert "青神县" in page.campaign_combo.currentText()  # the one with sheets comes first
    texts = [page.sheet_combo.itemText(i) for i in range(page.sheet_combo.count())]
    assert texts[0] == "附件2 贫困户“回头看”摸底表"
    assert texts[4] == "附件6 退出贫困村“回头帮”成果统计表"


def test_fj3_on_screen_has_the_papers_header_rows_and_total(page):
    _choose(page, "fj3", "西龙镇 柳沟村")
    table, sheet = page.table, page.table.sheet
    assert sheet.code == "fj3" and "柳沟村" in sheet.title
    assert table.rowCount() == 3 + len(sheet.rows) + 1
    assert table.item(0, 0).text() == "序号" and table.rowSpan(0, 0) == 3
    assert table.item(0, 4).text() == "“回头看”未达标项目" and table.columnSpan(0, 4) == 7
    assert table.item(2, 5).text() == "义务教育\n人数"
    last = table.rowCount() - 1
    assert table.item(last, 0).text() == "合计"
    assert table.item(last, 2).text() == str(sum(r[2] for r in sheet.rows))
    assert "3100元" in page.note_label.text()


def test_fj5_puts_the_subtotal_first_on_screen(page):
    _choose(page, "fj5")
    assert page.place_combo.currentText() == "西龙镇"
    assert page.table.item(3, 0).text() == "西龙镇小计"


def test_export_writes_the_sheet_shown(page, tmp_path):
    _choose(page, "fj2", "西龙镇 柳沟村")
    assert page.export_to(tmp_path / "fj2.xlsx")
    ws = load_workbook(tmp_path / "fj2.xlsx").worksheets[0]
    assert ws["A1"].value == page.table.sheet.title
    assert page.export_to(tmp_path / "fj2.pdf")
    assert (tmp_path / "fj2.pdf").read_bytes().startswith(b"%PDF")


def test_a_changed_standard_re_evaluates_the_sheet_at_once(qtbot, page, services):
    _choose(page, "fj3", "西龙镇 柳沟村")
    before = len(page.table.sheet.rows)
    campaign = services.standards.campaign(page.campaign_combo.currentData())
    dialog = ThresholdDialog(services, page.campaign_combo.currentData())
    qtbot.addWidget(dialog)
    dialog.findChild(QDoubleSpinBox, "2016").setValue(9000)
    dialog._on_buttons_accepted()
    assert dialog.result() == ThresholdDialog.DialogCode.Accepted
    page.refresh()
    assert len(page.table.sheet.rows) > before
    assert "2016年9000元" in page.note_label.text()
    assert campaign.standard_revision < services.standards.campaign(campaign.id).standard_revision


def test_household_values_are_entered_from_fj2(qtbot, page, services):
    _choose(page, "fj2", "西龙镇 柳沟村")
    household_id = page.table.row_id(3)
    dialog = HouseholdValuesDialog(services, page.campaign_combo.currentData(), household_id)
    qtbot.addWidget(dialog)
    dialog.money["total_income"].setValue(1000)
    dialog.money["operating_expense"].setValue(0)
    dialog._on_buttons_accepted()
    page.refresh()
    assert page.table.item(3, 3).text() == f"{1000 / page.table.sheet.rows[0][1]:.2f}"
    _choose(page, "fj3")
    assert household_id in page.table.sheet.row_ids


def test_dianqiu_from_the_shortfall_list(qtbot, page, services, monkeypatch):
    services.problems.ensure_reference_data()
    _choose(page, "fj3", "西龙镇 柳沟村")
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    dialog = ShortfallDialog(services, page.campaign_combo.currentData(), page._place())
    qtbot.addWidget(dialog)
    n = dialog.table.rowCount()
    assert n == len(dialog.shortfalls) > 0
    assert dialog.table.item(0, 4).text() == "未点球"
    dialog._on_assign_button_clicked()
    assert dialog.error_label.text() == ""
    assert all(s.fix is not None for s in dialog.shortfalls)
    assert not dialog.assign_button.isEnabled()
    numbers = {r.number for r in services.problems.rows()}
    assert {s.fix.number for s in dialog.shortfalls} <= numbers


def test_a_completed_sheet_shows_the_note_when_the_standard_changed(page, services):
    _choose(page, "fj3", "西龙镇 柳沟村")
    rows = page.table.sheet.rows
    assert page.state_label.text() == "状态：草稿（随标准重新计算）"
    page.complete_button.click()
    assert page.state_label.text() == "状态：已完成" and page.sign_button.isEnabled()
    services.standards.set_threshold(page.campaign_combo.currentData(), 2016, 9000)
    page.refresh()
    assert page.table.sheet.rows == rows
    assert "此后标准已改动" in page.changed_label.text()
    page.sign_button.click()
    assert page.state_label.text() == "状态：已签字"
    assert not page.complete_button.isEnabled() and page.unlock_button.isEnabled()
    page.reopen_button.setEnabled(True)
    page.reopen_button.click()  # refused while signed: the message says how
    assert "已签字" in page.error_label.text()


def _hunan(page) -> int:
    return next(
        i for i in range(page.campaign_combo.count()) if "桃江县" in page.campaign_combo.itemText(i)
    )


def test_an_administrator_sets_the_hunan_2020_figure_from_the_window(qtbot, page, services):
    """hunan_2020.json gives no amount for 2020: the page says so and the dialog sets it."""
    page.campaign_combo.setCurrentIndex(_hunan(page))
    campaign_id = page.campaign_combo.currentData()
    assert page.sheet_combo.count() == 0 and not page.export_button.isEnabled()
    assert "2020年 未设定" in page.note_label.text()
    assert page.threshold_button.isEnabled()
    unmet = services.standards.evaluate(campaign_id).households[0]
    assert unmet.threshold.amount is None and "income" in unmet.missing
    dialog = ThresholdDialog(services, campaign_id)
    qtbot.addWidget(dialog)
    dialog.findChild(QDoubleSpinBox, "2020").setValue(4000)
    dialog._on_buttons_accepted()
    assert dialog.result() == ThresholdDialog.DialogCode.Accepted
    assert services.standards.campaign(campaign_id).thresholds == {2020: 4000.0}
    result = services.standards.evaluate(campaign_id).households[0]
    assert result.threshold.amount == 4000  # evaluated at once against the figure set
    page._on_campaign_combo_changed()
    assert "2020年 4000元" in page.note_label.text()


def test_only_an_administrator_may_set_a_standard(qtbot, services):
    from desktop.services.actor import CurrentUser

    services.user = CurrentUser(name="李录入", role="clerk")
    page = StandardsPage(services)
    qtbot.addWidget(page)
    page.campaign_combo.setCurrentIndex(_hunan(page))
    assert not page.threshold_button.isEnabled()
    campaign_id = page.campaign_combo.currentData()
    dialog = ThresholdDialog(services, campaign_id)
    qtbot.addWidget(dialog)
    dialog.findChild(QDoubleSpinBox, "2020").setValue(4000)
    dialog._on_buttons_accepted()
    assert "无权设定脱贫标准" in dialog.error_label.text()
    assert services.standards.campaign(campaign_id).thresholds == {}
