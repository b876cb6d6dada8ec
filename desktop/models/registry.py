"""The registry: county → township → village → group, households and their members."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, ExchangedMixin, utcnow


class County(ExchangedMixin, Base):
    """县（市、区）."""

    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    province: Mapped[str] = mapped_column(String(32), default="")
    city: Mapped[str] = mapped_column(String(32), default="")

    townships: Mapped[list[Township]] = relationship(
        back_populates="county", cascade="all, delete-orphan", order_by="Township.name"
    )


class Township(ExchangedMixin, Base):
    """镇（乡、街道）."""

    __tablename__ = "township"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))

    county: Mapped[County] = relationship(back_populates="townships")
    villages: Mapped[list[Village]] = relationship(
        back_populates="township", cascade="all, delete-orphan", order_by="Village.code"
    )


class Village(ExchangedMixin, Base):
    """行政村（社区）, with the 贫困村 flag and room for the village indicators (一低六有)."""

    __tablename__ = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(
        ForeignKey("township.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32), default="")
    is_poor_village: Mapped[bool] = mapped_column(Boolean, default=False)
    exit_year: Mapped[int | None] = mapped_column(Integer)
    # Village-level indicators such as one_low_six_haves, keyed by indicator code.
    indicators: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    aid_unit: Mapped[str] = mapped_column(String(64), default="")  # 帮扶单位 (整改率 by it)

    township: Mapped[Township] = relationship(back_populates="villages")
    groups: Mapped[list[Group]] = relationship(
        back_populates="village", cascade="all, delete-orphan", order_by="Group.name"
    )
    households: Mapped[list[Household]] = relationship(back_populates="village")


class Group(ExchangedMixin, Base):
    """自然村、组."""

    __tablename__ = "village_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(
        ForeignKey("village.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))

    village: Mapped[Village] = relationship(back_populates="groups")
    households: Mapped[list[Household]] = relationship(back_populates="group")


class Household(ExchangedMixin, Base):
    """户: one household of the registry."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 户编号
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("village_group.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(64), default="", index=True)
    poverty_kind: Mapped[str] = mapped_column(String(16), default="")  # 贫困户属性
    special_kind: Mapped[str] = mapped_column(String(16), default="")  # 边缘户 …
    is_registered: Mapped[bool] = mapped_column(Boolean, default=False)  # 建档立卡
    exit_year: Mapped[int | None] = mapped_column(Integer)  # None: 未脱贫
    # 预脱贫: the year the household is planned to exit (seeds 000, 004); while it has not
    # exited, it is a 预脱贫户 of that year.
    planned_exit_year: Mapped[int | None] = mapped_column(Integer)
    income_per_capita: Mapped[float | None] = mapped_column(Float)  # 人均纯收入 (元)
    phone: Mapped[str] = mapped_column(String(32), default="")
    bank_name: Mapped[str] = mapped_column(String(64), default="")
    bank_account: Mapped[str] = mapped_column(String(64), default="")
    helper_name: Mapped[str] = mapped_column(String(64), default="")  # 挂钩帮扶责任人
    helper_phone: Mapped[str] = mapped_column(String(32), default="")
    poverty_causes: Mapped[list] = mapped_column(JSON, default=list)
    # The four counts of DOMAIN.md: 户口簿人数, 明白卡人数, 系统人数, 实际人数.
    count_hukou: Mapped[int | None] = mapped_column(Integer)
    count_card: Mapped[int | None] = mapped_column(Integer)
    count_system: Mapped[int | None] = mapped_column(Integer)
    count_actual: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    # 清退 after 县 核定 (services/comparison): the date and the reason; None while registered.
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str] = mapped_column(Text, default="")
    # Derived on every write by the registry service, stored so that the table loads fast.
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[int] = mapped_column(Integer, default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    village: Mapped[Village] = relationship(back_populates="households")
    group: Mapped[Group | None] = relationship(back_populates="households")
    members: Mapped[list[Member]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="Member.seq"
    )


class Member(ExchangedMixin, Base):
    """家庭成员: one person of a household, the head included."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(4), default="")
    id_number: Mapped[str] = mapped_column(String(24), default="", index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(16), default="")  # 与户主关系
    ethnicity: Mapped[str] = mapped_column(String(16), default="")
    political_status: Mapped[str] = mapped_column(String(16), default="")
    education: Mapped[str] = mapped_column(String(16), default="")
    schooling: Mapped[str] = mapped_column(String(16), default="")  # 在校情况
    health: Mapped[str] = mapped_column(String(16), default="")
    labour_ability: Mapped[str] = mapped_column(String(16), default="")
    work_status: Mapped[str] = mapped_column(String(16), default="")  # 务工情况
    work_months: Mapped[int | None] = mapped_column(Integer)  # A12 务工时间
    is_soldier: Mapped[bool] = mapped_column(Boolean, default=False)  # A13
    ins_serious_illness: Mapped[bool] = mapped_column(Boolean, default=False)  # A14
    ins_employee_pension: Mapped[bool] = mapped_column(Boolean, default=False)
    ins_resident_medical: Mapped[bool] = mapped_column(Boolean, default=False)
    ins_resident_pension: Mapped[bool] = mapped_column(Boolean, default=False)
    pension_status: Mapped[str] = mapped_column(String(16), default="")
    # Per-member answers of the collection form that the registry does not model.
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    # One person 清退 from a household that stays registered (services/comparison).
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str] = mapped_column(Text, default="")

    household: Mapped[Household] = relationship(back_populates="members")


# A row's household and place as outerjoin_place joins them: 户编号, 户主, 镇, 村.
HOUSEHOLD_PLACE = (Household.code, Household.head_name, Township.name, Village.name)


def outerjoin_place(stmt, *, household=None, village=None, township=None):
    """Outer-join a row's household, village and township onto a select: each on the column
    given, else on its parent's (the household's village, the village's township), so a row
    without a household (or a village) keeps its place empty instead of dropping out."""
    if household is not None:
        stmt = stmt.outerjoin(Household, Household.id == household)
    village_id = Household.village_id if village is None else village
    stmt = stmt.outerjoin(Village, Village.id == village_id)
    township_id = Village.township_id if township is None else township
    return stmt.outerjoin(Township, Township.id == township_id)
