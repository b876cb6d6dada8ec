"""工具 → 数据库连接…: work on this PC's database file, or on the county's PostgreSQL server.

The choice is saved for this Windows user and takes effect at the next start (the window has
the current database open). 测试连接 tries the server once without changing anything; the
password is used for the test only and never saved (see services/connection.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.connection import DEFAULT_PORT, ServerAddress, describe, try_server
from desktop.services.context import AppServices
from desktop.services.settings import load_settings, save_setting
from desktop.views.dialogs import dialog_buttons

LOCAL, SERVER = "local", "server"
OK_STYLE, BAD_STYLE = "color: #1d6b1d", "color: #b00020"


class ConnectionDialog(QDialog):
    """Choose the database the window opens: 本机数据库文件 or 县数据库服务器."""

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("数据库连接 — 回头看工作台")
        self.services = services
        self.saved: str | None = None  # what was saved: a server address or LOCAL
        now = services.server_address or str(services.db_path or "")
        current = QLabel(f"当前使用：{describe(now)}")
        current.setWordWrap(True)

        self.local_radio = QRadioButton("本机数据库文件（本乡镇单独使用，不需要网络）")
        self.server_radio = QRadioButton("县数据库服务器（PostgreSQL，多名录入员同时使用）")
        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText("例如：192.168.1.10")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.database_edit = QLineEdit()
        self.database_edit.setPlaceholderText("例如：huitoukan")
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("只用于测试连接，不保存；启动时再输入")
        self.test_button = QPushButton("测试连接")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.server_box = QGroupBox("服务器")
        form = QFormLayout(self.server_box)
        form.addRow("服务器地址", self.host_edit)
        form.addRow("端口", self.port_spin)
        form.addRow("数据库名", self.database_edit)
        form.addRow("用户名", self.user_edit)
        form.addRow("密码", self.password_edit)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.result_label, 1)
        form.addRow(row)
        note = QLabel(
            "更改在下次启动程序时生效。服务器由县里的管理员建好并给出地址、数据库名和用户名。"
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555")

        layout = QVBoxLayout(self)
        layout.addWidget(current)
        layout.addWidget(self.local_radio)
        layout.addWidget(self.server_radio)
        layout.addWidget(self.server_box)
        layout.addWidget(note)
        layout.addWidget(dialog_buttons(self, "保存", "取消", on_accept=self._on_save))

        self.local_radio.toggled.connect(self._on_kind_changed)
        self.test_button.clicked.connect(self._on_test)
        self._fill(now)

    def _fill(self, now: str) -> None:
        saved = load_settings().get("last_database") or ""
        shown = now if self.services.server_address else saved
        try:
            address = ServerAddress.of(shown)
        except AppError:
            self.local_radio.setChecked(True)
            self._on_kind_changed()
            return
        self.server_radio.setChecked(True)
        self.host_edit.setText(address.host)
        self.port_spin.setValue(address.port)
        self.database_edit.setText(address.database)
        self.user_edit.setText(address.user)
        self._on_kind_changed()

    def address(self) -> ServerAddress:
        """The server as filled in."""
        return ServerAddress(
            host=self.host_edit.text().strip(),
            database=self.database_edit.text().strip(),
            user=self.user_edit.text().strip(),
            port=self.port_spin.value(),
        )

    def _on_kind_changed(self, *_args) -> None:
        self.server_box.setEnabled(self.server_radio.isChecked())
        self.result_label.clear()

    def _say(self, text: str, ok: bool) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(OK_STYLE if ok else BAD_STYLE)

    def _on_test(self) -> bool:
        try:
            try_server(self.address(), self.password_edit.text())
        except AppError as exc:
            self._say(str(exc), False)
            return False
        self._say("连接成功", True)
        return True

    def _on_save(self) -> None:
        if self.local_radio.isChecked():
            # The file open now; from the server, the default file of the data folder.
            path = self.services.db_path
            save_setting("last_database", str(path) if path is not None else None)
            self.saved = LOCAL
            self.accept()
            return
        problems = self.address().problems()
        if problems:
            self._say("；".join(problems), False)
            return
        save_setting("last_database", self.address().url())  # never the password
        self.saved = self.address().url()
        self.accept()

    @classmethod
    def run(cls, services: AppServices, parent: QWidget | None = None) -> tuple[str | None, bool]:
        """Open the dialog; return (what was saved: a server address or LOCAL, saved)."""
        dialog = cls(services, parent)
        dialog.exec()
        return dialog.saved, dialog.saved is not None
