"""Dialogs of the 督查 page: a round, its sample draw, a change to the sample, a finding, the
整改函 sent. Each opens through `edit(...)` and returns (value, accepted); a refused save keeps
what was typed on screen and says why."""

from __future__ import annotations

import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.inspections.data import FindingData, RoundData
from desktop.services.inspections.rules import KIND_INSPECTION
from desktop.services.problems.rules import (
    KIND_DEADLINE,
    KINDS,
    SCOPE_HOUSEHOLD,
    SCOPE_VILLAGE,
)
from desktop.views.date_edit import DateEdit
from desktop.views.dialogs import dialog_buttons

SEED_MAX = 2**31 - 1


def date_edit(day: datetime.date) -> DateEdit:
    """The window's date field (typed 20240520, 2024.5.20 …; a calendar), never blank here."""
    return DateEdit(day, allow_blank=False)


def text_edit(height: int = 60) -> QPlainTextEdit:
    """A short multi-line text field; Tab moves on."""
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


class _FormDialog(QDialog):
    """A form layout with 保存/取消; `_save()` raises AppError to keep the dialog open."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b")
        self.message.setWordWrap(True)
        buttons = dialog_buttons(self, "保存", on_accept=self._on_buttons_accepted)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.value = None

    def _on_buttons_accepted(self) -> None:
        try:
            self.value = self._save()
        except AppError as exc:
            self.message.setText(str(exc))
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        self.accept()

    def _save(self):
        raise NotImplementedError

    @classmethod
    def _run(cls, dialog: _FormDialog) -> tuple[Any, bool]:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.value, accepted


class RoundDialog(_FormDialog):
    """A round: group, the county it covers, dates, units visited."""

    @classmethod
    def run(cls, services, round_id: int | None, parent: QWidget | None = None) -> tuple[Any, bool]:
        """Open the dialog; return (round id, accepted)."""
        return cls._run(cls(services, round_id, parent))

    def __init__(self, services, round_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__("督查" if round_id is None else "修改督查", parent)
        self.inspections = services.inspections
        self.user = services.user.name
        self.data = (
            self.inspections.get_round(round_id) if round_id else RoundData(kind=KIND_INSPECTION)
        )
        self.groups = self.inspections.groups()
        self.group_combo = QComboBox()
        for g in self.groups:
            self.group_combo.addItem(
                f"{g.name}（组长：{g.leader}；负责{'、'.join(g.counties)}）", g.id
            )
        self.county_combo = QComboBox()
        today = datetime.date.today()
        self.start_edit = date_edit(self.data.start_date or today)
        self.end_edit = date_edit(self.data.end_date or today)
        self.units_list = QListWidget()
        self.units_list.setMinimumHeight(160)
        for u in services.problems.units():
            item = QListWidgetItem(f"{u.name}（{u.kind}）")
            item.setData(Qt.ItemDataRole.UserRole, u.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = u.id in self.data.unit_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.units_list.addItem(item)
        self.note_edit = text_edit(50)
        self.note_edit.setPlainText(self.data.note)
        self.liaison_label = QLabel()
        self.form.addRow("督查组", self.group_combo)
        self.form.addRow("督查县区", self.county_combo)
        self.form.addRow("联络员", self.liaison_label)
        self.form.addRow("开始日期", self.start_edit)
        self.form.addRow("结束日期", self.end_edit)
        self.form.addRow("被督查单位（勾选）", self.units_list)
        self.form.addRow("备注", self.note_edit)
        self.group_combo.currentIndexChanged.connect(self._on_group_combo_changed)
        self.county_combo.currentIndexChanged.connect(self._on_county_combo_changed)
        if self.data.group_id:
            self.group_combo.setCurrentIndex(max(0, self.group_combo.findData(self.data.group_id)))
        self._on_group_combo_changed()
        if self.data.county_name:
            self.county_combo.setCurrentIndex(
                max(0, self.county_combo.findText(self.data.county_name))
            )
        self.resize(560, 560)

    def _group(self):
        return next((g for g in self.groups if g.id == self.group_combo.currentData()), None)

    def _on_group_combo_changed(self) -> None:
        group = self._group()
        self.county_combo.clear()
        if group is not None:
            self.county_combo.addItems(list(group.counties))
        self._on_county_combo_changed()

    def _on_county_combo_changed(self) -> None:
        group = self._group()
        county = self.county_combo.currentText()
        self.liaison_label.setText(group.liaison(county) if group else "")

    def _save(self) -> int:
        data = self.data
        data.group_id = self.group_combo.currentData()
        data.county_name = self.county_combo.currentText()
        data.start_date = self.start_edit.value()
        data.end_date = self.end_edit.value()
        data.note = self.note_edit.toPlainText()
        data.unit_ids = [
            self.units_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.units_list.count())
            if self.units_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        return self.inspections.save_round(data, self.user)


class DrawSampleDialog(_FormDialog):
    """Draw a round's sample: the township and the seed (recorded with the round)."""

    @classmethod
    def run(cls, services, round_id: int, parent: QWidget | None = None) -> tuple[Any, bool]:
        """Open the dialog; return (the proposal drawn, accepted)."""
        return cls._run(cls(services, round_id, parent))

    def __init__(self, services, round_id: int, parent: QWidget | None = None) -> None:
        super().__init__("抽样", parent)
        self.inspections = services.inspections
        self.user = services.user.name
        self.round_id = round_id
        row = self.inspections.round_row(round_id)
        self.township_combo = QComboBox()
        for township_id, name in self.inspections.townships(row.county_name):
            self.township_combo.addItem(name, township_id)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, SEED_MAX)
        self.seed_spin.setValue(
            row.sample_seed if row.sample_seed is not None else self.inspections.new_seed()
        )
        self.form.addRow(
            QLabel(
                "每次至少抽查1个镇、1个贫困村和1个面上村，每村至少3户（2户预脱贫户、1户未脱贫户）。"
            )
        )
        self.form.addRow("抽查的镇", self.township_combo)
        self.form.addRow("随机种子（记录在本轮督查中，可重现）", self.seed_spin)
        if self.township_combo.count() == 0:
            self.message.setText(f"户籍中没有{row.county_name}的镇，无法抽样")

    def _save(self):
        township_id = self.township_combo.currentData()
        if township_id is None:
            raise_error("请先选择抽查的镇")
        return self.inspections.draw_sample(
            self.round_id, township_id, self.seed_spin.value(), self.user
        )


