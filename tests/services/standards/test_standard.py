"""The standard files: what the seeds say, and a loader that refuses a bad file clearly."""

import json

import pytest

from desktop.paths import resources_dir
from desktop.services.standards.evaluate import threshold_for
from desktop.services.standards.standard import (
    StandardFileError,
    load_standard,
    load_standard_file,
    shipped_codes,
)


def test_shipped_standards_load():
    assert {"sichuan_2017", "guangdong_2018"} <= set(shipped_codes())
    for code in shipped_codes():
        assert load_standard(code).code == code


def test_sichuan_exits_2014_to_2016_meet_the_2016_standard_of_3100():
    income = load_standard("sichuan_2017").income
    for year in (2014, 2015, 2016):
        assert threshold_for(income, year, {}) == (2016, 3100.0)
    assert "（总收入 − 家庭生产经营性支出）÷ 家庭人口数" in income.formula_text
    assert income.add == ("total_income",) and income.subtract == ("operating_expense",)


def test_sichuan_later_exits_meet_their_own_year_and_the_campaign_sets_it():
    income = load_standard("sichuan_2017").income
    assert threshold_for(income, 2017, {}) == (2017, None)  # not in the seed: configured
    assert threshold_for(income, 2018, {2018: 3500.0}) == (2018, 3500.0)
    assert threshold_for(income, 2020, {2020: 4000.0, 2018: 3500.0}) == (2020, 4000.0)
    assert threshold_for(income, 2016, {2017: 3300.0}) == (2016, 3100.0)


def test_household_set_is_one_exceed_six_haves_with_the_notes_definitions():
    s = load_standard("sichuan_2017")
    assert s.household_set.name == "一超六有"
    assert [i.label for i in s.household_set.indicators] == [
        "年人均纯收入稳定超过国家扶贫标准", "吃穿不愁", "义务教育有保障", "基本医疗有保障",
        "住房安全有保障", "有安全饮用水", "有生活用电", "有广播电视",
    ]  # fmt: skip
    housing = s.household_set.get("housing_safe")
    assert "经过住建部门认定达到安全的住房" in housing.definition
    assert housing.responsibility == "住房安全有保障"
    assert "10%" in s.household_set.get("basic_medical").definition


def test_village_set_is_one_low_six_haves():
    s = load_standard("sichuan_2017")
    assert s.village_set.name == "一低六有"
    assert [i.short for i in s.village_set.indicators] == [
        "一低", "有主导产业", "集体经济", "通村硬化路", "卫生室", "文化室", "通信网络",
    ]  # fmt: skip
    assert s.village_set.get("poverty_rate").below_percent == 3.0


def test_guangdong_eight_haves_at_4000_of_2014_prices():
    s = load_standard("guangdong_2018")
    assert s.household_set.name == "八有"
    assert [i.label for i in s.household_set.indicators[1:]] == [
        "有安全住房", "有安全饮水", "有电用", "有电视信号覆盖", "有网络信号覆盖", "有教育保障",
        "有医疗保障", "有稳定收入或最低生活保障",
    ]  # fmt: skip
    assert threshold_for(s.income, None, {}) == (2014, 4000.0)
    assert s.income.price_basis == "2014年不变价"
    assert s.village_set is None


def _write(tmp_path, raw, name="sichuan_2017.json"):
    path = tmp_path / name
    path.write_text(raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False), "utf-8")
    return path


def _shipped():
    return json.loads((resources_dir() / "standards" / "sichuan_2017.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d["income"].pop("standards_by_year"), "income.standards_by_year", "缺失"),
        (lambda d: d["income"]["standards_by_year"].update({"2016": "三千一"}),
         "income.standards_by_year.2016", "金额"),
        (lambda d: d["income"]["check_year_by_exit_year"].update({"2014": 2013}),
         "income.check_year_by_exit_year.2014", "standards_by_year"),
        (lambda d: d["household_set"]["indicators"][2].update({"kind": "maybe"}),
         "household_set.indicators[2].kind", "maybe"),
        (lambda d: d["household_set"]["indicators"][3].update({"code": "income"}),
         "household_set.indicators[3].code", "重复"),
        (lambda d: d["village_set"]["indicators"][0].pop("below_percent"),
         "village_set.indicators[0].below_percent", "缺失"),
        (lambda d: d.update({"subjects": "everyone"}), "subjects", "exited"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_file_and_field(tmp_path, mutate, field, words):
    raw = _shipped()
    mutate(raw)
    with pytest.raises(StandardFileError) as caught:
        load_standard_file(_write(tmp_path, raw))
    message = str(caught.value)
    assert "sichuan_2017.json" in message and field in message and words in message
    assert caught.value.field == field


def test_broken_json_names_the_line(tmp_path):
    with pytest.raises(StandardFileError, match=r"sichuan_2017.json.*第 2 行"):
        load_standard_file(_write(tmp_path, '{"format": 1,\n "code": }'))


def test_code_must_match_the_file_name(tmp_path):
    with pytest.raises(StandardFileError, match="code"):
        load_standard_file(_write(tmp_path, _shipped(), "sichuan_2018.json"))


def test_an_administrators_copy_wins_over_the_shipped_file(data_dir):
    raw = _shipped()
    raw["income"]["standards_by_year"]["2017"] = 3300
    folder = data_dir / "standards"
    folder.mkdir()
    _write(folder, raw)
    assert load_standard("sichuan_2017").income.standards_by_year[2017] == 3300.0
