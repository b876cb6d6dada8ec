"""The audit log as a clerk reads it: filtered, in Chinese names, with readable old and new values.

`audit.py` records; this module reads. `AuditViewService.rows(query)` returns the entries that
match a filter (person, period, household, kind of record, action), each labelled in Chinese:
the object (问题, 整改记录, 表格 …), the field (问题描述, 入户核查表·核查时间 …), states (草稿 →
已完成), and JSON values unpacked into “户编号：…；户主：…”. `export_xlsx` writes exactly those
rows, so the export is the view on screen.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from desktop.models.campaign import FORMULA_LABELS, PROVINCE_LABELS
from desktop.models.registry import Household
from desktop.models.safety import ACTION_EXPORT, ACTION_LABELS, ROLE_LABELS, AuditEntry
from desktop.services.comparison.departments import (
    DECISION_LABELS,
    KIND_LABELS,
    MATCH_LABELS,
    STAGE_LABELS,
)
from desktop.services.safety.audit import FIELD_LABELS, TABLE_LABELS, add_head_sheet
from desktop.services.safety.auth import EXPORT_AUDIT, require
from desktop.services.safety.privacy import mask_stored
from desktop.services.workbooks.sanitise import safe_row

if TYPE_CHECKING:
    from desktop.services.safety.audit import AuditService
    from desktop.services.unit_of_work import Database

# Objects the recording module does not name (it knows the registry's and the forms').
MORE_TABLE_LABELS = {
    "problem": "问题",
    "problem_event": "整改记录",
    "problem_extension": "延期",
    "problem_attachment": "佐证材料",
    "unit": "责任单位",
    "person": "责任人",
    "township_unit_role": "责任单位对照",
    "database": "数据库",  # backups and restores
    "database_setting": "数据库设置",
    "catalogue_area": "问题目录分类",
    "catalogue_item": "问题目录条目",
    "indicator_department": "指标责任部门",
    "household_indicator": "户指标",
    "inspection_round": "督查轮次",
    "inspection_group": "督查组",
    "inspection_finding": "督查发现问题",
    "inspection_sample_entry": "督查抽样",
    "inspection_coverage": "督查覆盖",
    "inspection_round_unit": "督查单位",
    "inspection_category": "督查类别",
    # 部门比对 (cross-department comparison)
    "former_member": "已迁出成员",
    "department_mapping": "部门名单列对应",
    "department_list": "部门名单",
    "department_row": "部门名单行",
    "comparison_hit": "比对疑点",
    "comparison_case": "清退/新增核实",
    "comparison_case_step": "核实步骤",
    "comparison_evidence": "核实佐证材料",
    # 调查问卷 (seed 003): teams, assignments, double entry
    "reviewer": "排查人员",
    "review_team": "排查组",
    "review_pair": "排查小组",
    "review_assignment": "入户分配",
    "verify_entry": "二次录入",
}
MORE_FIELD_LABELS = {
    # 调查问卷 (seed 003)
    "unit": "单位",
    "is_county_cadre": "县直干部",
    "home_village_id": "所在村",
    "team_id": "排查组",
    "first_id": "成员一",
    "second_id": "成员二",
    "pair_id": "排查小组",
    "visit_date": "入户日期",
    "submitted_by": "提交人",
    "submitted_at": "提交时间",
    "reviewed_by": "审核人",
    "reviewed_at": "审核时间",
    "return_reason": "退回原因",
    "created_at": "创建时间",
    "first_clerk": "第一次录入员",
    "first_answers": "第一次录入的答案",
    "clerk": "二次录入员",
    "entered_at": "录入时间",
    "resolved": "核对结果",
    "resolved_by": "核对人",
    "resolved_at": "核对时间",
    "key": "设置项",
    "value": "设置值",
    "number": "问题编号",
    "found_date": "发现日期",
    "source": "问题来源",
    "item_id": "问题类别",
    "scope": "问题范围",
    "household_id": "户",
    "scope_unit_id": "所涉单位",
    "description": "问题描述",
    "cause": "原因分析",
    "measures": "整改措施",
    "unit_id": "责任单位",
    "person_id": "责任人",
    "kind": "整改类型",
    "deadline": "整改时限",
    "original_deadline": "原定时限",
    "status": "整改状态",
    "verified_by": "验收人",
    "verified_on": "验收日期",
    "verification_opinion": "验收意见",
    "closed_on": "销号日期",
    "indicator": "指标",
    "created_by": "登记人",
    "problem_id": "问题",
    "who": "办理人",
    "action": "办理事项",
    "detail": "详情",
    "at": "时间",
    "reason": "理由",
    "new_deadline": "新时限",
    "file_name": "文件名",
    "path": "文件",
    "form_code": "表格",
    "campaign_id": "回头看批次",
    "full_name": "姓名",
    "real_name": "姓名",
    "full_ids": "完整身份证号",
    # 督查 (inspections) and standards
    "notice_number": "督查函编号",
    "notice_date": "督查函日期",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "leader": "组长",
    "liaison": "联络员",
    "members": "成员",
    "round_id": "督查轮次",
    "group_id": "督查组",
    "category_id": "督查类别",
    "follows_round_id": "所跟进的轮次",
    "sample_seed": "抽样种子",
    "sample_year": "抽样年度",
    "dropped": "剔除",
    "proposed": "拟定",
    "coverage": "覆盖情况",
    "standard_year": "标准年度",
    "standard_revision": "标准版本",
    "province_profile": "省份标准",
    "income_threshold": "收入标准",
    "income_formula": "收入计算方式",
    "thresholds": "标准线",
    "is_current": "当前批次",
    "values": "指标值",
    "changed_at": "修改时间",
    "changed_by": "修改人",
    "county_id": "县",
    "county_name": "县名",
    "township_id": "乡镇",
    "campaign": "回头看批次",
    # 部门比对
    "stage": "办理环节",
    "level": "层级",
    "decision": "决定",
    "decided_on": "决定日期",
    "finding": "核实情况",
    "approved_on": "核定日期",
    "approved_by": "核定人",
    "signed_by": "签字人",
    "on_paper": "纸质审批",
    "match_kind": "比对方式",
    "matched_at": "比对时间",
    "compared_at": "比对时间",
    "department": "部门",
    "received_on": "收到日期",
    "imported_at": "导入时间",
    "imported_by": "导入人",
    "list_id": "部门名单",
    "case_id": "核实事项",
    "member_id": "家庭成员",
    "former_member_id": "已迁出成员",
    "member_name": "姓名",
    "member_id_number": "证件号码",
    "id_number": "证件号码",
    "left_on": "迁出日期",
    "household_code": "户编号",
    "replaced": "已被替换",
    "row_count": "行数",
    "persons": "申报人员",
    "hits": "疑点",
    "steps": "核实步骤",
    "evidence": "佐证材料",
    "detail_headers": "明细列名",
    "mapping": "列对应",
    "sheet_name": "工作表",
    "original_name": "原文件名",
    "row_number": "行号",
    "row_id": "名单行",
    "id_key": "证件号码",
    "recorded_by": "记录人",
    "added_by": "登记人",
    "added_at": "登记时间",
    # registry columns added this round
    "planned_exit_year": "计划脱贫年度",
    "removal_reason": "清退原因",
    "removed_on": "清退日期",
    "aid_unit": "帮扶单位",
    "indicators": "村指标",
    "is_poor_village": "贫困村",
    "member_count": "人数",
    "flags": "提示",
    "is_soldier": "现役军人",
    "pension_status": "养老保险状况",
    "ins_employee_pension": "城镇职工养老保险",
    "ins_resident_medical": "城乡居民医疗保险",
    "ins_resident_pension": "城乡居民养老保险",
    "ins_serious_illness": "大病保险",
    "extra": "其他信息",
    "province": "省",
    "city": "市",
    "position": "职务",
    "computed": "计算结果",
    "standard": "所依标准",
    "campaign_standard": "活动标准改动",  # a kept form under a changed standard (forms)
    "old_deadline": "原时限",
    "heading": "分类名称",
    "title": "名称",
    "responsible_units": "责任单位",
    "departments": "责任部门",
    "content": "督查内容",
    "method": "督查形式",
    "last_sign_in": "上次登录",
    "size": "大小",
    "sha256": "校验值",
}
# Codes stored in English, shown in Chinese wherever they appear as a value.
VALUE_LABELS = {
    "draft": "草稿",
    "complete": "已完成",
    "signed": "已签字",
    **ROLE_LABELS,
    **STAGE_LABELS,
    **KIND_LABELS,
    **DECISION_LABELS,
    **MATCH_LABELS,
    **FORMULA_LABELS,
    **PROVINCE_LABELS,
    "True": "是",
    "False": "否",
    "true": "是",
    "false": "否",
}

# What the filter's 对象 box offers: label → the tables it covers.
KIND_TABLES = {
    "户": ("household",),
    "家庭成员": ("member",),
    "表格": ("form_record",),
    "问题": ("problem", "problem_event", "problem_extension", "problem_attachment"),
    "村、组": ("village", "village_group", "township", "county"),
    "用户": ("app_user",),
    "责任单位、责任人": ("unit", "person", "township_unit_role"),
    "导出、备份、恢复": ("audit_entry",),
}

# The actions the viewer's 操作 box offers: code → Chinese name.
ACTION_CHOICES = dict(ACTION_LABELS)

VIEW_HEADERS = ("时间", "操作人", "来源", "操作", "对象", "记录", "字段", "原值", "新值", "说明")


def table_label(table: str) -> str:
    """The Chinese name of a kind of record."""
    return TABLE_LABELS.get(table) or MORE_TABLE_LABELS.get(table) or table


@lru_cache(maxsize=1)
def _form_labels() -> tuple[dict[str, str], dict[str, str]]:
    """(form code → title, field code → 表名·栏目) over every form description."""
    from desktop.services.forms.catalog import list_forms, load_form

    titles, fields = {}, {}
    for code, title in list_forms():
        titles[code] = title
        form = load_form(code)
        short = title.replace("“回头看”", "")
        for field, cell in form.fields.items():
            fields.setdefault(field, f"{short}·{cell.label or field}")
        for row in form.signatures:
            for item in row:
                if item.field:
                    fields.setdefault(item.field, f"{short}·{item.label}")
        for header in form.header:
            fields.setdefault(header.code, f"{short}·{header.label}")
        for section in form.repeat_sections:
            fields.setdefault(section.id, f"{short}·{section.title or '成员表'}")
    return titles, fields


def field_label(field: str) -> str:
    """A field in Chinese: 问题描述; a form's answer as 表名·栏目 (answers.checked_on)."""
    if not field:
        return ""
    head, dot, rest = field.partition(".")
    if head == "answers" and rest:
        return _form_labels()[1].get(rest, f"表格栏目 {rest}")
    label = FIELD_LABELS.get(head) or MORE_FIELD_LABELS.get(head) or head
    return label + (dot + rest if rest else "")


