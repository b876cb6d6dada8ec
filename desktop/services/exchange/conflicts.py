"""A record both PCs changed since their last exchange, as a person sees it: field by field,
this PC's value beside the other's, until someone keeps one of them.

The window's conflict type (services/conflicts.FieldDifference) compares three states of a
record a clerk opened; here there are two (the last agreed state is kept only as a digest),
so a difference is (field, ours, theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.exchange import CONFLICT_LABELS, ExchangeConflict
from desktop.services.exchange import rows
from desktop.services.exchange.records import model
from desktop.services.safety.audit import FIELD_LABELS, MASKED_COLUMNS, value_text

DELETED = "（已删除）"
FIELD_NAMES = {  # what FIELD_LABELS (the audit log's) does not name
    **FIELD_LABELS,
    "township_id": "所属乡镇", "county_id": "所属县", "household_id": "所属户",
    "campaign_id": "回头看批次", "form_code": "表格", "computed": "计算结果",
    "standard": "标准", "number": "问题编号", "description": "问题描述", "measures": "整改措施",
    "status": "状态", "deadline": "整改时限", "unit_id": "责任单位", "person_id": "责任人",
    "kind": "整改类型", "found_date": "发现日期", "removed_on": "清退日期",
    "removal_reason": "清退原因", "indicators": "村级指标", "extra": "其他答案",
}  # fmt: skip


@dataclass(frozen=True)
class FieldConflict:
    """One field on which the two PCs' copies differ."""

    field: str
    label: str  # 联系电话, 所属村 …
    ours: str  # this PC's value as text (ID numbers masked)
    theirs: str


@dataclass(frozen=True)
class ConflictView:
    """One conflict with its differences, for a list or a dialog."""

    id: int
    table_name: str
    what: str  # 户 4309… 张三
    status: str  # 待处理, 保留本机, 采用对方
    created_at: datetime
    resolved_by: str
    differences: tuple[FieldConflict, ...]


def _text(s: Session, name: str, column: str, value) -> str:
    parent = rows.foreign_keys(name).get(column)
    if parent is not None and parent in rows.TABLE_LABELS and value is not None:
        cls = model(parent)
        obj = s.scalar(select(cls).where(cls.uid == value))
        if obj is not None:
            keys = ("code", "head_name", "number", "name", "form_code")
            return rows.label(parent, {k: getattr(obj, k, None) for k in keys})
        return "（本机没有）"
    mask = MASKED_COLUMNS.get(column)
    if mask is not None and value:
        return mask(value)
    return value_text(value) or ""


def differences(s: Session, conflict: ExchangeConflict) -> tuple[FieldConflict, ...]:
    """The fields on which the two copies differ (one line when one side deleted it)."""
    name, ours, theirs = conflict.table_name, conflict.ours, conflict.theirs
    if ours is None or theirs is None:
        return (
            FieldConflict(
                "", "整条记录", DELETED if ours is None else "（本机仍有）",
                DELETED if theirs is None else "（对方仍有）",
            ),
        )  # fmt: skip
    return tuple(
        FieldConflict(
            column,
            FIELD_NAMES.get(column, column),
            _text(s, name, column, ours.get(column)),
            _text(s, name, column, theirs.get(column)),
        )
        for column in rows.compared_columns(name)
        if ours.get(column) != theirs.get(column)
    )


def view(s: Session, conflict: ExchangeConflict) -> ConflictView:
    """A conflict as the list and the dialog show it."""
    return ConflictView(
        id=conflict.id,
        table_name=conflict.table_name,
        what=conflict.label,
        status=CONFLICT_LABELS.get(conflict.status, conflict.status),
        created_at=conflict.created_at,
        resolved_by=conflict.resolved_by,
        differences=differences(s, conflict),
    )
