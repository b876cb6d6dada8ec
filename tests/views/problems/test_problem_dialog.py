"""The problem dialog: raise from a household, refuse bad input keeping entries, workflow steps."""

from __future__ import annotations

import datetime

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.problems.rules import STATUS_AWAITING, STATUS_CLOSED, STATUS_IN_PROGRESS
from desktop.views.problems.problem_dialog import ProblemDialog
from desktop.views.signals import hub
from tests.problem_fixtures import clear_problems, household_id, problem
from tests.views.conflicts import choosing


@pytest.fixture
def services(demo_engine):
    clear_problems(demo_engine)
    return AppServices(engine=demo_engine, user=CurrentUser(name="刘芳"))


@pytest.fixture
def warnings(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    return shown


def _dialog(qtbot, services, problem_id=None, hh=None):
    dialog = ProblemDialog(services, problem_id, household_id=hh)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _fill(dialog):
    dialog.description_edit.setPlainText("房屋屋面漏雨")
    dialog.measures_edit.setPlainText("维修屋面")
    dialog.unit_combo.setCurrentIndex(dialog.unit_combo.findText("扶贫工作站"))
    dialog.person_combo.setEditText("王春梅")
    dialog.found_edit.set_value(datetime.date(2020, 5, 1))
    dialog.deadline_edit.set_value(datetime.date(2020, 5, 30))


def test_raise_from_a_household_and_save(qtbot, services, demo_engine):
    hh = household_id(demo_engine, 3)
    dialog = _dialog(qtbot, services, hh=hh)
    assert dialog.scope_combo.currentText() == "户"
    assert dialog.household_combo.currentData() == hh
    assert not dialog.tabs.isTabEnabled(1)  # progress comes after the first save
    assert dialog.unit_combo.currentText() == dialog.village_combo.currentText()  # proposed
    _fill(dialog)
    with qtbot.waitSignal(hub().problems_changed):
        dialog.buttons.accepted.emit()
    assert dialog.result() == ProblemDialog.DialogCode.Accepted
    data = services.problems.get(dialog.problem_id)
    assert data.household_id == hh and data.description == "房屋屋面漏雨"
    assert data.events[0].who == "刘芳"
    row = next(r for r in services.problems.rows() if r.id == dialog.problem_id)
    assert row.person_name == "王春梅"


def test_bad_input_is_refused_and_entries_stay(qtbot, services, warnings):
    dialog = _dialog(qtbot, services, hh=None)
    dialog.scope_combo.setCurrentText("户")
    _fill(dialog)
    dialog.deadline_edit.set_value(datetime.date(2020, 4, 1))  # before the found date
    dialog.buttons.accepted.emit()
    assert "请选择农户" in warnings[-1]
    dialog.village_combo.setCurrentIndex(1)
    dialog.household_combo.setCurrentIndex(1)
    dialog.buttons.accepted.emit()
    assert "不能早于发现日期" in warnings[-1]
    assert "不能早于发现日期" in dialog.error_label.text()
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.description_edit.toPlainText() == "房屋屋面漏雨"  # entries kept
    assert dialog.person_combo.currentText() == "王春梅"
    assert services.problems.count() == 0


def test_workflow_buttons_extension_and_close_out(
    qtbot, services, demo_engine, warnings, monkeypatch
):
    asked = []
    answers = []

    def question(*args, **kwargs):
        asked.append(args[2])
        return answers.pop(0) if answers else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    pid = services.problems.save(problem(services.problems, demo_engine), "刘芳")
    dialog = _dialog(qtbot, services, pid)
    assert not dialog.kind_combo.isEnabled() and not dialog.deadline_edit.isEnabled()
    assert dialog.start_button.isEnabled() and not dialog.close_button.isEnabled()
    dialog.extend_button.click()
    assert "原因" in warnings[-1]
    dialog.reason_edit.setPlainText("雨季施工困难")
    dialog.new_deadline_edit.set_value(datetime.date(2020, 7, 15))
    dialog.extend_button.click()
    assert services.problems.get(pid).deadline == datetime.date(2020, 7, 15)
    assert "原定 2020-05-31，已延期 1 次" in dialog.deadline_note.text()
    dialog.start_button.click()
    assert services.problems.get(pid).status == STATUS_IN_PROGRESS
    dialog.submit_button.click()
    assert services.problems.get(pid).status == STATUS_AWAITING
    dialog.opinion_edit.setPlainText("")
    dialog.close_button.click()
    assert "验收人" in warnings[-1] and not asked  # who checked is asked, never assumed
    dialog.verified_by_edit.setText("王验收")
    answers.append(QMessageBox.StandardButton.No)
    dialog.close_button.click()
    assert "王验收" in asked[-1]
    assert services.problems.get(pid).status == STATUS_AWAITING  # 否: nothing happens
    dialog.close_button.click()
    assert "验收意见" in warnings[-1]
    assert services.problems.get(pid).status == STATUS_AWAITING
    dialog.opinion_edit.setPlainText("经实地查看，整改到位")
    dialog.close_button.click()
    saved = services.problems.get(pid)
    assert saved.status == STATUS_CLOSED and saved.verified_by == "王验收"
    assert "已销号" in dialog.status_label.text()
    assert dialog.timeline.rowCount() == len(saved.events) == 5
    assert not dialog.description_edit.isEnabled()
    assert dialog.changed


def test_attachments_unreadable_refused_missing_shown(qtbot, services, demo_engine, warnings,
                                                      tmp_path):  # fmt: skip
    pid = services.problems.save(problem(services.problems, demo_engine), "刘芳")
    dialog = _dialog(qtbot, services, pid)
    assert not dialog.add_attachment(str(tmp_path / "没有.jpg"))
    assert "无法读取附件" in warnings[-1]
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG fake")
    assert dialog.add_attachment(str(photo))
    assert dialog.attachment_list.count() == 1
    stored = services.problems.attachment_file(services.problems.get(pid).attachments[0].path)
    stored.unlink()
    dialog2 = _dialog(qtbot, services, pid)
    assert "【文件缺失】" in dialog2.attachment_list.item(0).text()
    dialog2._open_attachment(dialog2.attachment_list.item(0))
    assert "不在了" in warnings[-1]


def test_add_a_unit_of_the_township(qtbot, services, warnings):
    dialog = _dialog(qtbot, services)
    assert dialog.add_unit("镇文化站", "镇直单位")
    assert dialog.unit_combo.currentText() == "镇文化站"
    assert services.problems.unit_id_by_name("镇文化站") == dialog.unit_combo.currentData()
    assert not dialog.add_unit("镇文化站")
    assert "已有名为“镇文化站”的单位" in warnings[-1]


def test_evidence_shows_as_thumbnails_that_open(
    qtbot, services, demo_engine, tmp_path, monkeypatch
):
    from PySide6.QtGui import QColor, QDesktopServices, QImage
    from reportlab.pdfgen import canvas

    from desktop.views.problems.thumbnails import THUMBNAIL_PX

    photo = tmp_path / "现场照片.png"
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor("#c00000"))
    assert image.save(str(photo))
    scan = tmp_path / "验收单.pdf"
    page = canvas.Canvas(str(scan))
    page.setFillColorRGB(0, 0, 0.8)
    page.rect(150, 200, 300, 400, fill=1)  # a blue box in the middle of white paper
    page.save()
    pid = services.problems.save(problem(services.problems, demo_engine), "刘芳")
    for path in (photo, scan):
        services.problems.add_attachment(pid, path, "刘芳")
    dialog = _dialog(qtbot, services, pid)
    items = [dialog.attachment_list.item(i) for i in range(dialog.attachment_list.count())]
    assert [i.text() for i in items] == ["现场照片.png", "验收单.pdf"]
    for item, colour in zip(items, ("#c00000", "#0000cc"), strict=True):
        picture = item.icon().pixmap(THUMBNAIL_PX, THUMBNAIL_PX).toImage()
        assert max(picture.width(), picture.height()) == THUMBNAIL_PX  # the file, scaled
        centre = picture.pixelColor(picture.width() // 2, picture.height() // 2)
        assert abs(centre.red() - QColor(colour).red()) < 40
        assert abs(centre.blue() - QColor(colour).blue()) < 40
    corner = items[1].icon().pixmap(THUMBNAIL_PX, THUMBNAIL_PX).toImage().pixelColor(5, 5)
    assert corner.lightness() > 240  # the page's paper is white, not transparent black
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    dialog.attachment_list.itemActivated.emit(items[0])
    assert opened and opened[0].toLocalFile().endswith(".png")


@pytest.mark.parametrize("choice", ["back", "theirs", "mine"])
def test_a_problem_saved_by_another_clerk_meanwhile_shows_both_and_the_clerk_chooses(
    qtbot, services, demo_engine, monkeypatch, choice
):
    problem_id = services.problems.save(problem(services.problems, demo_engine), "刘芳")
    dialog = _dialog(qtbot, services, problem_id)
    other = services.problems.get(problem_id)
    other.cause, other.note = "资金未到位", "镇里已督办"
    services.problems.save(other, "王录入")
    dialog.cause_edit.setPlainText("户主外出，无人申请")
    shown = choosing(qtbot, monkeypatch, choice)
    saved = dialog.save_changes()
    rows = {row[0]: row for row in shown}
    assert rows["原因分析"][2:5] == ("户主外出，无人申请", "资金未到位", "双方")
    assert rows["备注"][3:] == ("镇里已督办", "对方", "镇里已督办")
    stored = services.problems.get(problem_id)
    if choice == "back":
        assert not saved and dialog.cause_edit.toPlainText() == "户主外出，无人申请"
        assert stored.cause == "资金未到位"
    elif choice == "theirs":
        assert not saved and dialog.cause_edit.toPlainText() == "资金未到位"
        assert not dialog.has_unsaved_changes()
    else:
        assert saved and stored.cause == "户主外出，无人申请" and stored.note == "镇里已督办"
        assert not dialog.has_unsaved_changes()
