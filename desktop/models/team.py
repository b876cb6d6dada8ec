"""Review teams (seed 003): 排查组 per village, 排查小组 of two, households assigned by day.

Cross review (镇内村际交叉排查): a reviewer from a village never reviews a household of that
village. A 县直干部 has no home village and may serve in any village's team.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, utcnow

# The review states (assigned, submitted, passed, returned) are named in
# desktop/services/questionnaires/team_data.py, where printing and views can read them.
REVIEW_ASSIGNED = "assigned"  # 已分配: a new assignment's state


class Reviewer(Base):
    """One person who reviews households: a township or village cadre, or a 县直干部."""

    __tablename__ = "reviewer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(64), default="")  # 复核人员单位
    phone: Mapped[str] = mapped_column(String(32), default="")
    is_county_cadre: Mapped[bool] = mapped_column(Boolean, default=False)  # 县直干部
    # The village the person comes from; None for a county cadre (serves across villages).
    home_village_id: Mapped[int | None] = mapped_column(
        ForeignKey("village.id", ondelete="SET NULL"), index=True
    )


class ReviewTeam(Base):
    """一个村的排查组: the team that reviews the households of one village."""

    __tablename__ = "review_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(
        ForeignKey("village.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(64))  # 花园村排查组
    leader: Mapped[str] = mapped_column(String(64), default="")  # 组长
    note: Mapped[str] = mapped_column(Text, default="")

    pairs: Mapped[list[ReviewPair]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="ReviewPair.seq"
    )


class ReviewPair(Base):
    """一个排查小组: exactly two reviewers (两人), who visit about ten households a day."""

    __tablename__ = "review_pair"
    __table_args__ = (
        CheckConstraint("first_id != second_id", name="two_people"),
        UniqueConstraint("team_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("review_team.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer, default=1)  # 第1小组
    first_id: Mapped[int] = mapped_column(ForeignKey("reviewer.id"))
    second_id: Mapped[int] = mapped_column(ForeignKey("reviewer.id"))

    team: Mapped[ReviewTeam] = relationship(back_populates="pairs")
    first: Mapped[Reviewer] = relationship(foreign_keys=[first_id])
    second: Mapped[Reviewer] = relationship(foreign_keys=[second_id])
    assignments: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="pair", order_by="ReviewAssignment.visit_date"
    )


class ReviewAssignment(Base):
    """One household given to a pair for a day, and its questionnaire's review (谁调查、谁签字)."""

    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("household_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(
        ForeignKey("review_pair.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    form_code: Mapped[str] = mapped_column(String(32))  # hunan_registered / hunan_unregistered
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(16), default=REVIEW_ASSIGNED)
    signed_by: Mapped[str] = mapped_column(String(64), default="")  # 复核人员签名
    submitted_by: Mapped[str] = mapped_column(String(64), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")  # who passed or returned
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    pair: Mapped[ReviewPair] = relationship(back_populates="assignments")


class VerifyEntry(Base):
    """A questionnaire keyed a second time, blind, by another clerk (CSPro's verify mode), and
    how its differences from the first entry were resolved."""

    __tablename__ = "verify_entry"
    __table_args__ = (UniqueConstraint("household_id", "campaign_id", "form_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    form_code: Mapped[str] = mapped_column(String(32))
    first_clerk: Mapped[str] = mapped_column(String(64))  # who keyed the questionnaire first
    first_answers: Mapped[dict] = mapped_column(JSON, default=dict)  # as they stood then
    clerk: Mapped[str] = mapped_column(String(64))  # who keyed it again
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # field → the value kept when the two differed; set when the differences are resolved.
    resolved: Mapped[dict] = mapped_column(JSON, default=dict)
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
