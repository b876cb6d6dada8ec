"""FormDialog: one household's paper form on screen — fill, check, save, preview, recover."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AppError, FieldIssue
from desktop.services.forms.recovery import FormRecovery
from desktop.services.forms.service import (
    FORM_STATE_COMPLETE,
    FormError,
    FormState,
    FormValidationError,
    StaleFormError,
)
from desktop.views import window_fit
from desktop.views.conflict_dialog import KEEP_MINE, TAKE_THEIRS, ConflictDialog
from desktop.views.dialogs import EditingDialog, confirm
from desktop.views.forms.form_view import FormView, screen_scale
from desktop.views.signals import hub
from desktop.views.window_fit import bind_shortcut

log = logging.getLogger(__name__)

RECOVERY_DELAY_MS = 1500  # write the recovery copy this long after the last keystroke
STATE_COLORS = {"未填": "#777777", "草稿": "#b26a00", "已完成": "#1d6b1d", "已签字": "#1f4e9c"}
MAX_LISTED = 12
SIDE_PANEL_PX = 240  # the problem list beside the form
SIDE_MIN_PX, SIDE_MAX_PX = 200, 300  # how far the list gives way to the paper, or takes room
SCROLL_SLACK_PX = 4  # beyond the measured frames and bar: a style that draws them wider
WINDOW_FRAME_PX = 40  # the window's title bar and frame
DIALOG_ROWS_PX = 110  # the line above the form and the buttons below it


def ask_reason(parent: QWidget | None, problem: FieldIssue, field_label: str) -> str | None:
    """Ask for the short reason that accepts a warning; None when the clerk cancels."""
    while True:
        text, ok = QInputDialog.getText(
            parent,
            "接受警告",
            f"{field_label}：{problem.message}\n\n请填写接受此警告的原因（审核人员可见）：",
        )
        if not ok:
            return None
        if text.strip():
            return text.strip()
        QMessageBox.warning(parent, "接受警告", "原因不能为空")


class FormDialog(EditingDialog):
    """A household's form: the paper on screen, its problems, and 保存草稿 / 完成 / 打印预览."""

    def __init__(
        self, services: Any, household_id: int, form_code: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.household_id = household_id
        self.form_code = form_code
        self.state: FormState = services.forms.open_form(household_id, form_code)
        # A questionnaire under review or passed is read-only as a signed form is (seed 003).
        teams = getattr(services, "teams", None)
        self.review_lock = teams.review_lock(household_id, form_code) if teams else ""
        self.form = self.state.description
        self.saved_version = self.state.version
        self.saved_any = False
        self.recovery = FormRecovery(services.db_path, household_id, form_code)
        self._dirty = False

        household = self.state.household
        self.setWindowTitle(f"{self.form.title} — {household.code} {household.head_name}")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        self.info_label = QLabel(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("formState")

        self.problem_list = QListWidget(self)
        self.problem_list.setWordWrap(True)
        self.problem_summary = QLabel(self)
        self.skip_notice = QLabel(self)  # what an edited skip answer struck out
        self.skip_notice.setWordWrap(True)
        self.skip_notice.setObjectName("skipNotice")
        self.skip_notice.hide()
        # A stored form under a campaign standard changed since: kept as computed, said here.
        self.standard_notice = QLabel(self)
        self.standard_notice.setWordWrap(True)
        self.standard_notice.setObjectName("standardNotice")
        self.standard_notice.hide()
        self.accept_button = QPushButton("接受警告…", self)
        self.withdraw_button = QPushButton("撤销接受", self)

        self.save_button = QPushButton("保存草稿", self)
        self.complete_button = QPushButton("完成", self)
        self.preview_button = QPushButton("打印预览…", self)
        self.problem_button = QPushButton("登记问题…", self)
        self.sign_button = QPushButton("纸质表已签字", self)
        self.sign_button.setToolTip("签字的纸质表已收回：标记为已签字并锁定")
        self.unlock_button = QPushButton("解锁修改…", self)
        self.unlock_button.setToolTip("已签字的表需说明理由才能修改；修改后须重新打印签字")
        self.close_button = QPushButton("关闭", self)
        for button in (
            self.save_button, self.complete_button, self.preview_button, self.close_button,
            self.accept_button, self.withdraw_button, self.problem_button, self.sign_button,
            self.unlock_button,
        ):  # fmt: skip
            # Enter inside a cell must never save or close the form by accident.
            button.setAutoDefault(False)
            button.setDefault(False)
        self.save_button.setToolTip("Ctrl+S：保存为草稿，有错误也可以保存")
        self.complete_button.setToolTip("Ctrl+Enter：检查无误后标记为已完成，并更新户籍信息")

        self._build_layout()
        # The paper's scale is chosen for the width the form will have inside this dialog on
        # this screen, so that the whole paper shows without scrolling sideways (1366 too).
        screen = window_fit.available_rect(self)
        client = screen.width() - 2 * window_fit.BORDER_PX
        chrome = self._chrome_width()
        scale = screen_scale(self.form, client - chrome)
        # The view is born inside the scroll area: reparenting a finished form would restyle
        # every one of its widgets a second time (a third of the opening time).
        self.view = FormView(
            self.form,
            self.scroll.viewport(),
            scale=scale,
            evaluator=services.forms.evaluator(self.form),
            subject=self.state.household,
            standard=self.state.standard,
        )
        self.scroll.setWidget(self.view)
        self.scroll.setBackgroundRole(self.view.backgroundRole())
        self._recovery_timer = QTimer(self)
        self._recovery_timer.setSingleShot(True)
        self._recovery_timer.setInterval(RECOVERY_DELAY_MS)
        self._recovery_timer.timeout.connect(self.write_recovery)

        self.view.edited.connect(self._on_view_edited)
        self.view.skips_cleared.connect(self._on_view_skips_cleared)
        self.view.problems_changed.connect(self._on_view_problems_changed)
        self.problem_list.itemActivated.connect(self._on_problem_list_activated)
        self.problem_list.currentRowChanged.connect(lambda _r: self._update_problem_buttons())
        self.accept_button.clicked.connect(self._on_accept_clicked)
        self.withdraw_button.clicked.connect(self._on_withdraw_clicked)
        self.save_button.clicked.connect(lambda: self.save(complete=False))
        self.complete_button.clicked.connect(lambda: self.save(complete=True))
        self.preview_button.clicked.connect(self._on_preview_clicked)
        self.problem_button.clicked.connect(self._on_problem_clicked)
        self.sign_button.clicked.connect(self._on_sign_clicked)
        self.unlock_button.clicked.connect(self._on_unlock_clicked)
        self.problem_button.setToolTip("把核查中发现的问题登记到整改台账，本户已填好")
        self.close_button.clicked.connect(self.reject)
        bind_shortcut(self.save_button, QKeySequence.StandardKey.Save, self)
        bind_shortcut(self.complete_button, "Ctrl+Return", self)
        bind_shortcut(self.preview_button, QKeySequence.StandardKey.Print, self)  # as in Excel
        QApplication.instance().focusChanged.connect(self._on_app_focus_changed)

        self._load(self.state)
        # The whole dialog, its buttons included, fits the screen (1366×768 too).
        width = self.view.width() + chrome
        height = self.view.sizeHint().height() + DIALOG_ROWS_PX  # the whole paper, if it fits
        self.splitter.setSizes([width - SIDE_PANEL_PX, SIDE_PANEL_PX])
        self.resize(min(width, client), min(height, screen.height() - WINDOW_FRAME_PX))

    def _chrome_width(self) -> int:
        """Pixels of the dialog's width that are not the form: margins, list, bars, frames."""
        margins = self.layout().contentsMargins()
        bar = self.scroll.verticalScrollBar()
        bar_px = self.scroll.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, bar)
        return (
            margins.left()
            + margins.right()
            + SIDE_PANEL_PX
            + self.splitter.handleWidth()
            + 2 * self.scroll.frameWidth()
            + max(bar_px, bar.sizeHint().width())
            + SCROLL_SLACK_PX
        )

    # --- layout -------------------------------------------------------------------------

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.info_label, 1)
        top.addWidget(QLabel("状态：", self))
        top.addWidget(self.state_label)

        side = QWidget(self)
        side.setMinimumWidth(SIDE_MIN_PX)
        side.setMaximumWidth(340)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("检查结果（回车跳到该格）：", side))
        side_layout.addWidget(self.problem_summary)
        side_layout.addWidget(self.skip_notice)
        side_layout.addWidget(self.standard_notice)
        side_layout.addWidget(self.problem_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.accept_button)
        row.addWidget(self.withdraw_button)
        side_layout.addLayout(row)

        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.scroll)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)

        buttons = QHBoxLayout()
        buttons.addWidget(self.problem_button)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        for button in (
            self.save_button, self.complete_button, self.preview_button, self.close_button
        ):  # fmt: skip
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def _load(self, state: FormState) -> None:
        self.state = state
        # A completed or signed form shows what was stored; a draft was recomputed on opening.
        self.view.set_answers(state.answers, recompute=not state.stored)
        self.view.set_accepted_warnings(state.accepted_warnings)
        self.view.set_read_only(self.read_only)
        self._show_header()
        self._set_dirty(False)

    @property
    def read_only(self) -> bool:
        """True when the form is signed, or a questionnaire is under review or passed."""
        return self.state.is_signed or bool(self.review_lock)

    def _show_header(self) -> None:
        h = self.state.household
        place = "".join(p for p in (h.township_name, h.village_name, h.group_name) if p)
        self.info_label.setText(
            f"<b>户编号 {h.code}</b>　户主 <b>{h.head_name or '（未填）'}</b>　{place}"
        )
        label = self.state.state_label
        color = STATE_COLORS.get(label, "#333333")
        suffix = "（已锁定，需解锁才能修改）" if self.state.is_signed else ""
        if self.review_lock and not self.state.is_signed:
            suffix = f"（{self.review_lock}）"
        if self.state.paper_outdated and not self.state.is_signed:
            suffix = "（纸质表已过期，需重新打印签字）"
        if self.state.standard_note:
            suffix += "（此后标准已改动）"
        self.state_label.setText(f'<b style="color:{color}">{label}</b>{suffix}')
        self.standard_notice.setText(self.state.standard_note)
        self.standard_notice.setVisible(bool(self.state.standard_note))
        editable = not self.read_only
        self.save_button.setEnabled(editable)
        self.complete_button.setEnabled(editable)
        self.sign_button.setEnabled(self.state.state == FORM_STATE_COMPLETE and not self._dirty)
        self.unlock_button.setEnabled(self.state.is_signed)

    def showEvent(self, event) -> None:
        """Start the keyboard at the form's first input."""
        super().showEvent(event)
        self.give_form_room()
        first = self.view.first_input()
        if first is not None and not self.read_only:
            first.setFocus(Qt.FocusReason.TabFocusReason)

    def give_form_room(self) -> None:
        """Let the form keep its full width; the problem list takes what is left (200–300 px).

        Called when the dialog is shown or resized: a frame or a scroll bar wider than
        expected is taken from the list, never from the paper (no sideways scrolling).
        """
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        wanted = self.view.width() + (self.scroll.width() - self.scroll.viewport().width())
        side = max(SIDE_MIN_PX, min(SIDE_MAX_PX, total - wanted))
        if self.splitter.sizes()[1] != side:
            self.splitter.setSizes([total - side, side])

    def resizeEvent(self, event) -> None:
        """Keep the paper whole when the clerk resizes or maximises the dialog."""
        super().resizeEvent(event)
        if self.isVisible():
            self.give_form_room()

    def tell_recomputed(self) -> None:
        """Say which computed values of a reopened draft changed under today's standard."""
        message = self.state.changed_message()
        if message:
            QMessageBox.information(self, "已重新计算", message)

    # --- recovery -----------------------------------------------------------------------

    def offer_recovery(self) -> bool:
        """If a recovery copy waits for this form, offer to restore it; True when restored."""
        copy = self.recovery.read()
        if copy is None:
            return False
        if self.read_only:
            # A locked form cannot take the entries; keep the file for a later unlock or return.
            later = "审核退回后" if self.review_lock and not self.state.is_signed else "解锁后"
            QMessageBox.information(
                self,
                "有未保存的内容",
                f"发现 {copy.written_at_text} 未保存的填写内容，但该表已锁定，"
                f"{later}重新打开即可恢复。",
            )
            return False
        note = ""
        if copy.base_version is not None and copy.base_version != self.state.version:
            note = (
                f"\n\n注意：该表在那之后已被保存过（当前第 {self.state.version} 版），"
                "恢复将用未保存的内容覆盖屏幕上的内容，保存前请核对。"
            )
        if not confirm(
            self,
            "恢复未保存的内容",
            f"上次填写此表时程序意外关闭（{copy.written_at_text}），有未保存的内容。\n"
            f"是否恢复这些内容？选择“否”将丢弃它们。{note}",
            default=True,
        ):
            self.recovery.discard()
            return False
        self.view.set_answers(copy.answers)
        self.view.set_accepted_warnings(copy.accepted_warnings)
        self._set_dirty(True)
        hub().status_message.emit("已恢复未保存的填写内容，请核对后保存")
        return True

    def write_recovery(self) -> None:
        """Write what is on screen to the recovery copy now."""
        self._recovery_timer.stop()
        if not self._dirty:
            return
        try:
            self.recovery.write(
                self.view.answers(),
                self.view.accepted_warnings(),
                base_version=self.saved_version,
                household_code=self.state.household.code,
                head_name=self.state.household.head_name,
            )
        except OSError as exc:
            # Losing the safety copy must not stop the clerk; say it once in the status bar.
            log.warning("recovery copy not written: %s", exc)
            hub().status_message.emit(f"未能写入恢复副本：{exc}")

    # --- editing ------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        """True when the screen holds entries not yet saved."""
        return self._dirty

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        mark = " *" if dirty else ""
        title = self.windowTitle().removesuffix(" *")
        self.setWindowTitle(title + mark)
        self.sign_button.setEnabled(self.state.state == FORM_STATE_COMPLETE and not dirty)

    def _on_view_edited(self) -> None:
        self._set_dirty(True)
        self._recovery_timer.start()

    def _on_view_skips_cleared(self, notice: str) -> None:
        self.skip_notice.setText(notice)
        self.skip_notice.setVisible(bool(notice))

    def _on_app_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.view.isAncestorOf(new):
            self.scroll.ensureWidgetVisible(new, 40, 40)

    # --- problems -----------------------------------------------------------------------

    def _on_view_problems_changed(self, problems: list[FieldIssue]) -> None:
        self.problem_list.clear()
        accepted = self.view.accepted_warnings()
        errors = sum(p.blocking for p in problems)
        warnings = len(problems) - errors
        for p in sorted(problems, key=lambda p: (not p.blocking, self._order(p.field))):
            label = self.view.field_label(p.field)
            if p.blocking:
                text, color = f"错误　{label}：{p.message}", "#b00020"
            elif p.field in accepted:
                text = f"已接受　{label}：{p.message}\n　原因：{accepted[p.field]}"
                color = "#1f4e9c"
            else:
                text, color = f"警告　{label}：{p.message}", "#9a6200"
            item = QListWidgetItem(text)
            item.setForeground(QColor(color))
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.problem_list.addItem(item)
        if problems:
            self.problem_summary.setText(f"{errors} 处错误，{warnings} 处警告")
        else:
            self.problem_summary.setText("未发现问题")
        self._update_problem_buttons()

    def _order(self, field: str) -> int:
        return self.view.order.index(field) if field in self.view.order else len(self.view.order)

    def _current_problem(self) -> FieldIssue | None:
        item = self.problem_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_problem_buttons(self) -> None:
        p = self._current_problem()
        editable = not self.read_only
        is_warning = p is not None and not p.blocking
        accepted = is_warning and p.field in self.view.accepted_warnings()
        self.accept_button.setEnabled(editable and is_warning and not accepted)
        self.withdraw_button.setEnabled(editable and accepted)

    def _on_problem_list_activated(self, item: QListWidgetItem) -> None:
        problem = item.data(Qt.ItemDataRole.UserRole)
        if problem is not None:
            self.view.focus_field(problem.field)

    def _on_accept_clicked(self) -> None:
        p = self._current_problem()
        if p is not None and not p.blocking:
            self.accept_warnings([p])

    def _on_withdraw_clicked(self) -> None:
        p = self._current_problem()
        if p is not None:
            self.view.withdraw_acceptance(p.field)

    def accept_warnings(self, problems: Iterable[FieldIssue]) -> bool:
        """Ask a reason for each warning and accept it; False when the clerk cancels one."""
        for p in problems:
            reason = ask_reason(self, p, self.view.field_label(p.field))
            if reason is None:
                return False
            self.view.accept_warning(p.field, reason)
        return True

    # --- saving -------------------------------------------------------------------------

    def save(self, complete: bool) -> bool:
        """Save as draft or as complete; on failure keep every entry on screen and say why."""
        if self.read_only:
            QMessageBox.information(
                self, "不能修改", self.review_lock or "该表已签字锁定，不能修改。"
            )
            return False
        self.view.refresh_problems()
        if complete:
            errors = self.view.blocking_problems()
            if errors:
                listed = "\n".join(
                    f"· {self.view.field_label(p.field)}：{p.message}" for p in errors[:MAX_LISTED]
                )
                more = f"\n……共 {len(errors)} 处" if len(errors) > MAX_LISTED else ""
                QMessageBox.warning(
                    self,
                    "不能完成",
                    f"还有 {len(errors)} 处错误，改正后才能标记为已完成"
                    f"（可以先“保存草稿”）：\n{listed}{more}",
                )
                self.view.focus_field(errors[0].field)
                return False
            open_warnings = self.view.open_warnings()
            if open_warnings and not self.accept_warnings(_one_per_field(open_warnings)):
                return False
        try:
            version = self.services.forms.save(
                self.household_id,
                self.form_code,
                self.view.answers(),
                complete,
                self.view.accepted_warnings(),
                self.services.user,
                campaign_id=self.state.campaign_id,
                expected_version=self.saved_version,
            )
        except FormValidationError as exc:
            QMessageBox.warning(self, "不能完成", str(exc))
            if exc.issues:
                self.view.focus_field(exc.issues[0].field)
            return False
        except StaleFormError:
            return self._resolve_conflict(complete)
        except Exception as exc:  # every failure keeps the entries on screen
            if not isinstance(exc, FormError):
                log.exception("saving form %s of household %s", self.form_code, self.household_id)
            QMessageBox.warning(
                self, "未能保存", f"未能保存，填写的内容仍保留在屏幕上：\n{_reason(exc)}"
            )
            return False
        self.saved_version = version
        self.saved_any = True
        self.recovery.discard()
        self._recovery_timer.stop()
        self._reload(keep_screen=not complete)
        hub().form_changed.emit(self.household_id, self.form_code)
        hub().household_changed.emit(self.household_id)
        what = "已完成" if complete else "草稿"
        hub().status_message.emit(f"{self.state.household.code} {self.form.title} 已保存（{what}）")
        return True

    def _resolve_conflict(self, complete: bool) -> bool:
        """Someone saved the form since it was opened: show both, let the clerk choose."""
        conflict = self.services.forms.form_conflict(self.state, self.view.answers())
        choice, _go_on = ConflictDialog.run(conflict, self)
        if choice == TAKE_THEIRS:
            self._reload(keep_screen=False)  # the saved form, the clerk's entries dropped
            self.saved_version = self.state.version
            return False
        if choice != KEEP_MINE:
            return False  # 返回继续编辑: every entry stays on screen
        # The clerk's answers over the other's where the clerk changed them; the rest stays.
        self.view.set_answers(conflict.merged, recompute=True)
        self.state = replace(self.state, answers=dict(conflict.theirs), version=conflict.version)
        self.saved_version = conflict.version
        return self.save(complete)

    def _reload(self, keep_screen: bool) -> None:
        # After completion the registry may have changed (new members get ids): show the
        # record as stored. A draft keeps the screen as it is, cursor included.
        try:
            state = self.services.forms.open_form(
                self.household_id, self.form_code, self.state.campaign_id
            )
        except AppError as exc:
            log.warning("reload after save failed: %s", exc)
            self._set_dirty(False)
            return
        if keep_screen:
            self.state = state
            self._show_header()
            self._set_dirty(False)
        else:
            self._load(state)

    # --- preview ------------------------------------------------------------------------

    def _on_sign_clicked(self) -> None:
        if self._dirty:
            QMessageBox.information(self, "纸质表已签字", "请先保存修改，再标记已签字。")
            return
        if not confirm(
            self,
            "纸质表已签字",
            "签字的纸质表已收回？标记后本表锁定，修改须说明理由解锁。",
        ):
            return
        try:
            self.services.forms.sign(
                self.household_id, self.form_code, self.services.user, self.state.campaign_id
            )
        except Exception as exc:  # refused (e.g. not complete): say why, change nothing
            QMessageBox.warning(self, "未能标记", _reason(exc))
            return
        self._after_lock_change()

    def _on_unlock_clicked(self) -> None:
        reason, ok = QInputDialog.getText(
            self, "解锁修改", "解锁理由（将记入操作日志，纸质表须重新打印签字）："
        )
        if not ok:
            return
        try:
            self.services.forms.unlock(
                self.household_id,
                self.form_code,
                reason.strip(),
                self.services.user,
                self.state.campaign_id,
            )
        except Exception as exc:  # no reason, or no permission: say why
            QMessageBox.warning(self, "未能解锁", _reason(exc))
            return
        self._after_lock_change()

    def _after_lock_change(self) -> None:
        state = self.services.forms.open_form(
            self.household_id, self.form_code, self.state.campaign_id
        )
        self.saved_version = state.version
        self._load(state)
        hub().form_changed.emit(self.household_id, self.form_code)

    def _on_problem_clicked(self) -> None:
        from desktop.views.problems.problem_dialog import ProblemDialog
        from desktop.views.problems.problem_prefill import prefill_from_form

        # The problem as just typed on the paper (存在主要问题, 整改措施…), saved or not.
        prefill = prefill_from_form(self.form, self.view.answers())
        ProblemDialog.run(
            self.services, None, self, household_id=self.household_id, prefill=prefill
        )

    def _on_preview_clicked(self) -> None:
        from desktop.views.forms.print_preview import PrintPreviewDialog

        try:
            pdf, missing = self.render_pdf()
        except Exception as exc:  # a printing failure must not lose the entries
            log.exception("preview of %s", self.form_code)
            QMessageBox.warning(self, "无法预览", f"无法生成打印预览：{_reason(exc)}")
            return
        name = f"{self.form.title}_{self.state.household.code}_{self.state.household.head_name}"
        PrintPreviewDialog.run(pdf, name, self, missing)

    def render_pdf(self) -> tuple[bytes, dict[str, list[str]]]:
        """Return the form as on screen (saved or not) as PDF, and unprintable characters."""
        from desktop.printing.form_renderer import find_missing_glyphs, render_form
        from desktop.services.forms.service import PrintItem
        from desktop.views.forms.print_preview import missing_from_places

        answers = self.view.answers()  # computed cells included, as the screen shows them
        item = PrintItem(
            self.state.household.code,
            answers,
            self.saved_version,
            self.household_id,
            unsaved=self._dirty,
        )
        missing = missing_from_places(find_missing_glyphs(self.form, [item]))
        # A character no font has is marked 〔U+XXXX〕 on the preview and listed in the warning.
        pdf = render_form(self.form, [item], on_missing="mark")
        return pdf, missing

    # --- closing ------------------------------------------------------------------------

    unsaved_question = "此表有未保存的内容，是否保存为草稿？"

    def has_unsaved_changes(self) -> bool:
        """True while entries are not saved (the unsaved-changes question asks then)."""
        return self._dirty

    def save_changes(self) -> bool:
        """保存 in the unsaved-changes question: save as a draft."""
        return self.save(complete=False)

    def discard_changes(self) -> None:
        """放弃: drop the recovery copy too."""
        self._recovery_timer.stop()
        self.recovery.discard()
        self._set_dirty(False)

    def closing(self) -> None:
        """Stop the recovery timer and stop listening to focus changes."""
        self._disconnect()

    def _disconnect(self) -> None:
        self._recovery_timer.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            QApplication.instance().focusChanged.disconnect(self._on_app_focus_changed)

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def run(
        cls, services: Any, household_id: int, form_code: str, parent: QWidget | None = None
    ) -> tuple[int, bool]:
        """Show a household's form modally; return (saved version, whether anything was saved)."""
        try:
            dialog = cls(services, household_id, form_code, parent)
        except AppError as exc:
            QMessageBox.warning(parent, "无法打开表单", str(exc))
            return 0, False
        dialog.offer_recovery()
        dialog.tell_recomputed()
        dialog.exec()
        return dialog.saved_version, dialog.saved_any


def _one_per_field(problems: Iterable[FieldIssue]) -> list[FieldIssue]:
    seen: dict[str, FieldIssue] = {}
    for p in problems:
        seen.setdefault(p.field, p)
    return list(seen.values())


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
