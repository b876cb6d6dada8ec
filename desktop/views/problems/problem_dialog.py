"""ProblemDialog: one problem — what, where, who fixes it by when; progress, evidence, timeline."""

from __future__ import annotations

import dataclasses
import datetime

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError, StaleRecordError
from desktop.services.problems.attachments import ATTACHMENT_OK
from desktop.services.problems.data import ProblemData
from desktop.services.problems.rules import (
    KIND_DEADLINE,
    KIND_IMMEDIATE,
    KINDS,
    SCOPE_HOUSEHOLD,
    SCOPE_UNIT,
    SCOPE_VILLAGE,
    SCOPES,
    SOURCES,
    STATUS_AWAITING,
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_OPEN,
    UNIT_KINDS,
    shown_status,
)
from desktop.views.conflict_dialog import KEEP_MINE, TAKE_THEIRS, ConflictDialog
from desktop.views.date_edit import DateEdit, refuse_bad_dates
from desktop.views.dialogs import EditingDialog, confirm, dialog_buttons
from desktop.views.problems.problem_prefill import ProblemPrefill
from desktop.views.problems.thumbnails import THUMBNAIL_PX, thumbnail
from desktop.views.signals import hub
from desktop.views.window_fit import bind_shortcut


def _text_edit(height: int = 60) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


def _date_edit(day: datetime.date) -> DateEdit:
    return DateEdit(day, allow_blank=False)


