"""The 部门比对 tab: lists received, 疑点 to verify, 清退/新增 cases, the two rosters."""

from __future__ import annotations

import datetime
from calendar import monthrange
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.printing.comparison_roster import write_roster_file
from desktop.services.comparison.departments import STAGE_LABELS
from desktop.services.comparison.documents import ADDITIONS, REMOVALS, TITLES
from desktop.services.registry import codes
from desktop.views.comparison.case_dialog import CaseDialog
from desktop.views.comparison.comparison_table_models import (
    CaseTableModel,
    DepartmentListTableModel,
    HitTableModel,
)
from desktop.views.comparison.import_dialog import ImportListDialog
from desktop.views.date_edit import DateEdit, refuse_bad_dates
from desktop.views.dialogs import dialog_buttons
from desktop.views.signals import hub

HIT_FILTERS = (("未处理", "open"), ("核实中", "in_case"), ("全部", None))


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().hide()
    return view


def _titled_table(title: str, label: str, choice: QWidget, table: QTableView) -> QWidget:
    """A tab's page: its title, on the right the labelled filter, the table below."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    bar = QHBoxLayout()
    bar.addWidget(QLabel(title))
    bar.addStretch(1)
    bar.addWidget(QLabel(label))
    bar.addWidget(choice)
    layout.addLayout(bar)
    layout.addWidget(table)
    return page


def _a_month_before(day: datetime.date) -> datetime.date:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


class ComparisonPage(QWidget):
    """Department lists → 疑点 → cases decided 工作队 → 镇 → 县 → the rosters."""

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._scope: frozenset[int] | None = None  # the villages the navigation tree selects
        self._scope_name = ""
        self.lists_model = DepartmentListTableModel(self)
        self.hits_model = HitTableModel(self)
        self.cases_model = CaseTableModel(self)
        self.lists_view = _table(self.lists_model)
        self.hits_view = _table(self.hits_model)
        self.cases_view = _table(self.cases_model)
        self.cases_view.doubleClicked.connect(self._on_cases_view_double_clicked)
        self.hit_filter = QComboBox()
        for label, _status in HIT_FILTERS:
            self.hit_filter.addItem(label)
        self.hit_filter.currentIndexChanged.connect(self._on_hit_filter_changed)
        self.stage_filter = QComboBox()
        self.stage_filter.addItem("全部", None)
        for stage, label in STAGE_LABELS.items():
            self.stage_filter.addItem(label, stage)
        self.stage_filter.currentIndexChanged.connect(self._on_stage_filter_changed)
        buttons = QHBoxLayout()
        for text, slot in (
            ("导入部门名单…", self._on_import_clicked),
            ("重新比对", self._on_rematch_clicked),
            ("发起清退核实…", self._on_open_removal_clicked),
            ("新增申报…", self._on_open_addition_clicked),
            ("办理所选核实事项…", self._on_open_case_clicked),
            ("打印花名册…", self._on_rosters_clicked),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)  # one line per department would widen the whole window
        hits_box = _titled_table(
            "疑点（比对结果只是疑点，须经工作队入户核实）", "显示", self.hit_filter, self.hits_view
        )
        cases_box = _titled_table(
            "清退、新增核实事项（双击办理）", "进度", self.stage_filter, self.cases_view
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(hits_box, "疑点")
        self.tabs.addTab(cases_box, "清退/新增核实")
        self.tabs.addTab(self.lists_view, "部门名单")
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        hub().comparison_changed.connect(self.reload)
        hub().registry_changed.connect(self.reload)
        self.reload()

    # --- loading ------------------------------------------------------------------------

    def set_scope(self, villages: frozenset[int] | None, name: str = "") -> None:
        """Show only the 疑点 and cases of these villages' households (None: all of them).

        `name` is the tree node's, shown in the summary so that the clerk sees why. The lists
        themselves are a department's whole list and always show.
        """
        self._scope = villages
        self._scope_name = name if villages is not None else ""
        self.reload()

    def reload(self) -> None:
        """Load the lists, the hits (as filtered) and the cases again."""
        comparison = self.services.comparison
        self.lists_model.set_rows(comparison.lists())
        status = HIT_FILTERS[self.hit_filter.currentIndex()][1]
        scope = self._scope
        self.hits_model.set_rows(comparison.hits(status=status, village_ids=scope))
        stage = self.stage_filter.currentData()
        self.cases_model.set_rows(self.services.cases.cases(stage=stage, village_ids=scope))
        counts = comparison.hit_counts(village_ids=scope)
        where = f"{self._scope_name}：" if self._scope_name else ""
        if counts:
            self.summary.setText(
                f"{where}各部门疑点（未处理/全部）："
                + "；".join(f"{c.department} {c.open}/{c.hits}" for c in counts)
            )
        else:
            self.summary.setText("还没有导入部门名单。请先“导入部门名单…”。")
        for view in (self.hits_view, self.cases_view, self.lists_view):
            view.resizeColumnsToContents()
            view.horizontalHeader().setStretchLastSection(True)

    def selected_hits(self) -> list:
        """Return the hits selected in the 疑点 table."""
        rows = {i.row() for i in self.hits_view.selectionModel().selectedRows()}
        return [self.hits_model.row_at(r) for r in sorted(rows)]

    # --- slots --------------------------------------------------------------------------

    def _on_hit_filter_changed(self, _index: int) -> None:
        self.reload()

    def _on_stage_filter_changed(self, _index: int) -> None:
        self.reload()

    def _on_import_clicked(self) -> None:
        ImportListDialog.run(self.services, self)
        self.reload()

    def _on_rematch_clicked(self) -> None:
        new = self.services.comparison.run_matching()
        hub().status_message.emit(f"比对完成，新发现疑点 {new} 条")
        self.reload()

    def _on_open_removal_clicked(self) -> None:
        hits = self.selected_hits()
        if not hits:
            QMessageBox.information(self, "发起清退核实", "请先在疑点表中选择同一户的疑点")
            return
        reason, ok = QInputDialog.getMultiLineText(
            self,
            "发起清退核实",
            "拟清退的原因（将交村工作队入户核实）：",
            "；".join(f"{h.department}：{h.member_name} {h.detail_text}" for h in hits),
        )
        if not ok:
            return
        members = {h.member_name for h in hits}
        whole = True
        if len(members) == 1:
            choice, ok = QInputDialog.getItem(
                self, "清退对象", "清退对象：", ["整户", f"仅{members.pop()}一人"], 0, False
            )
            if not ok:
                return
            whole = choice == "整户"
        try:
            case_id = self.services.cases.open_removal(
                self.services.user, [h.id for h in hits], reason, whole_household=whole
            )
        except AppError as exc:
            QMessageBox.warning(self, "不能发起核实", str(exc))
            return
        hub().comparison_changed.emit()
        self.tabs.setCurrentIndex(1)
        CaseDialog.run(self.services, case_id, self)
        self.reload()

    def _on_open_addition_clicked(self) -> None:
        values, accepted = AdditionDialog.run(self.services, self)
        if not accepted:
            return
        household_id, kind, reason = values
        try:
            case_id = self.services.cases.open_addition(
                self.services.user, household_id, kind, reason
            )
        except AppError as exc:
            QMessageBox.warning(self, "不能申报", str(exc))
            return
        hits = self.services.comparison.hits(case_id=case_id)
        hub().comparison_changed.emit()
        QMessageBox.information(
            self,
            "新增申报",
            f"已与各部门名单比对，发现疑点 {len(hits)} 条；请交工作队入户核实。",
        )
        CaseDialog.run(self.services, case_id, self)
        self.reload()

    def _on_open_case_clicked(self) -> None:
        rows = self.cases_view.selectionModel().selectedRows()
        if not rows:
            self.tabs.setCurrentIndex(1)
            return
        self._open_case(self.cases_model.row_at(rows[0].row()).id)

    def _on_cases_view_double_clicked(self, index) -> None:
        self._open_case(self.cases_model.row_at(index.row()).id)

    def _open_case(self, case_id: int) -> None:
        CaseDialog.run(self.services, case_id, self)
        self.reload()

    def _on_rosters_clicked(self) -> None:
        RosterDialog.run(self.services, self)


class AdditionDialog(QDialog):
    """Propose a household for 建档立卡 (新增 申报程序): which household, its kind, the grounds."""

    @classmethod
    def run(cls, services, parent=None) -> tuple[tuple[int, str, str] | None, bool]:
        """Return ((household id, 贫困户属性, 认定依据), accepted)."""
        dialog = cls(services, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None, False
        return dialog.values(), True

    def __init__(self, services, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("新增贫困户申报")
        self.household = QComboBox()
        self.household.setEditable(True)
        self.household.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for hid, code, head, village in services.comparison.proposable_households():
            self.household.addItem(f"{code}　{head}　{village}", hid)
        self.kind = QComboBox()
        self.kind.addItems(codes.POVERTY_KINDS)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("如：家庭年人均可支配收入低于4000元，因病致贫")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow("拟新增户（非建档立卡户）", self.household)
        form.addRow("贫困户属性", self.kind)
        form.addRow("认定依据", self.reason)
        buttons = dialog_buttons(self, "比对并申报", on_accept=self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 200)

    def values(self) -> tuple[int, str, str]:
        """Return (household id, 贫困户属性, 认定依据)."""
        return self.household.currentData(), self.kind.currentText(), self.reason.text()

    def _on_buttons_accepted(self) -> None:
        if self.household.currentData() is None:
            self.error.setText("请选择拟新增的户（须先在户籍中登记为非建档立卡户）")
            return
        if not self.reason.text().strip():
            self.error.setText("请填写认定依据")
            return
        self.accept()


class RosterDialog(QDialog):
    """Write the 清退人员花名册 or the 新增贫困人口花名册 of a period as .xlsx or PDF."""

    @classmethod
    def run(cls, services, parent=None) -> tuple[Path | None, bool]:
        """Open the dialog; return (the file written, accepted)."""
        dialog = cls(services, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.written, accepted

    def __init__(self, services, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self.written: Path | None = None
        self.setWindowTitle("打印花名册")
        self.which = QComboBox()
        self.which.addItem(TITLES[REMOVALS], REMOVALS)
        self.which.addItem(TITLES[ADDITIONS], ADDITIONS)
        today = datetime.date.today()
        self.start = DateEdit(_a_month_before(today), allow_blank=False)
        self.end = DateEdit(today, allow_blank=False)
        self.township = QComboBox()
        self.township.addItem("全县", None)
        for name in services.comparison.township_names():
            self.township.addItem(name, name)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow("花名册", self.which)
        form.addRow("核定日期从", self.start)
        form.addRow("到", self.end)
        form.addRow("范围", self.township)
        buttons = QDialogButtonBox()
        pdf = buttons.addButton("保存为 PDF…", QDialogButtonBox.ButtonRole.AcceptRole)
        xlsx = buttons.addButton("保存为 Excel…", QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        pdf.clicked.connect(lambda: self._save(".pdf"))
        xlsx.clicked.connect(lambda: self._save(".xlsx"))
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("证件号码默认打码（只留前6位和后4位）。"))
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _save(self, suffix: str) -> None:
        if refuse_bad_dates(self, "日期有误"):
            return
        start, end = self.start.value(), self.end.value()
        if start is None or end is None:
            self.error.setText("请填写核定日期的起止日期")
            return
        if end < start:
            self.error.setText("结束日期早于开始日期")
            return
        which = self.which.currentData()
        name, _ = QFileDialog.getSaveFileName(
            self, "保存花名册", f"{TITLES[which]}{suffix}", f"*{suffix}"
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != suffix:
            path = path.with_suffix(suffix)
        comparison = self.services.comparison
        table = comparison.roster(which, start, end, township=self.township.currentData())
        try:
            write_roster_file(table, path)
        except (AppError, OSError) as exc:
            self.error.setText(f"未能保存：{exc}")
            return
        comparison.log_roster_export(table, path, full_ids=False)
        self.written = path
        hub().status_message.emit(f"已保存{TITLES[which]}（{len(table.rows)} 人）：{path}")
        self.accept()
