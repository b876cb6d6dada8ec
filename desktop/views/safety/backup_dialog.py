"""BackupDialog (back up to a folder, restore from a file) and the start-up guard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.paths import backups_dir
from desktop.services.context import AppServices
from desktop.services.safety import backup as backup_service
from desktop.services.safety.auth import CHANGE_SETTINGS, RESTORE_BACKUP, can
from desktop.services.safety.backup import (
    AlreadyOpenError,
    DatabaseLock,
    leaves_data_folder,
)
from desktop.services.safety.backup_crypto import is_encrypted
from desktop.views.dialogs import confirm, dialog_buttons
from desktop.views.signals import hub


class BackupPasswordDialog(QDialog):
    """The backup password: typed twice when an administrator sets it, once to restore."""

    def __init__(self, *, twice: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("备份密码")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.again_edit = QLineEdit()
        self.again_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        form = QFormLayout()
        form.addRow("备份密码", self.password_edit)
        if twice:
            form.addRow("再输一次", self.again_edit)
        self.again_edit.setVisible(twice)
        buttons = dialog_buttons(self, on_accept=self._on_buttons_accepted)
        self.twice = twice
        note = (
            "此后备份到数据文件夹以外（如U盘）时都用这个密码加密，备份时不再询问；"
            "恢复这些备份时需要输入它。请牢记并妥善保管：没有它，U盘上的备份无法恢复。"
            if twice
            else "这是加密的备份，请输入管理员设置的备份密码。"
        )
        layout = QVBoxLayout(self)
        label = QLabel(note)
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _on_buttons_accepted(self) -> None:
        if self.twice and self.password_edit.text() != self.again_edit.text():
            self.error_label.setText("两次输入的密码不一致")
            return
        self.accept()

    @classmethod
    def run(cls, *, twice: bool, parent: QWidget | None = None) -> tuple[str | None, bool]:
        """Ask for the backup password; return (password, accepted)."""
        dialog = cls(twice=twice, parent=parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None, False
        return dialog.password_edit.text(), True


NO_BACKUPS_TEXT = (
    "还没有自动备份：程序每天第一次打开本数据库时自动备份一次。"
    "也可以现在点“备份到文件夹（如U盘）…”。"
)


class BackupDialog(QDialog):
    """Automatic backups at a glance, back up to a folder, restore from a checked file."""

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.db_path = Path(services.db_path) if services.db_path else None
        self.setWindowTitle("备份与恢复")
        self.backups_list = QListWidget()
        # The no-backups note wraps: on one line it ran past the dialog behind a scroll bar.
        self.backups_list.setWordWrap(True)
        self.backups_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.generations_spin = QSpinBox()
        self.generations_spin.setRange(1, backup_service.MAX_GENERATIONS)
        self.generations_spin.setValue(backup_service.generations())
        self.generations_spin.setSuffix(" 份")
        self.generations_spin.setEnabled(can(services.user, CHANGE_SETTINGS))
        self.generations_spin.valueChanged.connect(self._on_generations_spin_value_changed)
        self.backup_button = QPushButton("备份到文件夹（如U盘）…")
        self.backup_button.clicked.connect(self._on_backup_button_clicked)
        self.password_button = QPushButton("设置备份密码…")
        self.password_button.setEnabled(can(services.user, CHANGE_SETTINGS))
        if not self.password_button.isEnabled():
            self.password_button.setToolTip("只有管理员可以设置备份密码")
        self.password_button.clicked.connect(self._on_password_button_clicked)
        self.password_label = QLabel()
        self.password_label.setWordWrap(True)
        self.restore_button = QPushButton("从备份文件恢复…")
        self.restore_button.setEnabled(can(services.user, RESTORE_BACKUP))
        if not self.restore_button.isEnabled():
            self.restore_button.setToolTip("只有管理员可以恢复数据库")
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        keep = QHBoxLayout()
        keep.addWidget(QLabel("自动备份保留最近"))
        keep.addWidget(self.generations_spin)
        keep.addStretch()
        actions = QHBoxLayout()
        actions.addWidget(self.backup_button)
        actions.addWidget(self.restore_button)
        actions.addWidget(self.password_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("自动备份（每天启动时一次，升级前一次）保存在："))
        # A long folder path in a label would make the dialog as wide as the path; in a
        # read-only line it scrolls, can be selected and copied, and the tooltip shows it whole.
        folder = QLineEdit(str(backups_dir()))
        folder.setReadOnly(True)
        folder.setToolTip(str(backups_dir()))
        layout.addWidget(folder)
        layout.addWidget(self.backups_list)
        layout.addLayout(keep)
        layout.addLayout(actions)
        layout.addWidget(self.password_label)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self._load()

    def _load(self) -> None:
        try:
            has_password = self.services.backups.has_backup_password()
        except AppError as exc:
            has_password = False
            self.password_label.setText(str(exc))
        else:
            self.password_label.setText(
                "备份到U盘等数据文件夹以外的位置时，用管理员设置的备份密码加密。"
                if has_password
                else "还没有设置备份密码：设置之前不能备份到U盘等数据文件夹以外的位置。"
            )
        self.password_button.setText("更改备份密码…" if has_password else "设置备份密码…")
        self.backups_list.clear()
        found = backup_service.list_backups(self.db_path) if self.db_path is not None else []
        for info in found:
            self.backups_list.addItem(
                f"{info.at:%Y-%m-%d %H:%M}  {info.kind_label}  {info.path.name}"
            )
        if not found:  # an empty box said nothing: say why and what to do
            note = QListWidgetItem(NO_BACKUPS_TEXT)
            note.setFlags(Qt.ItemFlag.NoItemFlags)
            self.backups_list.addItem(note)

    def _on_generations_spin_value_changed(self, value: int) -> None:
        backup_service.set_generations(value)

    def set_backup_password(self, password: str) -> bool:
        """Set the backup password (administrators); True when it was set."""
        try:
            self.services.backups.set_backup_password(self.services.user, password)
        except AppError as exc:
            self.status_label.setText(str(exc))
            return False
        self.status_label.setText("已设置备份密码。请牢记：没有它，U盘上的备份无法恢复。")
        self._load()
        return True

    def backup_to(self, folder: Path) -> Path | None:
        """Back up into a folder, log it and say where; None after an error shown to the user."""
        try:
            target = self.services.backups.back_up_to(folder)
        except AppError as exc:
            self.status_label.setText(str(exc))
            return None
        note = "（已加密，恢复时需要备份密码）" if leaves_data_folder(folder) else ""
        self.status_label.setText(f"已备份到 {target}{note}")
        return target

    def restore_from(self, source: Path, password: str | None = None) -> bool:
        """Check a backup, ask, swap it in and reopen; True when restored."""
        try:
            check = self.services.backups.check_backup(source, password)
        except AppError as exc:  # a wrong password: nothing changed
            QMessageBox.warning(self, "不能恢复", str(exc))
            return False
        if not check.ok:
            QMessageBox.warning(self, "不能恢复", f"{check.message}\n\n当前数据库未作任何改动。")
            return False
        if not confirm(
            self,
            "确认恢复",
            f"用备份文件\n{source}\n替换当前数据库？\n\n"
            "备份之后所做的修改将不在恢复后的数据库中；当前数据库会先另存一份到自动备份文件夹。",
        ):
            return False
        try:
            kept = self.services.backups.restore_from(source, password)
        except AppError as exc:
            QMessageBox.warning(self, "不能恢复", str(exc))
            return False
        self.status_label.setText(f"已恢复。原数据库另存为 {kept}")
        self._load()
        hub().registry_changed.emit()
        hub().problems_changed.emit()
        self._sign_in_again_if_unknown()
        return True

    def _sign_in_again_if_unknown(self) -> None:
        # Under Xvfb a backup taken before the first account was restored, and the window went
        # on as 管理员 wangli, a user the restored database does not have (its 用户管理 empty).
        from desktop.views.safety.login_dialog import LoginDialog

        user = self.services.user
        names = {u.name for u in self.services.auth.users() if u.active}
        if user is not None and user.name in names:
            return
        QMessageBox.information(
            self,
            "请重新登录",
            "恢复后的数据库中没有当前用户，请用该数据库的账户登录"
            "（数据库中没有账户时，先创建管理员）。",
        )
        _user, accepted = LoginDialog.run(self.services, self)
        if not accepted:  # nobody may go on working in it unsigned
            QApplication.instance().quit()

    def _on_backup_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择备份到的文件夹（如U盘）")
        if not folder:
            return
        self.backup_to(Path(folder))

    def _on_password_button_clicked(self) -> None:
        password, accepted = BackupPasswordDialog.run(twice=True, parent=self)
        if accepted:
            self.set_backup_password(password)

    def _on_restore_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "选择备份文件",
            str(backups_dir()),
            "数据库备份 (*.sqlite3 *.htkbak);;所有文件 (*)",
        )
        if not path:
            return
        password = None
        if is_encrypted(Path(path)):
            password, accepted = BackupPasswordDialog.run(twice=False, parent=self)
            if not accepted:
                return
        self.restore_from(Path(path), password)

    @classmethod
    def run(cls, services: AppServices, parent: QWidget | None = None) -> tuple[None, bool]:
        """Show the dialog (menu 文件 → 备份与恢复)."""
        cls(services, parent).exec()
        return None, True


def startup_guard(db_path: Path, parent: QWidget | None = None) -> DatabaseLock | None:
    """Before opening the database: local disk, one window, quick check, daily backup.

    Returns the held lock (keep it until the window closes), or None when the app should stop;
    a damaged file gets the offer to restore the newest good backup.
    """
    try:
        report = backup_service.startup(Path(db_path))
    except AlreadyOpenError as exc:
        QMessageBox.warning(parent, "数据库已打开", str(exc))
        return None
    except AppError as exc:
        QMessageBox.critical(parent, "数据库位置不可用", str(exc))
        return None
    if report.check.ok:
        return report.lock
    good = report.newest_good
    if good is None:
        QMessageBox.critical(
            parent,
            "数据库已损坏",
            f"{report.check.message}\n\n没有找到完好的自动备份。请用“huitoukan restore”从U盘上的"
            "备份恢复，或联系技术人员。",
        )
        report.lock.release()
        return None
    if not confirm(
        parent,
        "数据库已损坏",
        f"{report.check.message}\n\n是否用最近的完好备份恢复？\n"
        f"{good.at:%Y-%m-%d %H:%M}（{good.kind_label}）\n\n"
        "损坏的文件会另存一份，不会丢弃。",
    ):
        report.lock.release()
        return None
    try:
        backup_service.restore(good.path, Path(db_path))
    except AppError as exc:
        QMessageBox.critical(parent, "恢复失败", str(exc))
        report.lock.release()
        return None
    return report.lock
