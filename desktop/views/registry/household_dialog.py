"""HouseholdDialog: a household's fields, its four counts and its members grid."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError, StaleRecordError
from desktop.services.context import AppServices
from desktop.services.registry import codes
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import check_id, normalize_id
from desktop.services.registry.service import validate_household
from desktop.services.safety.privacy import display_account, display_id, keep_unmasked
from desktop.views.conflict_dialog import KEEP_MINE, TAKE_THEIRS, ConflictDialog
from desktop.views.dialogs import EditingDialog, confirm
from desktop.views.signals import hub
from desktop.views.window_fit import bind_shortcut, shortcut_text

# Members grid: (header, MemberData field, code list or "bool" or None for free text)
MEMBER_COLUMNS = (
    ("姓名", "name", None),
    ("性别", "sex", codes.SEXES),
    ("证件号码", "id_number", None),
    ("出生日期", "birth_date", "derived"),
    ("与户主关系", "relation", codes.RELATIONS),
    ("民族", "ethnicity", codes.ETHNICITIES),
    ("政治面貌", "political_status", codes.POLITICAL_STATUSES),
    ("文化程度", "education", codes.EDUCATIONS),
    ("在校情况", "schooling", codes.SCHOOLINGS),
    ("健康状况", "health", codes.HEALTHS),
    ("劳动能力", "labour_ability", codes.LABOUR_ABILITIES),
    ("务工情况", "work_status", codes.WORK_STATUSES),
    ("大病医疗保险", "ins_serious_illness", "bool"),
    ("城乡居民基本医疗保险", "ins_resident_medical", "bool"),
    ("城乡居民基本养老保险", "ins_resident_pension", "bool"),
    ("城镇职工基本养老保险", "ins_employee_pension", "bool"),
)
COL_NAME, COL_SEX, COL_ID, COL_BIRTH, COL_RELATION = 0, 1, 2, 3, 4
# Long member headers drawn on two lines: on one line the grid was 1,232 px wide, too wide for a
# 1366-pixel laptop with Windows' wider fonts, and the clerk scrolled sideways to the insurances.
MEMBER_HEADER_LINES = {
    "与户主关系": "与户主\n关系",
    "政治面貌": "政治\n面貌",
    "文化程度": "文化\n程度",
    "在校情况": "在校\n情况",
    "健康状况": "健康\n状况",
    "劳动能力": "劳动\n能力",
    "务工情况": "务工\n情况",
    "大病医疗保险": "大病医疗\n保险",
    "城乡居民基本医疗保险": "城乡居民\n基本医疗\n保险",
    "城乡居民基本养老保险": "城乡居民\n基本养老\n保险",
    "城镇职工基本养老保险": "城镇职工\n基本养老\n保险",
}
NO_COUNT = -1
ERROR_BRUSH = QBrush(QColor("#ffd6d6"))
WARNING_BRUSH = QBrush(QColor("#fff0c2"))


class CodeDelegate(QStyledItemDelegate):
    """Edits a coded member column with a combo box of its code list."""

    def __init__(self, choices: tuple[str, ...], parent=None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):
        """Return a combo box holding the code list."""
        combo = QComboBox(parent)
        combo.addItem("")
        combo.addItems(list(self.choices))
        return combo

    def setEditorData(self, editor, index):
        """Select the cell's value in the combo."""
        editor.setCurrentText(index.data() or "")

    def setModelData(self, editor, model, index):
        """Write the chosen value to the cell."""
        model.setData(index, editor.currentText())


def _count_spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(NO_COUNT, 99)
    spin.setSpecialValueText("未填")
    spin.setValue(NO_COUNT)
    return spin


