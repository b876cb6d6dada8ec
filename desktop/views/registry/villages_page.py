"""The villages tab: the villages table with its 合计 row and add / edit / delete."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.registry.data import VillageSummary
from desktop.views.registry.village_table_model import VillageTableModel
from desktop.views.tables import fit_columns


class VillagesPage(QWidget):
    """Lists villages; buttons ask the main window to add, edit or delete."""

    add_requested = Signal()
    edit_requested = Signal(int)
    delete_requested = Signal(int)
    village_activated = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = VillageTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton("新增村…")
        self.edit_button = QPushButton("编辑…")
        self.delete_button = QPushButton("删除")
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.add_button.clicked.connect(self.add_requested)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.table.doubleClicked.connect(self._on_table_double_clicked)

    def set_rows(self, rows: list[VillageSummary]) -> None:
        """Show the villages."""
        self.model.set_rows(rows)
        fit_columns(self.table, (0,))  # the village's name

    def selected_village(self) -> VillageSummary | None:
        """Return the selected village (None for none or the totals row)."""
        index = self.table.currentIndex()
        return self.model.village_at(index.row()) if index.isValid() else None

    def _on_edit_button_clicked(self) -> None:
        village = self.selected_village()
        if village is not None:
            self.edit_requested.emit(village.id)

    def _on_delete_button_clicked(self) -> None:
        village = self.selected_village()
        if village is not None:
            self.delete_requested.emit(village.id)

    def _on_table_double_clicked(self, index) -> None:
        village = self.model.village_at(index.row())
        if village is not None:
            self.village_activated.emit(village.id)
