"""Form descriptions (engine loader): the seed forms load; a malformed one is refused clearly."""

from __future__ import annotations

import copy
import json

import pytest

from desktop.engine import FormDescriptionError, MissingValue, evaluate
from desktop.engine import parse_form as engine_parse_form
from desktop.services.forms.catalog import VOCABULARY, forms_dir, list_forms, load_form
from desktop.services.registry import codes


def parse_form(raw, **kwargs):
    return engine_parse_form(raw, VOCABULARY, **kwargs)


# Labels of the seed's paper forms (seed 000, 附件1 and 附件2), as printed.
VERIFICATION_LABELS = (
    "2018年脱贫攻坚入户核查表", "区（县）", "镇（街道）", "村（居委）", "户主姓名",
    "建档立卡人数（人）", "户籍人数（人）", "实际共同生活人数（人）", "劳动力人数（人）",
    "参加公益性岗位人数（人）", "外出务工情况", "外出务工（人）", "长期岗位（人）", "临时工（人）",
    "在校生人数（人）", "已足额享受学生教育补助人数（人）", "五保或低保户", "住房安全", "区内",
    "区外省内", "省外", "是/否", "已享受人数（人）", "是/否 C、D级危房", "有无改造意愿",
    "租、借方式解决安全住房", "享受医保人数（人）", "致贫原因", "预脱贫户八有佐证", "2017年",
    "2018年", *codes.EIGHT_HAVES, "是否有家庭成员开办企业", "家中是否有小汽车",
    "是否有家庭成员缴存公积金", "家中是否有财政供养人员", "参与何种帮扶项目及收益情况",
    "挂钩帮扶责任人", "联系电话", "存在主要问题", "整改措施", "贫困户签名", "核查人员签名",
    "核查时间", "驻村、驻镇干部签名",
)  # fmt: skip
COLLECTION_LABELS = (
    "农户信息采集表", "一、基本信息", "家庭住址：", "户主名称：", "联系电话：",
    "开户银行（选填）：", "银行账号（选填）：", "A17识别标准（单选）：",
    "A18贫困户属性（可复选）：",
    "A20是否独生子女户：", "A21是否双女户：", "二、家庭成员信息", "序号", "A1姓名", "A2性别",
    "A3证件号码", "A4与户主关系", "A5民族", "A6政治面貌", "A7文化程度", "A8在校情况",
    "A9健康状况", "A10劳动能力", "A11务工情况", "A12务工时间", "A13是否现役军人",
    "A14是否参加大病医疗保险", "入读技工院校", "培训需求", "技能状况", "就业意向", "就业预期",
    "是否参加城镇职工基本养老保险", "是否参加城乡居民基本医疗保险", "是否参加城乡居民基本养老保险",
    "三、致贫原因", "四、收入情况", "A39 工资性收入 (元)", "A42 转移性收入 (元)",
    "A42a 计划生育金 (元)", "A42h 医疗救助金(元)", "A43 生产经营性支出 (元)", "A50 转移性支出",
    "A50d 其他转移性支出(元)", "A51 未偿还借(贷)款 (元)", "A52 家庭可支配收入(元)",
    "A53 家庭年人均可支配收入", "五、生产生活条件", "A24 耕地面积 (亩)",
    "A29 与村主干道距离 (公里)",
    "A31 住房面积 (平方米)", "A37 有无卫生厕所", "A56 主要住房是否危房", "A56a 危房级别",
    "A57 是否通广播电视", "填表人", "联系电话", "户主签名", "填表日期", "村（居）干部签名",
    "镇（街道）干部签名",
)  # fmt: skip


def _raw(code: str) -> dict:
    return json.loads((forms_dir() / f"{code}.json").read_text(encoding="utf-8"))


def test_both_seed_forms_are_listed_and_load():
    # Other descriptions (the 督查 visit sheets) are listed too; the two seed forms must be.
    assert {
        "verification": "2018年脱贫攻坚入户核查表",
        "collection": "农户信息采集表",
    }.items() <= dict(list_forms()).items()
    verification = load_form("verification")
    assert verification.page.orientation == "landscape"
    assert (verification.page.width_mm, verification.page.height_mm) == (297.0, 210.0)
    collection = load_form("collection")
    assert collection.page.orientation == "portrait"
    members = collection.section("members")
    assert members.rows_per_page == 10


