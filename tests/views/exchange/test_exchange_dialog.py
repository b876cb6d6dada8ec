"""工具 → 交换包…: the county imports a township's packages, sees a conflict field by field,
takes the township's copy, and sends a package back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models.registry import Household
from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.exchange.service import ExchangeService
from desktop.services.unit_of_work import Database
from desktop.views.exchange.exchange_dialog import ExchangeDialog


def _set_phone(db: Database, code: str, phone: str) -> None:
    with db.unit_of_work() as s:
        s.scalar(select(Household).where(Household.code == code)).phone = phone


def test_the_county_imports_resolves_and_sends_back(qtbot, engine, demo_engine, tmp_path):
    county = AppServices(engine=engine, user=CurrentUser(name="县审核员"))
    township = ExchangeService(Database(demo_engine), tmp_path / "township-data")
    township.set_key(county.exchange.new_county_key().text)
    dialog = ExchangeDialog(county)
    qtbot.addWidget(dialog)
    assert "县里的电脑" in dialog.key_label.text() and dialog.model.rowCount() == 0

    assert dialog.import_from(township.export(tmp_path / "a1.htkx").path)
    assert "已导入 桃花江镇 第 1 号交换包" in dialog.message.text()
    with county.db.session() as s:
        code = s.scalars(select(Household.code).order_by(Household.code)).first()
    _set_phone(township.db, code, "13800000001")
    _set_phone(county.db, code, "13900000002")
    assert dialog.import_from(township.export(tmp_path / "a2.htkx").path)
    assert "冲突 1 条" in dialog.message.text() and dialog.model.rowCount() == 1
    assert not dialog.take_button.isEnabled()
    dialog.conflict_view.selectRow(0)
    cells = [dialog.diff_table.item(0, c).text() for c in range(3)]
    assert cells == ["联系电话", "13900000002", "13800000001"]

    qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    assert "已处理：采用对方" in dialog.message.text() and dialog.model.rowCount() == 0
    assert dialog.changed
    with county.db.session() as s:
        assert s.scalar(select(Household.phone).where(Household.code == code)) == "13800000001"

    assert not dialog.import_from(tmp_path / "a2.htkx")
    assert "导入过" in dialog.message.text()
    assert [dialog.township_combo.itemText(i) for i in range(dialog.township_combo.count())] == [
        "桃花江镇"
    ]
    assert dialog.export_to(tmp_path / "back.htkx")
    assert "已导出 桃花江镇 第 1 号交换包" in dialog.message.text()
    assert township.import_package(tmp_path / "back.htkx").counts.conflicts == 0
