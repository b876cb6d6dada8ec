"""ProblemLedgerWidget: the 整改台账 with filters, colours, export, report, notice and import."""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.problems.query import STATUS_NOT_CLOSED, ProblemFilter
from desktop.services.problems.rules import OVERDUE, SOURCES, STATUS_CLOSED, STATUSES
from desktop.views.date_edit import DateEdit, refuse_bad_dates
from desktop.views.dialogs import dialog_buttons
from desktop.views.problems.problem_dialog import ProblemDialog
from desktop.views.problems.problem_table_model import (
    COL_DAYS_LEFT,
    COL_DEADLINE,
    COL_DESCRIPTION,
    COL_FOUND,
    COL_ITEM,
    COL_KIND,
    COL_NUMBER,
    COL_PERSON,
    COL_SOURCE,
    COL_STATUS,
    COL_TARGET,
    COL_UNIT,
    ROW_ID_ROLE,
    ProblemTableModel,
)
from desktop.views.signals import hub
from desktop.views.tables import (
    TEXT_MARGIN_PX,
    fit_columns,
    fit_line_columns,
    leave_room,
    line_height,
)

ALL = "全部"
# Never cut (seen under Xvfb at 1366: 待整改…, 逾期…, 2026-10-…): widened to their widest line
# (the model sets 待整改 / （逾期） and 逾期 / 6天 on the row's two lines).
KEY_COLUMNS = (COL_FOUND, COL_DEADLINE, COL_DAYS_LEFT, COL_STATUS)
# Two wrapped lines with the whole text in the tooltip: narrowed first when room is short.
SHRINKABLE = (COL_SOURCE, COL_ITEM, COL_TARGET, COL_UNIT, COL_PERSON, COL_KIND)
DESCRIPTION_CHARS = 11  # 问题描述 keeps two lines of at least ten characters