def raise_error(message: str) -> None:
    """Refuse a save with a message."""
    raise AppError(message)


class SampleChangeDialog(_FormDialog):
    """Change one entry of the sample: another household or village, and why (required)."""

    @classmethod
    def run(cls, services, entry, parent: QWidget | None = None) -> tuple[Any, bool]:
        """Open the dialog for a sample entry; return (what the sample now lacks, accepted)."""
        return cls._run(cls(services, entry, parent))

    def __init__(self, services, entry, parent: QWidget | None = None) -> None:
        super().__init__("调整抽查对象", parent)
        self.inspections = services.inspections
        self.user = services.user.name
        self.entry = entry
        self.choice_combo = QComboBox()
        self.choice_combo.setEditable(True)  # type to find a 户主 or a 户编号
        self.choice_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        year = datetime.date.today().year
        if entry.is_household:
            kinds = {
                h.id: h.kind
                for t in self.inspections.candidates(year)
                for v in t.villages
                if v.id == entry.village_id
                for h in v.households
            }
            for household_id, text in services.problems.households_of_village(entry.village_id):
                kind = kinds.get(household_id) or "其他农户"
                self.choice_combo.addItem(f"{text}　{kind}", household_id)
            label = f"换下 {entry.target}（{entry.kind}），改为"
        else:
            for township_id, _name in self.inspections.townships():
                for t in self.inspections.candidates(year, township_id):
                    for v in t.villages:
                        if v.id != entry.village_id:
                            lacks = "；".join(v.shortfalls()) or "可抽足"
                            self.choice_combo.addItem(
                                f"{t.name} {v.name}（{v.kind}；{lacks}）", v.id
                            )
            label = f"换下 {entry.target}（{entry.kind}）及其抽查户，改为"
        self.reason_edit = text_edit(60)
        self.reason_edit.setPlaceholderText("必填：为什么调整（如：该户外出务工、家中无人）")
        self.form.addRow(QLabel(label))
        self.form.addRow("替换为", self.choice_combo)
        self.form.addRow("调整原因", self.reason_edit)
        self.resize(620, 260)

    def _save(self) -> list[str]:
        target = self.choice_combo.currentData()
        if target is None:
            raise_error("请选择替换的对象")
        key = "household_id" if self.entry.is_household else "village_id"
        return self.inspections.replace_sample_entry(
            self.entry.id, reason=self.reason_edit.toPlainText(), user=self.user, **{key: target}
        )


