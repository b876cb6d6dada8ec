"""Opening a database: engine, SQLite pragmas, migrations to the current schema.

A township's database is a SQLite file; a county's may be a PostgreSQL server, named by a
`postgresql://` URL wherever a file path is accepted (psycopg 3, the optional extra `postgres`).
Every detail of the two engines that the rest of the application relies on lives in this
module: the pragmas, the catalogues (`sqlite_master`, `pg_catalog`), the integrity check, the
backup API, the append-only triggers the migrations create, the change stamp and the
driver-level fast paths (with the bulk writes of models/bulk.py, which ask `bulk_path` first).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect

from desktop.errors import AppError

# SQLite's WAL-reset bug (fixed in 3.51.3) needs two connections to one file writing or
# checkpointing at the same moment. The application cannot produce that: each engine holds ONE
# connection (see make_engine) and a second process is refused by the instance lock, so Python's
# own sqlite3 is used. pysqlite3 0.6.1 (which bundles SQLite 3.53) was tried and dropped: on
# Python 3.11 it decrements None's reference count on every query, and the process aborts with
# "none_dealloc" after a few thousand queries (tests/models/test_database.py guards this).
MIN_SQLITE_VERSION = (3, 51, 3)


def sqlite_module():
    """Return the DB-API module the application uses (the standard library's sqlite3)."""
    return sqlite3


def sqlite_version() -> str:
    """Return the version of the SQLite library the application's connections use."""
    return sqlite_module().sqlite_version


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(AppError):
    """A database file cannot be opened; the message is for the user, in Chinese."""


def _on_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not pysqlite, decide when a transaction begins (SQLAlchemy's documented
    # recipe for a real BEGIN with pysqlite), so every user action is one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    if _is_file(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit survives a power cut, not only a crash of the application.
        cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _is_file(dbapi_connection) -> bool:
    row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    return bool(row and row[2])


def _on_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


SERVER_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def is_server_url(target: Path | str | None) -> bool:
    """True when a `--db` value names a PostgreSQL server rather than a SQLite file."""
    return target is not None and str(target).startswith(SERVER_SCHEMES)


def db_target(value: str) -> Path | str:
    """Read a `--db` value: a PostgreSQL URL as it is, anything else as a file path."""
    return value if is_server_url(value) else Path(value)


def _server_url(target: str) -> str:
    """Return a PostgreSQL URL with the psycopg 3 driver named (libpq's spellings accepted)."""
    for scheme in SERVER_SCHEMES:
        if target.startswith(scheme):
            return "postgresql+psycopg://" + target[len(scheme) :]
    raise DatabaseError(f"不是 PostgreSQL 连接地址：{target}")


def _on_server_connect(dbapi_connection, _record) -> None:
    # Dates as ISO text and UTC on the server side too: what the SQLite files hold.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute("SET DateStyle TO ISO, YMD")
    dbapi_connection.commit()


def make_server_engine(url: str, connect_timeout: int = 10) -> Engine:
    """Create an engine on a PostgreSQL database (several clerks: a small pool, no file lock).

    A server that does not answer is given up after `connect_timeout` seconds, not libpq's
    default of waiting for ever: the window must not hang on a dead network.
    """
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise DatabaseError(
            "本程序未安装 PostgreSQL 驱动（psycopg），无法连接数据库服务器：" + str(exc)
        ) from exc
    engine = create_engine(
        _server_url(url),
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,
        connect_args={"connect_timeout": connect_timeout},
    )
    event.listen(engine, "connect", _on_server_connect)
    return engine


def is_server(engine: Engine | Connection) -> bool:
    """True for a PostgreSQL engine or connection."""
    return engine.dialect.name == "postgresql"


def dump_command(engine: Engine, target: Path, tool: str = "pg_dump") -> tuple[list[str], dict]:
    """The pg_dump (or pg_restore) command line and environment for a server database.

    The password goes through PGPASSWORD, never the command line (a process list shows it).
    """
    url = engine.url
    argv = [tool, "--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        argv += ["--username", url.username]
    argv += ["--no-password"]
    if tool == "pg_dump":
        argv += ["--format", "custom", "--file", str(target), url.database or ""]
    else:
        argv += ["--list", str(target)]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return argv, env


def lost_connection(engine: Engine, exc: BaseException) -> bool:
    """True when `exc` says the server's connection went away (not a refused statement).

    SQLite has no connection to lose: its OperationalErrors (a full disk, a locked file) are
    told elsewhere. The pool drops the dead connection; the next use connects anew.
    """
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if not is_server(engine) or not isinstance(exc, DBAPIError):
        return False
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError | InterfaceError)


def make_engine(path: Path | str) -> Engine:
    """Create an engine on a SQLite file with the pragmas the application relies on, or on the
    PostgreSQL database a `postgresql://` URL names."""
    if is_server_url(path):
        return make_server_engine(str(path))
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{Path(path)}"
    # One connection per engine, shared in turn by the GUI thread and background loaders:
    # no two connections of this process can race a WAL checkpoint (the WAL-reset bug).
    engine = create_engine(
        url,
        module=sqlite_module(),
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


# The newest migration. Checked against the migration scripts by a test; knowing it here lets
# an up-to-date database open without importing Alembic (about 0.15 s of start-up).
SCHEMA_HEAD = "0013"


def current_revisions(engine: Engine) -> set[str]:
    """Return the schema revisions stamped in the database (empty for a new file)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return set()
        return {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}


def head_revisions() -> set[str]:
    """Return the newest schema revisions this version of the application knows."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


# What a file's schema is compared by: tables by name and column names, indexes by name,
# triggers by name and statement (a trigger kept by name whose body no longer refuses, or a
# table that lost a column, is not the revision's).
_SCHEMA_ROWS = (
    "SELECT m.type, m.name, CASE m.type WHEN 'trigger' THEN m.sql WHEN 'table' THEN"
    " (SELECT group_concat(name, ' ') FROM (SELECT name FROM pragma_table_info(m.name)"
    " ORDER BY name)) ELSE '' END FROM sqlite_master m WHERE m.name NOT LIKE 'sqlite_%'"
)


def _schema_object(kind: str, name: str, sql: str | None) -> tuple[str, str, str]:
    # Older files hold the same trigger statements laid out on several lines.
    return kind, name, " ".join((sql or "").split())


@functools.cache
def schema_objects(revision: str) -> frozenset[tuple[str, str, str]]:
    """Return the (type, name, detail) of every table, index and trigger a revision's schema
    has: a table's column names, a trigger's statement (white space collapsed), '' otherwise.

    Built by migrating an empty temporary database to `revision`, so that a file to restore
    can be checked against what its own revision must hold.
    """
    import tempfile

    from alembic import command

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(Path(folder) / "schema.sqlite3")
        try:
            with engine.begin() as conn:
                command.upgrade(_alembic_config(conn), revision)
                rows = conn.exec_driver_sql(_SCHEMA_ROWS).all()
        finally:
            engine.dispose()
    return frozenset(_schema_object(*row) for row in rows)


def known_revisions() -> set[str]:
    """Return every schema revision this version of the application knows."""
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def backup_file(source: Path, target: Path) -> Path:
    """Copy a database consistently with SQLite's online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    module = sqlite_module()
    src = module.connect(str(source))
    try:
        dst = module.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(engine: Engine, *, backup_dir: Path | None = None) -> bool:
    """Bring the schema to the newest revision; back the file up first when it has data.

    Returns True when a migration ran.
    """
    current = current_revisions(engine)
    if current == {SCHEMA_HEAD}:
        return False
    from alembic import command

    if current and not current <= known_revisions():
        raise DatabaseError(
            "数据库文件的结构版本比本程序新（"
            + "、".join(sorted(current))
            + "），请升级回头看工作台后再打开。"
        )
    if current == head_revisions():
        return False
    path = None if is_server(engine) else engine.url.database
    has_tables = bool(inspect(engine).get_table_names())
    if path and has_tables and backup_dir is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup_file(Path(path), backup_dir / f"{Path(path).stem}-before-upgrade-{stamp}.sqlite3")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "heads")
    return True


def _writable(folder: Path) -> bool:
    # Asked by trying: mode bits do not stop root, and a folder can be read-only otherwise.
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _file_writable(path: Path) -> bool:
    # Asked by trying, like the folder: Windows' 只读 attribute and an immutable file stop
    # an administrator too, whatever the mode bits say.
    try:
        with open(path, "r+b"):
            return True
    except OSError:
        return False


def read_only_file(path: Path | str) -> str:
    """The sentence for a database file that can be read but not written."""
    return (
        f"数据库文件 {Path(path).resolve()} 是只读的（文件属性为“只读”，或没有写入权限），"
        "打开后什么也保存不了；请在文件的“属性”中取消“只读”，或把它复制到可以写入的文件夹再打开"
    )


def file_failure(path: Path | str, exc: BaseException) -> str:
    """Return in Chinese why a database file could not be opened or read: never SQLite's or
    SQLAlchemy's English, and a read-only folder or file is not called a damaged file."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    folder = Path(path).resolve().parent
    if Path(path).is_file() and not _file_writable(Path(path)):
        return read_only_file(path)
    if "readonly" in text or not _writable(folder):
        return (
            f"数据库所在文件夹 {folder} 是只读的或没有写入权限（数据库要在同一文件夹中写入"
            "日志文件），请把数据库放到可以写入的文件夹"
        )
    if "disk is full" in text:
        return f"磁盘已满（{folder} 所在的磁盘没有剩余空间）"
    if "locked" in text:
        return "数据库正被其他程序占用，请稍后再试"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "文件已损坏或不是数据库文件"
    return "没有读取权限，或文件已损坏"


def open_database(path: Path | str, *, backup_dir: Path | None = None) -> Engine:
    """Open (or create) a database file, or a PostgreSQL database named by its URL, and migrate
    it to the current schema."""
    path_str = str(path)
    if is_server_url(path_str):
        try:
            engine = make_server_engine(path_str)
            upgrade(engine)
        except DatabaseError:
            raise
        except Exception as exc:  # psycopg.OperationalError and friends: no server, no rights
            raise DatabaseError(server_failure(path_str, exc)) from exc
        return engine
    if path_str != ":memory:":
        parent = Path(path).resolve().parent
        if not parent.exists():
            raise DatabaseError(f"数据库所在文件夹不存在：{parent}")
        # Refused at once: SQLite would open it and fail at the first save, after a whole form
        # had been typed.
        if Path(path).is_file() and not _file_writable(Path(path)):
            raise DatabaseError(read_only_file(path))
    try:
        engine = make_engine(path)
        upgrade(engine, backup_dir=backup_dir)
    except DatabaseError:
        raise
    except Exception as exc:  # sqlite3.DatabaseError and friends: not a usable file
        raise DatabaseError(f"无法打开数据库文件 {path}：{file_failure(path, exc)}") from exc
    return engine


# What libpq says (in English, whatever the clerk's language) → what the clerk is told.
_SERVER_FAILURES = (
    ("password authentication failed", "用户名或密码不对"),
    ("no password supplied", "需要密码：请在“数据库连接”中填写密码"),
    ("fe_sendauth", "需要密码：请在“数据库连接”中填写密码"),
    ("does not exist", "服务器上没有这个数据库或用户，请县里的管理员先建好"),
    ("connection refused", "连接被拒绝：服务器没有启动，或地址、端口不对"),
    ("could not translate host name", "找不到这个服务器地址，请检查地址和网络"),
    ("name or service not known", "找不到这个服务器地址，请检查地址和网络"),
    ("timeout expired", "连接超时：服务器没有应答，请检查网络"),
    ("timed out", "连接超时：服务器没有应答，请检查网络"),
    ("permission denied", "该用户没有使用这个数据库的权限"),
    ("no pg_hba.conf entry", "服务器不允许本机连接，请县里的管理员在服务器上放行本机"),
    ("server closed the connection", "服务器中断了连接，请稍后重试"),
)


def server_failure(url: str, exc: BaseException) -> str:
    """A failure to reach or use a PostgreSQL server, in one Chinese sentence naming it."""
    text = str(exc).lower()
    reason = next(
        (said for key, said in _SERVER_FAILURES if key in text),
        "连接失败，请检查地址、端口、用户名和密码",
    )
    return f"无法连接数据库服务器 {_safe_url(url)}：{reason}"


def check_server(url: str, timeout_s: int = 5) -> None:
    """Connect to a PostgreSQL database once and leave it as it was (nothing migrated).

    Raises DatabaseError with the reason in Chinese.
    """
    if not is_server_url(url):
        raise DatabaseError(f"不是 PostgreSQL 连接地址：{url}")
    try:
        engine = make_server_engine(url, connect_timeout=timeout_s)
    except DatabaseError:
        raise
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # psycopg's errors, whatever they are: said in Chinese
        raise DatabaseError(server_failure(url, exc)) from exc
    finally:
        engine.dispose()


def _safe_url(url: str) -> str:
    """Return a URL without its password, for a message."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "PostgreSQL"


# --- triggers the migrations create (append-only tables) --------------------------------

# PostgreSQL runs a trigger as a function: one that refuses with the message it is given.
_REFUSE_FUNCTION = """CREATE OR REPLACE FUNCTION huitoukan_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = '23000'; END $$"""


def refusing_trigger(
    conn: Connection, name: str, table: str, event_name: str, message: str, when: str = ""
) -> list[str]:
    """Return the statements that create a trigger refusing `event_name` (UPDATE or DELETE)
    on `table` with `message`, only when the condition `when` (on NEW and OLD) holds."""
    if is_server(conn):
        condition = f" WHEN ({when})" if when else ""
        return [
            _REFUSE_FUNCTION,
            f"CREATE TRIGGER {name} BEFORE {event_name} ON {table} FOR EACH ROW{condition}"
            f" EXECUTE FUNCTION huitoukan_refuse('{message}')",
        ]
    condition = f" WHEN {when}" if when else ""
    return [
        f"CREATE TRIGGER {name} BEFORE {event_name} ON {table}{condition}"
        f" BEGIN SELECT RAISE(ABORT, '{message}'); END"
    ]


def drop_trigger(conn: Connection, name: str, table: str) -> str:
    """Return the statement that drops a trigger if it is there."""
    if is_server(conn):
        return f"DROP TRIGGER IF EXISTS {name} ON {table}"
    return f"DROP TRIGGER IF EXISTS {name}"


def exactly_one_of(conn: Connection, *columns: str) -> str:
    """Return a CHECK condition: exactly one of the columns holds a value."""
    if is_server(conn):
        return f"num_nonnulls({', '.join(columns)}) = 1"
    return " + ".join(f"({c} IS NOT NULL)" for c in columns) + " = 1"


# --- dialect details used by the services --------------------------------------------------


def fast_bulk_writes(conn: Connection) -> bool:
    """True when models/bulk.py may write through the driver (SQLite's sqlite3, qmark style)."""
    return conn.dialect.name == "sqlite" and conn.dialect.paramstyle == "qmark"


def copy_bulk_writes(conn: Connection) -> bool:
    """True when models/bulk.py may insert with PostgreSQL's COPY (psycopg 3)."""
    return is_server(conn) and conn.dialect.driver == "psycopg"


def copy_rows(conn: Connection, table: str, keys: list[str], rows: list[tuple]) -> None:
    """Insert rows with COPY … FROM STDIN on the connection's transaction (PostgreSQL)."""
    quote = conn.dialect.identifier_preparer.quote
    sql = "COPY {} ({}) FROM STDIN".format(quote(table), ", ".join(quote(k) for k in keys))
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def ids_taken(conn: Connection, table: str, column: str = "id") -> None:
    """Move a table's id sequence past the ids written explicitly (PostgreSQL).

    SQLite gives the next row max(id) + 1 by itself; a PostgreSQL sequence knows nothing of
    ids that were written, and its next id would collide.
    """
    if not is_server(conn):
        return
    conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
        f" (SELECT max({column}) FROM {table})) WHERE EXISTS (SELECT 1 FROM {table})"
        f" AND pg_get_serial_sequence('{table}', '{column}') IS NOT NULL"
    )


def change_stamp(conn: Connection) -> tuple | None:
    """Return a token that differs once anything was written to the database since it was
    taken, on this connection or by any other; None where the dialect cannot tell.

    SQLite: PRAGMA data_version moves with every other connection's commit, the driver's
    total_changes with every row this connection wrote (rolled back or not).
    PostgreSQL: the snapshot (next transaction id and those still running) changes whenever
    another connection starts writing and again when it commits, and this transaction's own
    counts of rows written move with each row.
    """
    if is_server(conn):
        row = conn.exec_driver_sql(
            "SELECT pg_current_snapshot()::text,"
            " (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint"
            " FROM pg_stat_xact_user_tables)"
        ).one()
        return row[0], int(row[1])
    if conn.dialect.name != "sqlite":
        return None
    raw = conn.connection.driver_connection
    return raw.execute("PRAGMA data_version").fetchone()[0], raw.total_changes


# What SQLite hands over as text, psycopg would decode: dates, times and JSON stay text, so
# that the services' driver-level readers see the same values on both engines.
_AS_TEXT = ("date", "timestamp", "timestamptz", "json", "jsonb")


def _text_cursor(raw):
    from psycopg.types.string import TextLoader

    cursor = raw.cursor()
    for name in _AS_TEXT:
        cursor.adapters.register_loader(name, TextLoader)
    return cursor


class _QmarkDriver:
    """psycopg's connection taking SQL with ? placeholders and answering as sqlite3 does."""

    def __init__(self, raw) -> None:
        self._raw = raw

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params=None):
        cursor = _text_cursor(self._raw)
        if params is None:
            return cursor.execute(sql)
        return cursor.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows) -> None:
        with self._raw.cursor() as cursor:
            cursor.executemany(self._sql(sql), rows)


def driver_connection(conn: Connection):
    """Return the driver's own connection on the same transaction, for SQL with ? placeholders
    and no literal ? (`execute(sql, params).fetchall()`, `executemany(sql, rows)`).

    SQLAlchemy's row objects cost more than the query for a county's 350,000 members.
    """
    raw = conn.connection.driver_connection
    return _QmarkDriver(raw) if is_server(conn) else raw


def fetch_tuples(conn: Connection, sql: str) -> list[tuple]:
    """Return the rows of a read-only query in plain SQL as tuples.

    The query goes straight to the driver: at 20,000 problems SQLAlchemy's row objects would
    cost more than the query itself. Dates and JSON come as text on both engines.
    """
    if conn.dialect.name in ("sqlite", "postgresql"):
        return driver_connection(conn).execute(sql).fetchall()
    return [tuple(row) for row in conn.exec_driver_sql(sql)]


def enlarge_page_cache(conn: Connection) -> None:
    """Give this connection a larger page cache for a county-sized write (SQLite only).

    Index pages of the write stay in memory (measured: executemany 3.7 → 3.1 s for 350,000
    members).
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size=-131072")


def plain_indexes(conn: Connection, table_name: str) -> list[tuple[str, str]]:
    """Return (name, CREATE statement) of a table's non-unique indexes, to drop and rebuild."""
    if is_server(conn):
        return [
            (name, sql)
            for name, sql in conn.exec_driver_sql(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = %(t)s::regclass AND NOT i.indisunique"
                " AND NOT i.indisprimary",
                {"t": table_name},
            )
        ]
    if conn.dialect.name != "sqlite":
        return []
    return [
        (name, sql)
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
            (table_name,),
        )
    ]


