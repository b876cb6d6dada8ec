"""UsersDialog: the administrator adds users, changes roles, resets passwords, disables users."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.context import AppServices
from desktop.services.safety.auth import (
    ALL_TOWNSHIPS_LABEL,
    MANAGE_USERS,
    ROLE_ADMIN,
    ROLE_LABELS,
    ROLES,
    UserInfo,
    can,
    role_duties,
)
from desktop.views.dialogs import dialog_buttons

COLUMNS = ("用户名", "姓名", "角色", "乡镇", "状态", "上次登录")
ADMIN_TOWNSHIPS_HINT = "管理员总能查看和修改全部乡镇"


def role_summary(role: str) -> str:
    """Return one line saying what a role may do and what it may not."""
    may, may_not = role_duties(role)
    text = f"{ROLE_LABELS[role]}可以：{'；'.join(may)}"
    return text + (f"。不可以：{'；'.join(may_not)}。" if may_not else "。")


def roles_explained() -> QLabel:
    """A label listing what each role may do, for the dialogs that choose a role."""
    paragraphs = []
    for role in ROLES:
        may, may_not = role_duties(role)
        text = f"<b>{ROLE_LABELS[role]}</b>可以：{'；'.join(may)}。"
        if may_not:
            text += f"<br><span style='color:#777'>不可以：{'；'.join(may_not)}。</span>"
        paragraphs.append(f"<p style='margin:0 0 6px 0'>{text}</p>")
    label = QLabel("".join(paragraphs))
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setStyleSheet("color: #444")
    return label


class AddUserDialog(QDialog):
    """Name, role and first password of a new user."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("添加用户")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("登录时输入的名字")
        self.real_name_edit = QLineEdit()
        self.real_name_edit.setPlaceholderText("本人真实姓名，签字时用")
        self.role_combo = QComboBox()
        for role in ROLES:
            self.role_combo.addItem(ROLE_LABELS[role], role)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("用户名", self.name_edit)
        form.addRow("姓名", self.real_name_edit)
        form.addRow("角色", self.role_combo)
        self.role_hint = QLabel()
        self.role_hint.setWordWrap(True)
        self.role_hint.setStyleSheet("color: #444")
        form.addRow("", self.role_hint)
        self.role_combo.currentIndexChanged.connect(self._on_role_combo_changed)
        self._on_role_combo_changed()
        form.addRow("初始密码", self.password_edit)
        buttons = dialog_buttons(self, "添加")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _on_role_combo_changed(self) -> None:
        self.role_hint.setText(role_summary(self.role_combo.currentData()))

    @classmethod
    def run(cls, parent: QWidget | None = None) -> tuple[tuple[str, str, str, str] | None, bool]:
        """Ask for a new user; return ((name, role, password, real name), accepted)."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None, False
        entered = (
            dialog.name_edit.text(),
            dialog.role_combo.currentData(),
            dialog.password_edit.text(),
            dialog.real_name_edit.text(),
        )
        return entered, True


class UsersDialog(QDialog):
    """Lists the users; administrators change them here (every change is logged)."""

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.users: list[UserInfo] = []
        self.setWindowTitle("用户管理")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.real_name_edit = QLineEdit()
        self.real_name_edit.setPlaceholderText("所选用户的姓名")
        self.real_name_button = QPushButton("保存姓名")
        self.real_name_button.clicked.connect(self._on_real_name_button_clicked)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        self.add_button = QPushButton("添加用户…")
        self.role_combo = QComboBox()
        for role in ROLES:
            self.role_combo.addItem(ROLE_LABELS[role], role)
        self.role_button = QPushButton("设为所选角色")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("新密码")
        self.password_button = QPushButton("重置密码")
        self.active_button = QPushButton("停用/启用")
        # An account locked by wrong passwords stays locked until an administrator says so.
        self.unlock_button = QPushButton("解除锁定")
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.role_button.clicked.connect(self._on_role_button_clicked)
        self.password_button.clicked.connect(self._on_password_button_clicked)
        self.active_button.clicked.connect(self._on_active_button_clicked)
        allowed = can(services.user, MANAGE_USERS)
        for w in (self.add_button, self.role_button, self.password_button, self.active_button,
                  self.unlock_button):  # fmt: skip
            w.setEnabled(allowed)
        row = QHBoxLayout()
        for w in (self.add_button, self.role_combo, self.role_button, self.password_edit,
                  self.password_button, self.active_button, self.unlock_button):  # fmt: skip
            row.addWidget(w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if not allowed:
            layout.addWidget(QLabel("只有管理员可以管理用户。"))
        layout.addWidget(self.table)
        layout.addLayout(row)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("姓名"))
        name_row.addWidget(self.real_name_edit, 1)
        name_row.addWidget(self.real_name_button)
        name_row.addStretch(2)
        layout.addLayout(name_row)
        self.real_name_button.setEnabled(allowed)
        layout.addWidget(self._townships_box(allowed))
        layout.addWidget(self.error_label)
        roles_box = QGroupBox("各角色的权限")
        QVBoxLayout(roles_box).addWidget(roles_explained())
        layout.addWidget(roles_box)
        layout.addWidget(buttons)
        self.resize(860, 640)
        self._load()

    def _townships_box(self, allowed: bool) -> QGroupBox:
        """The townships the selected user may work on: 全部乡镇, or the ones ticked."""
        box = QGroupBox("可以查看和修改的乡镇（县数据库上给录入员、审核员授权）")
        self.townships_list = QListWidget()
        self.townships_list.setMaximumHeight(120)
        for township_id, name in [(None, ALL_TOWNSHIPS_LABEL), *self.services.registry.townships()]:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, township_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = township_id is None  # a new user works on every township
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.townships_list.addItem(item)
        self.townships_list.itemChanged.connect(self._on_townships_list_item_changed)
        self.townships_hint = QLabel()
        self.townships_hint.setStyleSheet("color: #444")
        self.townships_button = QPushButton("保存乡镇授权")
        self.townships_button.clicked.connect(self._on_townships_button_clicked)
        self.townships_button.setEnabled(allowed)
        self.townships_list.setEnabled(allowed)
        row = QHBoxLayout(box)
        row.addWidget(self.townships_list, 2)
        side = QVBoxLayout()
        side.addWidget(self.townships_hint)
        side.addWidget(self.townships_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        row.addLayout(side, 1)
        return box

    def _township_items(self) -> list[QListWidgetItem]:
        return [self.townships_list.item(i) for i in range(self.townships_list.count())]

    def checked_townships(self) -> list[int]:
        """Return the ids of the townships ticked (empty: 全部乡镇)."""
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in self._township_items()[1:]
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _show_townships(self, user: UserInfo) -> None:
        granted = {township_id for township_id, _name in user.townships}
        self.townships_list.blockSignals(True)
        for item in self._township_items():
            township_id = item.data(Qt.ItemDataRole.UserRole)
            ticked = not granted if township_id is None else township_id in granted
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.townships_list.blockSignals(False)
        is_admin = user.role == ROLE_ADMIN
        manage = can(self.services.user, MANAGE_USERS)
        self.townships_list.setEnabled(manage and not is_admin)
        self.townships_button.setEnabled(manage and not is_admin)
        self.townships_hint.setText(ADMIN_TOWNSHIPS_HINT if is_admin else "")

    def _on_townships_list_item_changed(self, item: QListWidgetItem) -> None:
        # 全部乡镇 and single townships exclude each other; nothing ticked means 全部乡镇.
        items = self._township_items()
        self.townships_list.blockSignals(True)
        if item is items[0] and item.checkState() == Qt.CheckState.Checked:
            for other in items[1:]:
                other.setCheckState(Qt.CheckState.Unchecked)
        elif item is not items[0]:
            some = bool(self.checked_townships())
            items[0].setCheckState(Qt.CheckState.Unchecked if some else Qt.CheckState.Checked)
        self.townships_list.blockSignals(False)

    def _on_townships_button_clicked(self) -> None:
        user = self._selected()
        if user:
            ids = self.checked_townships()
            self._apply(lambda: self.services.auth.set_townships(self.services.user, user.id, ids))

    def _load(self) -> None:
        self.users = self.services.auth.users()
        self.locked = {u.id for u in self.users if self.services.auth.locked(u.id)}
        self.table.setRowCount(len(self.users))
        for r, u in enumerate(self.users):
            last = f"{u.last_sign_in:%Y-%m-%d %H:%M}" if u.last_sign_in else "从未登录"
            state = "启用" if u.active else "已停用"
            if u.id in self.locked:
                state += "，已锁定（密码连续错误）"
            values = (u.name, u.real_name, u.role_label, u.townships_label, state, last)
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()  # 上次登录 and 已锁定（密码连续错误） shown whole

    def _selected(self) -> UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.error_label.setText("请先在表中选择一名用户")
            return None
        return self.users[rows[0].row()]

    def _apply(self, action) -> bool:
        try:
            action()
        except AppError as exc:
            self.error_label.setText(str(exc))
            return False
        self.error_label.clear()
        self._load()
        return True

    def add_user(self, name: str, role: str, password: str, real_name: str = "") -> bool:
        """Add a user; errors show in the dialog."""
        return self._apply(
            lambda: self.services.auth.add_user(self.services.user, name, role, password, real_name)
        )

    def _on_table_selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            user = self.users[rows[0].row()]
            self.real_name_edit.setText(user.real_name)
            self._show_townships(user)

    def _on_real_name_button_clicked(self) -> None:
        user = self._selected()
        if user:
            name = self.real_name_edit.text()
            self._apply(lambda: self.services.auth.set_real_name(self.services.user, user.id, name))

    def _on_add_button_clicked(self) -> None:
        entered, accepted = AddUserDialog.run(self)
        if accepted:
            self.add_user(*entered)

    def _on_role_button_clicked(self) -> None:
        user = self._selected()
        if user:
            role = self.role_combo.currentData()
            self._apply(lambda: self.services.auth.set_role(self.services.user, user.id, role))

    def _on_password_button_clicked(self) -> None:
        user = self._selected()
        if user:
            pw = self.password_edit.text()
            if self._apply(
                lambda: self.services.auth.reset_password(self.services.user, user.id, pw)
            ):
                self.password_edit.clear()

    def _on_active_button_clicked(self) -> None:
        user = self._selected()
        if user:
            self._apply(
                lambda: self.services.auth.set_active(self.services.user, user.id, not user.active)
            )

    def _on_unlock_button_clicked(self) -> None:
        user = self._selected()
        if user and user.id not in self.locked:
            self.error_label.setText(f"用户“{user.name}”没有被锁定")
        elif user:
            self._apply(lambda: self.services.auth.unlock(self.services.user, user.id))

    @classmethod
    def run(cls, services: AppServices, parent: QWidget | None = None) -> tuple[None, bool]:
        """Show the dialog (menu 工具 → 用户管理)."""
        cls(services, parent).exec()
        return None, True
