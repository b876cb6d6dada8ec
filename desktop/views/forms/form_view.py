"""FormView: a paper form on screen, drawn from its description (resources/forms/*.json).

The same FormDescription draws the PDF (desktop/printing), so every box here stands where it
stands on paper: a section's grid keeps the paper's columns and rows (millimetres scaled to
pixels, rows may grow to fit check boxes), label cells carry the paper's text and units, and
inputs follow the value type. Keyboard entry runs top to bottom, left to right, as the clerk
reads the paper.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QRegularExpression, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIntValidator,
    QKeyEvent,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.engine import (
    VALUE_TYPES,
    Cell,
    Evaluation,
    Evaluator,
    FormDescription,
    GridColumn,
    GridSection,
    RepeatSection,
    SignatureItem,
)
from desktop.engine.values import format_date
from desktop.errors import FieldIssue
from desktop.views.date_edit import DateEdit, DateTextError, parse_date

# Screen pixels per paper millimetre: the whole form fits a 1366-pixel screen without scrolling
# sideways, and never shrinks below what a 9-point label needs.
TARGET_WIDTH_PX = 1180
MIN_SCALE, MAX_SCALE = 3.2, 5.0
VIEW_MARGIN_MM = 4.0  # white margin around the paper on screen
MIN_INPUT_ROW_PX = 26
MIN_BOX_PT = 6.5  # a check box's text shrinks to this size before it would be cut off
MIN_LINE_PT = 7.5  # below this a box's text goes on two lines (是 /（开办时间）) before shrinking
MEMBER_FONT_PT = 8.0  # the member grid's text, so that 23 paper columns fit without scrolling
TEXT_AREA_MIN_MM = (100.0, 12.0)  # a text cell at least this wide and tall gets several lines
# The form's text at a scale: 9 pt at 1366 pixels wide (what the paper's grid holds), up to the
# application's 10.5 pt on a wider screen.
BODY_PT_PER_SCALE, BODY_PT_RANGE = 2.4, (9.0, 10.5)
PT_STEPS = [x / 2 for x in range(12, 31)]  # 6–15 pt: the sizes a widget of the form may take

STATE_ERROR, STATE_WARNING, STATE_ACCEPTED = "error", "warning", "accepted"

STYLE_SHEET = """
FormView { background: #ffffff; }
QTableWidget#memberTable QHeaderView::section { padding: 0px 1px; }
QFrame#grid { border-left: 1px solid #303030; border-top: 1px solid #303030; }
QFrame#cell, QFrame#labelCell, QFrame#emptyCell {
    border-right: 1px solid #303030; border-bottom: 1px solid #303030; background: #ffffff;
}
QFrame#labelCell { background: #f3f5f8; }
QFrame#cell[computed="true"] { background: #eef3ea; }
QFrame#cell[state="error"] { background: #ffe1e1; }
QFrame#cell[state="warning"] { background: #fff1c9; }
QFrame#cell[state="accepted"] { background: #f0f6ff; }
QFrame#cell:disabled { background: #e6e6e6; }
QLabel#formTitle { font-size: 15pt; font-weight: bold; }
QLabel#sectionTitle { font-weight: bold; padding-top: 6px; padding-bottom: 2px; }
QLabel#caption { color: #555555; font-size: 7pt; }
QLabel#unit { color: #333333; }
QLabel#signLine { border-bottom: 1px solid #303030; color: #9a9a9a; }
#headerField, #lineField { border-bottom: 1px solid #303030; }
#headerField[state="error"], #lineField[state="error"] { background: #ffe1e1; }
#headerField[state="warning"], #lineField[state="warning"] { background: #fff1c9; }
#headerField[state="accepted"], #lineField[state="accepted"] { background: #f0f6ff; }
QLineEdit, QPlainTextEdit, QDateEdit { background: transparent; border: none; }
QLineEdit:focus, QPlainTextEdit:focus, QDateEdit:focus, QComboBox:focus {
    background: #fffbe0;
}
QLineEdit[readOnly="true"] { color: #1d5b1d; }
QCheckBox { spacing: 3px; }
QCheckBox:focus { background: #fffbe0; }
QTableWidget { gridline-color: #303030; border: none; }
"""


def as_field_problem(problem: Any) -> FieldIssue:
    """Return the finding as the view shows it: field, message, weight and member row."""
    return FieldIssue(
        str(problem.field), str(problem.message), bool(problem.blocking), problem.member_index
    )


def screen_scale(form: FormDescription, width_px: int = TARGET_WIDTH_PX) -> float:
    """Return the pixels per millimetre at which a form fits `width_px` (margins included)."""
    fit = width_px / (form.page.content_width_mm + 2 * VIEW_MARGIN_MM)
    return max(MIN_SCALE, min(MAX_SCALE, fit))


def view_width(form: FormDescription, scale: float) -> int:
    """Return the width in pixels of a form's view at a scale (what FormView fixes)."""
    return round(form.page.content_width_mm * scale) + 2 * round(VIEW_MARGIN_MM * scale)


def body_pt(scale: float) -> float:
    """Return the point size of the form's text at a scale (9 pt at 1366 pixels wide)."""
    low, high = BODY_PT_RANGE
    return max(low, min(high, round(scale * BODY_PT_PER_SCALE * 2) / 2))


def _step(pt: float) -> float:
    """The nearest size of PT_STEPS at or below `pt`."""
    return max([PT_STEPS[0]] + [s for s in PT_STEPS if s <= pt + 1e-9])


def font_sheet(base_pt: float) -> str:
    """The form's font sizes as style-sheet rules.

    The application's style sheet sets every widget's font size, and a style sheet's font
    wins over QWidget.setFont: the form's sizes (a smaller label, a check box shrunk to fit its
    cell, the 8-point member grid) are therefore rules of the form's own sheet, chosen by the
    widget property `pt` (see `set_pt`).
    """
    rules = [f"* {{ font-size: {base_pt:g}pt; }}"]
    rules += [f'*[pt="{pt:g}"] {{ font-size: {pt:g}pt; }}' for pt in PT_STEPS]
    return "\n".join(rules)


def set_pt(widget: QWidget, pt: float) -> float:
    """Give a widget of the form a point size of PT_STEPS (the form's sheet applies it)."""
    pt = _step(pt)
    if widget.property("pt") != f"{pt:g}":
        widget.setProperty("pt", f"{pt:g}")
        if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
    return pt


def font_at(widget: QWidget, pt: float) -> QFont:
    """The widget's font at another point size (to measure text before choosing a size)."""
    font = QFont(widget.font())
    font.setPointSizeF(pt)
    return font


# --------------------------------------------------------------------------- value helpers


def screen_value(text: str, value_type: str) -> Any:
    """Return what was typed in a cell as the value table reads it (the text if it is wrong)."""
    try:
        return VALUE_TYPES[value_type].parse(text)
    except ValueError:
        return text.strip() or None  # kept as typed: the evaluator says what is wrong


def _number_validator(value_type: str, parent: QWidget):
    kind = VALUE_TYPES[value_type]
    if kind.integer:
        low = 0 if kind.minimum is not None else -999999999
        return QIntValidator(low, 999999999, parent)
    places = kind.places or 0
    return QRegularExpressionValidator(
        QRegularExpression(rf"^\d{{0,9}}(\.\d{{0,{places}}})?$"), parent
    )


# --------------------------------------------------------------------------- widgets


class ChoiceCombo(QComboBox):
    """A fixed-answer list with a blank first entry; digit n picks the n-th answer, 0 blanks."""

    def __init__(
        self,
        choices: Sequence[str],
        parent: QWidget | None = None,
        text: Callable[[str], str] = str,
    ) -> None:
        super().__init__(parent)
        self.addItem("", None)
        for choice in choices:
            self.addItem(text(choice), choice)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        hints = "、".join(f"{i + 1}={text(c)}" for i, c in enumerate(choices[:9]))
        self.setToolTip(f"键盘：{hints}，0=清空；↑↓ 切换")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits choose an answer so the clerk never needs the mouse."""
        text = event.text()
        if (
            len(text) == 1
            and text.isdigit()
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            index = int(text)
            if index < self.count():
                self.setCurrentIndex(index)
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.setCurrentIndex(0)
            return
        super().keyPressEvent(event)

    def value(self) -> str | None:
        """The chosen answer (not its printed text), None when blank."""
        data = self.currentData()
        return data if data is not None else (self.currentText() or None)

    def set_value(self, value: Any) -> None:
        """Choose an answer; one the list no longer offers is kept visible rather than lost."""
        if value in (None, ""):
            self.setCurrentIndex(0)
            return
        index = self.findData(str(value))
        if index < 0:
            self.addItem(str(value), str(value))
            index = self.count() - 1
        self.setCurrentIndex(index)

    def wheelEvent(self, event) -> None:
        """Ignore the wheel unless focused, so scrolling the form never changes an answer."""
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class _Editor:
    """The input widgets of one field and how its value goes in and out."""

    def __init__(self, field: str, value_type: str, on_change: Callable[[], None]) -> None:
        self.field = field
        self.value_type = value_type
        self.on_change = on_change
        self.widgets: list[QWidget] = []  # focusable, in keyboard order

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def text(self) -> str:
        """The text the clerk sees in the field (for one-value editors)."""
        return ""

    def set_enabled(self, enabled: bool) -> None:
        for widget in self.widgets:
            widget.setEnabled(enabled)

    def set_read_only(self, read_only: bool) -> None:
        self.set_enabled(not read_only)

    def focus_widget(self) -> QWidget | None:
        return self.widgets[0] if self.widgets else None


class _LineEditor(_Editor):
    def __init__(self, field, value_type, on_change, parent, *, computed=False, align="",
                 cell: Cell | None = None):  # fmt: skip
        super().__init__(field, value_type, on_change)
        self.cell = cell
        self.edit = QLineEdit(parent)
        self.edit.setFrame(False)
        self.edit.setMinimumWidth(10)
        kind = VALUE_TYPES[value_type]
        if kind.numeric:
            self.edit.setValidator(_number_validator(value_type, self.edit))
        self.edit.setAlignment(_alignment(align or kind.align) | Qt.AlignmentFlag.AlignVCenter)
        if computed:
            self.edit.setReadOnly(True)
            # Computed cells are shown, never typed: keyboard entry skips them.
            self.edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.edit.setToolTip("自动计算，不需填写")
        else:
            self.widgets.append(self.edit)
        self.edit.textEdited.connect(lambda _t: self.on_change())

    def value(self):
        return screen_value(self.edit.text(), self.value_type)

    def text(self):
        return self.edit.text()

    def set_value(self, value):
        if self.cell is not None:
            text = self.cell.text(value)
        else:
            text = VALUE_TYPES[self.value_type].format(value)
        if text != self.edit.text():
            self.edit.setText(text)
            self.edit.setCursorPosition(0)

    def set_read_only(self, read_only):
        if self.widgets:
            self.edit.setReadOnly(read_only)


class _TextAreaEditor(_Editor):
    def __init__(self, field, value_type, on_change, parent):
        super().__init__(field, value_type, on_change)
        self.edit = QPlainTextEdit(parent)
        self.edit.setFrameShape(QFrame.Shape.NoFrame)
        self.edit.setTabChangesFocus(True)  # Tab leaves the cell as everywhere else on the form
        # The paper's row height decides the cell's height, not the editor's large default.
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.edit.setMinimumHeight(self.edit.fontMetrics().lineSpacing() * 2 + 6)
        self.edit.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.edit.textChanged.connect(self._on_text_changed)
        self._loading = False
        self.widgets.append(self.edit)

    def _on_text_changed(self):
        if not self._loading:
            self.on_change()

    def value(self):
        return self.edit.toPlainText().strip() or None

    def text(self):
        return self.edit.toPlainText()

    def set_value(self, value):
        text = "" if value is None else str(value)
        if text != self.edit.toPlainText():
            self._loading = True
            self.edit.setPlainText(text)
            self._loading = False

    def set_read_only(self, read_only):
        self.edit.setReadOnly(read_only)


class _ComboEditor(_Editor):
    def __init__(self, field, value_type, on_change, parent, cell: Cell):
        super().__init__(field, value_type, on_change)
        self.combo = ChoiceCombo(cell.choices, parent, cell.choice_text)
        self.combo.setFrame(False)
        self.combo.activated.connect(lambda _i: self.on_change())
        self.combo.currentIndexChanged.connect(self._on_index_changed)
        self._loading = False
        self.widgets.append(self.combo)

    def _on_index_changed(self, _index):
        if not self._loading:
            self.on_change()

    def value(self):
        return self.combo.value()

    def text(self):
        return self.combo.currentText()

    def set_value(self, value):
        self._loading = True
        self.combo.set_value(value)
        self._loading = False


class _BoxesEditor(_Editor):
    """□ check boxes: one answer (exclusive choice) or several (multi_choice)."""

    def __init__(self, field, value_type, on_change, parent, cell: Cell, width_px: int,
                 start_pt: float):  # fmt: skip
        super().__init__(field, value_type, on_change)
        self.exclusive = value_type == "choice"
        self.cell = cell
        self.holder = QWidget(parent)
        column = QVBoxLayout(self.holder)
        column.setContentsMargins(2, 1, 1, 1)
        column.setSpacing(0)
        self.boxes: dict[str, QCheckBox] = {}
        for choice in cell.choices:
            box = QCheckBox(cell.choice_text(choice), self.holder)
            box.toggled.connect(lambda checked, c=choice: self._on_toggled(c, checked))
            self.boxes[choice] = box
            self.widgets.append(box)
        # Lines of boxes as on paper: as many per line as the cell's width holds. A box whose
        # text is wider than the cell (是（开办时间）) gets a smaller font, then two lines.
        spacing = 6
        room = width_px - 8  # the cell's right rule, its margins and the holder's
        widths = {box: _fit_box(box, room, start_pt) for box in self.boxes.values()}
        boxes = list(self.boxes.values())
        lines = [[b] for b in boxes] if cell.layout == "vertical" else _pack(widths, room, spacing)
        for line in lines:
            row = QHBoxLayout()
            row.setSpacing(spacing)
            for box in line:
                # The width its fitted text needs, never more: a box never widens its paper
                # column (the grid would run past the screen's edge); nor is it squeezed.
                box.setFixedSize(widths[box], box.sizeHint().height())
                row.addWidget(box)
            row.addStretch(1)
            column.addLayout(row)
        self._loading = False

    def _on_toggled(self, choice, checked):
        if self._loading:
            return
        if self.exclusive and checked:
            for other, box in self.boxes.items():
                if other != choice and box.isChecked():
                    with QSignalBlocker(box):
                        box.setChecked(False)
        self.on_change()

    def value(self):
        chosen = [c for c, box in self.boxes.items() if box.isChecked()]
        if self.exclusive:
            return chosen[0] if chosen else None
        return chosen or None

    def text(self):
        chosen = (c for c, box in self.boxes.items() if box.isChecked())
        return "、".join(self.cell.choice_text(c) for c in chosen)

    def set_value(self, value):
        if value in (None, ""):
            wanted: set[str] = set()
        elif isinstance(value, str):
            wanted = {value}
        else:
            wanted = set(value)
        self._loading = True
        for choice, box in self.boxes.items():
            box.setChecked(choice in wanted)
        self._loading = False


class _BoolEditor(_Editor):
    """One □ box. Unanswered stays distinct from 否 once the clerk has touched the box."""

    def __init__(self, field, value_type, on_change, parent, text):
        super().__init__(field, value_type, on_change)
        self.box = QCheckBox(text, parent)
        self.answered = False
        self.box.toggled.connect(self._on_toggled)
        self._loading = False
        self.widgets.append(self.box)

    def _on_toggled(self, _checked):
        if not self._loading:
            self.answered = True
            self.on_change()

    def value(self):
        if self.box.isChecked():
            return True
        return False if self.answered else None

    def text(self):
        return self.box.text() if self.box.isChecked() else ""

    def set_value(self, value):
        self._loading = True
        self.box.setChecked(value is True)
        self.answered = value is not None
        self._loading = False


class _DateEditor(_Editor):
    """The window's one date field (typed 20240520, 2024.5.20, 2024年5月20日; a calendar)."""

    def __init__(self, field, value_type, on_change, parent):
        super().__init__(field, value_type, on_change)
        # Shown as the value table writes a date on paper (2018年6月12日), typed any way.
        self.edit = DateEdit(None, parent, display=format_date)
        self.edit.valueChanged.connect(self._on_date_changed)
        self.widgets.append(self.edit)

    def _on_date_changed(self, _date):
        self.on_change()

    def value(self):
        date = self.edit.value()
        return None if date is None else date.isoformat()

    def text(self):
        return self.edit.text().strip()

    def set_value(self, value):
        if isinstance(value, datetime.date):
            self.edit.set_value(value)
            return
        try:
            self.edit.set_value(parse_date(str(value)[:10]) if value else None)
        except DateTextError:
            self.edit.set_value(None)

    def set_read_only(self, read_only):
        self.edit.setReadOnly(read_only)


# --------------------------------------------------------------------------- member grid


class _MemberDelegate(QStyledItemDelegate):
    """Editors of the member grid by column type: lists, whole numbers, text."""

    def __init__(self, columns: Sequence[GridColumn], parent=None) -> None:
        super().__init__(parent)
        self.columns = columns

    def createEditor(self, parent, option, index):
        column = self.columns[index.column()]
        if column.type == "choice":
            combo = ChoiceCombo(column.choices, parent)
            combo.setFrame(False)
            set_pt(combo, MEMBER_FONT_PT)  # the text of the cell it edits
            return combo
        editor = QLineEdit(parent)
        editor.setFrame(False)
        set_pt(editor, MEMBER_FONT_PT)
        if VALUE_TYPES[column.type].numeric:
            editor.setValidator(_number_validator(column.type, editor))
        return editor

    def initStyleOption(self, option, index) -> None:
        """Show a number with its unit, as the paper prints it (6 → 6月); edit it without."""
        super().initStyleOption(option, index)
        column = self.columns[index.column()]
        if column.unit and VALUE_TYPES[column.type].numeric and option.text:
            option.text = column.text(screen_value(option.text, column.type))

    def setEditorData(self, editor, index):
        value = index.data(Qt.ItemDataRole.EditRole)
        text = "" if value is None else str(value)
        if isinstance(editor, QComboBox):
            found = editor.findText(text)
            if found < 0 and text:
                editor.addItem(text)
                found = editor.count() - 1
            editor.setCurrentIndex(max(found, 0))
        else:
            editor.setText(text)

    def setModelData(self, editor, model, index):
        text = editor.currentText() if isinstance(editor, QComboBox) else editor.text().strip()
        model.setData(index, text, Qt.ItemDataRole.EditRole)


_ROW_STATE_ROLE = Qt.ItemDataRole.UserRole + 7


class MemberGrid(QTableWidget):
    """The member grid (二、家庭成员信息): one row per member, paper columns, a spare empty row."""

    edited = Signal()

    def __init__(self, section: RepeatSection, scale: float, parent=None) -> None:
        super().__init__(0, len(section.columns), parent)
        self.section = section
        self.columns = section.columns
        self._extras: list[dict] = []  # keys of a row the grid does not show (member ids …)
        self._loading = False
        self.setHorizontalHeaderLabels([c.label for c in self.columns])
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        # Every paper column is on screen at the paper's width (no column hidden behind a
        # scroll bar): a smaller font, and text that wraps inside its cell as on paper.
        self.setObjectName("memberTable")
        set_pt(self, MEMBER_FONT_PT)
        self.setWordWrap(True)
        set_pt(header, MEMBER_FONT_PT - 1)
        set_pt(self.verticalHeader(), MEMBER_FONT_PT)
        self.ensurePolished()
        header.setMinimumSectionSize(8)
        header.setFixedHeight(max(60, round(section.header_height_mm * scale)))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        number_px = round(section.number_width_mm * scale)
        self.verticalHeader().setFixedWidth(number_px)
        # The holder's and the table's frames come out of the paper's width.
        inside = round(section.width_mm * scale) - number_px - 2 * self.frameWidth() - 2
        for i, width in enumerate(_fit_columns(self.columns, inside, self.fontMetrics())):
            header.resizeSection(i, width)
        self.verticalHeader().setDefaultSectionSize(max(24, round(section.row_height_mm * scale)))
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setItemDelegate(_MemberDelegate(self.columns, self))
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.CurrentChanged
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.setToolTip("Tab 到下一格；空行末尾再按 Tab 离开成员表；Ctrl+Delete 删除当前成员")
        self.itemChanged.connect(self._on_item_changed)
        # The paper's 序号 heads the row numbers; Qt's corner button has no text of its own.
        self.number_label = QLabel(section.number_label, self)
        self.number_label.setObjectName("numberLabel")
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label.setWordWrap(True)
        set_pt(self.number_label, MEMBER_FONT_PT - 1)
        self.set_rows([])

    # --- rows -----------------------------------------------------------------------

    def set_rows(self, rows: Iterable[dict]) -> None:
        """Show these member rows (dicts keyed by column code) and one spare empty row."""
        self._loading = True
        self.setRowCount(0)
        self._extras = []
        for row in rows:
            self._append_row(row)
        minimum = self.section.rows_per_page
        while self.rowCount() < minimum or not self._row_is_empty(self.rowCount() - 1):
            self._append_row({})
        self._loading = False
        for r in range(self.rowCount()):
            self._fit_row(r)
        self._fit_height()

    def _fit_row(self, r: int) -> None:
        """Grow a row to show its longest wrapped text whole (A11 乡（镇）外县内务工), never “…”."""
        default = self.verticalHeader().defaultSectionSize()
        self.setRowHeight(r, max(default, self.sizeHintForRow(r)))

    def _append_row(self, row: dict) -> None:
        r = self.rowCount()
        self.insertRow(r)
        codes = {c.code for c in self.columns}
        self._extras.append({k: v for k, v in row.items() if k not in codes})
        for c, column in enumerate(self.columns):
            value = row.get(column.code)
            item = QTableWidgetItem()
            if column.type == "bool":
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsUserCheckable
                )
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
            else:
                kind = VALUE_TYPES[column.type]
                text = kind.format(value) if kind.numeric else ("" if value is None else str(value))
                item.setData(Qt.ItemDataRole.EditRole, text)
                if kind.numeric:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
            self.setItem(r, c, item)
        self.setVerticalHeaderItem(r, QTableWidgetItem(str(r + 1)))

    def _row_is_empty(self, r: int) -> bool:
        for c, column in enumerate(self.columns):
            item = self.item(r, c)
            if item is None:
                continue
            if column.type == "bool":
                if item.checkState() == Qt.CheckState.Checked:
                    return False
            elif str(item.data(Qt.ItemDataRole.EditRole) or "").strip():
                return False
        return True

    def cell_text(self, row: int, column: int) -> str:
        """Return the text a member cell shows, unit included (what the paper prints)."""
        item = self.item(row, column)
        if item is None:
            return ""
        option = QStyleOptionViewItem()
        self.itemDelegate().initStyleOption(option, self.model().index(row, column))
        return option.text

    def rows(self) -> list[dict]:
        """Return the filled rows as dicts keyed by column code (empty rows are left out)."""
        out = []
        for r in range(self.rowCount()):
            if self._row_is_empty(r):
                continue
            row = dict(self._extras[r]) if r < len(self._extras) else {}
            for c, column in enumerate(self.columns):
                item = self.item(r, c)
                if column.type == "bool":
                    row[column.code] = item.checkState() == Qt.CheckState.Checked
                    continue
                text = str(item.data(Qt.ItemDataRole.EditRole) or "").strip()
                if VALUE_TYPES[column.type].numeric:
                    number = screen_value(text, column.type)
                    if number is not None:
                        row[column.code] = number
                elif text:
                    row[column.code] = text
            out.append(row)
        return out

    def remove_current_row(self) -> None:
        """Delete the member in the current row (the spare row is kept)."""
        r = self.currentRow()
        if r < 0 or self._row_is_empty(r):
            return
        self.removeRow(r)
        del self._extras[r]
        for i in range(self.rowCount()):
            self.setVerticalHeaderItem(i, QTableWidgetItem(str(i + 1)))
        self._loading = True
        while self.rowCount() < self.section.rows_per_page:
            self._append_row({})
        self._loading = False
        self._fit_height()
        self.edited.emit()

    def mark_rows(self, rows: dict[int, str]) -> None:
        """Tint rows with a problem (row index → state) and clear the others."""
        colors = {STATE_ERROR: QColor("#ffe1e1"), STATE_WARNING: QColor("#fff1c9"),
                  STATE_ACCEPTED: QColor("#f0f6ff")}  # fmt: skip
        self._loading = True
        for r in range(self.rowCount()):
            state = rows.get(r, "")
            item = self.item(r, 0)
            # Touch only rows whose tint changes: a form opens with hundreds of cells.
            if item is None or item.data(_ROW_STATE_ROLE) == state:
                continue
            item.setData(_ROW_STATE_ROLE, state)
            color = colors.get(state, QColor(Qt.GlobalColor.white))
            for c in range(self.columnCount()):
                cell = self.item(r, c)
                if cell is not None:
                    cell.setBackground(color)
        self._loading = False

    def _fit_height(self) -> None:
        height = self.horizontalHeader().height() + 2
        height += sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        """Refit the height when the width decides whether a scroll bar shows."""
        super().resizeEvent(event)
        self._fit_height()
        self._place_number_label()

    def updateGeometries(self) -> None:
        """Keep 序号 over the corner when the headers change size."""
        super().updateGeometries()
        self._place_number_label()

    def _place_number_label(self) -> None:
        if not hasattr(self, "number_label"):
            return
        frame = self.frameWidth()
        self.number_label.setGeometry(
            frame,
            frame,
            max(18, self.verticalHeader().width()),
            self.horizontalHeader().height(),
        )
        self.number_label.raise_()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        self._fit_row(item.row())
        if item.row() == self.rowCount() - 1 and not self._row_is_empty(item.row()):
            self._loading = True
            self._append_row({})
            self._loading = False
        self._fit_height()
        self.edited.emit()

    # --- keyboard -------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Tab past the spare row's end (or the last cell) leaves the grid; Ctrl+Del deletes."""
        key = event.key()
        if key == Qt.Key.Key_Delete and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.remove_current_row()
            return
        if key == Qt.Key.Key_Space and self.currentItem() is not None:
            column = self.columns[self.currentColumn()]
            if column.type == "bool":
                item = self.currentItem()
                item.setCheckState(
                    Qt.CheckState.Unchecked
                    if item.checkState() == Qt.CheckState.Checked
                    else Qt.CheckState.Checked
                )
                return
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self._leaves(key == Qt.Key.Key_Tab):
            event.ignore()
            return
        super().keyPressEvent(event)

    def _leaves(self, forward: bool) -> bool:
        r, c = self.currentRow(), self.currentColumn()
        if forward:
            last_col = c == self.columnCount() - 1
            return last_col and (r == self.rowCount() - 1 or self._row_is_empty(r))
        return r <= 0 and c <= 0

    def focusNextPrevChild(self, next: bool) -> bool:
        """Let Tab move between cells, except where it should leave the grid."""
        if self.state() == QAbstractItemView.State.EditingState or not self._leaves(next):
            return super().focusNextPrevChild(next)
        return QWidget.focusNextPrevChild(self, next)

    def focusInEvent(self, event) -> None:
        """Entering the grid by keyboard starts at its first cell (or its last, going back)."""
        super().focusInEvent(event)
        if event.reason() == Qt.FocusReason.TabFocusReason:
            self.setCurrentCell(0, 0)
        elif event.reason() == Qt.FocusReason.BacktabFocusReason:
            self.setCurrentCell(max(0, self.rowCount() - 1), self.columnCount() - 1)


# --------------------------------------------------------------------------- the view


class FormView(QWidget):
    """A paper form on screen, built from its description.

    The view draws; the form engine's evaluator (the same one the service completes a form
    with) says which cells are computed and what they hold, which are skipped, and what is
    wrong. `subject` and `standard` are what the evaluator's hooks read. `edited` fires on
    every change the clerk makes.
    """

    edited = Signal()
    problems_changed = Signal(list)
    skips_cleared = Signal(str)  # “第4题填“②否”，跳过：第4—1题、第4—2题的答案已清空”

    def __init__(
        self,
        form: FormDescription,
        parent: QWidget | None = None,
        *,
        evaluator: Evaluator | None = None,
        subject: Any = None,
        standard: dict | None = None,
        scale: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self.scale = scale or screen_scale(form)
        self.evaluator = evaluator or Evaluator(form)
        self._context = {"subject": subject, "standard": dict(standard or {})}
        self._evaluation: Evaluation | None = None
        self.editors: dict[str, _Editor] = {}
        self.frames: dict[str, QWidget] = {}  # field → its cell or line (marks and tool tips)
        self.member_grids: dict[str, MemberGrid] = {}
        self.order: list[str] = []  # every answer in paper order (skips, problems, focus)
        self._problems: list[FieldIssue] = []
        self._accepted: dict[str, str] = {}
        self._extra_answers: dict[str, Any] = {}
        self._skipped: set[str] = set()
        self._skip_reasons: dict[str, str] = {}
        self._loading = False
        self._read_only = False
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(250)
        self._validate_timer.timeout.connect(self.refresh_problems)

        self.setObjectName("FormView")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("#ffffff"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        # One sheet for the whole paper, set before any widget is made so that each is styled
        # once: the grid's rules and the form's font sizes (which must win over the app's).
        self.body_pt = body_pt(self.scale)
        self.setStyleSheet(STYLE_SHEET + font_sheet(self.body_pt))
        self._build()
        # Keyboard order is the description's entry order (down each column where it says so).
        self.order = [k for k in form.entry_order if k in self.editors or k in self.member_grids]
        self._set_tab_order()

    # --- building -------------------------------------------------------------------

    def _mm(self, mm: float) -> int:
        return round(mm * self.scale)

    def _pt(self, paper_pt: float) -> float:
        """The screen size of a size the description gives for paper (a label's 7 pt)."""
        return paper_pt * self.body_pt / BODY_PT_RANGE[0]

    def _build(self) -> None:
        page = QVBoxLayout(self)
        margin = self._mm(VIEW_MARGIN_MM)
        page.setContentsMargins(margin, margin, margin, margin)
        page.setSpacing(2)
        title = QLabel(self.form.title, self)
        title.setObjectName("formTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        page.addWidget(title)
        if self.form.header:
            page.addLayout(self._build_header())
        for section in self.form.sections:
            if section.title:
                label = QLabel(section.title, self)
                label.setObjectName("sectionTitle")
                font = QFont(label.font())
                font.setBold(True)
                label.setFont(font)
                label.setContentsMargins(0, 6, 0, 2)
                page.addWidget(label)
            page.addWidget(SECTION_BUILDERS[section.kind](self, section))
        if self.form.signatures:
            page.addSpacing(self._mm(3))
            for row in self.form.signatures:
                page.addLayout(self._build_signature_row(row))
        page.addStretch(1)
        self.setFixedWidth(view_width(self.form, self.scale))

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        for item in self.form.header:
            label = QLabel(f"{item.label}：", self)
            editor = _LineEditor(item.code, "text", self._on_edited, self, align="left")
            # Styled by the form's one sheet: a per-widget sheet costs a style pass each.
            editor.edit.setObjectName("headerField")
            editor.edit.setFixedWidth(self._mm(item.width_mm) - label.sizeHint().width())
            row.addWidget(label)
            row.addWidget(editor.edit)
            row.addSpacing(self._mm(4))
            self._register(item.code, editor, editor.edit)
        row.addStretch(1)
        return row

    def _build_grid(self, section: GridSection) -> QFrame:
        grid_frame = QFrame(self)
        grid_frame.setObjectName("grid")
        grid = QGridLayout(grid_frame)
        grid.setContentsMargins(1, 1, 0, 0)  # room for the left and top rules of the frame
        grid.setSpacing(0)
        for c, width in enumerate(section.columns_mm):
            grid.setColumnMinimumWidth(c, self._mm(width))
            grid.setColumnStretch(c, round(width * 10))
        has_input = {r: False for r in range(len(section.rows_mm))}
        for cell in section.cells:
            if cell.is_input:
                for r in range(cell.row, cell.end_row):
                    has_input[r] = True
        for r, height in enumerate(section.rows_mm):
            minimum = self._mm(height)
            if has_input[r]:
                minimum = max(minimum, MIN_INPUT_ROW_PX)
            grid.setRowMinimumHeight(r, minimum)
        covered: set[tuple[int, int]] = set()
        for cell in sorted(section.cells, key=lambda c: (c.row, c.col)):
            for r in range(cell.row, cell.end_row):
                for c in range(cell.col, cell.end_col):
                    covered.add((r, c))
            frame = self._build_cell(section, cell, grid_frame)
            grid.addWidget(frame, cell.row, cell.col, cell.rowspan, cell.colspan)
            if isinstance(self.editors.get(cell.field or ""), _BoxesEditor):
                # Lines of boxes are never squeezed together: the paper's row grows instead.
                rows = range(cell.row, cell.end_row)
                given = sum(grid.rowMinimumHeight(r) for r in rows)
                short = frame.minimumSizeHint().height() + 1 - given
                if short > 0:
                    grid.setRowMinimumHeight(rows[-1], grid.rowMinimumHeight(rows[-1]) + short)
        for r in range(len(section.rows_mm)):
            for c in range(len(section.columns_mm)):
                if (r, c) not in covered:
                    empty = QFrame(grid_frame)
                    empty.setObjectName("emptyCell")
                    grid.addWidget(empty, r, c)
        grid_frame.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        return grid_frame

    def _build_cell(self, section: GridSection, cell: Cell, parent: QWidget) -> QFrame:
        frame = QFrame(parent)
        if not cell.is_input:
            frame.setObjectName("labelCell")
            layout = QVBoxLayout(frame)
            layout.setContentsMargins(3, 1, 3, 1)
            label = QLabel(cell.label or "", frame)
            label.setWordWrap(True)
            align = cell.align or section.label_align
            label.setAlignment(_alignment(align) | Qt.AlignmentFlag.AlignVCenter)
            if cell.font_pt:
                set_pt(label, max(7.5, min(self.body_pt, self._pt(cell.font_pt + 1))))
            layout.addWidget(label)
            return frame

        frame.setObjectName("cell")
        if cell.computed:
            frame.setProperty("computed", True)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(1, 0, 2, 0)
        layout.setSpacing(0)
        if cell.caption:
            caption = QLabel(cell.caption, frame)
            caption.setObjectName("caption")
            layout.addWidget(caption)
        _x, _y, w_mm, h_mm = section.cell_rect_mm(cell)
        editor = self._make_editor(cell, frame, self._mm(w_mm), h_mm)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        bare_box = isinstance(editor, _BoolEditor) and not cell.box_label
        for widget in self._editor_surface(editor):
            if bare_box:
                row.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
            else:
                row.addWidget(widget, 1)
        if cell.unit and cell.unit_blank_only and isinstance(editor, _LineEditor):
            editor.edit.setPlaceholderText(cell.unit)  # 益阳市 carries its own 市
        elif cell.unit:
            unit = QLabel(cell.unit, frame)
            unit.setObjectName("unit")
            row.addWidget(unit, 0)
        layout.addLayout(row, 1)
        frame.setToolTip(cell.label or cell.field or "")
        self._register(cell.field, editor, frame)
        return frame

    def _make_editor(self, cell: Cell, parent: QWidget, width_px: int, height_mm: float) -> _Editor:
        field, kind = cell.field or "", cell.type
        if cell.computed:
            return _LineEditor(
                field, kind, self._on_edited, parent, computed=True, align=cell.align, cell=cell
            )
        if kind in ("choice", "multi_choice") and (cell.boxes or kind == "multi_choice"):
            start = self._pt(cell.font_pt + 0.5) if cell.font_pt else self.body_pt
            start = min(self.body_pt, start)
            return _BoxesEditor(field, kind, self._on_edited, parent, cell, width_px, start)
        if kind == "choice":
            return _ComboEditor(field, kind, self._on_edited, parent, cell)
        if kind == "bool":
            return _BoolEditor(field, kind, self._on_edited, parent, cell.box_label)
        if kind == "date":
            return _DateEditor(field, kind, self._on_edited, parent)
        if (
            kind == "text"
            and width_px >= self._mm(TEXT_AREA_MIN_MM[0])
            and (height_mm >= TEXT_AREA_MIN_MM[1])
        ):
            return _TextAreaEditor(field, kind, self._on_edited, parent)
        return _LineEditor(field, kind, self._on_edited, parent, align=cell.align, cell=cell)

    @staticmethod
    def _editor_surface(editor: _Editor) -> list[QWidget]:
        if isinstance(editor, _BoxesEditor):
            return [editor.holder]
        if isinstance(editor, _LineEditor | _TextAreaEditor | _DateEditor):
            return [editor.edit]
        if isinstance(editor, _ComboEditor):
            return [editor.combo]
        if isinstance(editor, _BoolEditor):
            return [editor.box]
        return list(editor.widgets)

    def _build_repeat(self, section: RepeatSection) -> QWidget:
        grid = MemberGrid(section, self.scale, self)
        grid.edited.connect(self._on_edited)
        holder = QFrame(self)
        holder.setObjectName("memberGrid")
        holder.setFrameShape(QFrame.Shape.Box)
        holder.setLineWidth(1)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(grid)
        self.member_grids[section.id] = grid
        self.frames[section.id] = holder
        self.order.append(section.id)
        return holder

    def _build_signature_row(self, items: Sequence[SignatureItem]) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        for item in items:
            label = QLabel(f"{item.label}：", self)
            row.addWidget(label)
            width = max(60, self._mm(item.width_mm) - label.sizeHint().width())
            if item.field and item.kind == "date":
                editor: _Editor = _DateEditor(item.field, "date", self._on_edited, self)
                # Wide enough for its hint (年-月-日，如 20240520) and the calendar's button.
                line = editor.edit.line_edit
                hint = line.fontMetrics().horizontalAdvance(line.placeholderText()) + 12
                date_px = min(width, hint + editor.edit.calendar_button.sizeHint().width())
                editor.edit.setFixedWidth(date_px)
                editor.edit.setObjectName("lineField")
                editor.edit.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
                row.addWidget(editor.edit)
                row.addSpacing(width - date_px)
                self._register(item.field, editor, editor.edit)
            elif item.field:
                editor = _LineEditor(item.field, "text", self._on_edited, self, align="left")
                editor.edit.setFixedWidth(width)
                editor.edit.setObjectName("lineField")
                row.addWidget(editor.edit)
                self._register(item.field, editor, editor.edit)
            else:
                line = QLabel("（手写签名）" if item.kind == "sign" else "　　年　　月　　日", self)
                line.setObjectName("signLine")
                line.setFixedWidth(width)
                row.addWidget(line)
            row.addSpacing(self._mm(4))
        row.addStretch(1)
        return row

    def _register(self, field: str | None, editor: _Editor, frame: QWidget | None) -> None:
        if not field:
            return
        self.editors[field] = editor
        if frame is not None:
            self.frames[field] = frame
        self.order.append(field)

    def _focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for code in self.order:
            if code in self.member_grids:
                chain.append(self.member_grids[code])
            elif code in self.editors:
                chain.extend(self.editors[code].widgets)
        return chain

    def _set_tab_order(self) -> None:
        chain = self._focus_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- answers --------------------------------------------------------------------

    def set_answers(self, answers: dict, *, recompute: bool = True) -> None:
        """Show a record's answers; computed cells are recomputed unless shown as stored."""
        self._loading = True
        try:
            known = set(self.editors) | set(self.member_grids)
            self._extra_answers = {k: v for k, v in answers.items() if k not in known}
            for code, editor in self.editors.items():
                editor.set_value(answers.get(code))
            for code, grid in self.member_grids.items():
                grid.set_rows(answers.get(code) or [])
        finally:
            self._loading = False
        self._apply_skips()
        if recompute:
            self.recompute()
        self.refresh_problems()

    def _screen_answers(self) -> dict:
        out = dict(self._extra_answers)
        for code, editor in self.editors.items():
            value = editor.value()
            if value is None:
                out.pop(code, None)
            else:
                out[code] = value
        for code, grid in self.member_grids.items():
            out[code] = grid.rows()
        return out

    def answers(self) -> dict:
        """Return the answers on screen (blanks and skipped questions are left out)."""
        return {k: v for k, v in self._screen_answers().items() if k not in self._skipped}

    def field_text(self, code: str) -> str:
        """Return the text a field shows (what the parity test compares with the paper)."""
        editor = self.editors.get(code)
        return editor.text() if editor is not None else ""

    def editor_widget(self, field: str) -> QWidget | None:
        """Return the first input widget of a field (the member grid for a repeat section)."""
        if field in self.member_grids:
            return self.member_grids[field]
        editor = self.editors.get(field)
        if editor is None:
            return None
        if editor.widgets:
            return editor.widgets[0]
        surface = self._editor_surface(editor)
        return surface[0] if surface else None

    def focus_field(self, field: str) -> bool:
        """Put the keyboard focus on a field (e.g. from the problem list); False if unknown."""
        widget = self.editor_widget(field)
        if (
            widget is None
            or not widget.isEnabled()
            or widget.focusPolicy() == Qt.FocusPolicy.NoFocus
        ):
            return False
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def first_input(self) -> QWidget | None:
        """Return the first widget of the keyboard order."""
        chain = [w for w in self._focus_chain() if w.isEnabled()]
        return chain[0] if chain else None

    def set_read_only(self, read_only: bool) -> None:
        """Lock every input (a signed form is shown, not edited)."""
        self._read_only = read_only
        for editor in self.editors.values():
            editor.set_read_only(read_only)
        for grid in self.member_grids.values():
            grid.setEditTriggers(
                QAbstractItemView.EditTrigger.NoEditTriggers if read_only else grid.editTriggers()
            )
            grid.setEnabled(not read_only)

    # --- computing and checking -----------------------------------------------------

    def _on_edited(self) -> None:
        if self._loading:
            return
        before = self._screen_answers()
        self._apply_skips()
        self._clear_skipped(before)
        self.recompute()
        self._validate_timer.start()
        self.edited.emit()

    def recompute(self) -> None:
        """Fill the computed cells from the inputs (the evaluator computes them)."""
        if not self.form.computed_fields:
            return
        values = self.evaluator.compute(self.answers(), **self._context)
        self._loading = True
        try:
            for cell in self.form.computed_fields:
                editor = self.editors.get(cell.field or "")
                if editor is not None:
                    editor.set_value(values.get(cell.field))
        finally:
            self._loading = False

    def refresh_problems(self) -> None:
        """Check the answers now (the evaluator) and mark every field with a problem."""
        self._validate_timer.stop()
        self._evaluation = self.evaluator.evaluate(self.answers(), **self._context)
        self.show_problems([as_field_problem(p) for p in self._evaluation.issues])

    def evaluation(self) -> Evaluation:
        """Return the evaluator's findings for the answers on screen now."""
        self.refresh_problems()
        assert self._evaluation is not None
        return self._evaluation

    def show_problems(self, problems: Sequence[FieldIssue]) -> None:
        """Mark fields: red for blocking errors, amber for warnings, blue for accepted ones."""
        self._problems = list(problems)
        by_field: dict[str, list[FieldIssue]] = {}
        for p in self._problems:
            by_field.setdefault(p.field, []).append(p)
        for code, frame in self.frames.items():
            found = by_field.get(code, [])
            state = self._state_of(code, found)
            if frame.property("state") != (state or None):
                frame.setProperty("state", state or None)
                frame.style().unpolish(frame)
                frame.style().polish(frame)
            tip = self._tooltip(code, found)
            frame.setToolTip(tip)
        for code, grid in self.member_grids.items():
            rows: dict[int, str] = {}
            for p in by_field.get(code, []):
                if p.member_index is not None:
                    weight = STATE_ERROR if p.blocking else self._warning_state(code)
                    if rows.get(p.member_index) != STATE_ERROR:
                        rows[p.member_index] = weight
            grid.mark_rows(rows)
        self.problems_changed.emit(self._problems)

    def _warning_state(self, code: str) -> str:
        return STATE_ACCEPTED if code in self._accepted else STATE_WARNING

    def _state_of(self, code: str, found: Sequence[FieldIssue]) -> str:
        if any(p.blocking for p in found):
            return STATE_ERROR
        if found:
            return self._warning_state(code)
        return ""

    def _tooltip(self, code: str, found: Sequence[FieldIssue]) -> str:
        name = self._field_label(code)
        lines = [name]
        if code in self._skip_reasons:  # why it is not asked (“第4题填“②否”，跳过”)
            lines.append(self._skip_reasons[code])
        for p in found:
            mark = "错误" if p.blocking else "警告"
            lines.append(f"{mark}：{p.message}")
        if code in self._accepted and any(not p.blocking for p in found):
            lines.append(f"已接受警告，原因：{self._accepted[code]}")
        return "\n".join(lines)

    def _field_label(self, code: str) -> str:
        return self.form.field_label(code)

    def field_label(self, code: str) -> str:
        """Return the Chinese name of a field, as messages show it."""
        return self._field_label(code)

    def problems(self) -> list[FieldIssue]:
        """Return the problems found at the last check."""
        return list(self._problems)

    def blocking_problems(self) -> list[FieldIssue]:
        """Return the errors that prevent completing the form."""
        return [p for p in self._problems if p.blocking]

    def open_warnings(self) -> list[FieldIssue]:
        """Return the warnings not yet accepted with a reason."""
        return [p for p in self._problems if not p.blocking and p.field not in self._accepted]

    # --- accepted warnings ----------------------------------------------------------

    def set_accepted_warnings(self, accepted: dict[str, str]) -> None:
        """Show which warnings were accepted, and why (field → reason)."""
        self._accepted = dict(accepted or {})
        self.show_problems(self._problems)

    def accepted_warnings(self) -> dict[str, str]:
        """Return the accepted warnings still raised by the answers (field → reason)."""
        live = {p.field for p in self._problems if not p.blocking}
        return {k: v for k, v in self._accepted.items() if k in live}

    def accept_warning(self, field: str, reason: str) -> None:
        """Accept the warning at a field with a reason the reviewer will read."""
        reason = reason.strip()
        if not reason:
            raise ValueError("接受警告须填写原因")
        self._accepted[field] = reason
        self.show_problems(self._problems)
        self.edited.emit()

    def withdraw_acceptance(self, field: str) -> None:
        """Take back an accepted warning."""
        if self._accepted.pop(field, None) is not None:
            self.show_problems(self._problems)
            self.edited.emit()

    # --- skip logic -----------------------------------------------------------------

    def _apply_skips(self) -> None:
        from desktop.services.questionnaires.check import skip_reasons

        reasons = skip_reasons(self.form, self._screen_answers(), self.evaluator)
        skipped = set(reasons)
        if reasons == self._skip_reasons:
            return
        self._skipped, self._skip_reasons = skipped, reasons
        for code in self.order:
            enabled = code not in skipped and not self._read_only
            if code in self.editors:
                self.editors[code].set_enabled(enabled)
            if code in self.frames:
                frame = self.frames[code]
                frame.setEnabled(code not in skipped)
                found = [p for p in self._problems if p.field == code]
                frame.setToolTip(self._tooltip(code, found))

    def _clear_skipped(self, before: dict) -> None:
        """An edit that makes a skip jump over answered questions clears them, as on paper
        they are struck out; `skips_cleared` says which and why."""
        from desktop.services.questionnaires.check import cleared_by_skips, skip_notice

        struck = [c for c in self._skipped if c in self.editors and before.get(c) is not None]
        if not struck:
            return
        self._loading = True
        try:
            for code in struck:
                self.editors[code].set_value(None)
        finally:
            self._loading = False
        cleared = cleared_by_skips(self.form, before, self._screen_answers(), self.evaluator)
        self.skips_cleared.emit(skip_notice(cleared))

    def skip_reason(self, code: str) -> str:
        """Why a field is skipped (“第4题填“②否”，跳过”), or "" when it is asked."""
        return self._skip_reasons.get(code, "")

    def skipped_fields(self) -> set[str]:
        """Return the fields that skip logic has switched off."""
        return set(self._skipped)


def _fit_columns(columns: Sequence[GridColumn], total: int, metrics) -> list[int]:
    """Widths (px) of the member columns in the paper's proportions, summing to `total`.

    A column of ID numbers needs its 18 characters on one line; the others give up what it
    takes, in proportion, down to a few pixels each.
    """
    paper = sum(c.width_mm for c in columns)
    widths = [total * c.width_mm / paper for c in columns]
    need = [
        metrics.horizontalAdvance("0" * 18) + 10 if c.member_field == "id_number" else 12
        for c in columns
    ]
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    spare = sum(max(0.0, w - n) for n, w in zip(need, widths, strict=True))
    if short and spare:
        widths = [
            n if w < n else w - (w - n) * min(1.0, short / spare)
            for n, w in zip(need, widths, strict=True)
        ]
    out = [int(w) for w in widths]
    out[-1] += total - sum(out)  # rounding: the last column takes the remainder
    return out


def _fit_box(box: QCheckBox, room: int, start_pt: float) -> int:
    """Choose a check box's point size (and line break) so that its text fits `room` pixels.

    Shrinks from `start_pt` to MIN_LINE_PT on one line, then puts the text on two lines at its
    parenthesis (是 /（开办时间）) and shrinks again down to MIN_BOX_PT. Returns the width the
    box needs; the box keeps its answer's text, only the screen's line break is added.
    """
    text = box.text()
    pt = set_pt(box, start_pt)
    box.ensurePolished()
    overhead = box.sizeHint().width() - QFontMetrics(box.font()).horizontalAdvance(text)

    def need(lines: list[str], size: float) -> int:
        metrics = QFontMetrics(font_at(box, size))
        return overhead + max(metrics.horizontalAdvance(line) for line in lines)

    sizes = [size for size in reversed(PT_STEPS) if size <= pt]  # the largest first
    cut = text.find("（")
    tries = [([text], size) for size in sizes if size >= MIN_LINE_PT]
    if cut > 0:
        tries += [([text[:cut], text[cut:]], size) for size in sizes if size >= MIN_BOX_PT]
    tries.append(([text], MIN_BOX_PT))  # nothing fits: the smallest size on one line
    lines, size = next((t for t in tries if need(*t) <= room), tries[-1])
    set_pt(box, size)
    if len(lines) > 1:
        box.setText("\n".join(lines))
    return min(room, need(lines, size))


def _pack(widths: dict[QCheckBox, int], width_px: int, spacing: int) -> list[list[QCheckBox]]:
    """Greedily fill lines with check boxes so that each line fits the cell's width."""
    lines: list[list[QCheckBox]] = []
    used = 0
    for box, need in widths.items():
        if lines and used + spacing + need <= width_px:
            lines[-1].append(box)
            used += spacing + need
        else:
            lines.append([box])
            used = need
    return lines


def _alignment(align: str) -> Qt.AlignmentFlag:
    return {
        "left": Qt.AlignmentFlag.AlignLeft,
        "right": Qt.AlignmentFlag.AlignRight,
    }.get(align, Qt.AlignmentFlag.AlignHCenter)


def _build_questions(view: FormView, section: Any) -> QWidget:
    # A questionnaire's question list (seed 003) lives with the questionnaires' views.
    from desktop.views.questionnaires.question_view import build_questions

    return build_questions(view, section)


# How each section kind is drawn on screen (the engine's SECTION_KINDS has one module each).
SECTION_BUILDERS: dict[str, Callable[[FormView, Any], QWidget]] = {
    "grid": FormView._build_grid,
    "repeat": FormView._build_repeat,
    "questions": _build_questions,
}
