"""SQLAlchemy models of 回头看工作台; nothing here imports Qt."""

from desktop.models.base import Base
from desktop.models.campaign import Campaign, FormRecord
from desktop.models.comparison import (
    Case,
    CaseEvidence,
    CaseStep,
    DepartmentList,
    DepartmentMapping,
    DepartmentRow,
    FormerMember,
    Hit,
)
from desktop.models.exchange import (
    ExchangeAuditEntry,
    ExchangeConflict,
    ExchangePackage,
    ExchangeRecord,
)
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
    TownshipUnitRole,
    Unit,
)
from desktop.models.registry import County, Group, Household, Member, Township, Village
from desktop.models.safety import AuditChainHead, AuditEntry, User
from desktop.models.setting import DatabaseSetting
from desktop.models.standards import HouseholdIndicator
from desktop.models.team import ReviewAssignment, Reviewer, ReviewPair, ReviewTeam, VerifyEntry

__all__ = [
    "Attachment",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "Campaign",
    "Case",
    "CaseEvidence",
    "CaseStep",
    "CatalogueArea",
    "CatalogueItem",
    "County",
    "DatabaseSetting",
    "DepartmentList",
    "DepartmentMapping",
    "DepartmentRow",
    "ExchangeAuditEntry",
    "ExchangeConflict",
    "ExchangePackage",
    "ExchangeRecord",
    "Extension",
    "FormRecord",
    "FormerMember",
    "Group",
    "Hit",
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
    "ReviewAssignment",
    "ReviewPair",
    "ReviewTeam",
    "Reviewer",
    "Township",
    "TownshipUnitRole",
    "Unit",
    "User",
    "VerifyEntry",
    "Village",
]
