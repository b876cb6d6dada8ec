"""The rectification tracker: catalogue, units and people, problems with their history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, ExchangedMixin, StoredFileMixin, utcnow


class CatalogueArea(Base):
    """One of the 9 areas of the problem catalogue (seed 002), with its 责任单位 as printed."""

    __tablename__ = "catalogue_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)  # （一）…（九）
    name: Mapped[str] = mapped_column(String(64), unique=True)
    heading: Mapped[str] = mapped_column(String(128), default="")  # the seed's full heading
    responsible_units: Mapped[str] = mapped_column(Text, default="")  # 责任单位, 、-separated

    items: Mapped[list[CatalogueItem]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="CatalogueItem.number"
    )


class CatalogueItem(Base):
    """One numbered item (1–34) of the catalogue: what to look for in one area."""

    __tablename__ = "catalogue_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_area.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")

    area: Mapped[CatalogueArea] = relationship(back_populates="items")


class InspectionCategory(Base):
    """A category of the 督查内容及形式 table (seed 004): what inspectors check and how."""

    __tablename__ = "inspection_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")


class IndicatorDepartment(Base):
    """Seed 001's mapping: an indicator and the county departments that fix it (点球)."""

    __tablename__ = "indicator_department"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(64), unique=True)
    departments: Mapped[str] = mapped_column(Text, default="")  # 、-separated


class Unit(ExchangedMixin, Base):
    """A responsible unit (责任单位): a township office, a 指挥部, a village, a department."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="")  # 镇直单位, 指挥部, 村, 县直部门
    phone: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    people: Mapped[list[Person]] = relationship(back_populates="unit", order_by="Person.name")


class TownshipUnitRole(Base):
    """Which of a township's own units stands for one unit of the catalogue's template.

    Seed 002 names the units of the township it came from (干汊河中心校…); the catalogue keeps
    those as a template of roles, and each township maps every role to a unit of its own.
    """

    __tablename__ = "township_unit_role"
    __table_args__ = (UniqueConstraint("township_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(
        ForeignKey("township.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(64))  # the template's name of the role: 中心校
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))


class Person(ExchangedMixin, Base):
    """A responsible person (责任人) of a unit."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")

    unit: Mapped[Unit | None] = relationship(back_populates="people")


class Problem(ExchangedMixin, Base):
    """One problem (问题) from finding to close-out (销号); 逾期 is derived, never stored."""

    __tablename__ = "problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. 2020-015
    found_date: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(16))  # 回头看排查, 督查组, …
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_item.id", ondelete="SET NULL"), index=True
    )
    scope: Mapped[str] = mapped_column(String(8))  # 户, 村, 单位
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="SET NULL"), index=True
    )
    village_id: Mapped[int | None] = mapped_column(
        ForeignKey("village.id", ondelete="SET NULL"), index=True
    )
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")  # 整改措施
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="SET NULL"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8))  # 立行立改, 限时整改
    # The deadline in force (after extensions) and the first one, which stays visible.
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    original_deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    verified_by: Mapped[str] = mapped_column(String(64), default="")
    verified_on: Mapped[date | None] = mapped_column(Date)
    verification_opinion: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    # The standard's indicator a 点球 problem came from (e.g. "housing_safe"), else "".
    indicator: Mapped[str] = mapped_column(String(32), default="", index=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    item: Mapped[CatalogueItem | None] = relationship()
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    scope_unit: Mapped[Unit | None] = relationship(foreign_keys=[scope_unit_id])
    person: Mapped[Person | None] = relationship()
    events: Mapped[list[ProblemEvent]] = relationship(
        back_populates="problem", cascade="all, delete-orphan", order_by="ProblemEvent.id"
    )
    extensions: Mapped[list[Extension]] = relationship(
        back_populates="problem", cascade="all, delete-orphan", order_by="Extension.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="problem", cascade="all, delete-orphan", order_by="Attachment.id"
    )


class ProblemEvent(ExchangedMixin, Base):
    """One line of a problem's timeline: who changed what, when."""

    __tablename__ = "problem_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    who: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(16))  # 登记, 修改, 状态, 延期, 销号, 附件
    detail: Mapped[str] = mapped_column(Text, default="")

    problem: Mapped[Problem] = relationship(back_populates="events")


class Extension(ExchangedMixin, Base):
    """An extension (延期): a stated reason, the old and the new deadline."""

    __tablename__ = "problem_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    old_deadline: Mapped[date] = mapped_column(Date)
    new_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="extensions")


class Attachment(ExchangedMixin, StoredFileMixin, Base):
    """Evidence copied into the data folder, with its checksum so changes are noticed."""

    __tablename__ = "problem_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )

    problem: Mapped[Problem] = relationship(back_populates="attachments")
