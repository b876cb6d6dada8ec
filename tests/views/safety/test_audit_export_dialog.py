"""AuditExportDialog: administrators export a period; others are told why not."""

from __future__ import annotations

from openpyxl import load_workbook

from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices


def test_admin_exports_this_month(demo_engine, tmp_path, qtbot):
    from desktop.views.safety.audit_export_dialog import AuditExportDialog

    services = AppServices(engine=demo_engine, user=CurrentUser("王站长", "admin", 1))
    data = services.registry.get_household(services.registry.household_rows()[0].id)
    data.phone = "13911112222"
    services.registry.save_household(data)
    dialog = AuditExportDialog(services)
    qtbot.addWidget(dialog)
    out = tmp_path / "log.xlsx"
    count = dialog.export_to(out)
    assert count and count >= 1 and "已导出" in dialog.status_label.text()
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert any(r[9] == "13911112222" for r in rows[1:])


def test_clerk_cannot_export(engine, qtbot):
    from desktop.views.safety.audit_export_dialog import AuditExportDialog

    dialog = AuditExportDialog(AppServices(engine=engine, user=CurrentUser("李", "clerk")))
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled() and "只有管理员" in dialog.status_label.text()