def file_contents(path: Path) -> tuple[set[tuple[str, str, str]], list[str]]:
    """Return a file's tables, indexes and triggers as `schema_objects` gives them, and its
    attachment paths.

    What `restore` checks against the file's own revision before it replaces anything.
    Raises DatabaseError when the file cannot be read.
    """
    module = sqlite_module()
    try:
        conn = module.connect(str(path))
        try:
            objects = {_schema_object(*row) for row in conn.execute(_SCHEMA_ROWS)}
            paths = (
                [r[0] for r in conn.execute("SELECT path FROM problem_attachment")]
                if "problem_attachment" in {name for kind, name, _ in objects if kind == "table"}
                else []
            )
        finally:
            conn.close()
    except module.DatabaseError as exc:
        raise DatabaseError(str(exc)) from exc
    return objects, paths


def file_rows(path: Path, sql: str, params: tuple = ()) -> Iterator[tuple]:
    """Yield the rows of a read-only query on a database file that is not open (the audit chain).

    Raises DatabaseError when the file cannot be read.
    """
    module = sqlite_module()
    try:
        conn = module.connect(str(path))
        try:
            yield from conn.execute(sql, params)
        finally:
            conn.close()
    except module.DatabaseError as exc:
        raise DatabaseError(str(exc)) from exc


def inspect_file(path: Path, *, quick: bool = False) -> tuple[list[str], frozenset[str] | None]:
    """Check a database file without opening it for the application.

    Returns what the integrity check found (["ok"] for a sound file; `quick` runs SQLite's
    quick_check, else the full integrity_check) and the stamped schema revisions (None when
    the file has no alembic_version table). Raises DatabaseError when it cannot be read.
    """
    module = sqlite_module()
    try:
        conn = module.connect(str(path))
        try:
            pragma = "quick_check" if quick else "integrity_check"
            problems = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
            if problems != ["ok"]:
                return problems, None
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                return problems, None
            revisions = frozenset(
                r[0] for r in conn.execute("SELECT version_num FROM alembic_version")
            )
        finally:
            conn.close()
    except module.DatabaseError as exc:
        raise DatabaseError(file_failure(path, exc)) from exc
    return problems, revisions
