"""`huitoukan backup | backup-password | restore | check | audit export | user`: data safety.

Commands that write to the database (backup-password, restore, audit export, user) take the
one-window lock first, so they never run beside an open window. They ask for an
administrator's name and password (desktop/commands/admin.py) and log their changes under that
name with the source 'cli'; backup and check stay password-free (a backup leaving the data
folder is encrypted under the backup password an administrator set with backup-password).
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.commands.admin import add_admin_argument, as_admin, sign_in_admin
from desktop.commands.common import add_db_argument, fail, iso_date, open_services
from desktop.errors import AppError
from desktop.models.database import head_revisions, is_server_url
from desktop.models.safety import ACTION_RESTORE, ROLE_ADMIN, ROLE_LABELS, SOURCE_CLI
from desktop.paths import backups_dir, default_db_path
from desktop.services.actor import Actor, CurrentUser
from desktop.services.context import AppServices
from desktop.services.safety.audit import acting_as
from desktop.services.safety.auth import (
    ALL_TOWNSHIPS_LABEL,
    CHANGE_SETTINGS,
    EXPORT_AUDIT,
    MANAGE_USERS,
    RESTORE_BACKUP,
    ROLES,
)
from desktop.services.safety.backup import (
    AlreadyOpenError,
    BackupError,
    DatabaseLock,
    NoLock,
    backup_to_folder,
    check_file,
    find_chain_hash,
    find_chain_hash_on,
    leaves_data_folder,
    opened_backup,
    quick_check,
    restore,
)
from desktop.services.safety.backup_crypto import is_encrypted
from desktop.services.safety.server_backup import MSG_SERVER_RESTORE

ENV_BACKUP_PASSWORD = "HUITOUKAN_BACKUP_PASSWORD"
TOWNSHIPS_HELP = (
    "授权的乡镇，用逗号分隔（如 桃花江镇,西河镇）；“全部乡镇”或不填：全部乡镇。管理员总能看全部乡镇"
)
ROLE_NAMES = {**{label: code for code, label in ROLE_LABELS.items()}, **{r: r for r in ROLES}}


def register(subparsers) -> None:
    """Add the backup, restore, check, audit and user commands."""
    p = subparsers.add_parser("backup", help="把数据库备份到指定文件夹（如U盘）")
    add_db_argument(p)
    p.add_argument(
        "--to",
        type=Path,
        required=True,
        help="备份到的文件夹；数据文件夹以外（如U盘）的备份用管理员设置的备份密码加密保存"
        "（见 backup-password），不再询问密码",
    )
    p.set_defaults(func=run_backup)

    p = subparsers.add_parser(
        "backup-password",
        help="设置或更改备份密码（须管理员登录）：备份到数据文件夹以外时用它加密；"
        f"新密码交互输入两次，脚本中取自环境变量 {ENV_BACKUP_PASSWORD}",
    )
    add_db_argument(p)
    add_admin_argument(p)
    p.set_defaults(func=run_backup_password)

    p = subparsers.add_parser(
        "restore",
        help="检查备份文件后用它替换数据库（原库另存一份；"
        f"加密的备份需要备份密码，或环境变量 {ENV_BACKUP_PASSWORD}）",
    )
    p.add_argument("file", type=Path, help="备份文件")
    add_db_argument(p)
    add_admin_argument(p)
    p.set_defaults(func=run_restore)

    p = subparsers.add_parser(
        "check", help="检查数据库文件是否完好、结构版本是否认识、操作日志的哈希链是否完整"
    )
    add_db_argument(p)
    p.add_argument(
        "--audit-hash",
        default=None,
        help="导出操作日志时抄下的链头哈希（至少前 16 位）：确认此后日志未被改写",
    )
    p.set_defaults(func=run_check)

    p = subparsers.add_parser("audit", help="操作日志")
    audit = p.add_subparsers(dest="audit_command", metavar="操作", required=True)
    e = audit.add_parser("export", help="导出一段时间的操作日志为 .xlsx")
    add_db_argument(e)
    e.add_argument("--out", type=Path, required=True, help="输出文件 (.xlsx)")
    e.add_argument("--from", dest="start", type=iso_date, default=None, help="起始日期 YYYY-MM-DD")
    e.add_argument("--to", dest="end", type=iso_date, default=None, help="截止日期 YYYY-MM-DD")
    add_admin_argument(e)
    e.set_defaults(func=run_audit_export)

    p = subparsers.add_parser("user", help="程序用户")
    user = p.add_subparsers(dest="user_command", metavar="操作", required=True)
    a = user.add_parser(
        "add", help="添加用户（新密码从标准输入读取或交互输入；第一个管理员之后须管理员登录）"
    )
    add_db_argument(a)
    a.add_argument("name", help="用户名")
    a.add_argument("--role", required=True, help="角色：录入员、审核员或管理员")
    a.add_argument("--townships", default="", help=TOWNSHIPS_HELP)
    add_admin_argument(a)
    a.set_defaults(func=run_user_add)
    g = user.add_parser("grant", help="设定用户可以查看和修改的乡镇（须管理员登录；记入操作日志）")
    add_db_argument(g)
    g.add_argument("name", help="用户名")
    g.add_argument("--townships", required=True, help=TOWNSHIPS_HELP)
    add_admin_argument(g)
    g.set_defaults(func=run_user_grant)
    ls = user.add_parser("list", help="列出用户（须管理员登录）")
    add_db_argument(ls)
    add_admin_argument(ls)
    ls.set_defaults(func=run_user_list)
    u = user.add_parser("unlock", help="解除因密码连续错误而锁定的账号（须管理员登录）")
    add_db_argument(u)
    u.add_argument("name", help="被锁定的用户名")
    add_admin_argument(u)
    u.set_defaults(func=run_user_unlock)


def _db(args: argparse.Namespace) -> Path:
    return Path(args.db or default_db_path())


def _locked(args: argparse.Namespace) -> DatabaseLock | NoLock:
    if is_server_url(args.db):
        return NoLock()  # a server: several clerks at once, no file to lock
    lock = DatabaseLock(_db(args))
    try:
        lock.acquire()
    except AlreadyOpenError as exc:
        fail(str(exc), 3)
    return lock


def _backup_password(*, twice: bool) -> str:
    password = os.environ.get(ENV_BACKUP_PASSWORD)
    if password is not None:
        return password
    if sys.stdin is None or not sys.stdin.isatty():
        what = "设置备份密码" if twice else "加密的备份"
        fail(f"{what}需要备份密码：请在提示时输入（脚本中可设环境变量 {ENV_BACKUP_PASSWORD}）", 1)
    password = getpass.getpass("新的备份密码：" if twice else "备份密码：")
    if twice and getpass.getpass("再输一次备份密码：") != password:
        fail("两次输入的备份密码不一致，没有设置", 1)
    return password


def run_backup(args: argparse.Namespace) -> int:
    """Copy the database into a folder and check the copy (encrypted outside the data folder)."""
    encrypted = leaves_data_folder(args.to)
    target = _backup_server(args) if is_server_url(args.db) else _backup_file(args, encrypted)
    note = "（已加密，恢复时需要备份密码）" if encrypted else ""
    print(f"已备份到 {target}{note}")
    return 0


def _backup_file(args: argparse.Namespace, encrypted: bool) -> Path:
    """A database file: copied and checked (the key read first when the copy is encrypted)."""
    db = _db(args)
    if not db.exists():
        fail(f"数据库文件不存在：{db}", 1)
    key = None
    if encrypted:
        services = open_services(args, lock=False)  # reading the key: a window may stay open
        try:
            key = services.backups.backup_key()
        except BackupError as exc:
            fail(str(exc), 1)
        finally:
            services.engine.dispose()
    try:
        return backup_to_folder(db, args.to, key)
    except BackupError as exc:
        fail(str(exc), 1)


def _backup_server(args: argparse.Namespace) -> Path:
    """A server database: pg_dump into the folder (encrypted outside the data folder), logged."""
    services = open_services(args)
    try:
        return services.backups.back_up_to(Path(args.to))
    except BackupError as exc:
        fail(str(exc), 1)
    finally:
        services.engine.dispose()


def run_backup_password(args: argparse.Namespace) -> int:
    """Set the backup password (an administrator signs in; only its derived key is kept)."""
    services = open_services(args)
    try:
        with as_admin(services, args, CHANGE_SETTINGS) as admin:
            password = _backup_password(twice=True)
            try:
                services.backups.set_backup_password(admin, password)
            except AppError as exc:
                fail(str(exc), 1)
    finally:
        services.engine.dispose()
    print(
        "已设置备份密码：此后备份到数据文件夹以外（如U盘）时用它加密，不再询问；"
        "恢复这些备份时需要输入它。请牢记：没有它，备份无法恢复。"
    )
    return 0


def _admin_of_backup(args: argparse.Namespace, source: Path, db: Path):
    """Sign an administrator of the backup in (the database is missing or damaged).

    Against a throwaway copy of the backup, but counted in the sign-in ledger of the database
    being restored: each try would otherwise start from a fresh copy, never slowed down.
    """
    import tempfile

    from desktop.models.database import open_database
    from desktop.services.actor import CurrentUser, cli_actor, os_user
    from desktop.services.context import AppServices
    from desktop.services.safety.sign_in_ledger import SignInLedger

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "sign-in.sqlite3"
        shutil.copyfile(source, copy)
        engine = open_database(copy)  # a throwaway copy: no backup before its upgrade
        try:
            services = AppServices(
                engine, copy, CurrentUser(os_user(), ROLE_ADMIN), actor=cli_actor
            )
            services.auth.ledger = SignInLedger.for_database(db)
            return sign_in_admin(services, args, RESTORE_BACKUP)
        finally:
            engine.dispose()


def _restore_admin(args: argparse.Namespace, db: Path, plain: Path):
    """Sign in an administrator of the database, or of the backup when the database is gone."""
    if db.exists() and quick_check(db).ok:
        services = open_services(args, lock=False)  # the command holds its own lock
        try:
            return sign_in_admin(services, args, RESTORE_BACKUP)
        finally:
            services.engine.dispose()
    return _admin_of_backup(args, plain, db)


def _checked_restore(args: argparse.Namespace, db: Path, plain: Path) -> Path | None:
    # The file first: a refused backup leaves the database as it was, sign-in entry and all.
    result = check_file(plain)
    if not result.ok:
        message = result.message.replace(plain.name, Path(args.file).name)
        fail(f"没有恢复：{message}。当前数据库未作任何改动。", 1)
    args.admin_user = _restore_admin(args, db, plain)
    return restore(plain, db, backups_dir())


def run_restore(args: argparse.Namespace) -> int:
    """Check a backup, keep the current database, swap the backup in, log it (administrators)."""
    if is_server_url(args.db):
        fail(MSG_SERVER_RESTORE, 1)
    db = _db(args)
    args.db = db
    lock = _locked(args)
    try:
        password = _backup_password(twice=False) if is_encrypted(args.file) else None
        try:
            with opened_backup(args.file, password) as plain:
                kept = _checked_restore(args, db, plain)
        except BackupError as exc:
            fail(str(exc), 1)
        services = open_services(args, lock=False)  # the command holds its own lock
        try:
            with acting_as(Actor(args.admin_user.name, SOURCE_CLI)):
                services.audit.log(
                    ACTION_RESTORE,
                    "database",
                    note=f"从 {args.file} 恢复；原数据库另存为 {kept or '（无）'}",
                )
        finally:
            services.engine.dispose()
    finally:
        lock.release()
    print(f"已从 {args.file} 恢复数据库 {db}")
    if kept:
        print(f"原数据库已另存为 {kept}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Check the file; exit 1 with the reason when it is damaged or of an unknown schema."""
    if is_server_url(args.db):
        return _check_server(args)
    db = _db(args)
    result = check_file(db)
    if not result.ok:
        print(result.message, file=sys.stderr)
        return 1
    versions = "、".join(sorted(result.revisions))
    note = "" if result.revisions == head_revisions() else "（较旧，打开时会自动升级）"
    print(f"{db}：{result.message}，结构版本 {versions}{note}")
    if args.audit_hash is not None:
        return _check_written_hash(args.audit_hash, lambda text: find_chain_hash(db, text))
    return 0


