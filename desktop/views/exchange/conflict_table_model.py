"""ExchangeConflictTableModel: the open conflicts of imported exchange packages."""

from __future__ import annotations

from desktop.views.list_table_model import RowsTableModel


class ExchangeConflictTableModel(RowsTableModel):
    """One row per conflict: its number, the record, how many fields differ, when."""

    columns = (
        ("编号", lambda c: str(c.id)),
        ("记录", lambda c: c.what),
        ("不同的项", lambda c: "、".join(d.label for d in c.differences)),
        ("发现时间", lambda c: f"{c.created_at:%Y-%m-%d %H:%M}"),
        ("状态", lambda c: c.status),
    )
