"""LoginDialog: sign in, or on first run create the administrator."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.actor import CurrentUser
from desktop.services.context import AppServices
from desktop.services.safety.auth import MIN_PASSWORD_LENGTH, AuthError
from desktop.views.database_name import DEMO_MARK, DEMO_STYLE, DEMO_WARNING, database_name, is_demo
from desktop.views.dialogs import dialog_buttons
from desktop.views.signals import hub


class LoginDialog(QDialog):
    """Asks for a name and a password; the first run creates the administrator instead."""

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.user: CurrentUser | None = None
        self.first_run = not services.auth.has_users()
        self.setWindowTitle("首次使用：创建管理员" if self.first_run else "登录回头看工作台")
        intro = QLabel(
            "这是第一次使用本数据库。请设置管理员的用户名和密码；管理员可以再添加录入员和审核员。"
            if self.first_run
            else "请输入用户名和密码。每一处修改都会记下操作人。"
        )
        intro.setWordWrap(True)
        self.database_label = QLabel(f"数据库：{database_name(services)}")
        self.database_label.setToolTip(str(services.db_path or ""))
        self.demo_label = QLabel(f"【{DEMO_MARK}】{DEMO_WARNING}")
        self.demo_label.setWordWrap(True)
        self.demo_label.setStyleSheet(DEMO_STYLE)
        self.demo_label.setVisible(is_demo(services))
        self.name_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.real_name_edit = QLineEdit()
        self.real_name_edit.setPlaceholderText("本人真实姓名（可以以后再填）")
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("用户名", self.name_edit)
        form.addRow("密码", self.password_edit)
        if self.first_run:
            self.password_edit.setPlaceholderText(f"至少 {MIN_PASSWORD_LENGTH} 位")
            form.addRow("再输一次", self.confirm_edit)
            form.addRow("姓名", self.real_name_edit)
        verb = "创建并登录" if self.first_run else "登录"
        buttons = dialog_buttons(self, verb, "退出", on_accept=self._on_buttons_accepted)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.database_label)
        layout.addWidget(self.demo_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)
        self.name_edit.setFocus()  # the keys go to the first row at once

    def _on_buttons_accepted(self) -> None:
        name, password = self.name_edit.text(), self.password_edit.text()
        try:
            if self.first_run:
                if password != self.confirm_edit.text():
                    raise AuthError("两次输入的密码不一致")
                self.user = self.services.auth.create_first_admin(
                    name, password, self.real_name_edit.text()
                )
            else:
                self.user = self.services.auth.sign_in(name, password)
        except AppError as exc:
            self.error_label.setText(str(exc))
            # Selected, so the next keys replace the wrong password instead of adding to it.
            self.password_edit.setFocus()
            self.password_edit.selectAll()
            return
        self.accept()

    @classmethod
    def run(
        cls, services: AppServices, parent: QWidget | None = None
    ) -> tuple[CurrentUser | None, bool]:
        """Show the dialog; on success set services.user and tell the views; (user, accepted)."""
        dialog = cls(services, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted and dialog.user is not None
        if accepted:
            services.user = dialog.user
            hub().user_changed.emit()
        return dialog.user, accepted
