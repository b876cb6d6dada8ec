"""Indicator values of each household, the inputs that the standards are evaluated on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, utcnow


class HouseholdIndicator(Base):
    """What the 回头看 found at one household: income inputs and indicator values by code.

    Kept beside the household rather than on it: the registry writes households in bulk and
    should not carry the campaign's findings. Village findings live in `Village.indicators`.
    """

    __tablename__ = "household_indicator"

    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), primary_key=True
    )
    # e.g. {"total_income": 21000, "operating_expense": 3000, "housing_safe": true,
    #       "compulsory_education": 0}: codes as in resources/standards/*.json
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
