"""Facts about the database file itself (is it the demo?), as named settings."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base

# Set when the demo builder wrote the file: the window's title and the sign-in dialog say
# 演示数据, so that nobody types real households into it.
SETTING_DEMO = "demo"
# The key derived from the backup password an administrator set (JSON: salt, scrypt
# parameters, key; services/safety/backup_crypto.py). The password itself is kept nowhere.
SETTING_BACKUP_KEY = "backup_key"

# This PC's id in exchange packages (a UUID), made at its first exchange (services/exchange):
# not by the migration, so that `county copy` into a new database does not take a township's.
SETTING_PC_ID = "pc_id"
# The exchange key the county gave (services/exchange/keys.py): the county PC's id and the
# HMAC secret that signs every package between the county and its townships.
SETTING_EXCHANGE_KEY = "exchange_key"


class DatabaseSetting(Base):
    """One named setting of this database file (a key and a text value)."""

    __tablename__ = "database_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
