"""Which database the window opens: a SQLite file on this PC, or the county's PostgreSQL server.

The choice is a setting of this Windows user (`last_database` in the data folder's settings):
a file path, or a `postgresql://user@host:port/database` address. A password is never written
there: it comes from libpq's own password file (pgpass.conf) or the PGPASSWORD variable, or
the window asks for it when it connects and keeps it in memory only.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from desktop.models.database import DatabaseError, check_server, is_server_url

DEFAULT_PORT = 5432


@dataclass(frozen=True)
class ServerAddress:
    """A PostgreSQL database as the clerk fills it in: 服务器, 端口, 数据库, 用户名."""

    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT

    def problems(self) -> list[str]:
        """What is missing or wrong, in Chinese (empty when it can be tried)."""
        found = []
        if not self.host.strip():
            found.append("请填写服务器地址")
        if not self.database.strip():
            found.append("请填写数据库名")
        if not self.user.strip():
            found.append("请填写用户名")
        if not 0 < self.port < 65536:
            found.append("端口应为 1–65535 之间的数")
        if any(c.isspace() for c in self.host.strip() + self.database.strip()):
            found.append("服务器地址和数据库名中不能有空格")
        return found

    def url(self, password: str = "") -> str:
        """The address as a URL; with `password` only for connecting, never for saving."""
        who = quote(self.user.strip(), safe="")
        if password:
            who += ":" + quote(password, safe="")
        host = self.host.strip()
        return f"postgresql://{who}@{host}:{self.port}/{quote(self.database.strip(), safe='')}"

    @property
    def label(self) -> str:
        """How the window names it: 服务器 192.168.1.10:5432 上的 taojiang（用户 clerk）."""
        return f"服务器 {self.host}:{self.port} 上的 {self.database}（用户 {self.user}）"

    @classmethod
    def of(cls, url: str) -> ServerAddress:
        """Read a saved address back (its password, if one was ever written, is dropped)."""
        if not is_server_url(url):
            raise DatabaseError(f"不是 PostgreSQL 连接地址：{url}")
        parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError as exc:
            raise DatabaseError(f"连接地址中的端口不对：{url}") from exc
        return cls(
            host=parts.hostname or "",
            database=unquote(parts.path.lstrip("/")),
            user=unquote(parts.username or ""),
            port=port,
        )


def describe(target: str) -> str:
    """How the window names a database: a server's label, or 本机数据库文件 and its path."""
    if is_server_url(target):
        try:
            return ServerAddress.of(target).label
        except DatabaseError:
            return "服务器（地址不对）"
    return f"本机数据库文件 {target}" if target else "本机数据库文件"


def try_server(address: ServerAddress, password: str = "") -> None:
    """Connect once to the server and leave it as it is; DatabaseError says why not."""
    problems = address.problems()
    if problems:
        raise DatabaseError("；".join(problems))
    check_server(address.url(password))


def needs_password(message: str) -> bool:
    """True when a connection failed only for want of the right password."""
    return "密码" in message


def with_password(url: str, password: str) -> str:
    """A saved address with the password typed at the start (kept in memory only)."""
    return ServerAddress.of(url).url(password) if password else url
