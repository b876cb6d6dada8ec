"""VillageTableModel without widgets: rows, the 合计 row and progress."""

from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database
from desktop.views.registry.village_table_model import (
    COL_HOUSEHOLDS,
    COL_NAME,
    COL_PEOPLE,
    COL_PROGRESS,
    VillageTableModel,
)


def test_totals_row_adds_up_the_villages(qapp, demo_engine):
    summaries = RegistryService(Database(demo_engine)).village_summaries()
    model = VillageTableModel()
    model.set_rows(summaries)
    last = model.rowCount() - 1
    assert model.rowCount() == 27
    assert model.data(model.index(last, COL_NAME)) == "合计"
    assert model.data(model.index(last, COL_HOUSEHOLDS)) == 300
    assert model.data(model.index(last, COL_PEOPLE)) == sum(v.people for v in summaries)
    assert "/300" in model.data(model.index(last, COL_PROGRESS))
    assert model.village_at(last) is None
    assert model.village_at(0).name == model.data(model.index(0, COL_NAME))
