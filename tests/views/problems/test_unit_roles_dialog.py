"""责任单位对照: the catalogue's units as a template the township fills with its own units."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.views.problems.problem_dialog import ProblemDialog
from desktop.views.problems.unit_roles_dialog import COL_PRINTED, COL_UNIT, UnitRolesDialog


def test_the_clerk_maps_a_role_and_the_problem_dialog_suggests_that_unit(
    qtbot, demo_engine, monkeypatch
):
    services = AppServices(engine=demo_engine, user=CurrentUser(name="刘芳"))
    dialog = UnitRolesDialog(services)
    qtbot.addWidget(dialog)
    printed = [dialog.table.item(r, COL_PRINTED).text() for r in range(dialog.table.rowCount())]
    assert printed[:2] == ["干汊河中心校", "舒城县中医院干汊河分院"]
    school = dialog.table.cellWidget(0, COL_UNIT)
    assert school.currentText() == "桃花江镇中心学校"  # the demo's units are its own
    dialog.set_unit("乡镇中心学校", "花园村")
    assert dialog.has_unsaved_changes()
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Save
    )
    dialog.reject()  # 关闭 asks, 保存 saves
    assert asked and not dialog.isVisible()

    problem = ProblemDialog(services, None)
    qtbot.addWidget(problem)
    problem.item_combo.setCurrentIndex(problem.item_combo.findData(problem._items[0].id))
    hint = problem.item_hint.text()
    assert "责任单位（本镇）：花园村、桃花江镇卫生院、集镇办" in hint
    assert "干汊河" not in hint and "舒城县" not in hint
    assert problem.unit_combo.currentText() == "花园村"  # the first suggested, proposed