class HouseholdDialog(EditingDialog):
    """Edits one household; a failed save keeps every entry on screen."""

    unsaved_question = "本户有未保存的修改，是否保存？"

    def __init__(
        self,
        services: AppServices,
        household_id: int | None = None,
        village_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.saved_id: int | None = None
        # A laptop's whole width (the screen fitter shrinks it to the screen): at 1180 px the
        # members grid, seen under Xvfb at 1366×768, still hid its last two insurance columns.
        self.resize(1366, 720)
        if household_id is not None:
            self.data = services.registry.get_household(household_id)
        else:
            self.data = HouseholdData(code="", village_id=village_id)
        self._loading = False
        self._build()
        self._show_data()

    def _show_data(self) -> None:
        """Show self.data as saved: its fields (a new household's suggested code), the
        snapshot unsaved edits are told by, and its open problems."""
        self._load(self.data)
        self._suggested_code = ""
        if self.data.id is None:
            self._suggest_code()
        self._snapshot = self.collect()
        self._refresh_problems()

    # --- layout --------------------------------------------------------------------

    def _build(self) -> None:
        title = f"户：{self.data.code}" if self.data.id else "新增户"
        self.setWindowTitle(f"{title} — 回头看工作台")
        self.code_edit = QLineEdit()
        # A 户编号 has 16 digits that all matter: the field shows all of them, never cut.
        digits = self.code_edit.fontMetrics().horizontalAdvance("4" * 20)
        self.code_edit.setMinimumWidth(digits + 12)
        self.village_combo = QComboBox()
        for v in self.services.registry.villages():
            self.village_combo.addItem(v.name, v.id)
        self.group_edit = QLineEdit()
        self.poverty_combo = QComboBox()
        self.poverty_combo.addItems(["", *codes.POVERTY_KINDS])
        self.special_combo = QComboBox()
        self.special_combo.addItems(["", *codes.SPECIAL_KINDS])
        self.registered_check = QCheckBox("建档立卡")
        self.exit_combo = QComboBox()
        self.exit_combo.addItem(codes.NOT_EXITED, None)
        for year in codes.EXIT_YEARS:
            self.exit_combo.addItem(str(year), year)
        self.income_spin = QDoubleSpinBox()
        self.income_spin.setRange(-1, 10_000_000)
        self.income_spin.setDecimals(2)
        self.income_spin.setSpecialValueText("未填")
        self.income_spin.setSuffix(" 元")
        self.phone_edit = QLineEdit()
        self.bank_name_edit = QLineEdit()
        self.bank_account_edit = QLineEdit()
        self.helper_edit = QLineEdit()
        self.helper_phone_edit = QLineEdit()
        # An 11-digit mobile number shows whole, not scrolled to its last digits.
        digits = self.phone_edit.fontMetrics().horizontalAdvance("0" * 13) + 12
        for edit in (self.phone_edit, self.helper_phone_edit):
            edit.setMinimumWidth(digits)
        self.note_edit = QLineEdit()
        self.count_spins = {
            "count_hukou": _count_spin(),
            "count_card": _count_spin(),
            "count_system": _count_spin(),
            "count_actual": _count_spin(),
        }
        self.cause_checks = {cause: QCheckBox(cause) for cause in codes.POVERTY_CAUSES}

        basics = QGroupBox("基本信息")
        grid = QGridLayout(basics)
        pairs = (
            ("户编号", self.code_edit),
            ("村", self.village_combo),
            ("组", self.group_edit),
            ("贫困户属性", self.poverty_combo),
            ("特殊群体", self.special_combo),
            ("", self.registered_check),
            ("脱贫年度", self.exit_combo),
            ("人均纯收入", self.income_spin),
            ("联系电话", self.phone_edit),
            ("开户银行", self.bank_name_edit),
            ("银行账号", self.bank_account_edit),
            ("挂钩帮扶责任人", self.helper_edit),
            ("帮扶人电话", self.helper_phone_edit),
            ("备注", self.note_edit),
        )
        for i, (label, widget) in enumerate(pairs):
            row, col = divmod(i, 3)
            grid.addWidget(QLabel(label), row, col * 2)
            grid.addWidget(widget, row, col * 2 + 1)

        counts = QGroupBox("人数核对（户口簿、明白卡、系统、实际应一致）")
        counts_form = QFormLayout(counts)
        for label, key in (
            ("户口簿人数", "count_hukou"),
            ("明白卡人数", "count_card"),
            ("系统人数", "count_system"),
            ("实际人数", "count_actual"),
        ):
            counts_form.addRow(label, self.count_spins[key])
        causes = QGroupBox("致贫原因")
        causes_grid = QGridLayout(causes)
        for i, check in enumerate(self.cause_checks.values()):
            causes_grid.addWidget(check, i // 4, i % 4)
        top = QHBoxLayout()
        top.addWidget(basics, 3)
        side = QVBoxLayout()
        side.addWidget(counts)
        side.addWidget(causes)
        top.addLayout(side, 2)

        self.members_table = QTableWidget(0, len(MEMBER_COLUMNS))
        self.members_table.setHorizontalHeaderLabels(
            [MEMBER_HEADER_LINES.get(c[0], c[0]) for c in MEMBER_COLUMNS]
        )
        for col, (header, _f, _k) in enumerate(MEMBER_COLUMNS):
            self.members_table.horizontalHeaderItem(col).setToolTip(header)
        self.members_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        for col, (_h, _f, kind) in enumerate(MEMBER_COLUMNS):
            if isinstance(kind, tuple):
                self.members_table.setItemDelegateForColumn(col, CodeDelegate(kind, self))
        self.add_member_button = QPushButton("添加成员")
        self.remove_member_button = QPushButton("删除成员")
        self.make_head_button = QPushButton("设为户主…")
        # Ctrl+Z in the grid undoes the last change to the members (a cell, a row added or
        # removed, a new head), as in Excel; inside an open cell it undoes the typing first.
        self.undo_member_button = QPushButton(
            f"撤销 ({shortcut_text(QKeySequence(QKeySequence.StandardKey.Undo))})"
        )
        self.undo_member_button.setEnabled(False)
        self.undo_member_button.clicked.connect(self.undo_members)
        undo = QShortcut(QKeySequence.StandardKey.Undo, self.members_table)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo_members)
        self.undo_member_button.setToolTip("撤销对成员表的上一次修改")
        member_buttons = QHBoxLayout()
        for b in (
            self.add_member_button,
            self.remove_member_button,
            self.make_head_button,
            self.undo_member_button,
        ):
            member_buttons.addWidget(b)
        member_buttons.addStretch(1)
        members = QGroupBox("家庭成员")
        members_layout = QVBoxLayout(members)
        members_layout.addLayout(member_buttons)
        members_layout.addWidget(self.members_table)

        self.problem_list = QListWidget()
        self.problem_list.setMaximumHeight(110)
        self.save_button = QPushButton("保存")
        bind_shortcut(self.save_button, QKeySequence.StandardKey.Save, self)
        self.save_button.setDefault(True)
        self.close_button = QPushButton("关闭")
        bottom = QHBoxLayout()
        bottom.addWidget(self.problem_list, 1)
        side_buttons = QVBoxLayout()
        side_buttons.addWidget(self.save_button)
        side_buttons.addWidget(self.close_button)
        side_buttons.addStretch(1)
        bottom.addLayout(side_buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(members, 1)
        layout.addLayout(bottom)

        self.add_member_button.clicked.connect(self._on_add_member_clicked)
        self.remove_member_button.clicked.connect(self._on_remove_member_clicked)
        self.make_head_button.clicked.connect(self._on_make_head_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self.reject)
        self.members_table.itemChanged.connect(self._on_members_item_changed)
        for widget in (
            self.code_edit,
            self.group_edit,
            self.phone_edit,
            self.bank_name_edit,
            self.bank_account_edit,
            self.helper_edit,
            self.helper_phone_edit,
            self.note_edit,
        ):
            widget.textChanged.connect(self._on_field_changed)
        for combo in (self.village_combo, self.poverty_combo, self.special_combo, self.exit_combo):
            combo.currentIndexChanged.connect(self._on_field_changed)
        self.village_combo.currentIndexChanged.connect(self._on_village_combo_changed)
        for spin in (*self.count_spins.values(), self.income_spin):
            spin.valueChanged.connect(self._on_field_changed)
        for check in (self.registered_check, *self.cause_checks.values()):
            check.toggled.connect(self._on_field_changed)

    # --- data in and out -----------------------------------------------------------

    def _load(self, data: HouseholdData) -> None:
        self._loading = True
        self.code_edit.setText(data.code)
        index = self.village_combo.findData(data.village_id)
        self.village_combo.setCurrentIndex(max(index, 0))
        self.group_edit.setText(data.group_name)
        self.poverty_combo.setCurrentText(data.poverty_kind)
        self.special_combo.setCurrentText(data.special_kind)
        self.registered_check.setChecked(data.is_registered)
        self.exit_combo.setCurrentIndex(max(self.exit_combo.findData(data.exit_year), 0))
        self.income_spin.setValue(-1 if data.income_per_capita is None else data.income_per_capita)
        self.phone_edit.setText(data.phone)
        self.bank_name_edit.setText(data.bank_name)
        self.bank_account_edit.setText(
            display_account(data.bank_account, self.services.user, detail=True)
        )
        self.helper_edit.setText(data.helper_name)
        self.helper_phone_edit.setText(data.helper_phone)
        self.note_edit.setText(data.note)
        for key, spin in self.count_spins.items():
            value = getattr(data, key)
            spin.setValue(NO_COUNT if value is None else value)
        for cause, check in self.cause_checks.items():
            check.setChecked(cause in data.poverty_causes)
        self._show_members(data.members)
        self._member_history: list[list[MemberData]] = []
        self._members_state = copy.deepcopy(data.members)
        self.undo_member_button.setEnabled(False)
        self._loading = False

    def _show_members(self, members: list[MemberData]) -> None:
        self.members_table.setRowCount(0)
        for member in members:
            self._append_member_row(copy.deepcopy(member))

    def _remember_members(self) -> None:
        """Keep the members as they were before this change, for 撤销."""
        current = [self._member_at(row) for row in range(self.members_table.rowCount())]
        if current != self._members_state:
            self._member_history.append(self._members_state)
            self._members_state = current
            self.undo_member_button.setEnabled(True)

    def undo_members(self) -> None:
        """Put the members back as they were before the last change to them."""
        if not self._member_history:
            return
        state = self._member_history.pop()
        self._loading = True
        self._show_members(state)
        self._loading = False
        self._members_state = state
        self.undo_member_button.setEnabled(bool(self._member_history))
        self._refresh_problems()

    def _append_member_row(self, member: MemberData) -> None:
        table = self.members_table
        row = table.rowCount()
        table.insertRow(row)
        for col, (_h, field, kind) in enumerate(MEMBER_COLUMNS):
            value = getattr(member, field)
            if kind == "bool":
                item = QTableWidgetItem()
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            elif kind == "derived":
                item = QTableWidgetItem(value.isoformat() if value else "")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            elif field == "id_number":
                # Roles without the right to full ID numbers see them masked, even here.
                item = QTableWidgetItem(display_id(value or "", self.services.user, detail=True))
            else:
                item = QTableWidgetItem(value or "")
            if col == COL_NAME:
                item.setData(Qt.ItemDataRole.UserRole, (member.id, copy.deepcopy(member)))
            table.setItem(row, col, item)

    def collect(self) -> HouseholdData:
        """Return the household as the screen shows it now."""
        data = copy.deepcopy(self.data)
        data.code = self.code_edit.text().strip()
        data.village_id = self.village_combo.currentData()
        data.group_name = self.group_edit.text().strip()
        data.poverty_kind = self.poverty_combo.currentText()
        data.special_kind = self.special_combo.currentText()
        data.is_registered = self.registered_check.isChecked()
        data.exit_year = self.exit_combo.currentData()
        income = self.income_spin.value()
        data.income_per_capita = None if income < 0 else income
        data.phone = self.phone_edit.text().strip()
        data.bank_name = self.bank_name_edit.text().strip()
        data.bank_account = keep_unmasked(
            self.bank_account_edit.text().strip(), self.data.bank_account
        )
        data.helper_name = self.helper_edit.text().strip()
        data.helper_phone = self.helper_phone_edit.text().strip()
        data.note = self.note_edit.text().strip()
        for key, spin in self.count_spins.items():
            setattr(data, key, None if spin.value() == NO_COUNT else spin.value())
        data.poverty_causes = [c for c, check in self.cause_checks.items() if check.isChecked()]
        data.members = [self._member_at(row) for row in range(self.members_table.rowCount())]
        return data

    def _member_at(self, row: int) -> MemberData:
        table = self.members_table
        stored = table.item(row, COL_NAME).data(Qt.ItemDataRole.UserRole)
        member = copy.deepcopy(stored[1]) if stored else MemberData(name="")
        for col, (_h, field, kind) in enumerate(MEMBER_COLUMNS):
            item = table.item(row, col)
            if kind == "bool":
                setattr(member, field, item.checkState() == Qt.CheckState.Checked)
            elif kind == "derived":
                continue
            else:
                text = (item.text() if item else "").strip()
                if field == "id_number":
                    text = keep_unmasked(text, member.id_number)
                    text = normalize_id(text)
                setattr(member, field, text)
        check = check_id(member.id_number) if member.id_number else None
        member.birth_date = check.birth_date if check and check.ok else member.birth_date
        return member

    def _snapshot_or_none(self) -> HouseholdData | None:
        return getattr(self, "_snapshot", None) or self.collect()

    def is_dirty(self) -> bool:
        """True when the screen differs from what was last loaded or saved."""
        return self.collect() != self._snapshot

    # --- validation ----------------------------------------------------------------

    def _suggest_code(self) -> None:
        """A new household gets its village's next 户编号, until the clerk types another."""
        if self.code_edit.text().strip() not in ("", self._suggested_code):
            return
        self._suggested_code = self.services.registry.suggest_household_code(
            self.village_combo.currentData()
        )
        self.code_edit.setText(self._suggested_code)

    def _refresh_problems(self) -> None:
        data = self.collect()
        self.problem_list.clear()
        if self.data.id is None and data == self._snapshot_or_none():
            # Nothing typed yet: no red errors about fields the clerk has not reached.
            self.problem_list.addItem("填写后在此列出需要核对的地方")
            return
        problems = validate_household(data)
        table = self.members_table
        self.members_table.blockSignals(True)
        for row in range(table.rowCount()):
            for col in (COL_ID, COL_SEX, COL_NAME, COL_RELATION):
                item = table.item(row, col)
                if item is not None:
                    item.setBackground(QBrush())
                    item.setToolTip("")
        for p in problems:
            item = QListWidgetItem(("错误：" if p.blocking else "提示：") + p.message)
            item.setForeground(QBrush(QColor("#b00020" if p.blocking else "#8a5a00")))
            self.problem_list.addItem(item)
            if p.member_index is not None and p.member_index < table.rowCount():
                col = {
                    "id_number": COL_ID, "sex": COL_SEX, "name": COL_NAME, "relation": COL_RELATION
                }.get(p.field)  # fmt: skip
                if col is not None and table.item(p.member_index, col) is not None:
                    cell = table.item(p.member_index, col)
                    cell.setBackground(ERROR_BRUSH if p.blocking else WARNING_BRUSH)
                    cell.setToolTip(p.message)
        self.members_table.blockSignals(False)
        if not problems:
            self.problem_list.addItem("没有发现问题")

    # --- slots ---------------------------------------------------------------------

    def _on_village_combo_changed(self, *_args) -> None:
        if self.data.id is None and not self._loading:
            self._suggest_code()

    def _on_field_changed(self, *_args) -> None:
        if not self._loading:
            self._refresh_problems()

    def _on_members_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        if item.column() == COL_ID:
            number = self._member_at(item.row()).id_number
            check = check_id(number) if number else None
            self.members_table.blockSignals(True)
            birth = self.members_table.item(item.row(), COL_BIRTH)
            if birth is not None:
                ok = check is not None and check.birth_date is not None and check.ok
                birth.setText(check.birth_date.isoformat() if ok else "")
            sex_item = self.members_table.item(item.row(), COL_SEX)
            if check and check.ok and sex_item is not None and not sex_item.text():
                sex_item.setText(check.sex)  # sex follows the ID when not yet entered
            self.members_table.blockSignals(False)
        self._remember_members()
        self._refresh_problems()

    def _on_add_member_clicked(self) -> None:
        relation = "" if self.members_table.rowCount() else codes.HEAD_RELATION
        self._loading = True
        self._append_member_row(MemberData(name="", relation=relation, ethnicity="汉族"))
        self._loading = False
        row = self.members_table.rowCount() - 1
        self._remember_members()
        self.members_table.setCurrentCell(row, COL_NAME)
        self.members_table.editItem(self.members_table.item(row, COL_NAME))
        self._refresh_problems()

    def _on_remove_member_clicked(self) -> None:
        row = self.members_table.currentRow()
        if row < 0:
            return
        name = self.members_table.item(row, COL_NAME).text() or f"第{row + 1}名成员"
        if confirm(self, "删除成员", f"从本户删除“{name}”？保存后才生效。"):
            self.members_table.removeRow(row)
            self._remember_members()
            self._refresh_problems()

    def _on_make_head_clicked(self) -> None:
        row = self.members_table.currentRow()
        if row < 0:
            QMessageBox.information(self, "设为户主", "请先在成员表中选中新的户主")
            return
        old_rows = [
            r
            for r in range(self.members_table.rowCount())
            if self.members_table.item(r, COL_RELATION).text() == codes.HEAD_RELATION and r != row
        ]
        new_relation = "其他"
        if old_rows:
            old_name = self.members_table.item(old_rows[0], COL_NAME).text()
            choices = [r for r in codes.RELATIONS if r != codes.HEAD_RELATION]
            new_relation, ok = QInputDialog.getItem(
                self, "原户主的新关系", f"“{old_name}”与新户主的关系：", choices, 0, False
            )
            if not ok:
                return
        self.members_table.blockSignals(True)
        for r in old_rows:
            self.members_table.item(r, COL_RELATION).setText(new_relation)
        self.members_table.item(row, COL_RELATION).setText(codes.HEAD_RELATION)
        self.members_table.blockSignals(False)
        self._remember_members()
        self._refresh_problems()

    def _on_save_clicked(self) -> None:
        self.save()

    def save(self) -> bool:
        """Save the household; on failure show why and keep every entry on screen."""
        return self._save_data(self.collect())

    def _save_data(self, data: HouseholdData) -> bool:
        try:
            self.saved_id = self.services.registry.save_household(data)
        except StaleRecordError:
            return self._resolve_conflict(data)
        except AppError as exc:
            QMessageBox.warning(self, "未能保存", f"未能保存：{exc}")
            return False
        return self._saved()

    def _resolve_conflict(self, data: HouseholdData) -> bool:
        """Someone saved the household since it was opened: show both, let the clerk choose."""
        conflict = self.services.registry.household_conflict(self.data, data)
        choice, _go_on = ConflictDialog.run(conflict, self)
        if choice == TAKE_THEIRS:
            self.data = conflict.theirs
            self._show_data()
            return False
        if choice != KEEP_MINE:
            return False  # 返回继续编辑: every entry stays on screen
        # The clerk's entries over the other's, on purpose; what only the other changed stays.
        # Saved again meanwhile: the same save compares anew.
        self.data = conflict.theirs
        return self._save_data(conflict.merged)

    def _saved(self) -> bool:
        self.data = self.services.registry.get_household(self.saved_id)
        self._show_data()
        self.setWindowTitle(f"户：{self.data.code} — 回头看工作台")
        hub().household_changed.emit(self.saved_id)
        hub().registry_changed.emit()
        return True

    def has_unsaved_changes(self) -> bool:
        """True when the screen differs from what was last loaded or saved."""
        return self.is_dirty()

    def save_changes(self) -> bool:
        """Save (the unsaved-changes question's 保存)."""
        return self.save()

    @classmethod
    def run(
        cls,
        services: AppServices,
        household_id: int | None,
        parent: QWidget | None = None,
        village_id: int | None = None,
    ) -> tuple[int | None, bool]:
        """Open the dialog; return (household id, saved)."""
        dialog = cls(services, household_id, village_id, parent)
        dialog.exec()
        return dialog.saved_id, dialog.saved_id is not None