class FindingDialog(_FormDialog):
    """A finding under one 督查内容 category; saved, it is a problem of the 整改台账."""

    @classmethod
    def run(cls, services, round_id: int, parent: QWidget | None = None) -> tuple[Any, bool]:
        """Open the dialog; return (the problem's id, accepted)."""
        return cls._run(cls(services, round_id, parent))

    def __init__(self, services, round_id: int, parent: QWidget | None = None) -> None:
        super().__init__("登记督查发现的问题", parent)
        self.inspections = services.inspections
        self.user = services.user.name
        self.round_id = round_id
        row = self.inspections.round_row(round_id)
        self.category_combo = QComboBox()
        self.method_label = QLabel()
        self.method_label.setWordWrap(True)
        self.method_label.setStyleSheet("color: #555")
        self.categories = self.inspections.categories()
        for c in self.categories:
            self.category_combo.addItem(f"{c.seq}. {c.name}", c.id)
        self.target_combo = QComboBox()
        for e in self.inspections.sample(round_id):
            if not e.dropped:
                self.target_combo.addItem(f"{e.target}（{e.kind}）", e)
        self.unit_combo = QComboBox()
        for u in services.problems.units():
            self.unit_combo.addItem(f"{u.name}（{u.kind}）", u.id)
        self.person_edit = QLineEdit()
        self.description_edit = text_edit(70)
        self.measures_edit = text_edit(50)
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(list(KINDS))
        self.found_edit = date_edit(row.end_date)
        self.deadline_edit = date_edit(row.end_date + datetime.timedelta(days=30))
        self.form.addRow("督查内容类别", self.category_combo)
        self.form.addRow("督查形式", self.method_label)
        self.form.addRow("问题对象（抽查对象）", self.target_combo)
        self.form.addRow("问题描述", self.description_edit)
        self.form.addRow("整改要求", self.measures_edit)
        self.form.addRow("责任单位", self.unit_combo)
        self.form.addRow("责任人", self.person_edit)
        self.form.addRow("整改类型", self.kind_combo)
        self.form.addRow("发现日期", self.found_edit)
        self.form.addRow("整改时限", self.deadline_edit)
        self.category_combo.currentIndexChanged.connect(self._on_category_combo_changed)
        self.target_combo.currentIndexChanged.connect(self._on_target_combo_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self._on_category_combo_changed()
        self._on_target_combo_changed()
        if self.target_combo.count() == 0:
            self.message.setText("本轮督查还没有抽样：请先抽样，再登记问题")
        self.resize(640, 640)

    def _on_category_combo_changed(self) -> None:
        c = next((c for c in self.categories if c.id == self.category_combo.currentData()), None)
        self.method_label.setText(c.method if c else "")

    def _on_target_combo_changed(self) -> None:
        entry = self.target_combo.currentData()
        if entry is None:
            return
        # A village's own problems go to the village (the clerk may choose another unit).
        index = self.unit_combo.findText(f"{entry.village_name}（村）")
        if index >= 0:
            self.unit_combo.setCurrentIndex(index)

    def _on_kind_combo_changed(self) -> None:
        self.deadline_edit.setEnabled(self.kind_combo.currentText() == KIND_DEADLINE)

    def _save(self) -> int:
        entry = self.target_combo.currentData()
        if entry is None:
            raise_error("请先抽样，再登记问题")
        deadline = self.deadline_edit.value() if self.deadline_edit.isEnabled() else None
        data = FindingData(
            round_id=self.round_id,
            category_id=self.category_combo.currentData(),
            description=self.description_edit.toPlainText(),
            scope=SCOPE_HOUSEHOLD if entry.is_household else SCOPE_VILLAGE,
            household_id=entry.household_id,
            village_id=entry.village_id,
            unit_id=self.unit_combo.currentData(),
            person_name=self.person_edit.text(),
            measures=self.measures_edit.toPlainText(),
            deadline=deadline,
            kind=self.kind_combo.currentText(),
            found_date=self.found_edit.value(),
        )
        return self.inspections.add_finding(data, self.user)


class NoticeSentDialog(_FormDialog):
    """Record that the 整改函 went out: the date (the three-day clock stops) and its number."""

    @classmethod
    def run(cls, services, round_id: int, parent: QWidget | None = None) -> tuple[Any, bool]:
        """Open the dialog; return (True, accepted)."""
        return cls._run(cls(services, round_id, parent))

    def __init__(self, services, round_id: int, parent: QWidget | None = None) -> None:
        super().__init__("记录整改函发出", parent)
        self.inspections = services.inspections
        self.user = services.user.name
        self.round_id = round_id
        row = self.inspections.round_row(round_id)
        self.date_edit = date_edit(min(datetime.date.today(), row.clock.due))
        self.number_edit = QLineEdit(row.notice_number)
        self.number_edit.setPlaceholderText("如：督查函〔2026〕7号")
        self.form.addRow(QLabel(f"应于 {row.clock.due:%Y-%m-%d} 前发出（督查结束后 3 天内）"))
        self.form.addRow("发函日期", self.date_edit)
        self.form.addRow("发文字号", self.number_edit)

    def _save(self) -> bool:
        self.inspections.record_notice(
            self.round_id, self.date_edit.value(), self.number_edit.text(), self.user
        )
        return True


class AddVillageDialog(_FormDialog):
    """Add one more village to the sample (of any township), and why (required)."""

    @classmethod
    def run(cls, services, round_id: int, parent: QWidget | None = None) -> tuple[Any, bool]:
        """Open the dialog; return (what the sample now lacks, accepted)."""
        return cls._run(cls(services, round_id, parent))

    def __init__(self, services, round_id: int, parent: QWidget | None = None) -> None:
        super().__init__("增加抽查村", parent)
        self.inspections = services.inspections
        self.user = services.user.name
        self.round_id = round_id
        taken = {e.village_id for e in self.inspections.sample(round_id) if not e.dropped}
        row = self.inspections.round_row(round_id)
        year = row.sample_year or row.start_date.year
        self.village_combo = QComboBox()
        for t in self.inspections.candidates(year):
            for v in t.villages:
                if v.id not in taken:
                    lacks = "；".join(v.shortfalls()) or "可抽足"
                    self.village_combo.addItem(f"{t.name} {v.name}（{v.kind}；{lacks}）", v.id)
        self.reason_edit = text_edit(60)
        self.reason_edit.setPlaceholderText("必填：为什么增加（如：群众反映问题较多）")
        self.form.addRow(QLabel("所选村的农户按本轮随机种子抽取（2户预脱贫户、1户未脱贫户）。"))
        self.form.addRow("增加的村", self.village_combo)
        self.form.addRow("增加原因", self.reason_edit)
        self.resize(620, 240)

    def _save(self) -> list[str]:
        village_id = self.village_combo.currentData()
        if village_id is None:
            raise_error("请选择要增加的村")
        return self.inspections.add_sample_village(
            self.round_id, village_id, reason=self.reason_edit.toPlainText(), user=self.user
        )
