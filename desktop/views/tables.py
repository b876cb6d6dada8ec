"""What every table does as Excel does: Ctrl+C copies a block, key columns are never cut.

Ctrl+C in any table copies the selected cells as tab-separated text with the column headers,
so it pastes into Excel or WPS as a block (one cell alone copies as its text). The
`TableCopier` is installed on the application at start and serves every QTableView.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QTableView

from desktop.views.app_filter import AppEventFilter

CELL_PADDING_PX = 18  # the cell's margins and the sort arrow
SAMPLE_ROWS = 500  # rows looked at to size a key column (a county has 100,000)


def _clean(text: object) -> str:
    """A cell as TSV text: tabs and line breaks would split the cell in Excel."""
    if text is None:
        return ""
    return " ".join(str(text).replace("\t", " ").splitlines())


def selection_tsv(view: QTableView) -> str:
    """The selected cells as TSV: the headers of the selected columns, then one line a row."""
    model = view.model()
    selection = view.selectionModel()
    if model is None or selection is None:
        return ""
    indexes = [i for i in selection.selectedIndexes() if not view.isColumnHidden(i.column())]
    if not indexes:
        current = view.currentIndex()
        return _clean(current.data()) if current.isValid() else ""
    if len(indexes) == 1:
        return _clean(indexes[0].data())
    header = view.horizontalHeader()
    columns = sorted({i.column() for i in indexes}, key=header.visualIndex)
    rows = sorted({i.row() for i in indexes})
    chosen = {(i.row(), i.column()) for i in indexes}
    lines = [
        "\t".join(
            _clean(
                header_text(
                    model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
                )
            )
            for c in columns
        )
    ]
    for row in rows:
        lines.append(
            "\t".join(
                _clean(model.index(row, c).data()) if (row, c) in chosen else "" for c in columns
            )
        )
    return "\r\n".join(lines) + "\r\n"


def copy_selection(view: QTableView) -> str:
    """Put the selection on the clipboard as TSV (with headers); return the text."""
    text = selection_tsv(view)
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


class TableCopier(AppEventFilter):
    """Application event filter: Ctrl+C in any table copies the selection as TSV."""

    def eventFilter(self, obj, event) -> bool:
        """Take Ctrl+C away from a table's one-cell copy."""
        if event.type() == QEvent.Type.KeyPress and event.matches(QKeySequence.StandardKey.Copy):
            view = obj if isinstance(obj, QTableView) else None
            if view is None and isinstance(obj, QObject):
                parent = obj.parent()
                view = parent if isinstance(parent, QTableView) else None  # the viewport
            if view is not None and view.state() != QAbstractItemView.State.EditingState:
                copy_selection(view)
                return True
        return False


def install_table_copier(app: QApplication) -> TableCopier:
    """Install the copier on the application (kept alive as the application's child)."""
    return TableCopier.install(app)


def header_text(text: object) -> str:
    """A header as one line: a header drawn on two lines (贫困户属性/ 特殊群体) reads as one."""
    return "".join(str(text or "").splitlines())


def _widest_value(view: QTableView, column: int) -> int:
    """The widest text among the first SAMPLE_ROWS cells of a column, in pixels."""
    model = view.model()
    metrics = view.fontMetrics()
    rows = min(model.rowCount(), SAMPLE_ROWS)
    return max(
        (metrics.horizontalAdvance(_clean(model.index(r, column).data())) for r in range(rows)),
        default=0,
    )


def _header_width(view: QTableView, column: int) -> int:
    """The width of a column's header, its widest line when it is drawn on two."""
    title = str(view.model().headerData(column, Qt.Orientation.Horizontal) or "")
    metrics = view.horizontalHeader().fontMetrics()
    return max((metrics.horizontalAdvance(line) for line in title.splitlines()), default=0)


