"""A questionnaire's questions on screen: the paper's paragraphs, each with its answers below.

Built into the one FormView (`SECTION_BUILDERS["questions"]`), so skips, problems, accepted
warnings and saving work as for every form. Keyboard entry follows the paper: a digit picks
the circled choice (1 → ①) and moves on; in a multiple choice digits toggle and Enter moves
on; a number or a text is typed and Enter (or Tab) moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.sections.questions import CIRCLED, Answer, Question, QuestionSection
from desktop.engine.sections.questions import printed_text as paper_text

# The FormView's cell states (error, warning, accepted) as its grid shows them.
QUESTION_STYLE = """
QFrame#cell[state="error"] { background: #ffe1e1; }
QFrame#cell[state="warning"] { background: #fff1c9; }
QFrame#cell[state="accepted"] { background: #f0f6ff; }
QLineEdit, QDateEdit { background: transparent; border: none; border-bottom: 1px solid #303030; }
QLineEdit:focus, QDateEdit:focus { background: #fffbe0; }
QLineEdit[readOnly="true"] { color: #1d5b1d; }
QFrame#question { border: none; background: #ffffff; }
QFrame#question:disabled { background: #ffffff; }
QLabel#questionText { color: #101010; }
QLabel#questionText:disabled { color: #9a9a9a; }
QFrame#cell { border: 1px solid #c8c8c8; }
QFrame#cell:disabled { background: #ececec; }
QLabel#skippedMark { color: #8a6d00; }
QFrame#choices:focus { background: #fffbe0; border: 1px solid #c9a400; }
"""
SKIPPED_MARK = "（已跳过）"
NUMBER_PX = {"money": 96, "count": 44, "int": 56, "decimal": 80}


def advance_focus(widget: QWidget) -> None:
    """Put the focus on the next enabled input after `widget` in the keyboard order."""
    nxt = widget.nextInFocusChain()
    for _ in range(500):
        if nxt is widget:
            return
        if (
            nxt.isEnabled()
            and nxt.isVisible()
            and nxt.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not isinstance(nxt, QCheckBox)
        ):
            nxt.setFocus(Qt.FocusReason.TabFocusReason)
            return
        nxt = nxt.nextInFocusChain()


class ChoiceKeys(QFrame):
    """The circled choices of one answer: a digit picks (single) or toggles (multiple)."""

    def __init__(self, answer: Answer, on_change: Callable[[], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("choices")
        self.answer = answer
        self.multiple = answer.type == "multi_choice"
        self.on_change = on_change
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.boxes: dict[str, QCheckBox] = {}
        layout = _FlowRow(self)
        for i, choice in enumerate(answer.choices):
            box = QCheckBox(f"{CIRCLED[i]}{answer.choice_text(choice)}", self)
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the digits are the keyboard's way in
            box.toggled.connect(lambda checked, c=choice: self._on_box_toggled(c, checked))
            self.boxes[choice] = box
            layout.add(box)
        self._loading = False
        hint = "按数字键选择" + ("（可多选，回车进入下一题）" if self.multiple else "")
        self.setToolTip(f"{answer.label}：{hint}")

    def _on_box_toggled(self, choice: str, checked: bool) -> None:
        if self._loading:
            return
        if not self.multiple and checked:
            self._loading = True
            for other, box in self.boxes.items():
                if other != choice:
                    box.setChecked(False)
            self._loading = False
        self.on_change()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """1–9 (0 for ⑩) pick a choice; Delete clears; Enter moves on."""
        text = event.text()
        key = event.key()
        choices = self.answer.choices
        if text.isdigit() and text:
            index = (int(text) or 10) - 1
            if index < len(choices):
                box = self.boxes[choices[index]]
                box.setChecked(not box.isChecked() if self.multiple else True)
                if not self.multiple:
                    advance_focus(self)
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.set_value(None)
            self.on_change()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            advance_focus(self)
            return
        super().keyPressEvent(event)

    def value(self) -> Any:
        chosen = [c for c, box in self.boxes.items() if box.isChecked()]
        if self.multiple:
            return chosen or None
        return chosen[0] if chosen else None

    def set_value(self, value: Any) -> None:
        wanted = (
            set() if value in (None, "", []) else {value} if isinstance(value, str) else set(value)
        )
        self._loading = True
        for choice, box in self.boxes.items():
            box.setChecked(choice in wanted)
        self._loading = False


class _FlowRow:
    """Lays check boxes out in lines that wrap, as the paper's choices wrap."""

    def __init__(self, parent: QWidget) -> None:
        self.column = QVBoxLayout(parent)
        self.column.setContentsMargins(4, 1, 4, 1)
        self.column.setSpacing(0)
        self.row: QHBoxLayout | None = None
        self.used = 0

    def add(self, widget: QWidget) -> None:
        need = widget.sizeHint().width() + 10
        if self.row is None or self.used + need > 900:
            self.row = QHBoxLayout()
            self.row.setSpacing(10)
            self.row.addStretch(1)
            self.column.addLayout(self.row)
            self.used = 0
        self.row.insertWidget(self.row.count() - 1, widget)
        self.used += need


class ChoiceEditor:
    """The FormView's editor protocol (value, set_value, text, widgets …) for ChoiceKeys."""

    def __init__(self, answer: Answer, on_change: Callable[[], None], parent: QWidget) -> None:
        self.field = answer.field or ""
        self.value_type = answer.type
        self.answer = answer
        self.keys = ChoiceKeys(answer, on_change, parent)
        self.widgets: list[QWidget] = [self.keys]

    def value(self) -> Any:
        return self.keys.value()

    def set_value(self, value: Any) -> None:
        self.keys.set_value(value)

    def text(self) -> str:
        return self.answer.text(self.keys.value())

    def set_enabled(self, enabled: bool) -> None:
        self.keys.setEnabled(enabled)

    def set_read_only(self, read_only: bool) -> None:
        self.keys.setEnabled(not read_only)

    def focus_widget(self) -> QWidget | None:
        return self.keys


def _make_editor(view: Any, answer: Answer, parent: QWidget):
    if answer.type in ("choice", "multi_choice"):
        return ChoiceEditor(answer, view._on_edited, parent)
    # Numbers, texts and dates are the FormView's own editors (same parsing and checks).
    editor = view._make_editor(answer, parent, 0, 0.0)
    edit = getattr(editor, "edit", None)
    if isinstance(edit, QLineEdit):
        edit.returnPressed.connect(lambda: advance_focus(edit))
        width = NUMBER_PX.get(answer.type)
        if width:
            edit.setFixedWidth(width)
        elif answer.blank_mm:
            edit.setMinimumWidth(min(420, round(answer.blank_mm * 3.4)))
    return editor


def _answer_frame(view: Any, answer: Answer, parent: QWidget, with_label: bool) -> QFrame:
    frame = QFrame(parent)
    frame.setObjectName("cell")
    row = QHBoxLayout(frame)
    row.setContentsMargins(4, 1, 4, 1)
    row.setSpacing(4)
    if with_label:
        label = QLabel(f"{answer.label}：", frame)
        row.addWidget(label, 0)
    editor = _make_editor(view, answer, frame)
    surface = editor.widgets or [editor.edit]
    for widget in surface:
        row.addWidget(widget, 1 if answer.type in ("choice", "multi_choice", "text") else 0)
    if answer.unit:
        row.addWidget(QLabel(answer.unit, frame), 0)
    if answer.type not in ("choice", "multi_choice", "text"):
        row.addStretch(1)
    frame.setToolTip(answer.label or answer.field or "")
    frame.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    view._register(answer.field, editor, frame)
    return frame


def _question_frame(view: Any, question: Question, parent: QWidget) -> QFrame:
    frame = QFrame(parent)
    frame.setObjectName("question")
    column = QVBoxLayout(frame)
    top = 6 if question.number and "—" not in question.number else 1
    column.setContentsMargins(0, top, 0, 1)
    column.setSpacing(2)
    text = QLabel(paper_text(question), frame)
    text.setObjectName("questionText")
    text.setWordWrap(True)
    if question.number and "—" not in question.number:
        font = QFont(text.font())
        font.setBold(True)
        text.setFont(font)
    column.addWidget(text)
    several = len(question.answers) > 1
    for answer in question.answers:
        column.addWidget(_answer_frame(view, answer, frame, with_label=several))
    return frame


def _header_row(view: Any, question: Question, parent: QWidget) -> QWidget:
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    for answer in question.answers:
        row.addWidget(_answer_frame(view, answer, holder, with_label=True), 0)
    row.addStretch(1)
    return holder


def build_questions(view: Any, section: QuestionSection) -> QWidget:
    """Build a `questions` section into a FormView: one paragraph per question, paper order."""
    holder = QFrame(view)
    holder.setObjectName("questions")
    holder.setStyleSheet(QUESTION_STYLE)
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(1)
    for question in section.questions:
        if question.style == "header":
            column.addWidget(_header_row(view, question, holder))
        else:
            column.addWidget(_question_frame(view, question, holder))
    holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return holder


def focused_field(view: Any) -> str | None:
    """Return the field whose input has the keyboard focus (tests and the key counter)."""
    widget = QApplication.focusWidget()
    for code, editor in view.editors.items():
        if widget in getattr(editor, "widgets", []):
            return code
    return None
