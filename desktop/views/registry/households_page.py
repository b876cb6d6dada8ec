"""The households tab: search box, filters and the households table."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.registry import codes
from desktop.services.registry.data import HouseholdRow, VillageInfo
from desktop.services.registry.query import NOT_EXITED, HouseholdFilter
from desktop.services.registry.rules import FLAG_NAMES
from desktop.views.registry.household_table_model import (
    COL_CODE,
    COL_FORM_STATE,
    COL_HEAD,
    HouseholdTableModel,
)
from desktop.views.tables import fit_columns

ANY = "全部"
KEY_COLUMNS = (COL_CODE, COL_HEAD, COL_FORM_STATE)  # never elided
LONG_TEXT_PX = 110  # no other column is wider: about seven characters


class HouseholdsPage(QWidget):
    """Lists households; the clerk searches by name, pinyin initials, ID fragment or 户编号."""

    household_activated = Signal(int)
    # The 村 box and the navigation tree are one filter: choosing a village here asks the
    # window to select it in the tree (None: the township around), which then calls show_place.
    village_chosen = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = HouseholdTableModel(self)
        self._scope_ids: set[int] | None = None
        self._place = ""  # the tree's node, as the empty-result message names it
        self._complete = True

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("搜索：姓名、拼音首字母（如 zs）、证件号码片段或户编号")
        self.search_edit.setClearButtonEnabled(True)
        self.village_combo = QComboBox()
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(ANY, "")
        for kind in codes.HOUSEHOLD_KINDS:
            self.kind_combo.addItem(kind, kind)
        self.exit_combo = QComboBox()
        self.exit_combo.addItem(ANY, None)
        self.exit_combo.addItem("未脱贫", NOT_EXITED)
        for year in codes.EXIT_YEARS:
            self.exit_combo.addItem(f"{year}年脱贫", year)
        self.flag_combo = QComboBox()
        self.flag_combo.addItem(ANY, 0)
        self.flag_combo.addItem("有任一提示", sum(FLAG_NAMES))
        for bit, name in FLAG_NAMES.items():
            self.flag_combo.addItem(name, bit)
        self.count_label = QLabel()
        self.empty_label = QLabel()  # over an empty table: why it is empty
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #7a4b00; padding: 4px;")
        self.empty_label.hide()
        self.clear_button = QPushButton("清除筛选")
        self.clear_button.setToolTip("清空搜索和属性、脱贫年度、提示筛选（村的范围不变）")
        self.clear_button.clicked.connect(self._on_clear_button_clicked)

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        for label, combo in (
            ("村", self.village_combo),
            ("属性", self.kind_combo),
            ("脱贫年度", self.exit_combo),
            ("提示", self.flag_combo),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(combo, 1)
        filters.addWidget(self.clear_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        vheader = self.table.verticalHeader()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: fast at 100k
        vheader.setDefaultSectionSize(24)
        vheader.hide()
        hheader = self.table.horizontalHeader()
        hheader.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hheader.setStretchLastSection(True)  # 提示 takes what is left, elided with a tooltip
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self.search_edit.textChanged.connect(self._on_filters_changed)
        for combo in (self.kind_combo, self.exit_combo, self.flag_combo):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        self.village_combo.currentIndexChanged.connect(self._on_village_combo_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        # Keyboard only: Enter or ↓ in the search box goes to the first household found, Enter
        # on a row opens it (as a double click does).
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self.search_edit.installEventFilter(self)
        self.table.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """↓ from the search box into the table; Enter on a table row opens the household."""
        if event.type() == QEvent.Type.KeyPress:
            if watched is self.search_edit and event.key() == Qt.Key.Key_Down:
                self._on_search_edit_return_pressed()
                return True
            if watched is self.table and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_table_double_clicked(self.table.currentIndex())
                return True
        return super().eventFilter(watched, event)

    # --- data ----------------------------------------------------------------------

    def set_rows(self, rows: list[HouseholdRow], complete: bool = True) -> None:
        """Show freshly loaded rows; `complete` is False while only the first page is in."""
        self._complete = complete
        self.model.set_rows(rows)
        # Widths from the content, so that at 1366 pixels all columns show without scrolling
        # sideways: 户编号 (the digits that tell households apart), 户主姓名 and 核查表 whole;
        # a long 村 or 属性 elided, whole in its tooltip.
        fit_columns(self.table, KEY_COLUMNS, widest_px=LONG_TEXT_PX)
        self._update_count()

    def is_complete(self) -> bool:
        """True when every household is loaded, not only the first page."""
        return self._complete

    def set_villages(self, villages: list[VillageInfo]) -> None:
        """Fill the village filter."""
        current = self.village_combo.currentData()
        self.village_combo.blockSignals(True)
        self.village_combo.clear()
        self.village_combo.addItem(ANY, None)
        for v in villages:
            self.village_combo.addItem(v.name, v.id)
        index = self.village_combo.findData(current)
        self.village_combo.setCurrentIndex(max(index, 0))
        self.village_combo.blockSignals(False)

    def set_scope(self, household_ids: set[int] | None) -> None:
        """Restrict the table to households under the selected tree node."""
        self.show_place(household_ids, None, "")

    def show_place(self, household_ids: set[int] | None, village_id: int | None, name: str) -> None:
        """Show the tree's node: its households, its village in the 村 box (全部 above a
        village), its name in the empty-result message."""
        self._scope_ids = household_ids
        self._place = name if household_ids is not None else ""
        self.village_combo.blockSignals(True)
        self.village_combo.setCurrentIndex(max(0, self.village_combo.findData(village_id)))
        self.village_combo.blockSignals(False)
        self._on_filters_changed()

    def active_filters(self) -> list[str]:
        """Return the filters in force, in Chinese, as the empty-result message lists them."""
        on = []
        if self._place:
            on.append(f"范围：{self._place}")
        elif self.village_combo.currentData() is not None:
            on.append(f"村：{self.village_combo.currentText()}")
        if self.search_edit.text().strip():
            on.append(f"搜索：“{self.search_edit.text().strip()}”")
        for label, combo in (
            ("属性", self.kind_combo),
            ("脱贫年度", self.exit_combo),
            ("提示", self.flag_combo),
        ):
            if combo.currentIndex() > 0:
                on.append(f"{label}：{combo.currentText()}")
        return on

    def current_filter(self) -> HouseholdFilter:
        """Return the filter the controls describe."""
        # With a tree node the 村 box only mirrors it: the node's households are the filter.
        village_id = None if self._scope_ids is not None else self.village_combo.currentData()
        return HouseholdFilter(
            text=self.search_edit.text(),
            household_ids=self._scope_ids,
            village_id=village_id,
            kind=self.kind_combo.currentData() or "",
            exit_year=self.exit_combo.currentData(),
            flags=self.flag_combo.currentData() or 0,
        )

    def selected_ids(self) -> list[int]:
        """Return the ids of the selected households, in display order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r).id for r in rows]

    def current_id(self) -> int | None:
        """Return the id of the household under the cursor."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()).id if index.isValid() else None

    def select_household(self, household_id: int) -> None:
        """Select and show a household's row if it is visible."""
        row = self.model.row_of(household_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    # --- slots ---------------------------------------------------------------------

    def _on_filters_changed(self, *_args) -> None:
        self.model.set_filter(self.current_filter())
        self._update_count()

    def _on_village_combo_changed(self, *_args) -> None:
        # Alone (no window to answer), the box filters by itself; the window replaces that
        # with the tree's node for the same village.
        self._scope_ids, self._place = None, ""
        self._on_filters_changed()
        self.village_chosen.emit(self.village_combo.currentData())

    def _on_clear_button_clicked(self) -> None:
        widgets = (self.search_edit, self.kind_combo, self.exit_combo, self.flag_combo)
        for w in widgets:
            w.blockSignals(True)
        self.search_edit.clear()
        for combo in widgets[1:]:
            combo.setCurrentIndex(0)
        for w in widgets:
            w.blockSignals(False)
        self._on_filters_changed()

    def _on_search_edit_return_pressed(self) -> None:
        if self.model.rowCount() == 0:
            return
        if not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.table.setFocus()

    def _on_table_double_clicked(self, index) -> None:
        if index.isValid():
            self.household_activated.emit(self.model.row_at(index.row()).id)

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count()
        people = self.model.visible_people()
        if not self._complete:
            self.count_label.setText(f"正在载入全部户…（已显示前 {total} 户）")
            self.empty_label.hide()  # nothing to say about emptiness before all are in
            return
        self.count_label.setText(f"显示 {shown} 户 {people} 人（共 {total} 户）")
        if total == 0:
            self.empty_label.setText(
                "还没有户：可用“户 → 新增户…”（Ctrl+N）或“文件 → 导入花名册…”。"
            )
        elif shown == 0:
            on = "；".join(self.active_filters())
            self.empty_label.setText(
                f"没有符合筛选条件的户（{on}）。可点“清除筛选”或在左侧选“全部”。"
            )
        self.empty_label.setVisible(total == 0 or shown == 0)
