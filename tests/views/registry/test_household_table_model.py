"""HouseholdTableModel without widgets: headers, display, filter and sort."""

from PySide6.QtCore import Qt

from desktop.services.registry.query import HouseholdFilter
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database
from desktop.views.registry.household_table_model import (
    COL_CODE,
    COL_FLAGS,
    COL_FORM_STATE,
    COL_HEAD,
    COL_MEMBERS,
    HouseholdTableModel,
)


def test_model_shows_rows_with_chinese_headers(qapp, demo_engine):
    rows = RegistryService(Database(demo_engine)).household_rows()
    model = HouseholdTableModel()
    model.set_rows(rows)
    assert model.rowCount() == 300
    assert model.headerData(COL_HEAD, Qt.Orientation.Horizontal) == "户主姓名"
    first = model.index(0, COL_CODE)
    assert model.data(first) == min(r.code for r in rows)
    assert model.data(model.index(0, COL_FORM_STATE)) in ("未填", "草稿", "已完成", "已签字")
    flagged = next(i for i, r in enumerate(rows) if r.flags)
    model.set_filter(HouseholdFilter(text=rows[flagged].code))
    assert model.rowCount() == 1
    assert model.data(model.index(0, COL_FLAGS))


def test_sort_and_filter_keep_each_other(qapp, demo_engine):
    rows = RegistryService(Database(demo_engine)).household_rows()
    model = HouseholdTableModel()
    model.set_rows(rows)
    model.sort(COL_MEMBERS, Qt.SortOrder.DescendingOrder)
    counts = [model.data(model.index(i, COL_MEMBERS)) for i in range(model.rowCount())]
    assert counts == sorted(counts, reverse=True)
    village = rows[0].village_id
    model.set_filter(HouseholdFilter(village_id=village))
    counts = [model.data(model.index(i, COL_MEMBERS)) for i in range(model.rowCount())]
    assert counts == sorted(counts, reverse=True)
    assert model.rowCount() == sum(1 for r in rows if r.village_id == village)


def test_painting_the_table_does_not_leak_references_to_none(qapp, demo_engine):
    """PySide6 6.12.0 decrefs None per C++ call of data() returning None: the app aborts."""
    import sys

    model = HouseholdTableModel()
    model.set_rows(RegistryService(Database(demo_engine)).household_rows())
    index = model.index(0, COL_CODE)
    for _ in range(10):
        index.data(Qt.ItemDataRole.DecorationRole)
    import gc

    gc.collect()
    gc.disable()  # a collection during the loop would free unrelated references to None
    try:
        before = sys.getrefcount(None)
        for _ in range(2000):
            index.data(Qt.ItemDataRole.DecorationRole)  # through C++, as a view paints
        after = sys.getrefcount(None)
    finally:
        gc.enable()
    assert after >= before - 20
