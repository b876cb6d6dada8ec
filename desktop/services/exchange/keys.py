"""This PC's id and the exchange key the county gives its townships, kept in the database.

The key's text is `<county PC id>/<secret>`: a township that sets it knows where its
packages go (the county PC) and signs them with the secret; the county signs what it sends
back with the same secret. Whoever holds the key can sign packages: it is handed over on
paper or a stick, not by e-mail.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from desktop.errors import AppError
from desktop.models.setting import SETTING_EXCHANGE_KEY, SETTING_PC_ID, DatabaseSetting

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KEY = re.compile(rf"^({_UUID})/([0-9a-f]{{64}})$")


class ExchangeError(AppError):
    """An exchange package cannot be made or taken in; the message says why, in Chinese."""


@dataclass(frozen=True)
class ExchangeKey:
    """The county's PC id and the secret that signs packages between it and its townships."""

    county_pc: str
    secret: bytes

    @property
    def text(self) -> str:
        """The key as the county writes it down for its townships."""
        return f"{self.county_pc}/{self.secret.hex()}"

    @classmethod
    def parse(cls, text: str) -> ExchangeKey:
        """Read a key as typed; ExchangeError when it is not one."""
        found = _KEY.match(text.strip().lower())
        if found is None:
            raise ExchangeError(
                "交换密钥格式不对：应为县里给出的“电脑编号/64位密钥”一整行，请照原样复制"
            )
        return cls(found.group(1), bytes.fromhex(found.group(2)))


def pc_id(s: Session) -> str:
    """This database's PC id, made (and kept) at the first call."""
    setting = s.get(DatabaseSetting, SETTING_PC_ID)
    if setting is None:
        setting = DatabaseSetting(key=SETTING_PC_ID, value=str(uuid.uuid4()))
        s.add(setting)
        s.flush()
    return setting.value


def exchange_key(s: Session) -> ExchangeKey | None:
    """The exchange key kept in this database, or None before one is set."""
    setting = s.get(DatabaseSetting, SETTING_EXCHANGE_KEY)
    return ExchangeKey.parse(setting.value) if setting is not None and setting.value else None


def required_key(s: Session) -> ExchangeKey:
    """The exchange key, or ExchangeError saying how to set it."""
    key = exchange_key(s)
    if key is None:
        raise ExchangeError(
            "本数据库还没有交换密钥：县里用 huitoukan exchange key --new 生成，"
            "乡镇用 huitoukan exchange key --set 密钥 填入"
        )
    return key


def save_key(s: Session, key: ExchangeKey) -> None:
    """Keep this key (replacing one set before).

    Written with Core, as the backup key is: an ORM write would copy the secret into the
    audit log, which more people read than may sign packages.
    """
    conn = s.connection()
    conn.execute(delete(DatabaseSetting).where(DatabaseSetting.key == SETTING_EXCHANGE_KEY))
    conn.execute(insert(DatabaseSetting).values(key=SETTING_EXCHANGE_KEY, value=key.text))
    s.expire_all()


def new_county_key(s: Session) -> ExchangeKey:
    """Make the county's key: this PC's id and a new random secret (kept here)."""
    key = ExchangeKey(pc_id(s), secrets.token_bytes(32))
    save_key(s, key)
    return key
