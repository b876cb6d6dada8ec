"""The roster import and export dialogs, driven without blocking on exec()."""

from __future__ import annotations

import threading

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QPushButton
from sqlalchemy import func, select

import desktop.views.roster.roster_import_dialog as dialog_module
from desktop.models.registry import Household
from desktop.services.context import AppServices
from desktop.services.roster.template import HEADERS
from desktop.views.roster.roster_export_dialog import RosterExportDialog
from desktop.views.roster.roster_import_dialog import RosterImportDialog
from desktop.views.signals import hub
from tests.roster_samples import clean_rows, write_xlsx


@pytest.fixture
def services(engine):
    return AppServices(engine=engine)


def household_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count(Household.id))).scalar()


def open_dialog(qtbot, services, path) -> RosterImportDialog:
    dialog = RosterImportDialog(services, path)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def finish(qtbot, dialog) -> None:
    qtbot.waitUntil(
        lambda: dialog.result_data is not None and not dialog.is_running(), timeout=20000
    )


def test_preview_then_import_emits_registry_changed(qtbot, services, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", clean_rows(), title_rows=["花名册"])
    dialog = open_dialog(qtbot, services, path)
    assert dialog.preview.rowCount() == 6
    assert dialog.preview.verticalHeaderItem(0).text() == "3"  # Excel's row number
    assert dialog.preview.item(0, 6).text() == "张三"
    assert not dialog.mapping_box.isVisibleTo(dialog)  # standard headers: no mapping step
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(hub().registry_changed, timeout=20000):
        dialog.import_button.click()
    finish(qtbot, dialog)
    assert dialog.result_data.written and household_count(services.engine) == 3
    assert "已导入 3 户" in dialog.summary.text()


def test_errors_are_listed_and_the_report_can_be_saved(qtbot, services, tmp_path):
    rows = clean_rows()
    rows[1]["证件号码"] = "4.30922E+17"
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    dialog = open_dialog(qtbot, services, path)
    dialog.start_import()
    finish(qtbot, dialog)
    assert not dialog.result_data.written and household_count(services.engine) == 0
    assert "全部未导入" in dialog.summary.text()
    result = dialog.result_data
    assert len(result.errors) == 1
    assert dialog.errors_table.rowCount() == len(result.errors) + len(result.warnings)
    assert dialog.errors_table.item(0, 4).text() == "错误"  # errors first, then warnings
    assert dialog.errors_table.item(0, 0).text() == "3"
    assert dialog.errors_table.item(0, 1).text() == "I（证件号码）"
    assert dialog.report_button.isVisibleTo(dialog)
    out = dialog.save_report(tmp_path / "report.xlsx")
    assert load_workbook(out).worksheets[0]["I3"].fill.fgColor.rgb.endswith("FFC7CE")
    # Skipping the bad household imports the others.
    dialog.skip_invalid.setChecked(True)
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.result_data.written, timeout=20000)
    assert household_count(services.engine) == 2


def test_mapping_step_for_other_headers(qtbot, services, tmp_path):
    renamed = {"证件号码": "公民号码", "户编号": "编号"}
    headers = [renamed.get(h, h) for h in HEADERS]
    rows = [{renamed.get(k, k): v for k, v in row.items()} for row in clean_rows()]
    path = write_xlsx(tmp_path / "r.xlsx", rows, headers=headers)
    dialog = open_dialog(qtbot, services, path)
    assert dialog.mapping_box.isVisibleTo(dialog)
    assert not dialog.import_button.isEnabled()
    assert "证件号码" in dialog.mapping_note.text()
    dialog.set_source_column("证件号码", headers.index("公民号码"))
    dialog.set_source_column("户编号", headers.index("编号"))
    assert dialog.import_button.isEnabled()
    dialog.start_import()
    finish(qtbot, dialog)
    assert dialog.result_data.written and household_count(services.engine) == 3