def _check_server(args: argparse.Namespace) -> int:
    """Check a PostgreSQL database: reachable, a schema version known, the audit chain whole.

    Read only: unlike the other commands it does not migrate the database. The server keeps
    its own pages sound, so there is no file integrity check to run.
    """
    from desktop.models.database import (
        DatabaseError,
        current_revisions,
        known_revisions,
        make_engine,
    )
    from desktop.services.safety.audit_chain import verify_connection

    try:
        engine = make_engine(args.db)
        revisions = current_revisions(engine)
    except DatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:  # no server, no rights: psycopg's reason
        print(f"无法连接数据库服务器：{exc}", file=sys.stderr)
        return 1
    try:
        if not revisions:
            print("该数据库还没有回头看工作台的表（没有结构版本）", file=sys.stderr)
            return 1
        unknown = revisions - known_revisions()
        if unknown:
            print(
                f"数据库的结构版本 {'、'.join(sorted(unknown))} 本程序不认识，请升级程序",
                file=sys.stderr,
            )
            return 1
        if revisions != head_revisions():
            print(f"结构版本 {'、'.join(sorted(revisions))}（较旧，打开时会自动升级）")
            return 0
        with engine.connect() as conn:
            report = verify_connection(conn)
        if not report.ok:
            print(report.message, file=sys.stderr)
            return 1
        print(f"数据库服务器：结构版本 {'、'.join(sorted(revisions))}；{report.message}")
        if args.audit_hash is not None:
            return _check_written_hash(
                args.audit_hash, lambda text: find_chain_hash_on(engine, text)
            )
        return 0
    finally:
        engine.dispose()


