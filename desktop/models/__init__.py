"""SQLAlchemy models of 回头看工作台; nothing here imports Qt."""

from desktop.models.base import Base
from desktop.models.campaign import Campaign, FormRecord
from desktop.models.registry import County, Group, Household, Member, Township, Village

__all__ = [
    "Base",
    "Campaign",
    "County",
    "FormRecord",
    "Group",
    "Household",
    "Member",
    "Township",
    "Village",
]