def plain_value(value) -> str:
    """A stored value as a clerk reads it: lists joined, dicts labelled, codes in Chinese."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(plain_value(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{field_label(str(k))}：{plain_value(v)}" for k, v in value.items())
    text = str(value)
    return VALUE_LABELS.get(text, text)


def readable_value(text: str | None) -> str:
    """A stored old or new value as a clerk reads it: JSON unpacked, codes in Chinese."""
    if text is None:
        return ""
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:
            return plain_value(json.loads(stripped))
        except ValueError:
            pass
    if "→" in stripped:  # a state change written as "draft→complete"
        return " → ".join(readable_value(part.strip()) for part in stripped.split("→"))
    return VALUE_LABELS.get(stripped, text)


def record_text(table: str, label: str) -> str:
    """A record's label with form codes as their titles: 入户核查表（户ID 12）."""
    if table == "form_record":
        for code, title in _form_labels()[0].items():
            if label.startswith(code):
                return title + label[len(code) :]
    return label


@dataclass(frozen=True)
class AuditQuery:
    """What the log viewer filters by; None or "" means any."""

    start: date | None = None
    end: date | None = None
    user_name: str = ""
    household_code: str = ""
    kind: str = ""  # a key of KIND_TABLES
    action: str = ""  # an action code of ACTION_LABELS
    limit: int | None = 20000

    def describe(self) -> str:
        """The filter in words, for the export's title and an empty result."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or '最早'} 至 {self.end or '最新'}")
        if self.user_name:
            parts.append(f"操作人 {self.user_name}")
        if self.household_code:
            parts.append(f"户编号 {self.household_code}")
        if self.kind:
            parts.append(f"对象 {self.kind}")
        if self.action:
            parts.append(f"操作 {ACTION_LABELS.get(self.action, self.action)}")
        return "，".join(parts) or "全部"


@dataclass(frozen=True)
class AuditViewRow:
    """One entry as the viewer shows it, every text in Chinese."""

    id: int
    at: datetime
    user_name: str
    source: str
    action: str
    table: str
    record: str
    field: str
    old: str
    new: str
    note: str

    def cells(self) -> tuple[str, ...]:
        """The row's texts in VIEW_HEADERS order."""
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S}",
            self.user_name,
            self.source,
            self.action,
            self.table,
            self.record,
            self.field,
            self.old,
            self.new,
            self.note,
        )


