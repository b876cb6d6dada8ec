"""Fixtures of the comparison tests: a village, a vehicle list, the case service."""

from __future__ import annotations

import datetime

import pytest

from desktop.services.comparison.cases import CaseService
from desktop.services.comparison.importer import import_department_list
from desktop.services.comparison.service import ComparisonService
from desktop.services.problems.service import ProblemService
from desktop.services.registry.idcard import make_id
from desktop.services.unit_of_work import Database
from tests.services.comparison.fixtures import HEAD_ID, build_village

DAY = datetime.date.today()


@pytest.fixture
def world(engine, tmp_path):
    db = Database(engine)
    ProblemService(db, tmp_path).ensure_reference_data()
    places = build_village(engine)
    path = tmp_path / "车管所.csv"
    edge_id = make_id("441521", datetime.date(1980, 6, 6), 41)
    path.write_text(
        f"车主,身份证号码,号牌号码\n林大,{HEAD_ID},粤N12345\n吴三,{edge_id},粤N99999\n",
        encoding="utf-8",
    )
    result = import_department_list(db, path, "公安（车管所）", received_on=DAY, who="李录入")
    assert result.ok and result.hits == 1  # 吴三's household is not registered
    places["cases"] = CaseService(db, tmp_path / "data")
    places["hits"] = ComparisonService(db).hits()
    return places
