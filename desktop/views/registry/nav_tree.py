"""The navigation tree: county → township → villages → groups; selecting filters the tables."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from desktop.services.registry.data import TreeNode

LEVEL_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
ALL_LEVEL = "all"


class NavigationTree(QTreeWidget):
    """Shows the administrative levels; emits `node_selected(level, id)`."""

    node_selected = Signal(str, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderLabel("行政区划")
        self.setMinimumWidth(180)
        self.itemSelectionChanged.connect(self._on_tree_selection_changed)

    def set_nodes(self, nodes: list[TreeNode]) -> None:
        """Replace the tree, keeping the selected node when it still exists."""
        selected = self.selected_node()
        self.blockSignals(True)
        self.clear()
        root = QTreeWidgetItem(["全部"])
        root.setData(0, LEVEL_ROLE, ALL_LEVEL)
        root.setData(0, ID_ROLE, 0)
        self.addTopLevelItem(root)
        for node in nodes:
            root.addChild(self._item(node))
        self.expandToDepth(2)
        self.blockSignals(False)
        if selected and self.select_node(*selected):
            return
        self.setCurrentItem(root)

    def _item(self, node: TreeNode) -> QTreeWidgetItem:
        item = QTreeWidgetItem([node.name])
        item.setData(0, LEVEL_ROLE, node.level)
        item.setData(0, ID_ROLE, node.id)
        for child in node.children:
            item.addChild(self._item(child))
        return item

    def selected_node(self) -> tuple[str, int] | None:
        """Return (level, id) of the selected node."""
        item = self.currentItem()
        if item is None:
            return None
        return item.data(0, LEVEL_ROLE), item.data(0, ID_ROLE)

    def select_node(self, level: str, node_id: int) -> bool:
        """Select the node of a level and id; False when it does not exist."""
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item.data(0, LEVEL_ROLE) == level and item.data(0, ID_ROLE) == node_id:
                self.setCurrentItem(item)
                return True
            stack.extend(item.child(i) for i in range(item.childCount()))
        return False

    def village_of_selection(self) -> int | None:
        """Return the village the selected node is or lies in (a group's village), or None."""
        item = self.currentItem()
        while item is not None and item.data(0, LEVEL_ROLE) == "group":
            item = item.parent()
        if item is not None and item.data(0, LEVEL_ROLE) == "village":
            return item.data(0, ID_ROLE)
        return None

    def select_village(self, village_id: int | None) -> None:
        """Select a village's node; None selects the township (or whole) around the selection."""
        if village_id is not None:
            self.select_node("village", village_id)
            return
        item = self.currentItem()
        while item is not None and item.data(0, LEVEL_ROLE) in ("village", "group"):
            item = item.parent()
        if item is not None and item is not self.currentItem():
            self.setCurrentItem(item)

    def _on_tree_selection_changed(self) -> None:
        node = self.selected_node()
        if node is not None:
            self.node_selected.emit(*node)
