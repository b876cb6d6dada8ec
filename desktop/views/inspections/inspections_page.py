"""InspectionsPage: the 督查 tab — rounds (the 整改函 clock turns red when late), the sample and
its changes, findings, follow-up with extensions, 整改率, and the papers to print."""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.views.background import ProgressJob
from desktop.views.dialogs import dialog_buttons
from desktop.views.inspections.dialogs import (
    AddVillageDialog,
    DrawSampleDialog,
    FindingDialog,
    NoticeSentDialog,
    RoundDialog,
    SampleChangeDialog,
    date_edit,
)
from desktop.views.inspections.table_models import (
    COL_ROUND_CLOCK,
    COL_ROUND_DATES,
    COL_ROUND_FINDINGS,
    COL_ROUND_GROUP,
    COL_ROUND_KIND,
    COL_ROUND_UNITS,
    ExtensionTableModel,
    FindingTableModel,
    RateTableModel,
    RoundTableModel,
    SampleTableModel,
)
from desktop.views.signals import hub
from desktop.views.tables import TEXT_MARGIN_PX, leave_room, line_height, wrapped_width

RATE_GROUPS = ("县区", "帮扶单位", "镇村")


def _table(model, stretch: int | None = None) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch is None)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def _quarter(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


class InspectionsPage(QWidget):
    """The 督查 tab of the main window."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.inspections = services.inspections
        self._job = None
        self.rounds_model = RoundTableModel(self)
        self.rounds_view = _table(self.rounds_model, stretch=5)
        # Two lines a row: beside the tree at 1366 px one line cut 被督查单位 to 桃花江镇人…
        self.rounds_view.setWordWrap(True)
        self.rounds_view.ensurePolished()
        rows_px = 2 * line_height(self.rounds_view.fontMetrics()) + 6
        self.rounds_view.verticalHeader().setDefaultSectionSize(rows_px)
        self.sample_model = SampleTableModel(self)
        self.sample_view = _table(self.sample_model)
        self.findings_model = FindingTableModel(self)
        self.findings_view = _table(self.findings_model, stretch=3)
        self.extensions_model = ExtensionTableModel(self)
        self.extensions_view = _table(self.extensions_model, stretch=4)
        self.rate_models = {name: RateTableModel(name, self) for name in RATE_GROUPS}
        self.sample_label = QLabel()
        self.sample_label.setWordWrap(True)
        self.follow_label = QLabel()
        self.follow_label.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        self._build()
        self.rounds_view.selectionModel().currentRowChanged.connect(self._on_rounds_view_current)
        self.findings_view.doubleClicked.connect(self._on_findings_view_double_clicked)
        hub().problems_changed.connect(self.reload)
        hub().registry_changed.connect(self.reload)
        self.reload()

    # --- layout ------------------------------------------------------------------------

    def _button(self, key: str, text: str, slot, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        self.buttons[key] = button
        return button

    def _build(self) -> None:
        top = QHBoxLayout()
        self._button("new", "新建督查…", self._on_new_clicked, top)
        self._button("edit", "修改…", self._on_edit_clicked, top)
        self._button("draw", "抽样…", self._on_draw_clicked, top)
        self._button("finding", "登记问题…", self._on_finding_clicked, top)
        self._button("sent", "记录发函…", self._on_sent_clicked, top)
        self._button("sheets", "打印走访记录表…", self._on_sheets_clicked, top)
        self._button("notices", "打印整改函…", self._on_notices_clicked, top)
        self._button("follow", "安排回头看…", self._on_follow_clicked, top)
        self._button("archive", "季度档案…", self._on_archive_clicked, top)
        top.addStretch(1)

        sample_tab = QWidget()
        sample_layout = QVBoxLayout(sample_tab)
        sample_buttons = QHBoxLayout()
        self._button("change", "调整抽查对象…", self._on_change_clicked, sample_buttons)
        self._button("add_village", "增加抽查村…", self._on_add_village_clicked, sample_buttons)
        self._button("pre_exit", "标记/取消预脱贫户…", self._on_pre_exit_clicked, sample_buttons)
        sample_buttons.addStretch(1)
        sample_layout.addWidget(self.sample_label)
        sample_layout.addLayout(sample_buttons)
        sample_layout.addWidget(self.sample_view)

        follow_tab = QWidget()
        follow_layout = QVBoxLayout(follow_tab)
        follow_layout.addWidget(self.follow_label)
        follow_layout.addWidget(QLabel("延期（须报告原因并明确延长后的时限）："))
        follow_layout.addWidget(self.extensions_view)

        rate_tab = QWidget()
        rate_layout = QVBoxLayout(rate_tab)
        year_row = QHBoxLayout()
        self.year_combo = QComboBox()
        self.year_combo.currentIndexChanged.connect(self._on_year_combo_changed)
        self.group_combo = QComboBox()
        self.group_combo.addItems(list(RATE_GROUPS))
        self.group_combo.currentIndexChanged.connect(self._on_group_combo_changed)
        year_row.addWidget(QLabel("年度："))
        year_row.addWidget(self.year_combo)
        year_row.addWidget(QLabel("按："))
        year_row.addWidget(self.group_combo)
        year_row.addWidget(QLabel("整改率 = 已销号 ÷ 应整改（已到时限或已销号；延期的按新时限计）"))
        year_row.addStretch(1)
        rate_layout.addLayout(year_row)
        self.rate_view = _table(self.rate_models[RATE_GROUPS[0]], stretch=0)
        rate_layout.addWidget(self.rate_view)

        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(sample_tab, "抽查名单")
        self.detail_tabs.addTab(self.findings_view, "发现问题")
        self.detail_tabs.addTab(follow_tab, "整改跟踪")
        self.detail_tabs.addTab(rate_tab, "整改率")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.rounds_view)
        splitter.addWidget(self.detail_tabs)
        splitter.setSizes([260, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter)

    # --- loading -----------------------------------------------------------------------

    def _leave_units_room(self) -> None:
        """被督查单位 whole on its two lines: the other columns give way (Windows' wider fonts
        sized them past the room beside the tree at 1366 px)."""
        view, metrics = self.rounds_view, self.rounds_view.fontMetrics()
        texts = {
            self.rounds_model.index(r, COL_ROUND_UNITS).data()
            for r in range(self.rounds_model.rowCount())
        }
        wanted = max((wrapped_width(metrics, t or "", 2) for t in texts), default=0)
        shrinkable = (
            COL_ROUND_KIND, COL_ROUND_GROUP, COL_ROUND_DATES, COL_ROUND_CLOCK, COL_ROUND_FINDINGS,
        )  # fmt: skip
        leave_room(view, COL_ROUND_UNITS, wanted + 2 * TEXT_MARGIN_PX + 4, shrinkable)

    def resizeEvent(self, event) -> None:
        """Keep 被督查单位 whole when the window or the tree beside it changes size."""
        super().resizeEvent(event)
        self._leave_units_room()

    def reload(self) -> None:
        """Load the rounds again (keeping the selected one) and the selected round's details."""
        self.inspections.ensure_reference_data()
        current = self.current_round_id()
        rows = self.inspections.rounds()
        self.rounds_model.set_rows(rows)
        self.rounds_view.resizeColumnsToContents()
        self._leave_units_room()
        for n, r in enumerate(rows):
            if r.id == current:
                self.rounds_view.selectRow(n)
                break
        else:
            if rows:
                self.rounds_view.selectRow(0)
        years = [str(y) for y in self.inspections.years()] or [str(datetime.date.today().year)]
        chosen = self.year_combo.currentText()
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        self.year_combo.addItems(years)
        if chosen in years:
            self.year_combo.setCurrentText(chosen)
        self.year_combo.blockSignals(False)
        self._show_rates()
        self._show_round()

    def current_round_id(self) -> int | None:
        """The id of the selected round, or None."""
        index = self.rounds_view.currentIndex()
        if not index.isValid():
            return None
        return self.rounds_model.row_at(index.row()).id

    def _on_rounds_view_current(self, *_args) -> None:
        self._show_round()

    def _show_round(self) -> None:
        round_id = self.current_round_id()
        has = round_id is not None
        keys = ("edit", "draw", "finding", "sent", "sheets", "notices", "follow", "change")
        for key in (*keys, "add_village"):
            self.buttons[key].setEnabled(has)
        if not has:
            for model in (self.sample_model, self.findings_model, self.extensions_model):
                model.set_rows([])
            self.sample_label.setText("还没有督查记录：点“新建督查…”")
            self.follow_label.setText("")
            return
        row = self.rounds_model.row_at(self.rounds_view.currentIndex().row())
        self.sample_model.set_rows(self.inspections.sample(round_id))
        self.sample_view.resizeColumnsToContents()
        lacks = self.inspections.sample_shortfalls(round_id)
        seed = f"随机种子 {row.sample_seed}" if row.sample_seed is not None else "尚未抽样"
        state = "符合抽查要求" if not lacks else "不足：" + "；".join(lacks)
        self.sample_label.setText(f"{row.title}，{seed}。{state}")
        self.sample_label.setStyleSheet("" if not lacks else "color: #c0392b")
        self.findings_model.set_rows(self.inspections.findings(round_id))
        self.findings_view.resizeColumnsToContents()
        follow = self.inspections.follow_up(round_id)
        self.follow_label.setText(
            f"{row.number}：{follow.text}。整改函：{row.clock.text}"
            f"（应于 {row.clock.due:%Y-%m-%d} 前发出）"
        )
        self.extensions_model.set_rows(self.inspections.extensions(round_id))

    def _on_year_combo_changed(self, *_args) -> None:
        self._show_rates()

    def _show_rates(self) -> None:
        text = self.year_combo.currentText()
        if not text:
            return
        rates = self.inspections.rates(int(text))
        for name in RATE_GROUPS:
            self.rate_models[name].set_rows(rates[name])
        self._on_group_combo_changed()

    def _on_group_combo_changed(self, *_args) -> None:
        self.rate_view.setModel(self.rate_models[self.group_combo.currentText()])
        self.rate_view.resizeColumnsToContents()
        self.rate_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    # --- actions -----------------------------------------------------------------------

    def _changed(self) -> None:
        hub().problems_changed.emit()  # findings are problems: the ledger reloads too

    def _on_new_clicked(self) -> None:
        round_id, accepted = RoundDialog.run(self.services, None, self)
        if accepted:
            self.reload()
            self._select(round_id)
            self._on_draw_clicked()

    def _select(self, round_id: int) -> None:
        for n, r in enumerate(self.rounds_model.rows()):
            if r.id == round_id:
                self.rounds_view.selectRow(n)

    def _on_edit_clicked(self) -> None:
        if (round_id := self.current_round_id()) is not None:
            _value, accepted = RoundDialog.run(self.services, round_id, self)
            if accepted:
                self.reload()

    def _on_draw_clicked(self) -> None:
        if (round_id := self.current_round_id()) is None:
            return
        proposal, accepted = DrawSampleDialog.run(self.services, round_id, self)
        if accepted:
            self.reload()
            lines = proposal.notes + proposal.shortfalls
            if lines:
                QMessageBox.information(self, "抽样", "\n".join(lines))

    def _on_change_clicked(self) -> None:
        index = self.sample_view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, "调整抽查对象", "请先在抽查名单中选中要换下的村或户")
            return
        entry = self.sample_model.row_at(index.row())
        if entry.dropped:
            QMessageBox.information(self, "调整抽查对象", "该对象已换下")
            return
        lacks, accepted = SampleChangeDialog.run(self.services, entry, self)
        if accepted:
            self._show_round()
            if lacks:
                QMessageBox.warning(self, "调整抽查对象", "调整后样本不足：\n" + "\n".join(lacks))

    def _on_add_village_clicked(self) -> None:
        if (round_id := self.current_round_id()) is None:
            return
        lacks, accepted = AddVillageDialog.run(self.services, round_id, self)
        if accepted:
            self._show_round()
            if lacks:
                QMessageBox.warning(self, "增加抽查村", "样本不足：\n" + "\n".join(lacks))

    def _on_pre_exit_clicked(self) -> None:
        index = self.sample_view.currentIndex()
        entry = self.sample_model.row_at(index.row()) if index.isValid() else None
        if entry is None or not entry.is_household:
            QMessageBox.information(self, "预脱贫户", "请先在抽查名单中选中一户")
            return
        year = datetime.date.today().year
        items = [f"{year}年预脱贫户", "不是预脱贫户"]
        choice, ok = QInputDialog.getItem(self, "预脱贫户", f"{entry.target}：", items, 0, False)
        if not ok:
            return
        try:
            self.inspections.set_planned_exit(
                entry.household_id, year if choice == items[0] else None
            )
        except AppError as exc:
            QMessageBox.warning(self, "预脱贫户", str(exc))
            return
        hub().household_changed.emit(entry.household_id)

    def _on_finding_clicked(self) -> None:
        if (round_id := self.current_round_id()) is None:
            return
        _problem_id, accepted = FindingDialog.run(self.services, round_id, self)
        if accepted:
            self._changed()
            self.detail_tabs.setCurrentIndex(1)

    def _on_findings_view_double_clicked(self, index) -> None:
        from desktop.views.problems.problem_dialog import ProblemDialog

        finding = self.findings_model.row_at(index.row())
        _id, changed = ProblemDialog.run(self.services, finding.problem_id, self)
        if changed:
            self._changed()

    def _on_sent_clicked(self) -> None:
        if (round_id := self.current_round_id()) is not None:
            _value, accepted = NoticeSentDialog.run(self.services, round_id, self)
            if accepted:
                self.reload()

    def _folder(self, title: str) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, title)
        return Path(folder) if folder else None

    def _write(self, files: list[tuple[Path, bytes]], title: str) -> None:
        try:
            for path, data in files:
                path.write_bytes(data)
        except OSError as exc:
            QMessageBox.warning(self, title, f"无法写入 {exc.filename}：{exc.strerror}")
            return
        names = "\n".join(str(p) for p, _ in files)
        hub().status_message.emit(f"{title}：已保存 {len(files)} 个文件")
        QMessageBox.information(self, title, f"已保存：\n{names}")

    def _on_sheets_clicked(self) -> None:
        from desktop.printing.inspection import render_sample, render_visit_sheets

        round_id = self.current_round_id()
        if round_id is None:
            return
        try:
            villages, households = self.inspections.visit_sheets(round_id)
            if not villages and not households:
                raise AppError("本轮督查还没有抽样，没有可打印的走访记录表")
            folder = self._folder("保存走访记录表到文件夹")
            if folder is None:
                return
            number = self.inspections.round_row(round_id).number
            files = [(folder / f"{number}_抽查名单.pdf",
                      render_sample(self.inspections.sample_sheet(round_id)))]  # fmt: skip
            if villages:
                files.append(
                    (folder / f"{number}_走访记录表（村）.pdf", render_visit_sheets(villages))
                )
            if households:
                files.append(
                    (folder / f"{number}_走访记录表（户）.pdf", render_visit_sheets(households))
                )
        except AppError as exc:
            QMessageBox.warning(self, "打印走访记录表", str(exc))
            return
        self._write(files, "打印走访记录表")

    def _on_notices_clicked(self) -> None:
        from desktop.printing.inspection import ArchiveRenderers

        round_id = self.current_round_id()
        if round_id is None:
            return
        notices = self.inspections.notices(round_id)
        if not notices:
            QMessageBox.information(self, "打印整改函", "本轮督查没有限时整改的问题，无需发整改函")
            return
        folder = self._folder("保存整改函到文件夹")
        if folder is None:
            return
        from desktop.services.inspections.archive import safe_name

        files = [
            (folder / f"{n.round_number}_整改函_{safe_name(n.unit_name)}.pdf",
             ArchiveRenderers.notice(n))
            for n in notices
        ]  # fmt: skip
        self._write(files, "打印整改函")

    def _on_follow_clicked(self) -> None:
        round_id = self.current_round_id()
        if round_id is None:
            return
        row = self.inspections.round_row(round_id)
        day, ok = _ask_date(self, "安排回头看", f"{row.group_name}对 {row.number} 的“回头看”日期：")
        if not ok:
            return
        try:
            new_id = self.inspections.order_follow_up(round_id, day, day, self.services.user.name)
        except AppError as exc:
            QMessageBox.warning(self, "安排回头看", str(exc))
            return
        self.reload()
        self._select(new_id)

    def _on_archive_clicked(self) -> None:
        from desktop.printing.inspection import ArchiveRenderers
        from desktop.services.inspections.archive import build_archive

        quarters = sorted({_quarter(r.start_date) for r in self.rounds_model.rows()}, reverse=True)
        if not quarters:
            QMessageBox.information(self, "季度档案", "还没有督查记录")
            return
        quarter, ok = QInputDialog.getItem(self, "季度档案", "季度：", quarters, 0, False)
        if not ok:
            return
        name, _filter = QFileDialog.getSaveFileName(
            self, "保存季度档案", f"{quarter}督查档案.zip", "压缩包 (*.zip)"
        )
        if not name:
            return
        self._job = ProgressJob(
            self, "季度档案", f"正在生成 {quarter} 督查档案……",
            lambda progress, cancelled: build_archive(
                self.inspections, quarter, name, ArchiveRenderers(),
                progress=progress, cancelled=cancelled,
            ),
            self._on_archive_done, self._on_archive_failed,
        )  # fmt: skip
        self._job.start()

    def _on_archive_done(self, result) -> None:
        lines = [
            f"已生成 {result.quarter} 督查档案：{len(result.rounds)} 轮督查，"
            f"{result.problems} 个问题，{result.files} 个文件。",
            str(result.path),
            *result.warnings,
        ]
        QMessageBox.information(self, "季度档案", "\n".join(lines))

    def _on_archive_failed(self, message: str) -> None:
        QMessageBox.warning(self, "季度档案", message)


def _ask_date(parent: QWidget, title: str, label: str) -> tuple[datetime.date, bool]:
    """A small date question with 确定/取消."""
    from PySide6.QtWidgets import QDialog, QFormLayout

    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    edit = date_edit(datetime.date.today())
    form = QFormLayout(dialog)
    form.addRow(QLabel(label))
    form.addRow("日期", edit)
    buttons = dialog_buttons(dialog)
    form.addRow(buttons)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return edit.value(), accepted
