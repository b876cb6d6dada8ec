"""Starting the window: open the database, first-run choices, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from desktop import APP_NAME
from desktop.models.database import DatabaseError, db_target, is_server_url, open_database
from desktop.paths import backups_dir, data_dir, default_db_path, resources_dir
from desktop.services.context import AppServices
from desktop.services.safety.backup import NoLock
from desktop.services.settings import last_database, save_setting

DEMO_DB_NAME = "demo.sqlite3"


def open_services(path: Path) -> AppServices:
    """Open a database file (migrating it) and return its services."""
    engine = open_database(path, backup_dir=backups_dir())
    return AppServices(engine=engine, db_path=path)


def open_server(url: str, parent=None) -> AppServices | None:
    """Open the county's PostgreSQL database; ask for the password when the server wants one.

    The password typed is used for this session only. None when the clerk gave up; the
    reason was shown.
    """
    from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

    from desktop.services.connection import ServerAddress, needs_password, with_password

    address, password = ServerAddress.of(url), ""
    while True:
        try:
            engine = open_database(with_password(url, password))
        except DatabaseError as exc:
            if not needs_password(str(exc)):
                QMessageBox.critical(parent, "无法打开数据库", str(exc))
                return None
            password, ok = QInputDialog.getText(
                parent,
                "数据库密码",
                f"{exc!s}\n\n请输入{address.label}的密码：",
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                return None
            continue
        return AppServices(engine=engine, server_address=address.url())


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
    from desktop.views.first_run_dialog import COPY, CREATE, DEMO, FirstRunDialog

    server = services.server_address is not None
    demo_path = services.db_path if demo_here else data_dir() / DEMO_DB_NAME
    shown = "本县数据库服务器" if server else str(demo_path or "")
    answer, accepted = FirstRunDialog.run(window_parent, shown, offer_copy=server)
    if not accepted or answer is None:
        return services
    choice, county, township, *source = answer
    if choice == COPY:
        _copy_township(services, source[0], window_parent)
        return services
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


def _copy_township(services: AppServices, source: str, parent=None) -> None:
    """Copy a township's file into the empty county database; say how it went."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.services.county_copy import CopyError, copy_database

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = copy_database(Path(source), services.engine)
    except CopyError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(parent, "未能复制", f"未复制任何内容：{exc}")
        return
    QApplication.restoreOverrideCursor()
    households = result.counts.get("household", 0)
    QMessageBox.information(
        parent,
        "复制完成",
        f"已从 {Path(source).name} 复制 {households} 户，共 {result.total} 条记录；"
        "复制后逐表核对行数，两边一致。",
    )


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

    target = db_target(str(db_path)) if db_path else (last_database() or default_db_path())
    if is_server_url(target):
        # The county's server: several clerks at once, so no file lock and no file backups.
        lock, services = NoLock(), open_server(str(target))
        if services is None:
            return 2
        db_path = target  # named on purpose: remembered like a file given with --db
    else:
        path = Path(target)
        # Local disk only, one window per file, a quick check and the daily backup, first.
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
    if services.server_address is not None:
        save_setting("last_database", services.server_address)
    elif services.db_path is not None and (db_path is not None or not services.registry.is_demo()):
        save_setting("last_database", str(services.db_path))
    window = MainWindow(services)
    window.show()
    try:
        return app.exec()
    finally:
        lock.release()
        services.engine.dispose()  # close the file: a caller may move or delete it (Windows)