def half_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The half month (1st–15th or 16th–end) that contains a day, as seed 002 reports it."""
    if today.day <= 15:
        return today.replace(day=1), today.replace(day=15)
    following = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return today.replace(day=16), following - datetime.timedelta(days=1)


class ReportPeriodDialog(QDialog):
    """Asks for the period of the semi-monthly 整改台账."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("半月报：整改台账")
        start, end = half_month(datetime.date.today())
        self.from_edit = DateEdit(start, allow_blank=False)
        self.to_edit = DateEdit(end, allow_blank=False)
        form = QFormLayout(self)
        form.addRow(QLabel("列出时段内发现的问题，以及此前发现、时段开始时尚未销号的问题。"))
        form.addRow("开始日期", self.from_edit)
        form.addRow("结束日期", self.to_edit)
        buttons = dialog_buttons(self, on_accept=self._on_buttons_accepted)
        form.addRow(buttons)

    def _on_buttons_accepted(self) -> None:
        if not refuse_bad_dates(self):
            self.accept()

    def period(self) -> tuple[datetime.date, datetime.date]:
        """Return (from, to)."""
        return self.from_edit.value(), self.to_edit.value()

    @classmethod
    def run(
        cls, parent: QWidget | None = None
    ) -> tuple[tuple[datetime.date, datetime.date] | None, bool]:
        """Ask for the report's period; return ((from, to), accepted)."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None, False
        return dialog.period(), True


class ProblemLedgerWidget(QWidget):
    """The 整改台账 tab: every problem, filtered, coloured by deadline, opened by double-click."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.problems = services.problems
        self.problems.ensure_reference_data()
        self.model = ProblemTableModel(self)
        self._scope: frozenset[int | None] | None = None  # the navigation tree's villages
        self._scope_name = ""
        self._build()
        self.reload()
        hub().problems_changed.connect(self._on_hub_problems_changed)
        hub().registry_changed.connect(self._on_hub_registry_changed)

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.status_combo = QComboBox()
        self.status_combo.addItem(ALL, "")
        for value in (STATUS_NOT_CLOSED, *STATUSES, OVERDUE):
            self.status_combo.addItem(value, value)
        self.area_combo = QComboBox()
        self.unit_combo = QComboBox()
        self.village_combo = QComboBox()
        self.source_combo = QComboBox()
        self.source_combo.addItem(ALL, "")
        for s in SOURCES:
            self.source_combo.addItem(s, s)
        self.overdue_check = QCheckBox("只看逾期")
        self.due_spin = QSpinBox()
        self.due_spin.setRange(0, 365)
        self.due_spin.setSpecialValueText("不限")
        self.due_spin.setSuffix(" 天内到期")
        self.found_check = QCheckBox("发现日期")
        today = datetime.date.today()
        self.found_from = DateEdit(datetime.date(today.year, 1, 1), allow_blank=False)
        self.found_to = DateEdit(today, allow_blank=False)
        for edit in (self.found_from, self.found_to):
            edit.setEnabled(False)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("搜索编号、描述、户主、村、单位、责任人")
        self.search_edit.setClearButtonEnabled(True)
        self.clear_button = QPushButton("清除筛选")

        filters = QGridLayout()
        filters.addWidget(QLabel("状态"), 0, 0)
        filters.addWidget(self.status_combo, 0, 1)
        filters.addWidget(QLabel("问题领域"), 0, 2)
        filters.addWidget(self.area_combo, 0, 3)
        filters.addWidget(QLabel("责任单位"), 0, 4)
        filters.addWidget(self.unit_combo, 0, 5)
        filters.addWidget(QLabel("村"), 0, 6)
        filters.addWidget(self.village_combo, 0, 7)
        filters.addWidget(QLabel("来源"), 1, 0)
        filters.addWidget(self.source_combo, 1, 1)
        filters.addWidget(self.overdue_check, 1, 2)
        filters.addWidget(self.due_spin, 1, 3)
        dates = QHBoxLayout()
        dates.addWidget(self.found_check)
        dates.addWidget(self.found_from)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.found_to)
        filters.addLayout(dates, 1, 4, 1, 2)
        filters.addWidget(self.search_edit, 1, 6, 1, 1)
        filters.addWidget(self.clear_button, 1, 7)
        filters.setColumnStretch(3, 1)
        filters.setColumnStretch(5, 1)
        filters.setColumnStretch(7, 1)

        self.new_button = QPushButton("登记问题…")
        self.open_button = QPushButton("打开")
        self.import_button = QPushButton("导入问题清单…")
        self.export_button = QPushButton("导出当前列表…")
        self.report_button = QPushButton("半月报…")
        self.notice_button = QPushButton("整改函…")
        actions = QHBoxLayout()
        for b in (
            self.new_button,
            self.open_button,
            self.import_button,
            self.export_button,
            self.report_button,
            self.notice_button,
        ):
            actions.addWidget(b)
        actions.addStretch(1)
        self.count_label = QLabel()
        actions.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        # Two lines a row, as a ledger kept in Excel with 自动换行: 问题描述 shows twice the
        # words, and 状态 (待整改 / （逾期）) and 整改时限 (date / （延）) stay whole.
        self.table.setWordWrap(True)
        self.table.ensurePolished()
        lines = 2 * line_height(self.table.fontMetrics())
        self.table.verticalHeader().setDefaultSectionSize(lines + 6)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        # Beside the tree on a 1366-pixel laptop the table has about 1,090 px: these widths
        # (all but the stretched 问题描述), widened to the key texts, take about 910 px and
        # leave the description about 180 on two lines; 问题类别/对象/单位 show two lines too.
        widths = (80, 90, 64, 80, 84, 200, 70, 56, 64, 90, 52, 70, 36, 36)
        for col, width in enumerate(widths):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(COL_DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        legend = QLabel(
            "<span style='background:#f8d7d3'>&nbsp;红色&nbsp;</span> 已逾期　"
            "<span style='background:#fff1c2'>&nbsp;黄色&nbsp;</span> 7天内到期　"
            "双击一行打开问题"
        )

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(legend)

        for combo in (
            self.status_combo,
            self.area_combo,
            self.unit_combo,
            self.village_combo,
            self.source_combo,
        ):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        self.overdue_check.toggled.connect(self._on_filters_changed)
        self.due_spin.valueChanged.connect(self._on_filters_changed)
        self.found_check.toggled.connect(self._on_found_check_toggled)
        self.found_from.valueChanged.connect(self._on_filters_changed)
        self.found_to.valueChanged.connect(self._on_filters_changed)
        self.search_edit.textChanged.connect(self._on_filters_changed)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.report_button.clicked.connect(self._on_report_button_clicked)
        self.notice_button.clicked.connect(self._on_notice_button_clicked)

    def _fill_choices(self) -> None:
        """(Re)fill the area, unit and village lists, keeping what is selected."""
        for combo, choices in (
            (self.area_combo, self.problems.areas()),
            (self.unit_combo, [(u.id, u.name) for u in self.problems.units()]),
            (self.village_combo, self.problems.villages()),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
            for id_, name in choices:
                combo.addItem(name, id_)
            index = combo.findData(current)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    # --- state -------------------------------------------------------------------------

    def reload(self) -> None:
        """Load every problem again from the database, keeping filters and selection."""
        self._fill_choices()
        self.model.set_rows(self.problems.rows(), datetime.date.today())
        self.model.set_filter(self.current_filter())
        fit_columns(self.table, (COL_NUMBER,))
        fit_line_columns(self.table, KEY_COLUMNS)
        self._leave_description_room()
        self._update_count()

    def _leave_description_room(self) -> None:
        wanted = DESCRIPTION_CHARS * self.table.fontMetrics().horizontalAdvance("问")
        # Down to two characters a line: their whole text is in the tooltip.
        floor = 2 * self.table.fontMetrics().horizontalAdvance("问") + 2 * TEXT_MARGIN_PX
        leave_room(self.table, COL_DESCRIPTION, wanted + 2 * TEXT_MARGIN_PX, SHRINKABLE, floor)

    def resizeEvent(self, event) -> None:
        """Keep 问题描述 readable when the window or the tree beside it changes size."""
        super().resizeEvent(event)
        self._leave_description_room()

    def current_filter(self) -> ProblemFilter:
        """Return the filter the widgets describe."""
        due = self.due_spin.value()
        found = self.found_check.isChecked()
        return ProblemFilter(
            status=self.status_combo.currentData() or "",
            area_id=self.area_combo.currentData(),
            unit_id=self.unit_combo.currentData(),
            village_id=self.village_combo.currentData(),
            source=self.source_combo.currentData() or "",
            overdue_only=self.overdue_check.isChecked(),
            due_within_days=due if due > 0 else None,
            found_from=self.found_from.value() if found else None,
            found_to=self.found_to.value() if found else None,
            text=self.search_edit.text(),
            villages=self._scope,
        )

    def set_scope(self, villages: frozenset[int | None] | None, name: str = "") -> None:
        """Show only the problems of these villages (None in the set: those of no village).

        `name` is the tree node's, shown beside the count so that the clerk sees why.
        """
        self._scope = villages
        self._scope_name = name if villages is not None else ""
        self._on_filters_changed()

    def _update_count(self) -> None:
        rows = self.model.rows()
        today = self.model.today()
        overdue = sum(1 for r in rows if r.overdue(today))
        closed = sum(1 for r in rows if r.status == STATUS_CLOSED)
        scope = f"{self._scope_name}：" if self._scope_name else ""
        self.count_label.setText(
            f"{scope}共 {self.model.total_count()} 个问题，显示 {len(rows)} 个"
            f"（已销号 {closed}，逾期 {overdue}）"
        )

    def current_id(self) -> int | None:
        """Return the id of the selected problem, if any."""
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ID_ROLE) if index.isValid() else None

    def open_problem(self, problem_id: int | None) -> None:
        """Open a problem (or a new one) in the dialog; the hub's signal reloads the table."""
        ProblemDialog.run(self.services, problem_id, self)

    # --- slots -------------------------------------------------------------------------

    def _on_filters_changed(self, *_args) -> None:
        self.model.set_filter(self.current_filter())
        self._update_count()

    def _on_found_check_toggled(self, checked: bool) -> None:
        self.found_from.setEnabled(checked)
        self.found_to.setEnabled(checked)
        self._on_filters_changed()

    def _on_clear_button_clicked(self) -> None:
        for combo in (
            self.status_combo,
            self.area_combo,
            self.unit_combo,
            self.village_combo,
            self.source_combo,
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for w in (self.overdue_check, self.found_check, self.due_spin, self.search_edit):
            w.blockSignals(True)
        self.overdue_check.setChecked(False)
        self.found_check.setChecked(False)
        self.found_from.setEnabled(False)
        self.found_to.setEnabled(False)
        self.due_spin.setValue(0)
        self.search_edit.clear()
        for w in (self.overdue_check, self.found_check, self.due_spin, self.search_edit):
            w.blockSignals(False)
        self._on_filters_changed()

    def _on_hub_problems_changed(self) -> None:
        self.reload()

    def _on_hub_registry_changed(self) -> None:
        self.problems.ensure_reference_data()  # new villages become responsible units
        self.reload()

    def _on_table_double_clicked(self, index) -> None:
        self.open_problem(self.model.data(index, ROW_ID_ROLE))

    def _on_new_button_clicked(self) -> None:
        self.open_problem(None)

    def _on_open_button_clicked(self) -> None:
        problem_id = self.current_id()
        if problem_id is None:
            QMessageBox.information(self, "整改台账", "请先选中一个问题")
            return
        self.open_problem(problem_id)

    def _ask_save(self, title: str, name: str, filters: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), filters)
        return Path(path) if path else None

    def _title(self) -> str:
        return f"{self.problems.issuer_default().removesuffix('扶贫工作站')}脱贫攻坚问题整改台账"

    def export_view(self, path: Path) -> Path:
        """Write the rows shown (filters applied) as .xlsx."""
        from desktop.services.problems.report import build_ledger_table, write_ledger_xlsx

        shown = self.problems.rows_by_ids([r.id for r in self.model.rows()])
        table = build_ledger_table(
            shown,
            title=self._title(),
            period="按当前筛选条件导出",
            as_of=self.model.today(),
        )
        return write_ledger_xlsx(table, path)

    def _on_export_button_clicked(self) -> None:
        path = self._ask_save("导出当前列表", "整改台账.xlsx", "Excel 文件 (*.xlsx)")
        if path is None:
            return
        try:
            self.export_view(path)
        except OSError as exc:
            QMessageBox.warning(self, "导出失败", f"无法写入 {path}：{exc.strerror}")
            return
        hub().status_message.emit(f"已导出 {len(self.model.rows())} 个问题到 {path}")

    def write_report(self, date_from: datetime.date, date_to: datetime.date, path: Path) -> Path:
        """Write the semi-monthly 整改台账 as .xlsx or .pdf (by the file's suffix)."""
        from desktop.services.problems.report import (
            build_ledger_table,
            period_text,
            write_ledger_xlsx,
        )

        table = build_ledger_table(
            self.problems.report_rows(date_from, date_to),
            title=self._title(),
            period=period_text(date_from, date_to),
            as_of=datetime.date.today(),
        )
        if path.suffix.lower() == ".pdf":
            from desktop.printing.ledger_pdf import render_ledger_pdf

            path.write_bytes(render_ledger_pdf(table))
            return path
        return write_ledger_xlsx(table, path)

    def _on_report_button_clicked(self) -> None:
        period, accepted = ReportPeriodDialog.run(self)
        if not accepted:
            return
        date_from, date_to = period
        if date_from > date_to:
            QMessageBox.warning(self, "半月报", "开始日期晚于结束日期")
            return
        name = f"整改台账{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
        path = self._ask_save("保存半月报", name, "Excel 文件 (*.xlsx);;PDF 文件 (*.pdf)")
        if path is None:
            return
        try:
            self.write_report(date_from, date_to, path)
        except OSError as exc:
            QMessageBox.warning(self, "保存失败", f"无法写入 {path}：{exc.strerror}")
            return
        hub().status_message.emit(f"已保存半月报：{path}")

    def _on_notice_button_clicked(self) -> None:
        from desktop.printing.notice import NoticeData, render_notice

        open_units = sorted(
            {r.unit_name for r in self.problems.rows() if r.status != STATUS_CLOSED and r.unit_name}
        )
        if not open_units:
            QMessageBox.information(self, "整改函", "没有未销号的问题")
            return
        unit, ok = QInputDialog.getItem(self, "整改函", "发给哪个责任单位：", open_units, 0, False)
        if not ok:
            return
        problems = self.problems.notice_problems(unit)
        path = self._ask_save("保存整改函", f"整改函-{unit}.pdf", "PDF 文件 (*.pdf)")
        if path is None:
            return
        today = datetime.date.today()
        deadlines = [p.deadline for p in problems if p.deadline]
        data = NoticeData(
            unit_name=unit,
            issuer=self.problems.issuer_default(),
            date=today,
            deadline=max(deadlines) if deadlines else today,
            problems=problems,
        )
        try:
            path.write_bytes(render_notice(data))
        except OSError as exc:
            QMessageBox.warning(self, "保存失败", f"无法写入 {path}：{exc.strerror}")
            return
        hub().status_message.emit(f"已保存整改函：{path}")

    def _on_import_button_clicked(self) -> None:
        from desktop.services.problems.importer import (
            ProblemImporter,
            write_error_report,
        )

        path, _ = QFileDialog.getOpenFileName(
            self, "导入问题清单", str(Path.home()), "Excel 文件 (*.xlsx *.xls)"
        )
        if not path:
            return
        try:
            result = ProblemImporter(self.problems).run(path, self.services.user.name)
        except AppError as exc:
            QMessageBox.warning(self, "导入失败", str(exc))
            return
        text = "\n".join(result.summary_lines())
        if result.ok:
            QMessageBox.information(self, "导入完成", text)
            hub().problems_changed.emit()
            return
        answer = QMessageBox.warning(
            self,
            "没有导入",
            text + "\n\n是否保存错误报告（标出每个错误的行和列）？",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Close,
        )
        if answer == QMessageBox.StandardButton.Save:
            target = self._ask_save("保存错误报告", "问题清单-错误报告.xlsx", "Excel 文件 (*.xlsx)")
            if target is not None:
                write_error_report(result, target)
