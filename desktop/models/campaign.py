"""The campaign, its standard, and the answers of each paper form."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, ExchangedMixin, utcnow

# How a household's income per head is computed; a property of the standard, not a constant.
FORMULA_NET_PER_CAPITA = "net_per_capita"  # (总收入 − 生产经营性支出) ÷ 家庭人口数 (seed 001)
FORMULA_DISPOSABLE_PER_CAPITA = "disposable_per_capita"  # A52 ÷ 人口 (seed 000)
FORMULA_LABELS = {  # as a clerk reads them in the log and on a kept form's note
    FORMULA_NET_PER_CAPITA: "家庭年人均收入（(总收入−家庭生产经营性支出)÷家庭人口数）",
    FORMULA_DISPOSABLE_PER_CAPITA: "家庭年人均可支配收入（A52÷家庭人口数）",
}
# The provinces whose standards ship in resources/standards (a county's own keeps its code).
PROVINCE_LABELS = {"guangdong": "广东省", "hunan": "湖南省", "sichuan": "四川省"}


class Campaign(ExchangedMixin, Base):
    """One 回头看 campaign with the standard that households are checked against."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    province_profile: Mapped[str] = mapped_column(String(16), default="guangdong")
    standard_year: Mapped[int] = mapped_column(Integer, default=2018)
    income_threshold: Mapped[float] = mapped_column(Float, default=4000.0)
    income_formula: Mapped[str] = mapped_column(String(32), default=FORMULA_DISPOSABLE_PER_CAPITA)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    # The county whose households the campaign checks (None: every county of the database).
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id", ondelete="SET NULL"))
    # The campaign's own provincial standards by year ({"2017": 3300}), over the standard file's.
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    # Counts every change of `thresholds`, so results kept from before can say so.
    standard_revision: Mapped[int] = mapped_column(Integer, default=1)

    form_records: Mapped[list[FormRecord]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )


# Form states as shown in the households table.
FORM_STATE_DRAFT = "draft"  # 草稿
FORM_STATE_COMPLETE = "complete"  # 已完成
FORM_STATE_SIGNED = "signed"  # 已签字


# What a form is about: exactly one of household_id, village_id, township_id is set.
SUBJECT_HOUSEHOLD, SUBJECT_VILLAGE, SUBJECT_TOWNSHIP = "household", "village", "township"


class FormRecord(ExchangedMixin, Base):
    """The answers of one paper form about one subject (household, village or township).

    A completed or signed form also keeps the computed values and the standard they were
    computed under, so that it is shown and reprinted as it was signed.
    """

    __tablename__ = "form_record"
    __table_args__ = (
        UniqueConstraint("household_id", "campaign_id", "form_code"),
        UniqueConstraint("village_id", "campaign_id", "form_code"),
        UniqueConstraint("township_id", "campaign_id", "form_code"),
        CheckConstraint(
            "(household_id IS NOT NULL) + (village_id IS NOT NULL) + (township_id IS NOT NULL) = 1",
            name="one_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    village_id: Mapped[int | None] = mapped_column(
        ForeignKey("village.id", ondelete="CASCADE"), index=True
    )
    township_id: Mapped[int | None] = mapped_column(
        ForeignKey("township.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    form_code: Mapped[str] = mapped_column(String(32))  # "verification", "collection", …
    state: Mapped[str] = mapped_column(String(16), default=FORM_STATE_DRAFT)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Warnings accepted by the clerk: field code → reason given.
    accepted_warnings: Mapped[dict] = mapped_column(JSON, default=dict)
    # Computed cells as they stood at completion, and the standard they were computed under
    # (its fields and version); empty for a draft, which is recomputed when opened.
    computed: Mapped[dict] = mapped_column(JSON, default=dict)
    standard: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    paper_outdated: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="form_records")

    @property
    def subject(self) -> tuple[str, int]:
        """(kind, id) of what the form is about."""
        if self.household_id is not None:
            return SUBJECT_HOUSEHOLD, self.household_id
        if self.village_id is not None:
            return SUBJECT_VILLAGE, self.village_id
        return SUBJECT_TOWNSHIP, self.township_id  # type: ignore[return-value]
