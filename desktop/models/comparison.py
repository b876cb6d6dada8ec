"""Cross-department comparison (seed 000): department lists, hits, cases and their decisions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, StoredFileMixin, utcnow

# How a hit matched (stored codes; the Chinese labels live in services/comparison).
MATCH_ID = "id"
MATCH_ID15 = "id15"  # an old 15-digit ID on one side, the 18-digit one on the other
MATCH_NAME_BIRTH = "name_birth"

HIT_OPEN = "open"  # not yet sent to a case
HIT_IN_CASE = "in_case"
HIT_SUPERSEDED = "superseded"  # a newer list of the same department replaced it

CASE_REMOVAL = "removal"  # 清退
CASE_ADDITION = "addition"  # 新增

# A case waits at one level at a time; a decision moves it up, ends it, or sends it back.
LEVEL_VERIFY = "verify"  # 工作队 核实
LEVEL_REVIEW = "review"  # 镇（街道） 审核
LEVEL_APPROVE = "approve"  # 县 核定
STAGE_APPROVED = "approved"
STAGE_REJECTED = "rejected"

DECISION_AGREE = "agree"
DECISION_DISAGREE = "disagree"
DECISION_SEND_BACK = "send_back"


class FormerMember(Base):
    """A person who left a household since registration, kept so that comparison finds them."""

    __tablename__ = "former_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="SET NULL"), index=True
    )
    household_code: Mapped[str] = mapped_column(String(32), default="")  # 户编号 when they left
    name: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(4), default="")
    id_number: Mapped[str] = mapped_column(String(24), default="", index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(16), default="")
    left_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64), default="")


class DepartmentMapping(Base):
    """The column mapping a department's lists were last imported with, remembered for the next."""

    __tablename__ = "department_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(64), unique=True)
    # role ("id_number", "name", "birth_date") → header text of the department's file
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class DepartmentList(Base):
    """One list a department sent: a dated batch, who imported it, and its rows."""

    __tablename__ = "department_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(64), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    imported_by: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    sheet_name: Mapped[str] = mapped_column(String(64), default="")
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    # The headers of the columns kept as each row's detail, in the order of DepartmentRow.detail.
    detail_headers: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    matched_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A newer list of the same department replaced this one (its open hits were closed).
    replaced: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every row of the list, column by column, compressed (services/comparison/columns.py):
    # a million rows as a million table rows cost seconds to write; the rows that name
    # someone are also written out as DepartmentRow. Deferred: listing lists never loads it.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    note: Mapped[str] = mapped_column(Text, default="")


class DepartmentRow(Base):
    """A row of a department list that named someone: the keys, the rest as its detail."""

    __tablename__ = "department_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("department_list.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)  # the row number the file shows
    id_number: Mapped[str] = mapped_column(String(24), default="")  # as the department wrote it
    # The 18-digit form (a 15-digit ID converted), what matching compares; "" without an ID.
    id_key: Mapped[str] = mapped_column(String(18), default="", index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    # The other cells joined by U+001F, in DepartmentList.detail_headers order: one string per
    # row, because a million JSON documents cost seconds to write and to read.
    detail: Mapped[str] = mapped_column(Text, default="")


class Hit(Base):
    """A 疑点: a department row that names a member (or former member) of a household."""

    __tablename__ = "comparison_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("department_list.id", ondelete="CASCADE"), index=True
    )
    row_id: Mapped[int] = mapped_column(
        ForeignKey("department_row.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    former_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("former_member.id", ondelete="SET NULL"), index=True
    )
    # Who was matched, as they stood when matched (a member may later leave or be renamed).
    member_name: Mapped[str] = mapped_column(String(64), default="")
    member_id_number: Mapped[str] = mapped_column(String(24), default="")
    match_kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=HIT_OPEN, index=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("comparison_case.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    case: Mapped[Case | None] = relationship(back_populates="hits")


class Case(Base):
    """A proposed 清退 or 新增, decided 工作队 → 镇 → 县; the registry changes only at 县 核定."""

    __tablename__ = "comparison_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. 清退-2018-001
    kind: Mapped[str] = mapped_column(String(16), index=True)  # removal, addition
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="SET NULL"), index=True
    )
    # A removal of one person only; None: the whole household.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")  # 原因 / 认定依据
    poverty_kind: Mapped[str] = mapped_column(String(16), default="")  # an addition's 贫困户属性
    stage: Mapped[str] = mapped_column(String(16), default=LEVEL_VERIFY, index=True)
    compared_at: Mapped[datetime | None] = mapped_column(DateTime)  # an addition's comparison run
    approved_on: Mapped[date | None] = mapped_column(Date, index=True)  # 核定日期
    approved_by: Mapped[str] = mapped_column(String(64), default="")  # 核定人
    # The people the decision concerns, as they stood at 核定 (the rosters print these).
    persons: Mapped[list] = mapped_column(JSON, default=list)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    steps: Mapped[list[CaseStep]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseStep.id"
    )
    hits: Mapped[list[Hit]] = relationship(back_populates="case", order_by="Hit.id")
    evidence: Mapped[list[CaseEvidence]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvidence.id"
    )


class CaseStep(Base):
    """One decision at one level: who, when, what and why (and, on paper, who signed)."""

    __tablename__ = "comparison_case_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("comparison_case.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[date] = mapped_column(Date)
    who: Mapped[str] = mapped_column(String(64))  # the signed-in user who recorded it
    reason: Mapped[str] = mapped_column(Text, default="")
    finding: Mapped[str] = mapped_column(Text, default="")  # 工作队's 核实情况
    on_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_by: Mapped[str] = mapped_column(String(64), default="")  # who signed the 审批表
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="steps")


class CaseEvidence(StoredFileMixin, Base):
    """A file the work team brought back (photo, certificate), copied into the data folder."""

    __tablename__ = "comparison_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("comparison_case.id", ondelete="CASCADE"), index=True
    )

    case: Mapped[Case] = relationship(back_populates="evidence")