def _check_written_hash(written: str, find) -> int:
    """Compare a chain hash written down on paper with the log; `find` looks it up."""
    text = "".join(written.split())
    if len(text) < 16 or any(c not in "0123456789abcdefABCDEF" for c in text):
        print(f"链头哈希应是至少 16 位的十六进制数字（0–9、a–f）：{written}", file=sys.stderr)
        return 1
    found = find(text)
    if found is None:
        print(
            f"操作日志中没有以 {text} 开头的链哈希：抄下这个哈希之后，日志被改写过"
            "（或抄错了，或来自另一个数据库）",
            file=sys.stderr,
        )
        return 1
    entry, after = found
    print(f"抄下的链头哈希是第 #{entry} 条的，截至它的日志未被改动；此后又记录了 {after} 条")
    return 0


def run_audit_export(args: argparse.Namespace) -> int:
    """Export the audit log of a period to .xlsx (administrators); the export itself is logged."""
    if args.start and args.end and args.start > args.end:
        fail("起始日期晚于截止日期", 1)
    lock = _locked(args)
    try:
        services = open_services(args, lock=False)  # the command holds its own lock
        try:
            with as_admin(services, args, EXPORT_AUDIT) as admin:
                count = services.audit.export_xlsx(args.out, args.start, args.end, user=admin)
                head = services.audit.head_text()  # after the export's own entry
        finally:
            services.engine.dispose()
    finally:
        lock.release()
    print(f"已导出 {count} 条操作日志到 {args.out}")
    print(head)
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("新用户的密码：")
        if getpass.getpass("再输一次：") != first:
            fail("两次输入的密码不一致", 1)
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_user_add(args: argparse.Namespace) -> int:
    """Add a user with a role: the first administrator freely, later ones by an administrator."""
    role = ROLE_NAMES.get(args.role)
    if role is None:
        fail(f"未知的角色：{args.role}（可用：录入员、审核员、管理员）", 1)
    lock = _locked(args)
    try:
        services = open_services(args, lock=False)  # the command holds its own lock
        try:
            auth = services.auth
            if not auth.has_users():
                if role != ROLE_ADMIN:
                    fail("这个数据库还没有用户：第一个用户须是管理员（--role 管理员）", 1)
                auth.create_first_admin(args.name, _read_password())
            else:
                with as_admin(services, args, MANAGE_USERS) as admin:
                    townships = auth.township_ids(_township_names(args.townships))
                    user_id = auth.add_user(admin, args.name, role, _read_password())
                    auth.set_townships(admin, user_id, townships)
        except AppError as exc:  # AuthError, PermissionDeniedError
            fail(str(exc), 1)
        finally:
            services.engine.dispose()
    finally:
        lock.release()
    print(f"已添加{ROLE_LABELS[role]}“{args.name.strip()}”")
    return 0


