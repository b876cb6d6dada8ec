"""How every dialog opens, and the one question before unsaved edits are thrown away.

Every dialog of the window opens through one class method, `run(...)`, that returns
`(value, accepted)` as novelWriter's `getData` does; `tests/views/test_dialogs.py` checks it.
Every dialog that edits derives from `EditingDialog`: 关闭, Esc and the window's × ask
`ask_unsaved` (保存 / 放弃 / 取消) when the screen differs from what was last saved; a 是/否
question is `confirm`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget

RUN_VERB = "run"  # the one class method that opens a dialog

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def ask_unsaved(parent: QWidget | None, question: str = "有未保存的修改，是否保存？") -> str:
    """Ask 保存 / 放弃 / 取消 about unsaved edits; return SAVE, DISCARD or CANCEL.

    Qt's standard buttons, so Qt's Chinese catalogue names them and Esc means 取消.
    """
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent, "尚未保存", question, buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save
    )
    if answer == buttons.Save:
        return SAVE
    if answer == buttons.Discard:
        return DISCARD
    return CANCEL


def confirm(parent: QWidget | None, title: str, text: str, *, default: bool | None = None) -> bool:
    """Ask a 是/否 question; True for 是. `default`: the button Enter presses (False for a step
    that cannot be undone; None leaves it to Qt)."""
    buttons = QMessageBox.StandardButton
    if default is None:
        answer = QMessageBox.question(parent, title, text)
    else:
        answer = QMessageBox.question(
            parent, title, text, buttons.Yes | buttons.No, buttons.Yes if default else buttons.No
        )
    return answer == buttons.Yes


def dialog_buttons(
    dialog: QDialog,
    accept: str = "确定",
    reject: str = "取消",
    *,
    on_accept: Callable[[], None] | None = None,
) -> QDialogButtonBox:
    """A dialog's two buttons: the one that does its work, named by its verb (保存, 添加, 登录),
    and the one that leaves (取消, 关闭, 退出); connected to `on_accept` (else accept) and reject.

    Behind them are Qt's Save (a verb that saves) or Ok, and Cancel, so that Enter, Esc and the
    platform's button order treat them as Qt's own.
    """
    kinds = QDialogButtonBox.StandardButton
    work = kinds.Save if accept.startswith("保存") else kinds.Ok
    buttons = QDialogButtonBox(work | kinds.Cancel, dialog)
    buttons.button(work).setText(accept)
    buttons.button(kinds.Cancel).setText(reject)
    buttons.accepted.connect(on_accept or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class EditingDialog(QDialog):
    """A dialog that edits: closing it with unsaved edits asks first (保存 / 放弃 / 取消).

    Subclasses say whether the screen differs from what was saved (`has_unsaved_changes`) and
    how to save (`save_changes`, True when saved; on failure it shows why and keeps the entries).
    """

    unsaved_question = "有未保存的修改，是否保存？"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._close_confirmed = False

    def has_unsaved_changes(self) -> bool:
        """True when the screen holds edits that were not saved."""
        raise NotImplementedError

    def save_changes(self) -> bool:
        """Save what the screen shows; True when saved."""
        raise NotImplementedError

    def discard_changes(self) -> None:
        """Called when the clerk chose 放弃 (drop recovery copies and the like)."""

    def closing(self) -> None:
        """Called once the dialog is sure to close (stop timers, disconnect)."""

    def may_close(self) -> bool:
        """Ask about unsaved edits; True when the dialog may close."""
        if self._close_confirmed or not self.has_unsaved_changes():
            return True
        answer = ask_unsaved(self, self.unsaved_question)
        if answer == CANCEL:
            return False
        if answer == DISCARD:
            self.discard_changes()
            return True
        return self.save_changes()

    def reject(self) -> None:
        """Esc and 关闭 ask about unsaved edits first."""
        if self.may_close():
            self.closing()
            super().reject()

    def closeEvent(self, event) -> None:
        """The window's × asks like 关闭."""
        if not self.may_close():
            event.ignore()
            return
        # QDialog.closeEvent calls reject(), which calls closing(): do not ask twice.
        self._close_confirmed = True
        try:
            super().closeEvent(event)
        finally:
            self._close_confirmed = False
