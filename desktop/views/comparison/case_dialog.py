"""One 清退 or 新增 case: its 疑点, the steps so far, evidence, and the decision of its level."""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError
from desktop.printing.comparison_approval import render_approval_pdf
from desktop.services.comparison.cases import Decision
from desktop.services.comparison.departments import (
    DECISION_AGREE,
    DECISION_DISAGREE,
    DECISION_SEND_BACK,
    LEVEL_APPROVE,
    LEVEL_LABELS,
    LEVEL_VERIFY,
    LEVELS,
)
from desktop.views.date_edit import DateEdit, refuse_bad_dates
from desktop.views.dialogs import confirm
from desktop.views.signals import hub


def _text_edit(height: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


class CaseDialog(QDialog):
    """Show a case and record the decision of the level it waits at (one step a time)."""

    @classmethod
    def run(cls, services, case_id: int, parent: QWidget | None = None) -> tuple[str, bool]:
        """Open the dialog; return (the case's stage, whether a step was recorded)."""
        dialog = cls(services, case_id, parent)
        dialog.exec()
        return dialog.detail.row.stage, dialog.changed

    def __init__(self, services, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.case_id = case_id
        self.changed = False
        self.resize(940, 720)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.hits = QTableWidget(0, 4)
        self.hits.setHorizontalHeaderLabels(["部门", "比中人员", "比对方式", "部门信息"])
        self.hits.horizontalHeader().setStretchLastSection(True)
        self.hits.verticalHeader().hide()
        self.hits.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.compared = QLabel()
        self.steps = QTableWidget(0, 6)
        self.steps.setHorizontalHeaderLabels(
            ["环节", "意见", "日期", "录入人", "签字人", "核实情况/理由"]
        )
        self.steps.horizontalHeader().setStretchLastSection(True)
        self.steps.verticalHeader().hide()
        self.steps.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.evidence = QListWidget()
        self.evidence.setMaximumHeight(90)
        add_evidence = QPushButton("添加证明材料…")
        add_evidence.clicked.connect(self._on_add_evidence_clicked)
        print_sheet = QPushButton("打印审批表…")
        print_sheet.clicked.connect(self._on_print_sheet_clicked)
        evidence_row = QHBoxLayout()
        evidence_row.addWidget(self.evidence, 1)
        side = QVBoxLayout()
        side.addWidget(add_evidence)
        side.addWidget(print_sheet)
        side.addStretch(1)
        evidence_row.addLayout(side)
        self.decision_box = self._build_decision()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox()
        self.submit = self.buttons.addButton(
            "提交本环节意见", QDialogButtonBox.ButtonRole.AcceptRole
        )
        close = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.submit.clicked.connect(self._on_submit_clicked)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(QLabel("比对疑点"))
        layout.addWidget(self.compared)
        layout.addWidget(self.hits, 1)
        layout.addWidget(QLabel("办理过程"))
        layout.addWidget(self.steps, 1)
        layout.addWidget(QLabel("证明材料"))
        layout.addLayout(evidence_row)
        layout.addWidget(self.decision_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._load()

    def _build_decision(self) -> QGroupBox:
        box = QGroupBox()
        self.agree = QRadioButton("同意")
        self.disagree = QRadioButton("不同意")
        self.send_back = QRadioButton("退回上一环节")
        self.agree.setChecked(True)
        group = QButtonGroup(box)
        choices = QHBoxLayout()
        for button in (self.agree, self.disagree, self.send_back):
            group.addButton(button)
            choices.addWidget(button)
        choices.addStretch(1)
        self.day = DateEdit(datetime.date.today(), allow_blank=False)
        self.finding = _text_edit(56)
        self.reason = _text_edit(44)
        self.on_paper = QCheckBox("县里在纸质审批表上签字（按审批表录入）")
        self.signed_by = QLineEdit()
        self.signed_by.setPlaceholderText("在审批表上签字的人")
        self.on_paper.toggled.connect(self.signed_by.setEnabled)
        self.signed_by.setEnabled(False)
        self.form = form = QFormLayout(box)
        form.addRow("意见", choices)
        form.addRow("日期", self.day)
        form.addRow("入户核实情况", self.finding)
        form.addRow("理由/说明", self.reason)
        form.addRow("", self.on_paper)
        form.addRow("签字人", self.signed_by)
        return box

    def _load(self) -> None:
        self.detail = detail = self.services.cases.case(self.case_id)
        row = detail.row
        self.setWindowTitle(f"{row.kind_label}核实 {row.number}")
        extra = f"，拟定属性：{detail.poverty_kind}" if detail.poverty_kind else ""
        self.header.setText(
            f"<b>{row.number}　{row.kind_label}　{row.stage_label}</b><br>"
            f"{row.township}{row.village}　户编号 {row.household_code}　户主 {row.head_name}"
            f"　对象：{row.subject}{extra}<br>原因/认定依据：{row.reason}"
        )
        hits = self.services.comparison.hits(case_id=self.case_id)
        if detail.compared_at is not None:
            found = f"发现疑点 {len(hits)} 条" if hits else "未发现疑点"
            self.compared.setText(
                f"已于 {detail.compared_at:%Y-%m-%d %H:%M} 与各部门名单比对，{found}"
            )
        self.compared.setVisible(detail.compared_at is not None)
        self.hits.setRowCount(len(hits))
        for r, h in enumerate(hits):
            member = h.member_name + ("（已离户）" if h.left_household else "")
            for c, text in enumerate((h.department, member, h.match_label, h.detail_text)):
                self.hits.setItem(r, c, QTableWidgetItem(text))
        self.hits.resizeColumnsToContents()
        self.steps.setRowCount(len(detail.steps))
        for r, st in enumerate(detail.steps):
            texts = (
                st.level_label, st.decision_label, f"{st.decided_on:%Y-%m-%d}", st.who,
                st.signed_by if st.on_paper else st.who,
                "；".join(t for t in (st.finding, st.reason) if t),
            )  # fmt: skip
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.steps.setItem(r, c, item)
        self.steps.resizeColumnsToContents()
        self.evidence.clear()
        for _id, name, who in detail.evidence:
            self.evidence.addItem(f"{name}（{who}）")
        open_ = row.stage in LEVELS
        self.decision_box.setVisible(open_)
        self.submit.setVisible(open_)
        if open_:
            self.decision_box.setTitle(f"本环节：{LEVEL_LABELS[row.stage]}")
            verify = row.stage == LEVEL_VERIFY
            self.form.setRowVisible(self.finding, verify)
            self.send_back.setEnabled(not verify)
            approve = row.stage == LEVEL_APPROVE
            self.form.setRowVisible(self.on_paper, approve)
            self.form.setRowVisible(self.signed_by, approve)

    def _decision(self) -> Decision:
        if self.agree.isChecked():
            choice = DECISION_AGREE
        elif self.disagree.isChecked():
            choice = DECISION_DISAGREE
        else:
            choice = DECISION_SEND_BACK
        approve = self.detail.row.stage == LEVEL_APPROVE
        return Decision(
            choice,
            self.day.value() or datetime.date.today(),
            reason=self.reason.toPlainText(),
            finding=self.finding.toPlainText() if self.detail.row.stage == LEVEL_VERIFY else "",
            on_paper=approve and self.on_paper.isChecked(),
            signed_by=self.signed_by.text() if approve else "",
        )

    def _on_submit_clicked(self) -> None:
        if refuse_bad_dates(self, "不能提交"):
            return
        decision = self._decision()
        if (
            self.detail.row.stage == LEVEL_APPROVE
            and decision.decision == DECISION_AGREE
            and not confirm(
                self, "县核定", f"核定后将{self.detail.row.kind_label}该户并记入整改台账，确定吗？"
            )
        ):
            return
        try:
            self.services.cases.decide(
                self.services.user, self.case_id, self.detail.version, decision
            )
        except AppError as exc:
            self.error_label.setText(str(exc))  # the entries stay on screen
            return
        self.changed = True
        self.error_label.clear()
        self.reason.clear()
        self.finding.clear()
        hub().comparison_changed.emit()
        hub().registry_changed.emit()
        hub().problems_changed.emit()
        self._load()

    def _on_add_evidence_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择证明材料", "", "所有文件 (*)")
        if not name:
            return
        try:
            self.services.cases.add_evidence(self.services.user, self.case_id, Path(name))
        except AppError as exc:
            self.error_label.setText(str(exc))
            return
        self.changed = True
        self._load()

    def _on_print_sheet_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "保存审批表", f"{self.detail.row.number}审批表.pdf", "PDF 文件 (*.pdf)"
        )
        if not name:
            return
        try:
            data = render_approval_pdf(self.services.cases.approval_sheet(self.case_id))
            Path(name).write_bytes(data)
        except (AppError, OSError) as exc:
            self.error_label.setText(f"未能保存审批表：{exc}")
            return
        hub().status_message.emit(f"审批表已保存：{name}")