def view_row(e: AuditEntry) -> AuditViewRow:
    """Label one stored entry."""
    from desktop.models.safety import SOURCE_CLI

    return AuditViewRow(
        id=e.id,
        at=e.at,
        user_name=e.user_name,
        source="命令行" if e.source == SOURCE_CLI else "程序",
        action=ACTION_LABELS.get(e.action, e.action),
        table=table_label(e.table_name),
        record=record_text(e.table_name, mask_stored(e.record_label) or ""),
        field=field_label(e.field),
        # Entries written before nested values were masked are masked as they are read.
        old=readable_value(mask_stored(e.old_value)),
        new=readable_value(mask_stored(e.new_value)),
        note=readable_value(mask_stored(e.note)) if e.note else "",
    )


class AuditViewService:
    """Reads the log for the viewer and exports what it shows (administrators only)."""

    def __init__(self, db: Database, audit: AuditService) -> None:
        self.db = db
        self.audit = audit

    def user_names(self) -> list[str]:
        """Everyone who appears in the log, for the 操作人 box."""
        with self.db.session() as s:
            names = s.scalars(select(AuditEntry.user_name).distinct()).all()
        return sorted(n for n in names if n)

    def rows(self, query: AuditQuery) -> list[AuditViewRow]:
        """The entries that match, newest first, labelled in Chinese."""
        stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if query.start is not None:
            stmt = stmt.where(AuditEntry.at >= datetime.combine(query.start, time.min))
        if query.end is not None:
            stmt = stmt.where(AuditEntry.at <= datetime.combine(query.end, time.max))
        if query.user_name:
            stmt = stmt.where(AuditEntry.user_name == query.user_name)
        if query.kind:
            stmt = stmt.where(AuditEntry.table_name.in_(KIND_TABLES.get(query.kind, (query.kind,))))
        if query.action:
            stmt = stmt.where(AuditEntry.action == query.action)
        with self.db.session() as s:
            if query.household_code.strip():
                code = query.household_code.strip()
                ids = s.scalars(select(Household.id).where(Household.code.like(f"%{code}"))).all()
                stmt = stmt.where(
                    or_(
                        AuditEntry.household_id.in_(ids),
                        AuditEntry.record_label.like(f"%{code}%"),
                    )
                )
            if query.limit:
                stmt = stmt.limit(query.limit)
            return [view_row(e) for e in s.scalars(stmt)]

    def export_xlsx(self, path: Path, query: AuditQuery, rows: Iterable[AuditViewRow], user) -> int:
        """Write the rows shown to an .xlsx (with an auto-filter); the export itself is logged."""
        from openpyxl import Workbook

        require(user, EXPORT_AUDIT)
        rows = list(rows)
        book = Workbook()
        sheet = book.active
        sheet.title = "操作日志"
        sheet.append([f"操作日志（{query.describe()}），共 {len(rows)} 条"])
        sheet.append(list(VIEW_HEADERS))
        for row in rows:
            cells = list(row.cells())
            cells[0] = row.at  # a real date-time cell, sortable in Excel
            sheet.append(safe_row(sheet, cells))  # a typed "=…" stays text, never a formula
        for cell in sheet["A"][2:]:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        for column, width in zip(
            "ABCDEFGHIJ", (20, 10, 8, 12, 10, 24, 22, 36, 36, 36), strict=True
        ):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A3"
        sheet.auto_filter.ref = f"A2:J{len(rows) + 2}"
        add_head_sheet(book, self.audit.head())
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        book.save(tmp)
        tmp.replace(path)
        self.audit.log(
            ACTION_EXPORT,
            "audit_entry",
            new_value=str(len(rows)),
            note=f"导出操作日志（{query.describe()}）到 {path}",
        )
        return len(rows)