class ProblemDialog(EditingDialog):
    """Enter or edit one problem; workflow steps act at once, field edits on 保存."""

    unsaved_question = "此问题有未保存的修改（问题描述、原因分析、整改措施等），是否保存？"

    @classmethod
    def run(
        cls,
        services,
        problem_id: int | None,
        parent: QWidget | None = None,
        household_id: int | None = None,
        prefill: ProblemPrefill | None = None,
    ) -> tuple[int | None, bool]:
        """Open the dialog; return (problem id, accepted). A household fills in the scope, a
        form just filled in the description, measures and date (`prefill`)."""
        dialog = cls(services, problem_id, parent, household_id=household_id, prefill=prefill)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.problem_id, accepted or dialog.changed

    def __init__(
        self,
        services,
        problem_id: int | None,
        parent: QWidget | None = None,
        household_id: int | None = None,
        prefill: ProblemPrefill | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.problems = services.problems
        self.problems.ensure_reference_data()
        self.problem_id = problem_id
        self.changed = False  # a workflow step was saved, even if the dialog is cancelled
        self._version = 0
        self._data: ProblemData | None = None
        self.setWindowTitle("登记问题" if problem_id is None else "问题详情")
        self.resize(860, 680)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_info(), "问题信息")
        self.tabs.addTab(self._build_progress(), "整改进度")
        self.tabs.addTab(self._build_evidence(), "佐证材料")
        self.tabs.addTab(self._build_timeline(), "处理记录")
        self.buttons = dialog_buttons(self, "保存", "关闭", on_accept=self._on_buttons_accepted)
        bind_shortcut(
            self.buttons.button(QDialogButtonBox.StandardButton.Save),
            QKeySequence.StandardKey.Save,
            self,
        )
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        if problem_id is None:
            self._new(household_id, prefill)
        else:
            self._load(problem_id)
        # After the prefill: what a form carried over is the starting point, not the clerk's edit.
        self._saved_entries = self._entries()

    # --- building ----------------------------------------------------------------------

    def _build_info(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)  # room to spare goes below the fields, not between them
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText("保存时自动编号，如 2020-015")
        self.found_edit = _date_edit(datetime.date.today())
        self.source_combo = QComboBox()
        self.source_combo.addItems(SOURCES)
        self.item_combo = QComboBox()
        self.item_combo.addItem("（未分类）", None)
        self._items = self.problems.items()
        for item in self._items:
            self.item_combo.addItem(f"{item.area_name}｜{item.text}", item.id)
        self.item_hint = QLabel()
        self.item_hint.setWordWrap(True)
        self.item_hint.setStyleSheet("color: #555;")
        self.item_combo.currentIndexChanged.connect(self._on_item_combo_changed)

        self.scope_combo = QComboBox()
        self.scope_combo.addItems(SCOPES)
        self.village_combo = QComboBox()
        self.village_combo.addItem("（请选择村）", None)
        for village_id, name in self.problems.villages():
            self.village_combo.addItem(name, village_id)
        self.household_combo = QComboBox()
        self.scope_unit_combo = QComboBox()
        self.unit_combo = QComboBox()
        self._units = self.problems.units()
        for combo in (self.scope_unit_combo, self.unit_combo):
            combo.addItem("（请选择单位）", None)
            for unit in self._units:
                combo.addItem(unit.name, unit.id)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.scope_combo)
        scope_row.addWidget(self.village_combo, 1)
        scope_row.addWidget(self.household_combo, 2)
        scope_row.addWidget(self.scope_unit_combo, 2)
        self.scope_combo.currentIndexChanged.connect(self._on_scope_combo_changed)
        self.village_combo.currentIndexChanged.connect(self._on_village_combo_changed)

        self.description_edit = _text_edit(70)
        self.cause_edit = _text_edit(50)
        self.measures_edit = _text_edit(60)
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(KINDS)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.person_combo = QComboBox()
        self.person_combo.setEditable(True)
        self.person_combo.lineEdit().setPlaceholderText("选择或输入责任人姓名")
        self.unit_combo.currentIndexChanged.connect(self._on_unit_combo_changed)
        self.deadline_edit = _date_edit(datetime.date.today() + datetime.timedelta(days=30))
        self.deadline_note = QLabel()
        self.deadline_note.setStyleSheet("color: #555;")
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.deadline_edit)
        deadline_row.addWidget(self.deadline_note, 1)
        self.note_edit = QLineEdit()

        form.addRow("问题编号", self.number_edit)
        form.addRow("发现日期", self.found_edit)
        form.addRow("问题来源", self.source_combo)
        form.addRow("问题类别", self.item_combo)
        form.addRow("", self.item_hint)
        form.addRow("问题对象", scope_row)
        form.addRow("问题描述", self.description_edit)
        form.addRow("原因分析", self.cause_edit)
        form.addRow("整改措施", self.measures_edit)
        form.addRow("整改类型", self.kind_combo)
        self.add_unit_button = QPushButton("新增单位…")
        self.add_unit_button.clicked.connect(self._on_add_unit_button_clicked)
        unit_row = QHBoxLayout()
        unit_row.addWidget(self.unit_combo, 1)
        unit_row.addWidget(self.add_unit_button)
        form.addRow("责任单位", unit_row)
        form.addRow("责任人", self.person_combo)
        form.addRow("整改时限", deadline_row)
        form.addRow("备注", self.note_edit)
        self._field_widgets = {
            "number": self.number_edit,
            "found_date": self.found_edit,
            "source": self.source_combo,
            "item_id": self.item_combo,
            "scope": self.scope_combo,
            "household_id": self.household_combo,
            "village_id": self.village_combo,
            "scope_unit_id": self.scope_unit_combo,
            "description": self.description_edit,
            "cause": self.cause_edit,
            "measures": self.measures_edit,
            "kind": self.kind_combo,
            "unit_id": self.unit_combo,
            "person_id": self.person_combo,
            "deadline": self.deadline_edit,
            "note": self.note_edit,
        }
        return page

    def _build_progress(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.status_label = QLabel()
        self.status_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        layout.addWidget(self.status_label)
        steps = QHBoxLayout()
        self.start_button = QPushButton("开始整改")
        self.submit_button = QPushButton("整改完成，提交验收")
        steps.addWidget(self.start_button)
        steps.addWidget(self.submit_button)
        steps.addStretch(1)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.submit_button.clicked.connect(self._on_submit_button_clicked)
        layout.addLayout(steps)

        verify = QGroupBox("验收销号")
        vform = QFormLayout(verify)
        # Who really checked on the spot, often not the clerk who types it in: asked, not assumed.
        self.verified_by_edit = QLineEdit()
        self.verified_by_edit.setPlaceholderText("实地验收人的姓名（必填）")
        self.verified_on_edit = _date_edit(datetime.date.today())
        self.opinion_edit = _text_edit(50)
        vbuttons = QHBoxLayout()
        self.close_button = QPushButton("验收通过，销号")
        self.reject_button = QPushButton("验收不通过，退回整改")
        vbuttons.addWidget(self.close_button)
        vbuttons.addWidget(self.reject_button)
        vbuttons.addStretch(1)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.reject_button.clicked.connect(self._on_reject_button_clicked)
        vform.addRow("验收人", self.verified_by_edit)
        vform.addRow("验收日期", self.verified_on_edit)
        vform.addRow("验收意见", self.opinion_edit)
        vform.addRow("", vbuttons)
        layout.addWidget(verify)

        extend = QGroupBox("延期")
        eform = QFormLayout(extend)
        self.new_deadline_edit = _date_edit(datetime.date.today() + datetime.timedelta(days=15))
        self.reason_edit = _text_edit(45)
        self.extend_button = QPushButton("办理延期")
        self.extend_button.clicked.connect(self._on_extend_button_clicked)
        self.extensions_label = QLabel()
        self.extensions_label.setWordWrap(True)
        eform.addRow("延期后的时限", self.new_deadline_edit)
        eform.addRow("延期原因", self.reason_edit)
        eform.addRow("", self.extend_button)
        eform.addRow("延期记录", self.extensions_label)
        layout.addWidget(extend)
        layout.addStretch(1)
        self.verify_box, self.extend_box = verify, extend
        return page

    def _build_evidence(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        # Photos and scans as pictures, as in a phone's album; double-click or Enter opens one.
        self.attachment_list = QListWidget()
        self.attachment_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.attachment_list.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
        self.attachment_list.setGridSize(QSize(THUMBNAIL_PX + 60, THUMBNAIL_PX + 56))
        self.attachment_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.attachment_list.setMovement(QListWidget.Movement.Static)
        self.attachment_list.setWordWrap(True)
        self.attachment_list.itemActivated.connect(self._on_attachment_list_double_clicked)
        buttons = QHBoxLayout()
        self.add_file_button = QPushButton("添加照片/扫描件…")
        self.open_file_button = QPushButton("打开")
        self.remove_file_button = QPushButton("删除")
        for b in (self.add_file_button, self.open_file_button, self.remove_file_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.add_file_button.clicked.connect(self._on_add_file_button_clicked)
        self.open_file_button.clicked.connect(self._on_open_file_button_clicked)
        self.remove_file_button.clicked.connect(self._on_remove_file_button_clicked)
        layout.addWidget(
            QLabel("佐证材料复制到本机数据文件夹保存，并记录校验值；原文件移动或删除不影响。")
        )
        layout.addWidget(self.attachment_list)
        layout.addLayout(buttons)
        return page

    def _build_timeline(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.timeline = QTableWidget(0, 4)
        self.timeline.setHorizontalHeaderLabels(["时间", "操作人", "操作", "内容"])
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.timeline.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.timeline.verticalHeader().setVisible(False)
        layout.addWidget(self.timeline)
        return page

    # --- filling -----------------------------------------------------------------------

    def _new(self, household_id: int | None, prefill: ProblemPrefill | None = None) -> None:
        self._on_scope_combo_changed()
        self._on_item_combo_changed()
        self._on_kind_combo_changed()
        if household_id is not None:
            info = self.problems.household_info(household_id)
            if info is not None:
                village_id, _text = info
                self.scope_combo.setCurrentText(SCOPE_HOUSEHOLD)
                self._select(self.village_combo, village_id)
                self._select(self.household_combo, household_id)
                # A household's problem is usually the village's to fix: propose its unit.
                self.unit_combo.setCurrentIndex(
                    max(0, self.unit_combo.findText(self.village_combo.currentText()))
                )
        if prefill is not None:
            self._apply_prefill(prefill)
        for index in (1, 2, 3):
            self.tabs.setTabEnabled(index, False)
        self.tabs.setTabToolTip(1, "保存后可办理整改进度、上传佐证材料")

    def _apply_prefill(self, prefill: ProblemPrefill) -> None:
        for text, edit in (
            (prefill.description, self.description_edit),
            (prefill.cause, self.cause_edit),
            (prefill.measures, self.measures_edit),
        ):
            if text:
                edit.setPlainText(text)
        if prefill.found_date is not None:
            self.found_edit.set_value(prefill.found_date)
        if prefill.source and self.source_combo.findText(prefill.source) >= 0:
            self.source_combo.setCurrentText(prefill.source)

    def _load(self, problem_id: int) -> None:
        data = self.problems.get(problem_id)
        self._data = data
        self._version = data.version
        self.number_edit.setText(data.number)
        self.found_edit.set_value(data.found_date)
        self.source_combo.setCurrentText(data.source)
        self._select(self.item_combo, data.item_id)
        self.scope_combo.setCurrentText(data.scope)
        self._on_scope_combo_changed()
        self._select(self.village_combo, data.village_id)
        self._select(self.household_combo, data.household_id)
        self._select(self.scope_unit_combo, data.scope_unit_id)
        self.description_edit.setPlainText(data.description)
        self.cause_edit.setPlainText(data.cause)
        self.measures_edit.setPlainText(data.measures)
        self.kind_combo.setCurrentText(data.kind)
        self._select(self.unit_combo, data.unit_id)
        self._on_unit_combo_changed()
        self._select(self.person_combo, data.person_id)
        if data.deadline:
            self.deadline_edit.set_value(data.deadline)
        self.note_edit.setText(data.note)
        self.kind_combo.setEnabled(False)
        self.deadline_edit.setEnabled(False)
        self._refresh_workflow(data)

    def _refresh_workflow(self, data: ProblemData) -> None:
        """Show status, extensions, attachments and timeline from freshly loaded data."""
        today = datetime.date.today()
        self._version = data.version
        self.setWindowTitle(f"问题 {data.number}")
        status = shown_status(data.status, data.deadline, today)
        self.status_label.setText(f"当前状态：{status}")
        if data.deadline:
            self.deadline_edit.set_value(data.deadline)
            later = max(data.deadline, today) + datetime.timedelta(days=15)
            self.new_deadline_edit.set_value(later)
        note = ""
        if data.extensions:
            note = f"原定 {data.original_deadline:%Y-%m-%d}，已延期 {len(data.extensions)} 次"
        elif data.id:
            note = "时限已确定，调整请办理延期"
        self.deadline_note.setText(note)
        self.extensions_label.setText(
            "\n".join(
                f"{e.at:%Y-%m-%d} {e.who}：{e.old_deadline:%Y-%m-%d} → "
                f"{e.new_deadline:%Y-%m-%d}，{e.reason}"
                for e in data.extensions
            )
            or "无"
        )
        closed = data.status == STATUS_CLOSED
        self.start_button.setEnabled(data.status == STATUS_OPEN)
        self.submit_button.setEnabled(data.status in (STATUS_OPEN, STATUS_IN_PROGRESS))
        self.close_button.setEnabled(data.status == STATUS_AWAITING)
        self.reject_button.setEnabled(data.status == STATUS_AWAITING)
        self.extend_box.setEnabled(not closed and data.kind == KIND_DEADLINE)
        if closed:
            self.verified_by_edit.setText(data.verified_by)
            if data.verified_on:
                self.verified_on_edit.set_value(data.verified_on)
            self.opinion_edit.setPlainText(data.verification_opinion)
            self.verify_box.setEnabled(False)
            for w in self._field_widgets.values():
                w.setEnabled(False)
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.attachment_list.clear()
        for a in data.attachments:
            text = a.original_name
            if a.state != ATTACHMENT_OK:
                text += f"【{a.state}】"
            item = QListWidgetItem(text)
            item.setToolTip(
                f"{a.original_name}\n{a.size / 1024:.1f} KB，{a.added_by} {a.added_at:%Y-%m-%d}"
                "\n双击打开"
            )
            if a.state == ATTACHMENT_OK:  # a changed or missing file shows no stale picture
                item.setIcon(thumbnail(self.problems.attachment_file(a.path)))
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, a.path)
            item.setData(Qt.ItemDataRole.UserRole + 2, a.state)
            if a.state != ATTACHMENT_OK:
                item.setForeground(Qt.GlobalColor.red)
            self.attachment_list.addItem(item)
        self.timeline.setRowCount(len(data.events))
        for row, e in enumerate(reversed(data.events)):
            for col, value in enumerate((f"{e.at:%Y-%m-%d %H:%M}", e.who, e.action, e.detail)):
                self.timeline.setItem(row, col, QTableWidgetItem(value))
        self.timeline.resizeColumnsToContents()
        self.timeline.horizontalHeader().setStretchLastSection(True)

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    # --- reading the form ----------------------------------------------------------------

    def form_data(self) -> ProblemData:
        """Return what the form shows as a ProblemData."""
        kind = self.kind_combo.currentText()
        person_id = self.person_combo.currentData()
        person_text = self.person_combo.currentText().strip()
        if (
            person_id is not None
            and self.person_combo.itemText(self.person_combo.currentIndex()) != person_text
        ):
            person_id = None  # the clerk typed a different name over the chosen one
        deadline = self.deadline_edit.value() if kind == KIND_DEADLINE else None
        if self._data is not None:
            deadline = self._data.deadline
        data = ProblemData(
            description=self.description_edit.toPlainText(),
            found_date=self.found_edit.value(),
            source=self.source_combo.currentText(),
            item_id=self.item_combo.currentData(),
            scope=self.scope_combo.currentText(),
            household_id=self.household_combo.currentData(),
            village_id=self.village_combo.currentData(),
            scope_unit_id=self.scope_unit_combo.currentData(),
            cause=self.cause_edit.toPlainText(),
            measures=self.measures_edit.toPlainText(),
            unit_id=self.unit_combo.currentData(),
            person_id=person_id,
            person_name="" if person_id is not None else person_text,
            kind=kind,
            deadline=deadline,
            note=self.note_edit.text(),
            number=self.number_edit.text().strip(),
            id=self.problem_id,
            version=self._version,
        )
        return data

    # --- slots -------------------------------------------------------------------------

    def _on_item_combo_changed(self, *_args) -> None:
        item_id = self.item_combo.currentData()
        item = next((i for i in self._items if i.id == item_id), None)
        self.item_hint.setVisible(item is not None)
        if item is None:
            self.item_hint.setText("")
            return
        # The catalogue's units are a template: shown as this township's own units.
        township_id = self.problems.township_of_village(self.village_combo.currentData())
        suggested = self.problems.suggested_units(item.responsible_units, township_id)
        names = "、".join(u if isinstance(u, str) else u.name for u in suggested)
        self.item_hint.setText(f"{item.description}\n责任单位（本镇）：{names}")
        units = [u for u in suggested if not isinstance(u, str)]
        if self.problem_id is None and units and self.unit_combo.currentData() is None:
            self._select(self.unit_combo, units[0].id)

    def _on_scope_combo_changed(self, *_args) -> None:
        scope = self.scope_combo.currentText()
        self.village_combo.setVisible(scope in (SCOPE_HOUSEHOLD, SCOPE_VILLAGE))
        self.household_combo.setVisible(scope == SCOPE_HOUSEHOLD)
        self.scope_unit_combo.setVisible(scope == SCOPE_UNIT)

    def _on_village_combo_changed(self, *_args) -> None:
        self.household_combo.clear()
        self.household_combo.addItem("（请选择农户）", None)
        village_id = self.village_combo.currentData()
        self._on_item_combo_changed()  # another village may be of another township
        if village_id is None:
            return
        for household_id, text in self.problems.households_of_village(village_id):
            self.household_combo.addItem(text, household_id)

    def _on_kind_combo_changed(self, *_args) -> None:
        immediate = self.kind_combo.currentText() == KIND_IMMEDIATE
        if self.problem_id is None:
            self.deadline_edit.setEnabled(not immediate)
            self.deadline_note.setText("立行立改：保存即销号" if immediate else "")

    def _on_unit_combo_changed(self, *_args) -> None:
        typed = self.person_combo.currentText()
        self.person_combo.clear()
        unit_id = self.unit_combo.currentData()
        if unit_id is not None:
            for person in self.problems.people(unit_id):
                self.person_combo.addItem(person.name, person.id)
        if typed and self.person_combo.findText(typed) < 0:
            self.person_combo.setEditText(typed)

    def add_unit(self, name: str, kind: str = "镇直单位") -> bool:
        """Add a responsible unit (the township's own) and select it; False with the reason."""
        try:
            unit_id = self.problems.add_unit(name, kind)
        except AppError as exc:
            QMessageBox.warning(self, "不能新增单位", str(exc))
            return False
        for combo in (self.unit_combo, self.scope_unit_combo):
            combo.addItem(name.strip(), unit_id)
        self._select(self.unit_combo, unit_id)
        return True

    def _on_add_unit_button_clicked(self) -> None:
        name, ok = QInputDialog.getText(self, "新增责任单位", "单位名称：")
        if ok and name.strip():
            kind, ok = QInputDialog.getItem(
                self, "新增责任单位", "单位类别：", UNIT_KINDS, 0, False
            )
            if ok:
                self.add_unit(name, kind)

    def _show_error(self, exc: AppError) -> None:
        self.error_label.setText(str(exc))
        widget = self._field_widgets.get(getattr(exc, "field", None))
        if widget is not None and widget.isVisible():
            self.tabs.setCurrentIndex(0)
            widget.setFocus()
        QMessageBox.warning(self, "不能保存", str(exc))

    def _entries(self) -> tuple:
        """What the fields show, without the record's version (a workflow step bumps it)."""
        texts = (self.found_edit.text(), self.deadline_edit.text())
        return dataclasses.replace(self.form_data(), version=0, id=None), texts

    def has_unsaved_changes(self) -> bool:
        """True when a field differs from what was loaded or last saved."""
        return self._entries() != self._saved_entries

    def save_changes(self) -> bool:
        """Save the fields; on failure say why, keep the entries, and return False."""
        if refuse_bad_dates(self, "不能保存"):
            return False  # the entries stay on screen
        return self._save_data(self.form_data())

    def _save_data(self, data: ProblemData) -> bool:
        try:
            self.problem_id = self.problems.save(data, self.services.user.name)
        except StaleRecordError:
            return self._resolve_conflict(data)
        except AppError as exc:
            self._show_error(exc)  # the entries stay on screen
            return False
        return self._saved()

    def _resolve_conflict(self, data: ProblemData) -> bool:
        """Someone saved the problem since it was opened: show both, let the clerk choose."""
        conflict = self.problems.problem_conflict(self._data or data, data)
        choice, _go_on = ConflictDialog.run(conflict, self)
        if choice == TAKE_THEIRS:
            self._load(self.problem_id)  # the saved problem, the clerk's entries dropped
            self._saved_entries = self._entries()
            return False
        if choice != KEEP_MINE:
            return False  # 返回继续编辑: every entry stays on screen
        # The clerk's fields over the other's where the clerk changed them; the rest stays.
        self._data = conflict.theirs
        if not self._save_data(conflict.merged):
            return False
        self._load(self.problem_id)  # the merged problem on screen, as saved
        self._saved_entries = self._entries()
        return True

    def _saved(self) -> bool:
        self.changed = True
        self._saved_entries = self._entries()
        hub().problems_changed.emit()
        return True

    def _on_buttons_accepted(self) -> None:
        if self.save_changes():
            self.accept()

    def _after_step(self) -> None:
        self.changed = True
        self.error_label.clear()
        fresh = self.problems.get(self.problem_id)
        self._data = fresh
        self._refresh_workflow(fresh)
        hub().problems_changed.emit()

    def _step(self, action) -> bool:
        try:
            action()
        except AppError as exc:
            self.error_label.setText(str(exc))
            QMessageBox.warning(self, "不能办理", str(exc))
            return False
        self._after_step()
        return True

    def _on_start_button_clicked(self) -> None:
        self._step(
            lambda: self.problems.set_status(
                self.problem_id, STATUS_IN_PROGRESS, self.services.user.name
            )
        )

    def _on_submit_button_clicked(self) -> None:
        self._step(
            lambda: self.problems.set_status(
                self.problem_id, STATUS_AWAITING, self.services.user.name
            )
        )

    def _on_close_button_clicked(self) -> None:
        if refuse_bad_dates(self, "不能办理"):
            return
        who = self.verified_by_edit.text().strip()
        if not who:
            self.verified_by_edit.setFocus()
            QMessageBox.warning(self, "不能销号", "请填写验收人：实地验收的人的姓名。")
            return
        day = self.verified_on_edit.value()
        if not confirm(
            self,
            "验收销号",
            f"确认验收通过并销号？\n\n验收人：{who}\n验收日期：{day}\n\n销号后问题计为已整改，不能再修改。",
            default=False,
        ):
            return
        self._step(
            lambda: self.problems.close(
                self.problem_id,
                verified_by=who,
                verified_on=self.verified_on_edit.value(),
                opinion=self.opinion_edit.toPlainText(),
                user=self.services.user.name,
            )
        )

    def _on_reject_button_clicked(self) -> None:
        self._step(
            lambda: self.problems.set_status(
                self.problem_id,
                STATUS_IN_PROGRESS,
                self.services.user.name,
                note=self.opinion_edit.toPlainText(),
            )
        )

    def _on_extend_button_clicked(self) -> None:
        if refuse_bad_dates(self, "不能办理"):
            return
        done = self._step(
            lambda: self.problems.extend(
                self.problem_id,
                self.new_deadline_edit.value(),
                self.reason_edit.toPlainText(),
                self.services.user.name,
            )
        )
        if done:
            self.reason_edit.clear()

    def add_attachment(self, path: str) -> bool:
        """Copy a file in as evidence; False (with the reason shown) when it cannot be read."""
        return self._step(
            lambda: self.problems.add_attachment(self.problem_id, path, self.services.user.name)
        )

    def _on_add_file_button_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "选择佐证材料",
            "",
            "图片和文档 (*.png *.jpg *.jpeg *.pdf *.tif *.tiff);;所有文件 (*)",
        )
        for path in paths:
            if not self.add_attachment(path):
                break

    def _current_attachment(self) -> QListWidgetItem | None:
        item = self.attachment_list.currentItem()
        if item is None:
            QMessageBox.information(self, "佐证材料", "请先选中一个附件")
        return item

    def _on_open_file_button_clicked(self) -> None:
        item = self._current_attachment()
        if item is not None:
            self._open_attachment(item)

    def _on_attachment_list_double_clicked(self, item: QListWidgetItem) -> None:
        self._open_attachment(item)

    def _open_attachment(self, item: QListWidgetItem) -> None:
        path = self.problems.attachment_file(item.data(Qt.ItemDataRole.UserRole + 1))
        if not path.is_file():
            QMessageBox.warning(
                self, "文件缺失", f"附件文件不在了：\n{path}\n可删除该条后重新添加。"
            )
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _on_remove_file_button_clicked(self) -> None:
        item = self._current_attachment()
        if item is None:
            return
        if confirm(self, "删除附件", f"删除“{item.text()}”？", default=False):
            attachment_id = item.data(Qt.ItemDataRole.UserRole)
            self._step(
                lambda: self.problems.remove_attachment(attachment_id, self.services.user.name)
            )
