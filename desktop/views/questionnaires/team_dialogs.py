"""The 调查问卷 tab's editing dialogs: 排查组 and 排查小组 (with the people who review), moving
households between pairs and days, and drawing the questionnaires to key a second time.

Every change is made by TeamService or DoubleEntryService; a refusal (cross review, a pair that
still holds households, a draw with nothing left) is shown in the dialog's own message line in
the service's words, so the clerk reads why where they acted.
"""

from __future__ import annotations

import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.questionnaires.team_data import COUNTY_SHARE_WANTED, AssignmentRow
from desktop.services.questionnaires.teams import ENTRY_END, ENTRY_START, PER_DAY
from desktop.views.date_edit import DateEdit
from desktop.views.dialogs import dialog_buttons
from desktop.views.questionnaires.table_models import (
    DrawnTableModel,
    DrawTableModel,
    PairTableModel,
    ReviewerTableModel,
    TeamTableModel,
    table_view,
)
from desktop.views.signals import hub

ERROR_STYLE = "color: #c0392b;"
DONE_STYLE = "color: #1d6b1d;"


def _selected(view: QTableView):
    index = view.currentIndex()
    return view.model().row_at(index.row()) if index.isValid() else None


class _MessageLine(QLabel):
    """The dialog's one line of feedback: a refusal in red, a done step in green."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def refused(self, text: str) -> None:
        """Say why the service refused."""
        self.setStyleSheet(ERROR_STYLE)
        self.setText(text)

    def done(self, text: str) -> None:
        """Say what was done."""
        self.setStyleSheet(DONE_STYLE)
        self.setText(text)


class TeamsDialog(QDialog):
    """排查组 per village, its 排查小组 of two, and the people who review.

    Left: every village, its team and the 县直干部 share of its members (orange below the
    seed's half). Right: the selected village's pairs (添加小组 from two people, 解散小组), and
    everyone who reviews (添加人员: a 县直干部 comes from no village, anyone else from one)."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("排查组与排查小组")
        self.teams = services.teams
        self.changed = False

        self.team_model = TeamTableModel(self)
        self.team_view = table_view(self.team_model, parent=self)
        self.create_button = QPushButton("建立排查组…", self)
        self.plan_button = QPushButton(f"按每天{PER_DAY}户分配…", self)
        self.plan_button.setToolTip(
            f"把本村尚未分配的农户按每个小组每天约{PER_DAY}户排到"
            f"{ENTRY_START:%m-%d}—{ENTRY_END:%m-%d}（实施方案：4月13日-28日入户排查）"
        )
        self.share_label = QLabel(self)
        self.share_label.setWordWrap(True)

        self.pair_model = PairTableModel(self)
        self.pair_view = table_view(self.pair_model, parent=self)
        self.first_combo = QComboBox(self)
        self.second_combo = QComboBox(self)
        for combo in (self.first_combo, self.second_combo):
            combo.setMinimumContentsLength(12)
        self.add_pair_button = QPushButton("添加小组", self)
        self.remove_pair_button = QPushButton("解散小组", self)

        self.reviewer_model = ReviewerTableModel(self)
        self.reviewer_view = table_view(self.reviewer_model, parent=self)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("姓名")
        self.unit_edit = QLineEdit(self)
        self.unit_edit.setPlaceholderText("单位（复核人员单位）")
        self.county_check = QCheckBox("县直干部", self)
        self.village_combo = QComboBox(self)
        self.add_person_button = QPushButton("添加人员", self)
        self.message = _MessageLine(self)

        left = QVBoxLayout()
        left.addWidget(QLabel("各村排查组（县直干部应占排查组成员的一半）：", self))
        left.addWidget(self.team_view, 1)
        left.addWidget(self.share_label)
        row = QHBoxLayout()
        row.addWidget(self.create_button)
        row.addWidget(self.plan_button)
        row.addStretch(1)
        left.addLayout(row)

        pairs = QGroupBox("本村的排查小组（每组两人，不能有本村的人）", self)
        pair_layout = QVBoxLayout(pairs)
        pair_layout.addWidget(self.pair_view, 1)
        pick = QHBoxLayout()
        pick.addWidget(self.first_combo, 1)
        pick.addWidget(self.second_combo, 1)
        pick.addWidget(self.add_pair_button)
        pick.addWidget(self.remove_pair_button)
        pair_layout.addLayout(pick)

        people = QGroupBox("排查人员", self)
        people_layout = QVBoxLayout(people)
        people_layout.addWidget(self.reviewer_view, 1)
        form = QGridLayout()
        form.addWidget(self.name_edit, 0, 0)
        form.addWidget(self.unit_edit, 0, 1)
        form.addWidget(self.county_check, 1, 0)
        form.addWidget(self.village_combo, 1, 1)
        form.addWidget(self.add_person_button, 1, 2)
        people_layout.addLayout(form)

        right = QVBoxLayout()
        right.addWidget(pairs, 1)
        right.addWidget(people, 1)
        body = QHBoxLayout()
        body.addLayout(left, 5)
        body.addLayout(right, 6)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        buttons = dialog_buttons(self, "完成", "关闭")
        layout.addWidget(buttons)

        self.team_view.selectionModel().currentRowChanged.connect(self._on_team_view_changed)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.plan_button.clicked.connect(self._on_plan_clicked)
        self.add_pair_button.clicked.connect(self._on_add_pair_clicked)
        self.remove_pair_button.clicked.connect(self._on_remove_pair_clicked)
        self.add_person_button.clicked.connect(self._on_add_person_clicked)
        self.county_check.toggled.connect(self._on_county_check_toggled)
        self.resize(1120, 600)
        self.refresh()
        if self.team_model.rowCount():
            self.team_view.selectRow(0)

    # --- showing ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read villages, teams, pairs and people again, keeping the selected village."""
        current = self.current_team()
        self.team_model.set_rows(self.teams.teams())
        people = self.teams.reviewers()
        self.reviewer_model.set_rows(people)
        for combo in (self.first_combo, self.second_combo):
            kept = combo.currentData()
            combo.clear()
            combo.addItem("选择排查人员", None)
            for p in people:
                origin = "县直干部" if p.is_county_cadre else p.home_village
                combo.addItem(f"{p.name}（{origin}）", p.id)
            combo.setCurrentIndex(max(combo.findData(kept), 0) if kept is not None else 0)
        villages = [(r.village_id, r.village) for r in self.team_model.rows()]
        self.village_combo.clear()
        self.village_combo.addItem("所在村", None)
        for vid, name in villages:
            self.village_combo.addItem(name, vid)
        if current is not None:
            self.select_village(current.village_id)
        self._show_team()

    def current_team(self):
        """The selected village's row (TeamRow), or None."""
        return _selected(self.team_view)

    def select_village(self, village_id: int) -> bool:
        """Select a village's row; False when it is not listed."""
        for n, r in enumerate(self.team_model.rows()):
            if r.village_id == village_id:
                self.team_view.selectRow(n)
                return True
        return False

    def _show_team(self) -> None:
        row = self.current_team()
        has_team = row is not None and row.team_id is not None
        self.pair_model.set_rows(self.teams.pairs(row.village_id) if has_team else [])
        self.create_button.setEnabled(row is not None and not has_team)
        self.plan_button.setEnabled(has_team and row.pairs > 0)
        for w in (self.first_combo, self.second_combo, self.add_pair_button):
            w.setEnabled(has_team)
        self.remove_pair_button.setEnabled(has_team and row.pairs > 0)
        if row is None:
            self.share_label.setText("")
        elif not has_team:
            self.share_label.setText(f"{row.village}还没有排查组")
        else:
            share = row.share
            low = share is not None and share < COUNTY_SHARE_WANTED
            self.share_label.setStyleSheet("color: #b26a00;" if low else "")
            self.share_label.setText(
                f"{row.village}排查组：{row.pairs} 个小组，县直干部 {row.share_text}"
                + ("，不足一半（实施方案：县直干部占排查组成员50%）" if low else "")
            )

    # --- slots ------------------------------------------------------------------------

    def _on_team_view_changed(self, *_args) -> None:
        self._show_team()

    def _act(self, done: str, action) -> bool:
        try:
            action()
        except AppError as exc:
            self.message.refused(str(exc))
            return False
        self.changed = True
        self.refresh()
        self.message.done(done)
        hub().registry_changed.emit()
        return True

    def create_team(self, leader: str) -> bool:
        """Set up the selected village's 排查组 with its 组长."""
        row = self.current_team()
        if row is None:
            return False
        village_id = row.village_id
        return self._act(f"已建立{row.village}排查组",
                         lambda: self.teams.create_team(village_id, leader.strip()))  # fmt: skip

    def _on_create_clicked(self) -> None:
        row = self.current_team()
        if row is None:
            return
        leader, ok = QInputDialog.getText(self, "建立排查组", f"{row.village}排查组组长：")
        if ok:
            self.create_team(leader)

    def plan(self) -> bool:
        """Spread the selected village's unassigned households over its pairs."""
        row = self.current_team()
        if row is None:
            return False
        counted: list[int] = []
        ok = self._act("", lambda: counted.append(self.teams.plan(row.village_id)))
        if ok:
            self.message.done(
                f"{row.village}：已分配 {counted[0]} 户（每个小组每天约{PER_DAY}户，"
                f"自{ENTRY_START:%m-%d}起）"
                if counted[0]
                else f"{row.village}没有尚未分配的农户"
            )
        return ok

    def _on_plan_clicked(self) -> None:
        self.plan()

    def add_pair(self, first_id: int | None, second_id: int | None) -> bool:
        """Add a pair of two to the selected village's team (cross review is checked)."""
        row = self.current_team()
        if row is None or row.team_id is None:
            return False
        if first_id is None or second_id is None:
            self.message.refused("请选择小组的两名成员")
            return False
        return self._act(f"已在{row.village}排查组添加小组",
                         lambda: self.teams.add_pair(row.team_id, first_id, second_id))  # fmt: skip

    def _on_add_pair_clicked(self) -> None:
        self.add_pair(self.first_combo.currentData(), self.second_combo.currentData())

    def remove_pair(self) -> bool:
        """Dissolve the selected pair (refused while it holds households)."""
        pair = _selected(self.pair_view)
        if pair is None:
            self.message.refused("请先选择要解散的小组")
            return False
        return self._act(f"已解散{pair.label}", lambda: self.teams.remove_pair(pair.id))

    def _on_remove_pair_clicked(self) -> None:
        self.remove_pair()

    def add_person(self) -> bool:
        """Add the reviewer typed below the list."""
        county = self.county_check.isChecked()
        village = None if county else self.village_combo.currentData()
        name = self.name_edit.text()
        ok = self._act(
            f"已添加排查人员 {name.strip()}",
            lambda: self.teams.add_reviewer(name, unit=self.unit_edit.text(),
                                            is_county_cadre=county, home_village_id=village),
        )  # fmt: skip
        if ok:
            self.name_edit.clear()
            self.unit_edit.clear()
        return ok

    def _on_add_person_clicked(self) -> None:
        self.add_person()

    def _on_county_check_toggled(self, checked: bool) -> None:
        self.village_combo.setEnabled(not checked)  # a 县直干部 comes from no village

    @classmethod
    def run(cls, services, parent: QWidget | None = None) -> tuple[None, bool]:
        """Edit teams and pairs; return (None, whether anything was changed)."""
        dialog = cls(services, parent)
        dialog.exec()
        return None, dialog.changed


class MoveDialog(QDialog):
    """改派: give the selected households to another pair, or to another day (or both)."""

    def __init__(self, services, rows: list[AssignmentRow], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("改派农户")
        self.teams = services.teams
        self.rows = rows
        self.pair_combo = QComboBox(self)
        self.pair_combo.setMinimumContentsLength(28)
        current = rows[0].pair_id if rows else None
        for p in self.teams.pairs():
            self.pair_combo.addItem(p.label, p.id)
        self.pair_combo.setCurrentIndex(max(self.pair_combo.findData(current), 0))
        self.date_edit = DateEdit(rows[0].visit_date if rows else ENTRY_START, self,
                                  allow_blank=False)  # fmt: skip
        self.message = _MessageLine(self)
        who = "、".join(f"{r.household_code} {r.head_name}" for r in rows[:3])
        more = f" 等 {len(rows)} 户" if len(rows) > 3 else ""
        form = QFormLayout()
        form.addRow("农户：", QLabel(who + more, self))
        form.addRow("改派给：", self.pair_combo)
        form.addRow("入户日期：", self.date_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            QLabel("已提交审核、已通过或已退回的问卷留在原小组；不能派给有本村成员的小组。", self)
        )
        layout.addWidget(self.message)
        layout.addWidget(dialog_buttons(self, "改派", on_accept=self.move))

    def move(self) -> bool:
        """Give the households to the chosen pair on the chosen day; say why when refused."""
        pair_id, day = self.pair_combo.currentData(), self.date_edit.value()
        if pair_id is None or day is None:
            self.message.refused("请选择小组和日期")
            return False
        try:
            self.teams.assign(pair_id, [r.household_id for r in self.rows], day)
        except AppError as exc:
            self.message.refused(str(exc))
            return False
        self.accept()
        return True

    @classmethod
    def run(
        cls, services, rows: list[AssignmentRow], parent: QWidget | None = None
    ) -> tuple[tuple[int, datetime.date] | None, bool]:
        """Move households; return ((pair id, day), whether they were moved)."""
        dialog = cls(services, rows, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        chosen = (dialog.pair_combo.currentData(), dialog.date_edit.value())
        return (chosen if accepted else None), accepted


class SampleDialog(QDialog):
    """抽取二次录入样本: by share or by count, recorded; the draws so far and what each drew."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("抽取二次录入样本")
        self.services = services
        self.double = services.double_entry
        self.drawn = False
        self.by_share = QRadioButton("按比例", self)
        self.by_count = QRadioButton("按份数", self)
        self.by_share.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_share)
        group.addButton(self.by_count)
        self.share_spin = QDoubleSpinBox(self)
        self.share_spin.setRange(1, 100)
        self.share_spin.setDecimals(0)
        self.share_spin.setSuffix(" %")
        self.share_spin.setValue(10)
        self.count_spin = QSpinBox(self)
        self.count_spin.setRange(1, 100000)
        self.count_spin.setSuffix(" 份")
        self.count_spin.setValue(5)
        self.draw_button = QPushButton("抽取", self)
        self.available_label = QLabel(self)
        self.message = _MessageLine(self)
        self.draw_model = DrawTableModel(self)
        self.draw_view = table_view(self.draw_model, parent=self)
        self.drawn_model = DrawnTableModel(self)
        self.drawn_view = table_view(self.drawn_model, parent=self)

        rule = QHBoxLayout()
        rule.addWidget(self.by_share)
        rule.addWidget(self.share_spin)
        rule.addSpacing(16)
        rule.addWidget(self.by_count)
        rule.addWidget(self.count_spin)
        rule.addSpacing(16)
        rule.addWidget(self.draw_button)
        rule.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.available_label)
        layout.addLayout(rule)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("历次抽取（记入操作日志）：", self))
        layout.addWidget(self.draw_view, 1)
        layout.addWidget(QLabel("所选一次抽中的问卷：", self))
        layout.addWidget(self.drawn_view, 2)
        layout.addWidget(dialog_buttons(self, "完成", "关闭"))

        self.by_share.toggled.connect(self._on_rule_toggled)
        self.draw_button.clicked.connect(self.draw)
        self.draw_view.selectionModel().currentRowChanged.connect(self._on_draw_view_changed)
        self._on_rule_toggled(True)
        self.resize(820, 560)
        self.refresh()

    def refresh(self) -> None:
        """Read the draws again and show the newest one's questionnaires."""
        draws = self.double.draws()
        self.draw_model.set_rows(draws)
        left = self.double.drawable()
        pending = len(self.double.pending())
        self.available_label.setText(
            f"可抽取的问卷（录入完成、未二次录入、未被抽中）：{left} 份；"
            f"已抽中待二次录入：{pending} 份"
        )
        self.draw_button.setEnabled(left > 0)
        if draws:
            self.draw_view.selectRow(len(draws) - 1)
        self._show_drawn()

    def _show_drawn(self) -> None:
        draw = _selected(self.draw_view)
        self.drawn_model.set_rows(self.double.drawn_households(draw) if draw else [])

    def _on_draw_view_changed(self, *_args) -> None:
        self._show_drawn()

    def _on_rule_toggled(self, _checked: bool) -> None:
        self.share_spin.setEnabled(self.by_share.isChecked())
        self.count_spin.setEnabled(self.by_count.isChecked())

    def draw(self) -> bool:
        """Draw by the chosen rule and record it; say why when refused."""
        share = self.share_spin.value() / 100 if self.by_share.isChecked() else None
        count = self.count_spin.value() if self.by_count.isChecked() else None
        try:
            done = self.double.draw_sample(self.services.user, share=share, count=count)
        except AppError as exc:
            self.message.refused(str(exc))
            return False
        self.drawn = True
        self.refresh()
        self.message.done(f"已抽中 {len(done.items)} 份（{done.rule}，共 {done.available} 份可抽）")
        return True

    @classmethod
    def run(cls, services, parent: QWidget | None = None) -> tuple[None, bool]:
        """Draw samples; return (None, whether a draw was made)."""
        dialog = cls(services, parent)
        dialog.exec()
        return None, dialog.drawn
