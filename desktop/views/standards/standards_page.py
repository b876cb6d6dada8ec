"""StandardsPage: seed 001's tables on screen (附件2–6), with export, print, 补短清单 / 点球 and
the campaign's provincial standards; double-click a household of 附件2 to enter its values."""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.services.context import AppServices
from desktop.services.safety.auth import CHANGE_STANDARD, can, require
from desktop.services.standards.records import (
    complete_sheet,
    reopen_sheet,
    show_sheet,
    sign_sheet,
    unlock_sheet,
)
from desktop.services.standards.sheets import load_layouts, sheet_places
from desktop.services.standards.shortfalls import assign_shortfalls, shortfall_list
from desktop.views.date_edit import DateEdit, refuse_bad_dates
from desktop.views.dialogs import dialog_buttons
from desktop.views.signals import hub
from desktop.views.standards.indicator_box import IndicatorBox
from desktop.views.standards.sheet_table import SheetTableWidget

DEFAULT_DAYS = 90  # the 点球 deadline offered: seed 001 gives departments July to October


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b00020")
    label.setWordWrap(True)
    return label


class StandardsPage(QWidget):
    """The five tables of the campaign's standard, filled from its evaluation."""

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.campaign_combo = QComboBox()
        self.sheet_combo = QComboBox()
        self.place_combo = QComboBox()
        self.place_combo.setMinimumContentsLength(12)
        self.export_button = QPushButton("导出 Excel…")
        self.pdf_button = QPushButton("打印 PDF…")
        self.shortfall_button = QPushButton("补短清单 / 点球…")
        self.threshold_button = QPushButton("脱贫标准…")
        self.state_label = QLabel()
        self.complete_button = QPushButton("标记为已完成")
        self.sign_button = QPushButton("纸质表已签字")
        self.reopen_button = QPushButton("重新打开")
        self.unlock_button = QPushButton("解锁…")
        self.changed_label = _error_label()
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.error_label = _error_label()
        self.table = SheetTableWidget()
        top = QHBoxLayout()
        for label, widget in (("活动", self.campaign_combo), ("表", self.sheet_combo)):
            top.addWidget(QLabel(label))
            top.addWidget(widget, 1)
        top.addWidget(QLabel("村/乡镇"))
        top.addWidget(self.place_combo)
        buttons = QHBoxLayout()
        for button in (
            self.export_button,
            self.pdf_button,
            self.shortfall_button,
            self.threshold_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.state_label)
        for button in (
            self.complete_button,
            self.sign_button,
            self.reopen_button,
            self.unlock_button,
        ):
            buttons.addWidget(button)
        self.campaign_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.campaign_combo.setMinimumContentsLength(16)
        self.sheet_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.sheet_combo.setMinimumContentsLength(16)
        # The paper's lines above the table (全村贫困户总户数 …, 全乡镇行政村总数 …).
        self.lines_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.note_label)
        layout.addWidget(self.changed_label)
        layout.addWidget(self.lines_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        self.campaign_combo.currentIndexChanged.connect(self._on_campaign_combo_changed)
        self.sheet_combo.currentIndexChanged.connect(self._on_sheet_combo_changed)
        self.place_combo.currentIndexChanged.connect(self.refresh)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        self.shortfall_button.clicked.connect(self._on_shortfall_button_clicked)
        self.threshold_button.clicked.connect(self._on_threshold_button_clicked)
        self.table.cellDoubleClicked.connect(self._on_table_cell_double_clicked)
        self.complete_button.clicked.connect(self._on_complete_button_clicked)
        self.sign_button.clicked.connect(self._on_sign_button_clicked)
        self.reopen_button.clicked.connect(self._on_reopen_button_clicked)
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        hub().registry_changed.connect(self.reload)
        hub().problems_changed.connect(self.refresh)
        self.reload()

    # --- choices ---------------------------------------------------------------------

    def reload(self) -> None:
        """List every campaign (one without 附件 sheets still has its standard to set); keep
        the current choice if it stays, else the first with sheets."""
        current = self.campaign_combo.currentData()
        self.campaign_combo.blockSignals(True)
        self.campaign_combo.clear()
        with_sheets = []
        for c in self.services.standards.campaigns():
            sheets = bool(load_layouts(c.standard_code))
            self.campaign_combo.addItem(
                f"{c.name}（{c.county_name or '各县'}）" + ("" if sheets else "（无附件表样）"),
                c.id,
            )
            if sheets:
                with_sheets.append(c.id)
        index = self.campaign_combo.findData(current)
        if index < 0:
            index = self.campaign_combo.findData(with_sheets[0]) if with_sheets else 0
        index = max(0, index)
        self.campaign_combo.setCurrentIndex(index)
        self.campaign_combo.blockSignals(False)
        self._on_campaign_combo_changed()

    def _campaign(self):
        campaign_id = self.campaign_combo.currentData()
        return None if campaign_id is None else self.services.standards.campaign(campaign_id)

    def _on_campaign_combo_changed(self) -> None:
        campaign = self._campaign()
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        if campaign is not None:
            for code, layout in load_layouts(campaign.standard_code).items():
                self.sheet_combo.addItem(f"{layout.attachment} {_short_title(layout.title)}", code)
        self.sheet_combo.blockSignals(False)
        sheets = self.sheet_combo.count() > 0
        for w in (self.export_button, self.pdf_button, self.shortfall_button):
            w.setEnabled(sheets)
        allowed = can(self.services.user, CHANGE_STANDARD)
        self.threshold_button.setEnabled(campaign is not None and allowed)
        self.threshold_button.setToolTip("" if allowed else "只有管理员可以设定脱贫标准")
        if not sheets:
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.place_combo.clear()
            for w in (self.complete_button, self.sign_button, self.reopen_button):
                w.setEnabled(False)
            self.unlock_button.setEnabled(False)
            self.state_label.clear()
            self.changed_label.hide()
            self.lines_label.hide()
            self.note_label.setText(
                "没有“回头看”活动。"
                if campaign is None
                else f"该活动的标准没有附件表样。{self._standard_text(campaign)}"
            )
            return
        self._on_sheet_combo_changed()

    def _standard_text(self, campaign) -> str:
        """“收入标准：2020年 未设定（请管理员在“脱贫标准…”中设定）” for the chosen campaign."""
        try:
            standard = self.services.standards.standard(campaign.id)
        except AppError as exc:
            return str(exc)
        years = []
        for year, amount in sorted(standard.income.standards_by_year.items()):
            amount = campaign.thresholds.get(year, amount)
            years.append(f"{year}年 " + ("未设定" if amount is None else f"{amount:g}元"))
        text = f"{standard.income.label}标准：{'，'.join(years)}。"
        if any("未设定" in y for y in years):
            text += "未设定的年度无法判断收入是否达标，请管理员在“脱贫标准…”中设定。"
        return text

    def _layout(self):
        campaign = self._campaign()
        if campaign is None or self.sheet_combo.currentData() is None:
            return None
        return load_layouts(campaign.standard_code)[self.sheet_combo.currentData()]

    def _on_sheet_combo_changed(self) -> None:
        layout, campaign = self._layout(), self._campaign()
        if layout is None:
            return
        current = self.place_combo.currentData()
        self.place_combo.blockSignals(True)
        self.place_combo.clear()
        for place in sheet_places(self.services.standards, campaign.id):
            if layout.scope == "township":
                self.place_combo.addItem(place.township_name, f"township:{place.township_id}")
            else:
                for vid, name in place.villages:
                    self.place_combo.addItem(f"{place.township_name} {name}", f"village:{vid}")
        self.place_combo.setCurrentIndex(max(0, self.place_combo.findData(current)))
        self.place_combo.blockSignals(False)
        self.refresh()

    def _place(self) -> dict:
        kind, _, place_id = (self.place_combo.currentData() or "::").partition(":")
        place_id = int(place_id) if place_id else None
        return {"village_id": place_id} if kind == "village" else {"township_id": place_id}

    # --- the sheet -------------------------------------------------------------------

    def current_shown(self):
        """The chosen sheet: as stored when completed or signed, else freshly evaluated."""
        code = self.sheet_combo.currentData()
        if code is None or self.place_combo.currentData() is None:
            return None
        return show_sheet(self.services.standards, code, **self._place())

    def current_sheet(self):
        """The Sheet shown (None when none is chosen)."""
        shown = self.current_shown()
        return None if shown is None else shown.sheet

    def refresh(self) -> None:
        """Evaluate again (drafts) and show the chosen sheet."""
        self.error_label.clear()
        try:
            shown = self.current_shown()
        except AppError as exc:
            self.error_label.setText(str(exc))
            return
        if shown is None:
            return
        sheet = shown.sheet
        self.state_label.setText(f"状态：{shown.state_label}")
        self.changed_label.setText(shown.changed_note)
        self.changed_label.setVisible(bool(shown.changed_note))
        self.complete_button.setEnabled(shown.state != "signed")
        self.sign_button.setEnabled(shown.state == "complete")
        self.reopen_button.setEnabled(shown.state == "complete")
        self.unlock_button.setEnabled(shown.state == "signed")
        self.table.show_sheet(sheet)
        self.lines_label.setText("\n".join("　　".join(line) for line in sheet.header_lines))
        self.lines_label.setVisible(bool(sheet.header_lines))
        hint = "双击一户可录入其收入和指标。" if sheet.code == "fj2" else ""
        self.note_label.setText(f"{sheet.standard_note} 共 {len(sheet.rows)} 行。{hint}")

    def _save_path(self, caption: str, suffix: str, pattern: str) -> Path | None:
        sheet = self.table.sheet
        default = f"{sheet.attachment}-{sheet.scope_name}{suffix}" if sheet else f"附件{suffix}"
        name, _ = QFileDialog.getSaveFileName(self, caption, default, pattern)
        return Path(name) if name else None

    def _on_export_button_clicked(self) -> None:
        path = self._save_path("导出 Excel", ".xlsx", "Excel (*.xlsx)")
        if path is not None:
            self.export_to(path)

    def _on_pdf_button_clicked(self) -> None:
        path = self._save_path("打印 PDF", ".pdf", "PDF (*.pdf)")
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> bool:
        """Write the shown sheet to .xlsx or PDF (by suffix); say where, or what went wrong."""
        from desktop.printing.standard_sheets import render_sheets_pdf
        from desktop.services.standards.workbook import write_sheets_xlsx

        try:
            sheet = self.current_sheet()
            if sheet is None:
                return False
            if path.suffix.lower() == ".xlsx":
                write_sheets_xlsx([sheet], path)
            else:
                tmp = path.with_name(path.name + ".part")
                tmp.write_bytes(render_sheets_pdf([sheet]))
                tmp.replace(path)
        except (AppError, OSError) as exc:
            self.error_label.setText(f"未能写出 {path.name}：{exc}")
            return False
        hub().status_message.emit(f"已写出 {sheet.attachment}：{path}")
        return True

    # --- completed and signed sheets ----------------------------------------------------

    def _record_action(self, action, *args) -> None:
        code = self.sheet_combo.currentData()
        try:
            action(self.services.standards, code, *args, **self._place())
        except AppError as exc:
            self.error_label.setText(str(exc))
            return
        self.refresh()

    def _on_complete_button_clicked(self) -> None:
        self._record_action(complete_sheet, self.services.user)

    def _on_sign_button_clicked(self) -> None:
        self._record_action(sign_sheet, self.services.user)

    def _on_reopen_button_clicked(self) -> None:
        self._record_action(reopen_sheet)

    def _on_unlock_button_clicked(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        reason, ok = QInputDialog.getText(self, "解锁已签字的表", "解锁原因（将记入审计日志）：")
        if ok:
            self._record_action(unlock_sheet, reason, self.services.user)

    # --- values, shortfalls, standards -----------------------------------------------

    def _on_table_cell_double_clicked(self, row: int, _column: int) -> None:
        sheet = self.table.sheet
        if sheet is None or sheet.code != "fj2":
            return
        household_id = self.table.row_id(row)
        campaign = self._campaign()
        if household_id is None or campaign is None:
            return
        _values, accepted = HouseholdValuesDialog.run(
            self.services, campaign.id, household_id, self
        )
        if accepted:
            self.refresh()

    def _on_shortfall_button_clicked(self) -> None:
        campaign = self._campaign()
        if campaign is not None:
            ShortfallDialog.run(self.services, campaign.id, self._place(), self)
            self.refresh()

    def _on_threshold_button_clicked(self) -> None:
        campaign = self._campaign()
        if campaign is not None:
            _value, accepted = ThresholdDialog.run(self.services, campaign.id, self)
            if accepted:
                self._on_campaign_combo_changed()


def _short_title(title: str) -> str:
    """“{county}{township}{village}贫困户“回头看”摸底表” → “贫困户“回头看”摸底表”."""
    return title.replace("{county}", "").replace("{township}", "").replace("{village}", "")


class HouseholdValuesDialog(QDialog):
    """Enters one household's income inputs and indicator values (一超六有 or 八有)."""

    def __init__(self, services: AppServices, campaign_id: int, household_id: int, parent=None):
        super().__init__(parent)
        self.services, self.household_id = services, household_id
        standard = services.standards.standard(campaign_id)
        values = services.standards.household_values(household_id)
        self.setWindowTitle(f"录入指标（{standard.household_set.name}）")
        self.money: dict[str, QDoubleSpinBox] = {}
        income = QFormLayout()
        for name, label in standard.income.inputs.items():
            spin = QDoubleSpinBox()
            spin.setRange(-1, 10_000_000)
            spin.setDecimals(2)
            spin.setSpecialValueText("未录入")
            spin.setValue(values.get(name, -1))
            spin.setObjectName(name)
            income.addRow(label, spin)
            self.money[name] = spin
        income.addRow(QLabel(standard.income.formula_text))
        self.box = IndicatorBox(
            standard.household_set.name, standard.household_set.indicators, values
        )
        self.error_label = _error_label()
        buttons = dialog_buttons(self, "保存", on_accept=self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addLayout(income)
        layout.addWidget(self.box)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def values(self) -> dict:
        """What was entered (未录入 left out)."""
        out = {n: round(s.value(), 2) for n, s in self.money.items() if s.value() >= 0}
        return out | self.box.values()

    def _on_buttons_accepted(self) -> None:
        try:
            self.services.standards.save_household_values(
                self.household_id, self.values(), self.services.user.name
            )
        except AppError as exc:
            self.error_label.setText(str(exc))  # the entries stay on screen
            return
        hub().household_changed.emit(self.household_id)
        self.accept()

    @classmethod
    def run(cls, services, campaign_id: int, household_id: int, parent=None) -> tuple[dict, bool]:
        """Open the dialog; return (values, accepted)."""
        dialog = cls(services, campaign_id, household_id, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.values(), accepted


class ThresholdDialog(QDialog):
    """The campaign's provincial standard of each year (an empty year uses the file's)."""

    def __init__(self, services: AppServices, campaign_id: int, parent=None):
        super().__init__(parent)
        self.services, self.campaign_id = services, campaign_id
        standard = services.standards.standard(campaign_id)
        own = services.standards.campaign(campaign_id).thresholds
        self.setWindowTitle("脱贫标准（按年度）")
        form = QFormLayout()
        form.addRow(QLabel(standard.income.rule_text))
        self.spins: dict[int, QDoubleSpinBox] = {}
        for year, amount in sorted(standard.income.standards_by_year.items()):
            spin = QDoubleSpinBox()
            spin.setRange(0, 100_000)
            spin.setDecimals(0)
            spin.setSuffix(" 元")
            spin.setSpecialValueText("未设定")
            spin.setValue(own.get(year, amount) or 0)
            spin.setObjectName(str(year))
            form.addRow(f"{year}年省定脱贫标准", spin)
            self.spins[year] = spin
        self.error_label = _error_label()
        buttons = dialog_buttons(self, "保存并重新评估", on_accept=self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.file_values = standard.income.standards_by_year

    def _on_buttons_accepted(self) -> None:
        try:
            require(self.services.user, CHANGE_STANDARD)
            for year, spin in self.spins.items():
                amount = spin.value() or None
                # The file's figure needs no copy: None goes back to it.
                own = None if amount == self.file_values.get(year) else amount
                self.services.standards.set_threshold(self.campaign_id, year, own)
        except AppError as exc:
            self.error_label.setText(str(exc))
            return
        self.accept()

    @classmethod
    def run(cls, services, campaign_id: int, parent=None) -> tuple[None, bool]:
        """Open the dialog; return (None, accepted)."""
        dialog = cls(services, campaign_id, parent)
        return None, dialog.exec() == QDialog.DialogCode.Accepted


SHORTFALL_HEADERS = ("对象", "未达标项", "情况", "责任部门", "状态")


class ShortfallDialog(QDialog):
    """补短清单 of the chosen village or township, and 点球 to the departments."""

    def __init__(self, services: AppServices, campaign_id: int, place: dict, parent=None):
        super().__init__(parent)
        self.services, self.campaign_id, self.place = services, campaign_id, place
        self.setWindowTitle("补短清单")
        self.resize(1000, 560)
        self.table = QTableWidget(0, len(SHORTFALL_HEADERS))
        self.table.setHorizontalHeaderLabels(SHORTFALL_HEADERS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.deadline_edit = DateEdit(
            datetime.date.today() + datetime.timedelta(days=DEFAULT_DAYS), allow_blank=False
        )
        self.assign_button = QPushButton("点球：发给责任部门")
        self.summary_label = QLabel()
        self.error_label = _error_label()
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("整改时限"))
        bottom.addWidget(self.deadline_edit)
        bottom.addWidget(self.assign_button)
        bottom.addStretch(1)
        close = QPushButton("关闭")
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(bottom)
        close.clicked.connect(self.accept)
        self.assign_button.clicked.connect(self._on_assign_button_clicked)
        self.load()

    def load(self) -> None:
        """Evaluate and list every 未达标项 with its departments and what the ledger holds."""
        service = self.services.standards
        evaluation = service.evaluate(self.campaign_id, **self.place)
        village_ids = sorted(
            {r.village_id for r in evaluation.households}
            | {v.village_id for v in evaluation.villages}
        )
        context = service.sheet_context(village_ids=village_ids)
        self.shortfalls = shortfall_list(evaluation, context, service.departments())
        self.table.setRowCount(len(self.shortfalls))
        for r, s in enumerate(self.shortfalls):
            values = (s.target, s.indicator_label, s.detail, "、".join(s.departments), s.state)
            for c, text in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        pending = sum(s.fix is None for s in self.shortfalls)
        self.summary_label.setText(f"未达标项 {len(self.shortfalls)} 项，其中未点球 {pending} 项。")
        self.assign_button.setEnabled(pending > 0)

    def _on_assign_button_clicked(self) -> None:
        if refuse_bad_dates(self):
            return
        deadline = self.deadline_edit.value()
        try:
            result = assign_shortfalls(
                self.services.problems,
                self.shortfalls,
                deadline=deadline,
                found_date=datetime.date.today(),
                user=self.services.user.name,
            )
        except AppError as exc:
            self.error_label.setText(str(exc))
            return
        self.error_label.clear()
        sent = "；".join(f"{unit} {n} 项" for unit, n in sorted(result.created.items()))
        hub().problems_changed.emit()
        QMessageBox.information(self, "点球", f"已登记到整改台账：{sent}。")
        self.load()

    @classmethod
    def run(cls, services, campaign_id: int, place: dict, parent=None) -> tuple[None, bool]:
        """Open the dialog; return (None, accepted)."""
        dialog = cls(services, campaign_id, place, parent)
        return None, dialog.exec() == QDialog.DialogCode.Accepted