@pytest.mark.parametrize(
    ("code", "labels"), [("verification", VERIFICATION_LABELS), ("collection", COLLECTION_LABELS)]
)
def test_every_label_of_the_seed_form_is_described(code, labels):
    described = load_form(code).all_labels()
    assert [label for label in labels if label not in described] == []


def test_choices_come_from_the_code_lists():
    form = load_form("verification")
    assert form.fields["poverty_causes"].choices == codes.POVERTY_CAUSES
    assert form.fields["wubao_dibao"].choices == ("是", "否")
    collection = load_form("collection")
    assert collection.fields["A17"].choices == ("省定标准", "市定标准")
    assert collection.fields["A18"].type == "multi_choice"
    assert collection.fields["A42"].computed.startswith("A42a + A42b")
    assert collection.fields["A53"].computed == "A52 / count(members)"


def test_unknown_key_is_refused_with_its_place():
    raw = _raw("verification")
    raw["sections"][0]["cells"][3]["colour"] = "red"
    with pytest.raises(FormDescriptionError, match=r"sections\[0\]\.cells\[3\].*colour"):
        parse_form(raw, source="verification.json")


def test_overlapping_cells_are_refused():
    raw = _raw("verification")
    cells = raw["sections"][0]["cells"]
    cells.append({"row": 0, "col": 1, "label": "多余"})
    with pytest.raises(FormDescriptionError, match="重叠"):
        parse_form(raw)


def test_cell_outside_the_grid_is_refused():
    raw = _raw("collection")
    raw["sections"][0]["cells"][0]["colspan"] = 40
    with pytest.raises(FormDescriptionError, match="超出网格"):
        parse_form(raw)


def test_grid_wider_than_the_page_is_refused():
    raw = _raw("collection")
    raw["sections"][2]["columns_mm"] = [22, 268]
    with pytest.raises(FormDescriptionError, match="超出页面可用宽度"):
        parse_form(raw)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(type="colour"), "未知类型"),
        (lambda c: c.update(prefill="nowhere"), "未知的预填来源"),
        (lambda c: c.update(computed="labour_count + nosuchfield"), "不存在的字段"),
        (lambda c: c.update(computed="__import__('os')"), "未知函数"),
        (lambda c: c.update(skip={"if": "否", "goto": "Q99"}), "跳转目标"),
    ],
)
def test_bad_input_cells_are_refused(change, message):
    raw = _raw("verification")
    cell = next(c for c in raw["sections"][0]["cells"] if c.get("field") == "labour_count")
    change(cell)
    with pytest.raises(FormDescriptionError, match=message):
        parse_form(copy.deepcopy(raw))


def test_skip_property_is_accepted_and_loaded():
    raw = _raw("verification")
    cell = next(c for c in raw["sections"][0]["cells"] if c.get("field") == "has_business")
    cell["skip"] = {"if": "否", "goto": "has_car"}
    form = parse_form(raw)
    skip = form.fields["has_business"].skip
    assert (skip.if_value, skip.goto) == ("否", "has_car")


def test_expressions_skip_blanks_in_rules_and_count_blanks_as_zero_in_sums():
    assert evaluate("a <= b", {"a": 2, "b": 3}) is True
    with pytest.raises(MissingValue):
        evaluate("a <= b", {"a": 2})
    assert evaluate("a + b + c", {"a": 2, "c": 1.5}, blanks_as_zero=True) == 3.5
    assert evaluate("x == '是' and filled(y)", {"x": "是", "y": "2019"}) is True


def test_cell_rectangles_add_up_to_the_grid():
    form = load_form("verification")
    grid = form.section("main")
    cell = form.fields["measures"]
    x, y, w, h = grid.cell_rect_mm(cell)
    assert (x, round(w, 1)) == (25.0, round(22.9 * 11, 1))
    assert round(y + h, 3) == round(grid.height_mm, 3)
