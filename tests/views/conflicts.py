"""A clerk's choice in the 保存冲突 dialog, for the dialogs' tests: the real dialog is built (as
the clerk would see it) and its rows kept, then the choice is returned as run() would."""

from __future__ import annotations

from desktop.views import conflict_dialog


def choosing(qtbot, monkeypatch, choice: str) -> list[tuple[str, ...]]:
    """Make ConflictDialog.run answer `choice`; return the rows it showed (filled on use)."""
    shown: list[tuple[str, ...]] = []

    def run(conflict, parent=None):
        real = conflict_dialog.ConflictDialog(conflict, parent)
        qtbot.addWidget(real)
        table = real.table
        shown.extend(
            tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())
        )
        return choice, choice != conflict_dialog.BACK

    monkeypatch.setattr(conflict_dialog.ConflictDialog, "run", run)
    return shown
