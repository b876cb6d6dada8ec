"""The shipped reference data: seed 002's catalogue, seed 004's categories, seed 001's mapping."""

from __future__ import annotations

import pytest

from desktop.services.problems.catalogue import load_catalogue, split_units
from desktop.services.problems.rules import ProblemError
from desktop.services.problems.service import ProblemService
from desktop.services.unit_of_work import Database


def test_catalogue_has_34_items_in_9_areas_with_their_units():
    data = load_catalogue()
    areas = data["areas"]
    assert [a["name"] for a in areas] == [
        "三保障及饮水安全", "建档立卡", "责任落实", "精准帮扶", "成果巩固提升",
        "政策落实", "资金项目管理", "扶贫资产监管", "基层减负",
    ]  # fmt: skip
    numbers = [i["number"] for a in areas for i in a["items"]]
    assert numbers == list(range(1, 35))
    assert [len(a["items"]) for a in areas] == [4, 4, 3, 4, 4, 8, 2, 2, 3]
    assert areas[0]["responsible_units"] == (
        "干汊河中心校、舒城县中医院干汊河分院、集镇办、水利站、各村"
    )
    assert areas[8]["responsible_units"] == "扶贫工作站"
    item_3 = areas[0]["items"][2]
    assert item_3["title"] == "保障住房安全"
    assert item_3["description"] == "排查并解决贫困户住C级危房和D级危房问题。"
    # Paragraphs broken across the seed's pages are joined again.
    item_2 = areas[0]["items"][1]["description"]
    assert "特别是村级卫生室未建立或没有合格医生" in item_2


def test_inspection_categories_and_indicator_departments():
    data = load_catalogue()
    names = [c["name"] for c in data["inspection_categories"]]
    assert names[0] == "扶贫责任落实情况" and names[-1] == "信息录入和台账建立情况"
    assert "脱贫任务完成情况" in names
    mapping = {d["indicator"]: d["departments"] for d in data["indicator_departments"]}
    assert mapping["住房安全有保障"] == "县住建局、县发改局、县扶贫移民局"
    assert mapping["有安全饮用水"] == "县水务局"
    assert mapping["有卫生室"] == "县卫计局"


def test_split_units_drops_repeats():
    assert split_units("各村、党建办、农综中心、扶贫工作站、各村") == [
        "各村", "党建办", "农综中心", "扶贫工作站",
    ]  # fmt: skip


def test_seeding_once_then_editable(engine, data_dir):
    service = ProblemService(Database(engine), data_dir)
    first = service.ensure_reference_data()
    assert (first.areas, first.items) == (9, 34)
    assert len(service.items()) == 34


def test_seeded_demo_township_has_units_of_its_villages(demo_engine, data_dir):
    service = ProblemService(Database(demo_engine), data_dir)
    service.ensure_reference_data()
    names = {u.name for u in service.units()}
    assert {"扶贫工作站", "党建办", "危房改造指挥部", "财政分局"} <= names
    # seed 002's own township's units are a template, filled with this township's units
    assert {"桃花江镇中心学校", "桃花江镇卫生院"} <= names
    assert not {"干汊河中心校", "舒城县中医院干汊河分院"} & names
    assert "各村" not in names and "各指挥部" not in names
    assert len([u for u in service.units() if u.kind == "村"]) == 26  # one per village
    again = service.ensure_reference_data()
    assert (again.areas, again.items, again.units) == (0, 0, 0)
    service.add_unit("镇农业综合服务中心", "镇直单位")
    assert service.unit_id_by_name("镇农业综合服务中心")
    assert len(service.inspection_categories()) == 8
    assert ("有安全饮用水", "县水务局") in service.indicator_departments()


def test_the_catalogues_units_are_roles_each_township_maps_to_its_own(engine, data_dir):
    from desktop.services.registry.service import RegistryService

    registry = RegistryService(Database(engine))
    taohua = registry.create_township("桃江县", "桃花江镇")
    xiushan = registry.create_township("桃江县", "修山镇")
    service = ProblemService(Database(engine), data_dir)
    service.ensure_reference_data()
    roles = {r.role: r for r in service.unit_roles(taohua)}
    assert roles["乡镇中心学校"].printed == "干汊河中心校"
    assert roles["乡镇中心学校"].unit_name == "桃花江镇中心学校"
    assert roles["乡镇卫生院"].unit_name == "桃花江镇卫生院"
    assert roles["扶贫工作站"].unit_name == "扶贫工作站"  # the same office in every township
    assert {r.role: r for r in service.unit_roles(xiushan)}["乡镇卫生院"].unit_name == (
        "修山镇卫生院"
    )
    area = next(i for i in service.items() if i.number == 1).responsible_units
    suggested = service.suggested_units(area, taohua)
    shown = [u if isinstance(u, str) else u.name for u in suggested]
    assert shown == ["桃花江镇中心学校", "桃花江镇卫生院", "集镇办", "水利站", "各村"]

    hospital = service.add_unit("桃江县第二人民医院", "县直部门")
    service.set_unit_roles(taohua, {"乡镇卫生院": hospital, "水利站": None})
    shown = [u if isinstance(u, str) else u.name for u in service.suggested_units(area, taohua)]
    assert shown == ["桃花江镇中心学校", "桃江县第二人民医院", "集镇办", "水利站", "各村"]
    assert isinstance(service.suggested_units(area, taohua)[3], str)  # no unit: named only
    again = service.ensure_reference_data()  # the clerk's choices stay
    assert again.units == 0
    assert {r.role: r for r in service.unit_roles(taohua)}["乡镇卫生院"].unit_id == hospital
    with pytest.raises(ProblemError, match="模板中没有"):
        service.set_unit_roles(taohua, {"不存在的单位": hospital})