def fit_columns(
    view: QTableView, key_columns: tuple[int, ...] = (), *, widest_px: int | None = None
) -> None:
    """Widen every column to its header, and key columns (户编号) to their longest value.

    With `widest_px` every column is sized from its content instead (header and values), and
    no column but a key column is wider than that: a long text is elided, its tooltip whole.
    """
    header = view.horizontalHeader()
    # Before the first show the style sheet's font (10.5pt) is not applied yet: measured with
    # Qt's default font, 2026-12-02 16:42:05 got 150 px and was cut to 2026-12-02 16:42...
    view.ensurePolished()
    header.ensurePolished()
    for column in range(view.model().columnCount()):
        if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Interactive:
            continue  # Qt sizes it (to its contents, stretched, fixed); asking measures every row
        wanted = _header_width(view, column) + CELL_PADDING_PX
        if column in key_columns or widest_px is not None:
            longest = _widest_value(view, column) + CELL_PADDING_PX
            if column not in key_columns:
                longest = min(longest, widest_px)
            wanted = max(wanted, longest)
        if widest_px is not None or view.columnWidth(column) < wanted:
            view.setColumnWidth(column, wanted)


TEXT_MARGIN_PX = 4  # what the item delegate keeps free on each side of a cell's text


def line_height(metrics) -> int:
    """The height of one wrapped line as Qt lays it out (a pixel more than lineSpacing here)."""
    box = metrics.boundingRect(QRect(0, 0, 1000, 1000), Qt.TextFlag.TextWordWrap, "国")
    return box.height()


def fit_line_columns(view: QTableView, columns: tuple[int, ...]) -> None:
    """Widen key columns to their widest line, so that a value set on lines shows whole.

    The model breaks such values where a reader expects (待整改 / （逾期）); texts are measured
    once each, so a ledger of many rows with the same dates and states costs little.
    """
    view.ensurePolished()
    metrics = view.fontMetrics()
    model = view.model()
    for column in columns:
        texts = {str(model.index(r, column).data() or "") for r in range(model.rowCount())}
        lines = {line for text in texts for line in text.splitlines()}
        widest = max((metrics.horizontalAdvance(line) for line in lines), default=0)
        wanted = max(widest + 2 * TEXT_MARGIN_PX, _header_width(view, column) + CELL_PADDING_PX)
        if view.columnWidth(column) < wanted:
            view.setColumnWidth(column, wanted)


def wrapped_width(metrics, text: str, lines: int) -> int:
    """The narrowest width in pixels at which `text`, word-wrapped, takes at most `lines`."""
    one_line = metrics.horizontalAdvance(text)
    if lines <= 1 or not text:
        return one_line
    limit = lines * line_height(metrics)
    low, high = one_line // lines, one_line
    while low < high:  # the wrapped height only falls as the width grows
        middle = (low + high) // 2
        box = metrics.boundingRect(QRect(0, 0, middle, 10 * limit), Qt.TextFlag.TextWordWrap, text)
        if box.height() <= limit and box.width() <= middle:
            high = middle
        else:
            low = middle + 1
    return high


def leave_room(
    view: QTableView, stretch: int, wanted_px: int, shrinkable: tuple[int, ...], floor_px: int = 48
) -> None:
    """Narrow the `shrinkable` columns, each in proportion and none below `floor_px`, until the
    stretched column can have `wanted_px` without a sideways scroll bar.

    Columns sized to their texts in Windows' wider fonts left the stretched one (问题描述,
    被督查单位) too little at 1366 px; what the shrunk columns cut is whole in their tooltips.
    """
    room = view.viewport().width()
    if room <= wanted_px:
        return
    model = view.model()
    fixed = sum(view.columnWidth(c) for c in range(model.columnCount()) if c != stretch)
    short = fixed + wanted_px - room
    spare = {c: view.columnWidth(c) - floor_px for c in shrinkable}
    spare = {c: s for c, s in spare.items() if s > 0}
    total = sum(spare.values())
    if short <= 0 or total <= 0:
        return
    share = min(1.0, short / total)
    for column, extra in spare.items():
        view.setColumnWidth(column, view.columnWidth(column) - int(extra * share + 0.999))
