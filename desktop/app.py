"""Starting the window: open the database, first-run choices, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from desktop import APP_NAME
from desktop.models.database import DatabaseError, open_database
from desktop.paths import backups_dir, data_dir, default_db_path, resources_dir
from desktop.services.context import AppServices
from desktop.services.settings import last_database, save_setting

DEMO_DB_NAME = "demo.sqlite3"


def open_services(path: Path) -> AppServices:
    """Open a database file (migrating it) and return its services."""
    engine = open_database(path, backup_dir=backups_dir())
    return AppServices(engine=engine, db_path=path)


def _first_run(
    services: AppServices, window_parent=None, *, demo_here: bool = False
) -> AppServices:
    """Offer to create the township or to open the demo; return the services to use.

    With `demo_here` (the file was named with --db) the demo is written into that very file;
    otherwise into its own file in the data folder, so that the user's default database stays
    empty for the real township. The caller holds the lock of `services.db_path` only; opening
    the demo file takes its own.
    """
    from desktop.demo.township import build_demo
    from desktop.views.first_run_dialog import CREATE, DEMO, FirstRunDialog

    demo_path = services.db_path if demo_here else data_dir() / DEMO_DB_NAME
    answer, accepted = FirstRunDialog.run(window_parent, str(demo_path or ""))
    if not accepted or answer is None:
        return services
    choice, county, township = answer
    if choice == CREATE:
        services.registry.create_township(county, township)
        return services
    if choice == DEMO and demo_here:
        build_demo(services.engine)
        return services
    if choice == DEMO:
        demo = open_services(demo_path)
        if not demo.registry.has_township():
            build_demo(demo.engine)
        return demo
    return services


def run_app(db_path: Path | None = None, *, sign_in: bool = True) -> int:
    """Open the main window on a database (default: the last one, or the user's default).

    `sign_in=False` is for the start-up probe of the installer checks only: it measures the
    window, so it skips the sign-in dialog and acts as the built-in 系统 user.
    """
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    icon = resources_dir() / "icons" / "app.png"
    if icon.exists():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    from desktop.views.startup import prepare_application

    prepare_application(app)  # Qt's own texts in Chinese, the Chinese locale, the style sheet
    from desktop.views import crash_handler

    crash_handler.install()  # anything no view catches: a Chinese message, the log file
    from desktop.views.safety.backup_dialog import startup_guard
    from desktop.views.safety.login_dialog import LoginDialog

    path = Path(db_path) if db_path else (last_database() or default_db_path())
    # Local disk only, one window per file, a quick check and the daily backup, before opening.
    lock = startup_guard(path, None)
    if lock is None:
        return 2
    try:
        services = open_services(path)
    except DatabaseError as exc:
        lock.release()
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 2
    if not services.registry.has_township():
        chosen = _first_run(services, demo_here=db_path is not None)
        if chosen is not services:
            demo_lock = startup_guard(chosen.db_path, None)
            if demo_lock is None:
                return 2
            lock.release()
            lock, services = demo_lock, chosen
    signed_in = LoginDialog.run(services)[1] if sign_in else True
    if not signed_in:
        lock.release()
        return 0
    # The demo file in the data folder is visited, not moved into: the next start goes back to
    # the user's own database. A demo named with --db is the user's choice and is remembered.
    if services.db_path is not None and (db_path is not None or not services.registry.is_demo()):
        save_setting("last_database", str(services.db_path))
    window = MainWindow(services)
    window.show()
    try:
        return app.exec()
    finally:
        lock.release()
        services.engine.dispose()  # close the file: a caller may move or delete it (Windows)
