"""Grouping a roster's member rows into households by 户编号, with the household-level checks.

A household's columns are repeated on every member row; they must agree, the household needs
exactly one head, and its place (县, 乡镇, 村) must be known.
"""

from __future__ import annotations

from typing import NamedTuple

from desktop.errors import FieldIssue
from desktop.services.registry import codes
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.roster.normalise import shown
from desktop.services.roster.template import COLUMNS, HOUSEHOLD
from desktop.services.workbooks.cells import visible

# Household columns: repeated on every member row, they must agree within a household.
HOUSEHOLD_HEADERS = tuple(c.header for c in COLUMNS if c.level == HOUSEHOLD)


class MemberRow(NamedTuple):  # a tuple: one per member row
    excel_row: int
    household_code: str
    household: dict  # household header → normalised value; shared by identical rows
    member: MemberData


def _agreed_values(group: list[MemberRow], headers, code, issue, errors) -> tuple[dict, dict]:
    """Return each household column's value (first non-blank) and its row; report conflicts."""
    first = group[0]
    if all(r.household is first.household for r in group):
        # Identical rows share one dict (the common case): they agree by construction.
        agreed = {h: v for h, v in first.household.items() if v not in ("", None)}
        return agreed, dict.fromkeys(agreed, first.excel_row)
    agreed: dict = {}
    agreed_row: dict[str, int] = {}
    for header in headers:
        for r in group:
            value = r.household.get(header)
            if value in ("", None):
                continue
            if header not in agreed:
                agreed[header] = value
                agreed_row[header] = r.excel_row
            elif value != agreed[header]:
                errors.append(
                    issue(
                        r.excel_row,
                        header,
                        value,
                        f"同一户的{header}不一致：第{agreed_row[header]}行为"
                        f"“{shown(header, agreed[header])}”",
                        code,
                    )
                )
    return agreed, agreed_row


def group_households(rows, mapping, errors, warnings, default_place):
    by_code: dict[str, list[MemberRow]] = {}
    for r in rows:
        if r.household_code:
            by_code.setdefault(r.household_code, []).append(r)
    household_headers = [h for h in HOUSEHOLD_HEADERS if h in mapping.columns]
    households: list[HouseholdData] = []
    bad: set[str] = set()

    def issue(row, header, value, reason, code):
        return FieldIssue.in_sheet(
            row, mapping.columns.get(header, -1), header, shown(header, value), reason, code
        )

    for code, group in by_code.items():
        first = group[0]
        agreed, agreed_row = _agreed_values(group, household_headers, code, issue, errors)
        heads = [r for r in group if r.member.relation == codes.HEAD_RELATION]
        if len(heads) != 1:
            errors.append(
                issue(
                    first.excel_row,
                    "与户主关系",
                    "",
                    f"户编号 {visible(code)} 应有且只有一名户主，现有 {len(heads)} 名",
                    code,
                )
            )
        head_name = agreed.get("户主姓名", "")
        if len(heads) == 1 and head_name and head_name != heads[0].member.name:
            errors.append(
                issue(
                    agreed_row["户主姓名"],
                    "户主姓名",
                    head_name,
                    f"户主姓名与关系为户主的成员“{visible(heads[0].member.name)}”（第{heads[0].excel_row}行）不一致",
                    code,
                )
            )
        county = agreed.get("县", "")
        township = agreed.get("乡镇", "")
        if not county or not township:
            if default_place is not None:
                county = county or default_place[0]
                township = township or default_place[1]
            else:
                missing = "县" if not county else "乡镇"
                errors.append(
                    issue(
                        first.excel_row,
                        missing,
                        "",
                        f"{missing}为空；数据库中没有唯一的乡镇可以默认，请填写",
                        code,
                    )
                )
        village = agreed.get("村", "")
        if not village:
            errors.append(issue(first.excel_row, "村", "", "村为空", code))
        kind = agreed.get("贫困户属性", "")
        poverty_kind = kind if kind in codes.POVERTY_KINDS else ""
        special_kind = kind if kind in codes.SPECIAL_KINDS else ""
        registered_text = agreed.get("是否建档立卡", "")
        is_registered = registered_text == "是" if registered_text else bool(poverty_kind)
        if registered_text == "否" and poverty_kind:
            warnings.append(
                issue(
                    agreed_row["是否建档立卡"],
                    "是否建档立卡",
                    registered_text,
                    f"贫困户属性为“{poverty_kind}”，但是否建档立卡为“否”",
                    code,
                )
            )
        if registered_text == "是" and special_kind:
            warnings.append(
                issue(
                    agreed_row["是否建档立卡"],
                    "是否建档立卡",
                    registered_text,
                    f"“{special_kind}”一般不是建档立卡户，请核对",
                    code,
                )
            )
        exit_year = agreed.get("脱贫年度")
        if exit_year is not None and not is_registered:
            warnings.append(
                issue(
                    agreed_row["脱贫年度"],
                    "脱贫年度",
                    exit_year,
                    "非建档立卡户不应有脱贫年度",
                    code,
                )
            )
        households.append(
            HouseholdData(
                code=code,
                group_name=agreed.get("组", ""),
                poverty_kind=poverty_kind,
                special_kind=special_kind,
                is_registered=is_registered,
                exit_year=exit_year,
                income_per_capita=agreed.get("人均纯收入"),
                phone=agreed.get("联系电话", ""),
                members=[r.member for r in group],
                village_name=village,
                township_name=township,
                county_name=county,
            )
        )
    return households, bad
