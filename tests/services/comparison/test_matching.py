"""Matching again and again: the registry's index kept between imports never hides a change."""

from __future__ import annotations

import datetime
import zlib

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.models.comparison import MATCH_ID, DepartmentList, DepartmentRow, Hit
from desktop.models.database import open_database
from desktop.models.registry import Household
from desktop.services.comparison.columns import CELL, COLUMN
from desktop.services.comparison.importer import import_department_list
from desktop.services.comparison.service import ComparisonService
from desktop.services.registry.data import MemberData
from desktop.services.registry.idcard import make_id
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database
from tests.postgres import same_database
from tests.services.comparison.fixtures import HEAD_ID, build_village

RECEIVED = datetime.date(2018, 6, 10)
EDGE_ID = make_id("441521", datetime.date(1980, 6, 6), 41)  # 吴三, head of the 边缘户
NEW_ID = make_id("441521", datetime.date(2001, 9, 9), 57)


def _list(tmp_path, name, rows):
    path = tmp_path / f"{name}.csv"
    lines = ["姓名,身份证号码,单位"] + [f"{n},{i},某单位" for n, i in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(engine, path, department):
    result = import_department_list(
        Database(engine), path, department, received_on=RECEIVED, who="张文书"
    )
    assert result.ok, result.summary_lines()
    return result


def _hit_names(engine):
    with Session(engine) as s:
        return sorted(s.scalars(select(Hit.member_name)))


def test_a_member_added_between_two_imports_is_found_by_the_second(engine, tmp_path):
    places = build_village(engine)
    assert _import(engine, _list(tmp_path, "车管所", [("林大", HEAD_ID)]), "车管所").hits == 1
    registry = RegistryService(Database(engine))
    second = registry.get_household(places["second"])
    second.members.append(MemberData(name="黄小", id_number=NEW_ID, sex="男", relation="之子"))
    registry.save_household(second)
    rows = [("林大", HEAD_ID), ("黄小", NEW_ID)]
    assert _import(engine, _list(tmp_path, "公积金", rows), "公积金").hits == 2
    assert _hit_names(engine) == ["林大", "林大", "黄小"]


def test_a_household_registered_by_another_connection_is_found(engine, tmp_path):
    places = build_village(engine)
    rows = [("吴三", EDGE_ID)]
    assert _import(engine, _list(tmp_path, "车管所", rows), "车管所").hits == 0
    other = open_database(same_database(engine))  # another window, command or clerk
    try:
        with Session(other) as s, s.begin():
            s.execute(
                update(Household).where(Household.id == places["edge"]).values(is_registered=True)
            )
    finally:
        other.dispose()
    assert _import(engine, _list(tmp_path, "公积金", rows), "公积金").hits == 1
    assert _hit_names(engine) == ["吴三"]


def test_a_member_cleared_between_imports_is_no_longer_found(engine, tmp_path):
    places = build_village(engine)
    rows = [("林大", HEAD_ID)]
    assert _import(engine, _list(tmp_path, "车管所", rows), "车管所").hits == 1
    with Session(engine) as s, s.begin():
        s.execute(
            update(Household).where(Household.id == places["first"]).values(is_registered=False)
        )
    assert _import(engine, _list(tmp_path, "公积金", rows), "公积金").hits == 0


def test_a_list_stored_in_the_earlier_layout_is_matched_again(engine, tmp_path):
    build_village(engine)
    result = _import(engine, _list(tmp_path, "车管所", [("路人", "110101199001011234")]), "车管所")
    # The layout lists had before the keys and the detail were compressed apart.
    columns = [
        ["2", "3"],
        ["110101199001011234", HEAD_ID],
        ["110101199001011234", HEAD_ID],
        ["路人", "林大"],
        ["", ""],
        ["甲单位", "乙单位"],
    ]
    blob = zlib.compress(COLUMN.join(CELL.join(c) for c in columns).encode("utf-8"))
    with Session(engine) as s, s.begin():
        s.execute(
            update(DepartmentList).where(DepartmentList.id == result.list_id).values(data=blob)
        )
    assert ComparisonService(Database(engine)).run_matching() == 1
    hits = ComparisonService(Database(engine)).hits()
    assert [(h.member_name, h.match_kind, h.detail_text) for h in hits] == [
        ("林大", MATCH_ID, "单位：乙单位")
    ]
    with Session(engine) as s:
        assert s.scalar(select(DepartmentRow.row_number).where(DepartmentRow.name == "林大")) == 3
