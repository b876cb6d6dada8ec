"""Inspection rounds (督查, seed 004): groups, rounds, their sample and their findings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, utcnow


class InspectionGroup(Base):
    """一个督查小组: 组长, 成员 as the plan names them, and the counties it covers."""

    __tablename__ = "inspection_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(32), unique=True)  # 第一组
    leader: Mapped[str] = mapped_column(String(64), default="")  # 组长
    members: Mapped[str] = mapped_column(Text, default="")  # 成员, as printed in the plan
    note: Mapped[str] = mapped_column(Text, default="")

    coverage: Mapped[list[InspectionCoverage]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="InspectionCoverage.seq"
    )
    rounds: Mapped[list[InspectionRound]] = relationship(back_populates="group")


class InspectionCoverage(Base):
    """A county or district a group is responsible for (负责), with its 联络员 there."""

    __tablename__ = "inspection_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_group.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer, default=0)
    county_name: Mapped[str] = mapped_column(String(64))
    liaison: Mapped[str] = mapped_column(String(64), default="")  # 联络员

    group: Mapped[InspectionGroup] = relationship(back_populates="coverage")


class InspectionRound(Base):
    """One inspection visit of a group to a county (1–2 days); a 回头看 follows an earlier one."""

    __tablename__ = "inspection_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 督查编号, e.g. 2026-03-07
    group_id: Mapped[int] = mapped_column(ForeignKey("inspection_group.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # 督查, 回头看
    follows_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_round.id", ondelete="SET NULL")
    )
    county_name: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    # The seed the sample was drawn with: the same seed on the same registry gives it again.
    sample_seed: Mapped[int | None] = mapped_column(Integer)
    sample_year: Mapped[int | None] = mapped_column(Integer)  # whose 预脱贫户 were sampled
    notice_date: Mapped[date | None] = mapped_column(Date)  # 整改函 sent on
    notice_number: Mapped[str] = mapped_column(String(64), default="")  # 发文字号
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    group: Mapped[InspectionGroup] = relationship(back_populates="rounds")
    follows: Mapped[InspectionRound | None] = relationship(remote_side=[id])
    units: Mapped[list[InspectionRoundUnit]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="InspectionRoundUnit.seq"
    )
    sample: Mapped[list[InspectionSampleEntry]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="InspectionSampleEntry.seq"
    )
    findings: Mapped[list[InspectionFinding]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="InspectionFinding.id"
    )


class InspectionRoundUnit(Base):
    """A unit visited in a round (被督查单位): a township, a village, a 帮扶单位 …"""

    __tablename__ = "inspection_round_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_round.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)

    round: Mapped[InspectionRound] = relationship(back_populates="units")


class InspectionSampleEntry(Base):
    """One village or household of a round's sample (抽查), proposed or changed with a reason.

    A changed entry is not deleted: it is marked `dropped` with the reason, and the entry that
    replaces it carries the same reason, so the record shows what was drawn and what was done.
    """

    __tablename__ = "inspection_sample_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_round.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer, default=0)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id", ondelete="SET NULL"))
    village_id: Mapped[int | None] = mapped_column(
        ForeignKey("village.id", ondelete="SET NULL"), index=True
    )
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # 贫困村, 面上村, 预脱贫户, 未脱贫户
    proposed: Mapped[bool] = mapped_column(Boolean, default=True)  # drawn, not chosen by hand
    dropped: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was changed
    changed_by: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime | None] = mapped_column(DateTime)

    round: Mapped[InspectionRound] = relationship(back_populates="sample")


class InspectionFinding(Base):
    """A finding of a round: a problem of the 整改台账 under one 督查内容 category."""

    __tablename__ = "inspection_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_round.id", ondelete="CASCADE"), index=True
    )
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), unique=True
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_category.id", ondelete="SET NULL"), index=True
    )

    round: Mapped[InspectionRound] = relationship(back_populates="findings")