@contextmanager
def _managing_users(args: argparse.Namespace) -> Iterator[tuple[AppServices, CurrentUser]]:
    """Hold the lock, sign an administrator in (the sign-in is logged: a write) and give the
    services and the administrator; a refusal (AppError) ends the command with its message."""
    lock = _locked(args)
    try:
        services = open_services(args, lock=False)
        try:
            with as_admin(services, args, MANAGE_USERS) as admin:
                yield services, admin
        except AppError as exc:
            fail(str(exc), 1)
        finally:
            services.engine.dispose()
    finally:
        lock.release()


def run_user_list(args: argparse.Namespace) -> int:
    """List the users with their roles and townships (administrators; locked ones marked)."""
    with _managing_users(args) as (services, _admin):
        for u in services.auth.users():
            state = "" if u.active else "（已停用）"
            state += "（已锁定）" if services.auth.locked(u.id) else ""
            print(f"{u.name}\t{u.role_label}{state}\t{u.townships_label}")
    return 0


def _user_named(auth, name: str):
    """The user of that name (UserInfo); a missing one ends the command."""
    found = [u for u in auth.users() if u.name == name.strip()]
    if not found:
        fail(f"没有用户“{name.strip()}”", 1)
    return found[0]


def _township_names(text: str) -> list[str]:
    """The townships of --townships: names split at commas (ASCII or Chinese); none: all."""
    names = [n.strip() for n in text.replace("，", ",").replace("、", ",").split(",")]
    return [n for n in names if n and n != ALL_TOWNSHIPS_LABEL]


def run_user_grant(args: argparse.Namespace) -> int:
    """Set the townships a user may work on (administrators; logged)."""
    with _managing_users(args) as (services, admin):
        auth = services.auth
        user = _user_named(auth, args.name)
        auth.set_townships(admin, user.id, auth.township_ids(_township_names(args.townships)))
        granted = _user_named(auth, args.name)
    print(f"用户“{granted.name}”可以查看和修改：{granted.townships_label}")
    return 0


def run_user_unlock(args: argparse.Namespace) -> int:
    """Unlock an account locked by wrong passwords (administrators; logged)."""
    with _managing_users(args) as (services, admin):
        user = _user_named(services.auth, args.name)
        if not services.auth.locked(user.id):
            print(f"用户“{user.name}”没有被锁定")
            return 0
        services.auth.unlock(admin, user.id)
    print(f"已解除用户“{args.name.strip()}”的锁定")
    return 0
