"""The village dialog edits the village's 一低六有 when its campaign's standard has them."""

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox

from desktop.services.context import AppServices
from desktop.views.registry.village_dialog import VillageDialog


def _village(services, name):
    return next(v for v in services.registry.village_summaries() if v.name == name)


def test_village_indicators_are_edited_and_saved(qtbot, sichuan_engine):
    services = AppServices(engine=sichuan_engine)
    village = _village(services, "柳沟村")
    dialog = VillageDialog(services, village.township_id, village)
    qtbot.addWidget(dialog)
    box = dialog.indicator_box
    assert box is not None and box.title() == "村级指标（一低六有）"
    form = box.layout()
    labels = [
        form.itemAt(i, form.ItemRole.LabelRole).widget().text() for i in range(form.rowCount())
    ]
    assert labels[0].startswith("贫困发生率达标") and labels[1:] == [
        "有主导产业", "有集体经济收入", "有硬化路", "有卫生室", "有文化室", "有通信网络",
    ]  # fmt: skip
    box.findChild(QDoubleSpinBox, "poverty_rate").setValue(2.5)
    box.findChild(QComboBox, "collective_income").setCurrentText("否")
    box.findChild(QComboBox, "clinic").setCurrentText("未录入")
    dialog._on_buttons_accepted()
    values = services.standards.village_values(village.id)
    assert values["poverty_rate"] == 2.5 and values["collective_income"] is False
    assert "clinic" not in values


def test_a_hunan_village_has_no_indicator_box(qtbot, sichuan_engine):
    services = AppServices(engine=sichuan_engine)
    village = services.registry.village_summaries()[0]
    dialog = VillageDialog(services, village.township_id, village)
    qtbot.addWidget(dialog)
    assert dialog.indicator_box is None
