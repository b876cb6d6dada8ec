"""QuestionnairesPage: the 调查问卷 tab — progress by village or by pair, each pair's households
by day, opening a household's questionnaire, and the review (提交审核 / 通过 / 退回).

A questionnaire under review or passed opens read-only (FormDialog asks TeamService why).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import chinese_month_day
from desktop.errors import AppError
from desktop.services.questionnaires.team_data import (
    ENTERED_STATES,
    REVIEW_ASSIGNED,
    REVIEW_RETURNED,
    REVIEW_SUBMITTED,
    AssignmentRow,
    PairData,
)
from desktop.views.questionnaires.table_models import (
    AssignmentTableModel,
    ProgressTableModel,
    table_view,
)
from desktop.views.signals import hub

BY_LABELS = (("village", "按村"), ("pair", "按小组"))
ALL_DAYS = "全部日期"


def _origin(person) -> str:
    return "县直干部" if person.is_county_cadre else person.home_village


class QuestionnairesPage(QWidget):
    """Progress of the questionnaires, each pair's list by day, and the review steps."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.teams = services.teams

        self.by_combo = QComboBox(self)
        for key, label in BY_LABELS:
            self.by_combo.addItem(label, key)
        self.progress_model = ProgressTableModel(self)
        self.progress_view = table_view(self.progress_model, stretch_last=False)

        self.pair_combo = QComboBox(self)
        self.pair_combo.setMinimumContentsLength(24)
        self.day_combo = QComboBox(self)
        self.pair_info = QLabel(self)
        self.assignment_model = AssignmentTableModel(self)
        self.assignment_view = table_view(self.assignment_model)

        self.open_button = QPushButton("打开问卷", self)
        self.submit_button = QPushButton("提交审核", self)
        self.pass_button = QPushButton("通过", self)
        self.return_button = QPushButton("退回…", self)
        self.print_button = QPushButton("打印当日名单…", self)
        self.verify_button = QPushButton("二次录入…", self)
        self.verify_button.setToolTip("另一名录入员对照纸质问卷再录一遍，用于核对录入质量")
        self.resolve_button = QPushButton("核对差异…", self)
        self.rates_label = QLabel(self)
        self.rates_label.setWordWrap(True)  # one clerk after another: wraps, never widens the tab
        self.teams_button = QPushButton("排查组与小组…", self)
        self.teams_button.setToolTip("建立各村排查组、两人一组的排查小组，添加排查人员")
        self.sample_button = QPushButton("抽取二次录入样本…", self)
        self.move_button = QPushButton("改派…", self)
        self.move_button.setToolTip("把选中的农户改派给其他小组或其他日期（可多选）")

        top = QHBoxLayout()
        top.addWidget(QLabel("进度：", self))
        top.addWidget(self.by_combo)
        top.addStretch(1)
        top.addWidget(self.teams_button)
        top.addWidget(self.sample_button)
        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.progress_view)

        pick = QHBoxLayout()
        pick.addWidget(QLabel("排查小组：", self))
        pick.addWidget(self.pair_combo, 1)
        pick.addWidget(QLabel("日期：", self))
        pick.addWidget(self.day_combo)
        buttons = QHBoxLayout()
        for b in (self.open_button, self.submit_button, self.pass_button, self.return_button):
            buttons.addWidget(b)
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.move_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(pick)
        lower_layout.addWidget(self.pair_info)
        lower_layout.addWidget(self.assignment_view, 1)
        lower_layout.addLayout(buttons)
        lower_layout.addWidget(self.rates_label)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.by_combo.currentIndexChanged.connect(self._on_by_combo_changed)
        self.pair_combo.currentIndexChanged.connect(self._on_pair_combo_changed)
        self.day_combo.currentIndexChanged.connect(self._on_day_combo_changed)
        self.assignment_view.doubleClicked.connect(self._on_assignment_view_activated)
        self.assignment_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.progress_view.doubleClicked.connect(self._on_progress_view_activated)
        self.open_button.clicked.connect(self.open_current)
        self.submit_button.clicked.connect(self._on_submit_clicked)
        self.pass_button.clicked.connect(self._on_pass_clicked)
        self.return_button.clicked.connect(self._on_return_clicked)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.verify_button.clicked.connect(self._on_verify_clicked)
        self.resolve_button.clicked.connect(self._on_resolve_clicked)
        self.teams_button.clicked.connect(self._on_teams_clicked)
        self.sample_button.clicked.connect(self._on_sample_clicked)
        self.move_button.clicked.connect(self._on_move_clicked)
        self.assignment_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        hub().form_changed.connect(self._on_hub_form_changed)
        hub().registry_changed.connect(self.refresh)
        self.refresh()

    # --- showing ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read progress, pairs and the current pair's list again."""
        self.progress_model.set_rows(self.teams.progress(self.by_combo.currentData()))
        current = self.pair_combo.currentData()
        self.pairs: list[PairData] = self.teams.pairs()
        self.pair_combo.blockSignals(True)
        self.pair_combo.clear()
        for p in self.pairs:
            self.pair_combo.addItem(p.label, p.id)
        index = self.pair_combo.findData(current) if current is not None else 0
        self.pair_combo.setCurrentIndex(max(index, 0))
        self.pair_combo.blockSignals(False)
        self._show_pair()
        rates = self.services.double_entry.error_rates()
        self.rates_label.setText(
            "二次录入差错率："
            + "；".join(f"{r.clerk} {r.errors}/{r.fields}（{r.rate:.1%}）" for r in rates)
            if rates
            else "二次录入差错率：尚无核对完的二次录入"
        )

    def _show_pair(self) -> None:
        pair_id = self.pair_combo.currentData()
        self.rows: list[AssignmentRow] = (
            self.teams.assignments(pair_id=pair_id) if pair_id is not None else []
        )
        day = self.day_combo.currentData()
        days = sorted({r.visit_date for r in self.rows})
        self.day_combo.blockSignals(True)
        self.day_combo.clear()
        self.day_combo.addItem(ALL_DAYS, None)
        for d in days:
            count = sum(r.visit_date == d for r in self.rows)
            self.day_combo.addItem(f"{chinese_month_day(d, padded=True)}（{count}户）", d)
        index = self.day_combo.findData(day) if day is not None else 0
        self.day_combo.setCurrentIndex(max(index, 0))
        self.day_combo.blockSignals(False)
        pair = next((p for p in self.pairs if p.id == pair_id), None)
        if pair is None:
            self.pair_info.setText("还没有排查小组")
        else:
            who = "；".join(f"{m.name}（{m.unit or '—'}，{_origin(m)}）" for m in pair.members)
            self.pair_info.setText(f"成员：{who}　共 {len(self.rows)} 户")
        self._show_rows()

    def _show_rows(self) -> None:
        day = self.day_combo.currentData()
        shown = [r for r in self.rows if day is None or r.visit_date == day]
        self.assignment_model.set_rows(shown)
        self._update_buttons()

    def current_row(self) -> AssignmentRow | None:
        """The selected household of the pair's list."""
        index = self.assignment_view.currentIndex()
        if not index.isValid():
            return None
        return self.assignment_model.row_at(index.row())

    def selected_rows(self) -> list[AssignmentRow]:
        """The selected households of the pair's list (several for 改派), in list order."""
        picked = sorted({i.row() for i in self.assignment_view.selectionModel().selectedRows()})
        return [self.assignment_model.row_at(n) for n in picked]

    def select_household(self, household_id: int) -> bool:
        """Select a household in the current pair's list; False when it is not there."""
        for n, r in enumerate(self.assignment_model.rows()):
            if r.household_id == household_id:
                self.assignment_view.selectRow(n)
                return True
        return False

    def _update_buttons(self, *_args) -> None:
        row = self.current_row()
        state = row.state if row else None
        self.open_button.setEnabled(row is not None)
        self.submit_button.setEnabled(state in (REVIEW_ASSIGNED, REVIEW_RETURNED))
        self.pass_button.setEnabled(state == REVIEW_SUBMITTED)
        self.return_button.setEnabled(state == REVIEW_SUBMITTED)
        self.verify_button.setEnabled(row is not None and row.form_state in ENTERED_STATES)
        self.resolve_button.setEnabled(row is not None and row.form_state in ENTERED_STATES)
        self.print_button.setEnabled(
            self.pair_combo.currentData() is not None and self.day_combo.currentData() is not None
        )
        movable = [r for r in self.selected_rows() if r.state == REVIEW_ASSIGNED]
        self.move_button.setEnabled(bool(movable))

    # --- slots ------------------------------------------------------------------------

    def _on_by_combo_changed(self, _index: int) -> None:
        self.progress_model.set_rows(self.teams.progress(self.by_combo.currentData()))

    def _on_pair_combo_changed(self, _index: int) -> None:
        self._show_pair()

    def _on_day_combo_changed(self, _index: int) -> None:
        self._show_rows()

    def _on_progress_view_activated(self, index) -> None:
        row = self.progress_model.row_at(index.row())
        if self.by_combo.currentData() == "pair" and row.key:
            self.pair_combo.setCurrentIndex(max(self.pair_combo.findData(row.key), 0))

    def _on_assignment_view_activated(self, _index) -> None:
        self.open_current()

    def _on_hub_form_changed(self, _household_id: int, _form_code: str) -> None:
        self.refresh()

    def open_current(self) -> None:
        """Open the selected household's questionnaire (read-only under review or passed)."""
        row = self.current_row()
        if row is None:
            return
        from desktop.views.forms.form_dialog import FormDialog

        FormDialog.run(self.services, row.household_id, row.form_code, self)
        self.refresh()
        self.select_household(row.household_id)

    def _act(self, title: str, action) -> bool:
        row = self.current_row()
        if row is None:
            return False
        try:
            action(row)
        except AppError as exc:
            QMessageBox.warning(self, title, str(exc))
            return False
        hub().form_changed.emit(row.household_id, row.form_code)
        self.refresh()
        self.select_household(row.household_id)
        return True

    def _on_submit_clicked(self) -> None:
        row = self.current_row()
        if row is None:
            return
        pair = next(p for p in self.pairs if p.id == row.pair_id)
        names = [m.name for m in pair.members]
        signer, ok = QInputDialog.getItem(
            self, "提交审核", "复核人员签名（谁调查、谁签字、谁负责）：", names, 0, False
        )
        if ok:
            self._act("提交审核", lambda r: self.teams.submit(r.id, self.services.user, signer))

    def _on_verify_clicked(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from desktop.views.questionnaires.double_entry_dialog import SecondEntryDialog

        found, saved = SecondEntryDialog.run(self.services, row.household_id, row.form_code, self)
        if saved:
            QMessageBox.information(
                self, "二次录入", f"两次录入有 {len(found)} 处不同" if found else "两次录入完全一致"
            )
            self.refresh()
            self.select_household(row.household_id)

    def _on_resolve_clicked(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from desktop.views.questionnaires.double_entry_dialog import ResolveDialog

        done, saved = ResolveDialog.run(self.services, row.household_id, row.form_code, self)
        if saved:
            hub().form_changed.emit(row.household_id, row.form_code)
            notice = done.notice if done is not None else ""
            hub().status_message.emit(f"已保存核对结果。{notice}" if notice else "已保存核对结果")

    def _on_teams_clicked(self) -> None:
        from desktop.views.questionnaires.team_dialogs import TeamsDialog

        _, changed = TeamsDialog.run(self.services, self)
        if changed:
            self.refresh()

    def _on_sample_clicked(self) -> None:
        from desktop.views.questionnaires.team_dialogs import SampleDialog

        _, drawn = SampleDialog.run(self.services, self)
        if drawn:
            hub().status_message.emit("已记录本次二次录入抽样")

    def _on_move_clicked(self) -> None:
        rows = [r for r in self.selected_rows() if r.state == REVIEW_ASSIGNED]
        if not rows:
            return
        from desktop.views.questionnaires.team_dialogs import MoveDialog

        chosen, moved = MoveDialog.run(self.services, rows, self)
        if moved and chosen is not None:
            hub().status_message.emit(f"已改派 {len(rows)} 户")
            self.refresh()

    def _on_pass_clicked(self) -> None:
        self._act("通过", lambda r: self.teams.pass_review(r.id, self.services.user))

    def _on_return_clicked(self) -> None:
        reason, ok = QInputDialog.getText(self, "退回", "退回原因（录入人员可见）：")
        if ok:
            self._act("退回", lambda r: self.teams.return_review(r.id, reason, self.services.user))

    def _on_print_clicked(self) -> None:
        pair_id, day = self.pair_combo.currentData(), self.day_combo.currentData()
        if pair_id is None or day is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "保存当日名单", f"排查名单-{day:%m%d}.pdf", "PDF 文件 (*.pdf)"
        )
        if name:
            self.print_daily_list(pair_id, day, Path(name))

    def print_daily_list(self, pair_id: int, day: datetime.date, path: Path) -> bool:
        """Write a pair's list of a day as a PDF; say in Chinese what went wrong."""
        from desktop.printing.team_lists import daily_list_pdf

        try:
            path.write_bytes(daily_list_pdf(self.teams.daily_list(pair_id, day)))
        except AppError as exc:
            QMessageBox.warning(self, "未能打印", str(exc))
            return False
        except OSError as exc:
            QMessageBox.warning(self, "未能保存", f"无法写出 {path}：{exc.strerror or exc}")
            return False
        hub().status_message.emit(f"已保存当日名单：{path}")
        return True
