"""Table models of the comparison page: the department lists, the 疑点 and the cases."""

from __future__ import annotations

from desktop.services.comparison.departments import STAGE_LABELS
from desktop.views.list_table_model import RowsTableModel

_HIT_STATUS = {"open": "未处理", "in_case": "核实中", "superseded": "已被新名单取代"}


class DepartmentListTableModel(RowsTableModel):
    """The department lists imported: who sent them, when, how many rows and hits."""

    COL_DEPARTMENT, COL_RECEIVED, COL_FILE, COL_ROWS, COL_HITS, COL_BY, COL_STATE = range(7)
    columns = (
        ("部门", lambda r: r.department),
        ("收到日期", lambda r: f"{r.received_on:%Y-%m-%d}"),
        ("文件", lambda r: r.file_name),
        ("行数", lambda r: str(r.rows)),
        ("疑点", lambda r: str(r.hits)),
        ("导入人", lambda r: r.imported_by),
        ("状态", lambda r: "已被新名单取代" if r.replaced else "在用"),
    )


class HitTableModel(RowsTableModel):
    """The 疑点: member, household, department, what it says, how it matched."""

    COL_CODE, COL_VILLAGE, COL_HEAD, COL_MEMBER, COL_ID = range(5)
    COL_DEPARTMENT, COL_HOW, COL_STATUS, COL_DETAIL = range(5, 9)
    columns = (
        ("户编号", lambda r: r.household_code),
        ("村", lambda r: r.village),
        ("户主", lambda r: r.head_name),
        ("比中人员", lambda r: r.member_name + ("（已离户）" if r.left_household else "")),
        ("证件号码", lambda r: r.id_number),
        ("部门", lambda r: r.department),
        ("比对方式", lambda r: r.match_label),
        ("状态", lambda r: _HIT_STATUS.get(r.status, "")),
        ("部门信息", lambda r: r.detail_text),
    )


def _approved(row) -> str:
    return f"{row.approved_on:%Y-%m-%d} {row.approved_by}" if row.approved_on is not None else ""


class CaseTableModel(RowsTableModel):
    """The 清退 and 新增 cases and where each stands."""

    COL_NUMBER, COL_KIND, COL_CODE, COL_VILLAGE, COL_HEAD, COL_SUBJECT = range(6)
    COL_REASON, COL_STAGE, COL_APPROVED = range(6, 9)
    columns = (
        ("编号", lambda r: r.number),
        ("类别", lambda r: r.kind_label),
        ("户编号", lambda r: r.household_code),
        ("村", lambda r: r.village),
        ("户主", lambda r: r.head_name),
        ("对象", lambda r: r.subject),
        ("原因/认定依据", lambda r: r.reason),
        ("进度", lambda r: STAGE_LABELS.get(r.stage, r.stage)),
        ("核定", _approved),
    )