def test_cancel_writes_nothing(qtbot, services, tmp_path, monkeypatch):
    started = threading.Event()

    import_file = services.roster.import_file

    def slow_import(path, cancel, **kwargs):
        # Hold the worker until the user has pressed 取消, so the test does not race it.
        started.set()
        for _ in range(200):
            if cancel():
                break
            threading.Event().wait(0.01)
        return import_file(path, cancel=cancel, **kwargs)

    monkeypatch.setattr(services.roster, "import_file", slow_import)
    path = write_xlsx(tmp_path / "r.xlsx", clean_rows())
    dialog = open_dialog(qtbot, services, path)
    dialog.start_import()
    qtbot.waitUntil(started.is_set, timeout=5000)
    dialog.job.progress.findChild(QPushButton).click()  # the progress dialog's 取消 button
    finish(qtbot, dialog)
    assert dialog.result_data.cancelled and household_count(services.engine) == 0
    assert "取消" in dialog.summary.text()


def test_an_unexpected_failure_is_shown_and_the_dialog_stays_usable(
    qtbot, services, tmp_path, monkeypatch
):
    def broken_import(*_args, **_kwargs):
        raise RuntimeError("磁盘已满")

    warned = []
    monkeypatch.setattr(services.roster, "import_file", broken_import)
    monkeypatch.setattr(
        dialog_module.QMessageBox, "warning", lambda _parent, _title, text: warned.append(text)
    )
    dialog = open_dialog(qtbot, services, write_xlsx(tmp_path / "r.xlsx", clean_rows()))
    dialog.start_import()
    qtbot.waitUntil(lambda: bool(warned), timeout=20000)
    assert "磁盘已满" in warned[0] and "没有任何改动" in warned[0]
    assert not dialog.is_running() and dialog.import_button.isEnabled()
    assert household_count(services.engine) == 0


def test_unreadable_file_shows_why(qtbot, services, tmp_path):
    path = tmp_path / "bad.xls"
    path.write_bytes(b"garbage")
    dialog = open_dialog(qtbot, services, path)
    assert not dialog.import_button.isEnabled()
    assert "无法读取文件" in dialog.mapping_note.text()


@pytest.mark.parametrize("full_ids", [False, True])
def test_export_dialog(qtbot, demo_engine, tmp_path, full_ids):
    dialog = RosterExportDialog(AppServices(engine=demo_engine))
    qtbot.addWidget(dialog)
    out = tmp_path / "out.xlsx"
    dialog.path_edit.setText(str(out))
    assert not dialog.full_ids.isChecked()  # masked unless asked
    dialog.full_ids.setChecked(full_ids)
    dialog.start_export()
    qtbot.waitUntil(
        lambda: dialog.rows_written is not None and not dialog.is_running(), timeout=20000
    )
    first = list(load_workbook(out, read_only=True).active.values)[1]
    assert ("*" in first[8]) != full_ids


def test_members_left_out_are_removed_only_when_chosen(qtbot, services, tmp_path):
    from desktop.services.roster.importer import import_roster

    assert import_roster(services.db, write_xlsx(tmp_path / "all.xlsx", clean_rows())).written
    rows = clean_rows()
    del rows[1]  # 李梅 of H001
    dialog = open_dialog(qtbot, services, write_xlsx(tmp_path / "part.xlsx", rows))
    assert not dialog.remove_missing.isVisibleTo(dialog)
    dialog.start_import()
    finish(qtbot, dialog)
    assert not dialog.result_data.written
    assert dialog.remove_missing.isVisibleTo(dialog) and not dialog.remove_missing.isChecked()
    shown = [dialog.errors_table.item(r, 2).text() for r in range(dialog.errors_table.rowCount())]
    assert any(text.startswith("李梅（430922") and "*" in text for text in shown)
    dialog.remove_missing.setChecked(True)
    dialog.import_button.click()  # 重新导入
    qtbot.waitUntil(lambda: dialog.result_data.written, timeout=20000)
    assert dialog.result_data.written
    assert "删除成员 1 人" in dialog.summary.text()
