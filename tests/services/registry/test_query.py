"""Searching, filtering and sorting household rows in memory."""

from desktop.services.registry.data import HouseholdRow
from desktop.services.registry.query import (
    NOT_EXITED,
    HouseholdFilter,
    filter_rows,
    sort_rows,
)
from desktop.services.registry.rules import FLAG_MISSING_PHONE, MemberFacts, search_text


def _row(id_, code, head, members, village=1, kind="一般贫困户", exit_year=2016, flags=0):
    facts = [MemberFacts(n, i, "", "") for n, i in members]
    return HouseholdRow(
        id=id_, code=code, village_id=village, village_name=f"{village}村", group_name="1组",
        head_name=head, member_count=len(members), kind=kind, is_registered=True,
        exit_year=exit_year, income_per_capita=5000.0 + id_, phone="", flags=flags,
        form_state="", search_text=search_text(code, facts),
    )  # fmt: skip


ROWS = [
    _row(1, "H001", "张三", [("张三", "441521197003010113"), ("李梅", "441521197205010222")]),
    _row(2, "H002", "王五", [("王五", "430922198001011234")], village=2, exit_year=None),
    _row(3, "H003", "赵六", [("赵六", "")], kind="边缘户", flags=FLAG_MISSING_PHONE),
]


def test_search_by_name_initials_id_fragment_and_code():
    def find(text):
        return [r.id for r in filter_rows(ROWS, HouseholdFilter(text=text))]

    assert find("张三") == [1]
    assert find("zs") == [1]
    assert find("lm") == [1]  # a member's initials find the household
    assert find("0922198") == [2]
    assert find("h003") == [3]
    assert find("ＺＳ") == [1]  # full-width input
    assert find("zs 0222") == [1]  # every word must match


def test_filters_combine():
    assert [r.id for r in filter_rows(ROWS, HouseholdFilter(village_id=2))] == [2]
    assert [r.id for r in filter_rows(ROWS, HouseholdFilter(kind="边缘户"))] == [3]
    assert [r.id for r in filter_rows(ROWS, HouseholdFilter(exit_year=NOT_EXITED))] == [2]
    assert [r.id for r in filter_rows(ROWS, HouseholdFilter(flags=FLAG_MISSING_PHONE))] == [3]
    assert [r.id for r in filter_rows(ROWS, HouseholdFilter(household_ids={1, 3}))] == [1, 3]


def test_sort_by_head_follows_pinyin_and_descending_reverses():
    assert [r.head_name for r in sort_rows(ROWS, "head")] == ["王五", "张三", "赵六"]
    assert [r.id for r in sort_rows(ROWS, "income", descending=True)] == [3, 2, 1]
