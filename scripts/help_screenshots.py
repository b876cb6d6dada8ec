"""Take the user guide's pictures (resources/help/images) of the real screens at 1366×768.

Run under Xvfb so the window system draws real windows with the real fonts:

    Xvfb :77 -screen 0 1366x768x24 &
    DISPLAY=:77 PYTHONPATH=$PWD python3 scripts/help_screenshots.py [--out DIR]

It builds a small demo township in a temporary folder, opens each screen the guide shows at
the screen's size and saves what the window draws. Look at every picture before committing it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _settle(app, ms: int = 600) -> None:
    """Let the window system map, lay out and paint the windows."""
    from PySide6.QtCore import QElapsedTimer

    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < ms:
        app.processEvents()


def _save(app, widget, path: Path) -> None:
    widget.show()
    _settle(app)
    widget.grab().save(str(path))
    print(f"saved {path}", flush=True)


def _save_calendar(app, form, path: Path) -> None:
    """The form's 核查时间 with its calendar open (F4), the popup drawn over the dialog."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QPainter

    from desktop.views.date_edit import DateEdit

    edit = next(e for e in form.findChildren(DateEdit) if e.isVisible() and not e.isReadOnly())
    form.scroll.ensureWidgetVisible(edit)
    _settle(app)
    edit.open_calendar()
    _settle(app)
    popup = edit.calendar.window()
    picture = form.grab()
    at = form.mapFromGlobal(popup.frameGeometry().topLeft())
    painter = QPainter(picture)
    painter.drawPixmap(at, popup.grab())
    painter.end()
    field = QRect(edit.mapTo(form, QPoint(0, 0)), edit.size())
    around = field.united(QRect(at, popup.size())).adjusted(-360, -60, 200, 40)
    picture.copy(around & picture.rect()).save(str(path))
    popup.close()
    print(f"saved {path}", flush=True)


def main() -> None:
    """Build the demo, open each screen and save its picture."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "help" / "images")
    parser.add_argument(
        "--walk", action="store_true", help="also every tab and the backup and users dialogs"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from desktop.demo.township import build_demo
    from desktop.models.database import open_database
    from desktop.services.context import AppServices
    from desktop.views.startup import prepare_application
    from desktop.views.window_fit import install_screen_fitter

    app = QApplication(sys.argv)
    prepare_application(app)
    install_screen_fitter(app)
    folder = Path(tempfile.mkdtemp(prefix="help_shots_"))
    db = folder / "demo.sqlite3"
    engine = open_database(db)
    build_demo(engine, households=300, seed=7, data_dir=folder / "data", sichuan=False)
    services = AppServices(engine, db_path=db)
    household = next(r.id for r in services.registry.household_rows() if r.member_count >= 3)

    from desktop.views.forms.form_dialog import FormDialog
    from desktop.views.forms.print_preview import PrintPreviewDialog
    from desktop.views.main_window import MainWindow
    from desktop.views.problems.problem_dialog import ProblemDialog
    from desktop.views.registry.household_dialog import HouseholdDialog
    from desktop.views.safety.audit_log_dialog import AuditLogDialog

    window = MainWindow(services)
    window.showMaximized()
    _save(app, window, args.out / "main.png")
    _save(app, HouseholdDialog(services, household, window), args.out / "household.png")
    form = FormDialog(services, household, "verification", window)
    _save(app, form, args.out / "verification.png")
    _save_calendar(app, form, args.out / "calendar.png")
    pdf, missing = form.render_pdf()
    preview = PrintPreviewDialog(pdf, "入户核查表", window, missing)
    _save(app, preview, args.out / "preview.png")
    collection = FormDialog(services, household, "collection", window)
    _save(app, collection, args.out / "collection.png")
    problem = ProblemDialog(services, None, window, household_id=household)
    _save(app, problem, args.out / "problem.png")
    _save(app, AuditLogDialog(services, window), args.out / "audit_log.png")
    if args.walk:
        from desktop.views.safety.backup_dialog import BackupDialog
        from desktop.views.safety.users_dialog import UsersDialog

        _save(app, BackupDialog(services, window), args.out / "backup.png")
        _save(app, UsersDialog(services, window), args.out / "users.png")
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            _settle(app, 1500)  # pages are built when first shown
            window.grab().save(str(args.out / f"tab{index}.png"))
            print(f"saved tab {index} {window.tabs.tabText(index)}", flush=True)
    for widget in app.topLevelWidgets():
        widget.hide()
    engine.dispose()


if __name__ == "__main__":
    main()
