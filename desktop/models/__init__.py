"""SQLAlchemy models of 回头看工作台; nothing here imports Qt."""

from desktop.models.base import Base
from desktop.models.campaign import Campaign, FormRecord
from desktop.models.inspection import (
    InspectionCoverage,
    InspectionFinding,
    InspectionGroup,
    InspectionRound,
    InspectionRoundUnit,
    InspectionSampleEntry,
)
from desktop.models.problem import (
    Attachment,
    CatalogueArea,
    CatalogueItem,
    Extension,
    IndicatorDepartment,
    InspectionCategory,
    Person,
    Problem,
    ProblemEvent,
    Unit,
)
from desktop.models.registry import County, Group, Household, Member, Township, Village
from desktop.models.safety import AuditEntry, User
from desktop.models.standards import HouseholdIndicator

__all__ = [
    "Attachment",
    "AuditEntry",
    "Base",
    "Campaign",
    "CatalogueArea",
    "CatalogueItem",
    "County",
    "Extension",
    "FormRecord",
    "Group",
    "Household",
    "HouseholdIndicator",
    "IndicatorDepartment",
    "InspectionCategory",
    "InspectionCoverage",
    "InspectionFinding",
    "InspectionGroup",
    "InspectionRound",
    "InspectionRoundUnit",
    "InspectionSampleEntry",
    "Member",
    "Person",
    "Problem",
    "ProblemEvent",
    "Township",
    "Unit",
    "User",
    "Village",
]
