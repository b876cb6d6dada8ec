"""Backups, restore, start-up checks, the local-disk rule and the one-window-per-database lock.

- Automatic backups with SQLite's online backup API go to the data folder's backups/ at start-up
  (at most once a day) and before every migration (`database.upgrade`); the newest N
  generations are kept (a setting in backup.json in the data folder).
- A backup to a folder the user picks (a USB stick) is checked after writing; one that leaves
  the data folder is encrypted (AES-GCM, a key from the backup password: backup_crypto.py), and
  restoring it asks for that password. The automatic backups stay in the data folder, plain.
- A restore checks the file first (integrity, schema version), keeps the replaced database as a
  backup too, then swaps the file in; nothing is replaced when the check fails.
- Every backup is written under a temporary name (`….part`) and renamed when complete; a copy
  being restored is `….restoring`. What a killed backup or restore leaves is removed at the next
  start (`clean_debris`) and never counted as a generation.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import shutil
import socket
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy import text as sql_text

from desktop.errors import AppError
from desktop.models.database import (
    DatabaseError,
    backup_file,
    file_contents,
    file_rows,
    inspect_file,
    known_revisions,
    schema_objects,
)
from desktop.paths import backups_dir, data_dir
from desktop.services.safety import audit_chain, backup_crypto
from desktop.services.safety.backup_crypto import BackupKey, BackupPasswordError

SETTINGS_FILE = "backup.json"
DEFAULT_GENERATIONS = 10
MAX_GENERATIONS = 365
SQLITE_HEADER = b"SQLite format 3\x00"
PART_SUFFIX = ".part"
RESTORING_SUFFIX = ".restoring"

KIND_AUTO = "auto"
KIND_UPGRADE = "before-upgrade"  # written by desktop.models.database.upgrade
KIND_RESTORE = "before-restore"
KIND_LABELS = {KIND_AUTO: "启动时自动备份", KIND_UPGRADE: "升级前备份", KIND_RESTORE: "恢复前备份"}
_NAME = re.compile(
    r"^(?P<stem>.+)-(?P<kind>auto|before-upgrade|before-restore)-(?P<stamp>\d{8}-\d{6})\.sqlite3$"
)

# Linux file systems whose locking SQLite cannot rely on.
NETWORK_FS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs",
     "fuse.sshfs", "fuse.glusterfs", "davfs", "fuse.davfs2"}
)  # fmt: skip
DRIVE_REMOTE = 4  # GetDriveTypeW


class BackupError(AppError):
    """A backup or restore was refused or failed; the message says why, in Chinese."""


class AlreadyOpenError(AppError):
    """Another window already has this database open."""


@dataclass(frozen=True)
class CheckResult:
    """What a check of a database file found; `message` is for the user."""

    ok: bool
    message: str
    revisions: frozenset[str] = field(default_factory=frozenset)
    chain: audit_chain.ChainReport | None = None


@dataclass(frozen=True)
class BackupInfo:
    """One automatic backup in the backups folder."""

    path: Path
    kind: str
    at: datetime

    @property
    def kind_label(self) -> str:
        """Return why the backup was made, in Chinese."""
        return KIND_LABELS.get(self.kind, self.kind)


# --- settings ----------------------------------------------------------------------------


def _settings_path() -> Path:
    return data_dir() / SETTINGS_FILE


def generations() -> int:
    """Return how many automatic backups are kept (default 10)."""
    try:
        value = int(json.loads(_settings_path().read_text(encoding="utf-8"))["generations"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_GENERATIONS
    return min(max(value, 1), MAX_GENERATIONS)


def set_generations(count: int) -> None:
    """Set how many automatic backups are kept (1 to 365)."""
    if not 1 <= count <= MAX_GENERATIONS:
        raise BackupError(f"保留份数应在 1 到 {MAX_GENERATIONS} 之间")
    path = _settings_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"generations": count}), encoding="utf-8")
    os.replace(tmp, path)


# --- automatic backups -------------------------------------------------------------------


def write_backup(source: Path, target: Path) -> Path:
    """Back `source` up to `target` through a temporary name: `target` appears only whole."""
    part = target.with_name(target.name + PART_SUFFIX)
    try:
        backup_file(Path(source), part)
        os.replace(part, target)
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    return target


def clean_debris(db_path: Path, folder: Path | None = None) -> list[Path]:
    """Remove what a killed backup or restore left (call while holding the database's lock)."""
    db_path = Path(db_path)
    folder = folder or backups_dir()
    found = [*folder.glob(f"*.sqlite3{PART_SUFFIX}")] if folder.is_dir() else []
    found += db_path.parent.glob(f"*{PART_SUFFIX}") if db_path.parent.is_dir() else []
    restoring = db_path.with_name(db_path.name + RESTORING_SUFFIX)
    found += [restoring, *(restoring.with_name(restoring.name + s) for s in _SIDECARS)]
    # A -wal, -shm or -journal without its database (a restore killed while it kept a damaged
    # file's log beside the backup, before the file itself) is of no use to anyone.
    for suffix in _SIDECARS if folder.is_dir() else ():
        found += [
            p
            for p in folder.glob(f"*.sqlite3{suffix}")
            if not p.with_name(p.name.removesuffix(suffix)).exists()
        ]
    removed = []
    for path in found:
        if path.exists():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def backup_name(db_path: Path, kind: str, when: datetime | None = None) -> str:
    """Return the file name of an automatic backup (the same pattern `upgrade` uses)."""
    when = when or datetime.now()
    return f"{Path(db_path).stem}-{kind}-{when:%Y%m%d-%H%M%S}.sqlite3"


def list_backups(db_path: Path, folder: Path | None = None) -> list[BackupInfo]:
    """Return the automatic backups of a database, newest first."""
    folder = folder or backups_dir()
    found = []
    for path in folder.glob("*.sqlite3"):
        match = _NAME.match(path.name)
        if match and match["stem"] == Path(db_path).stem:
            at = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
            found.append(BackupInfo(path, match["kind"], at))
    return sorted(found, key=lambda b: (b.at, b.path.name), reverse=True)


def prune(db_path: Path, folder: Path | None = None, keep: int | None = None) -> list[Path]:
    """Delete automatic backups beyond the newest `keep` generations; return what went."""
    keep = generations() if keep is None else keep
    removed = []
    for info in list_backups(db_path, folder)[keep:]:
        with contextlib.suppress(OSError):
            info.path.unlink()
            removed.append(info.path)
    return removed


def auto_backup(
    db_path: Path, folder: Path | None = None, *, now: datetime | None = None
) -> Path | None:
    """Back the database up at start-up unless today's backup exists; keep N generations."""
    db_path = Path(db_path)
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    folder = folder or backups_dir()
    now = now or datetime.now()
    done_today = any(
        b.kind == KIND_AUTO and b.at.date() == now.date() for b in list_backups(db_path, folder)
    )
    if done_today:
        return None
    target = write_backup(db_path, folder / backup_name(db_path, KIND_AUTO, now))
    prune(db_path, folder)
    return target


# --- checks ------------------------------------------------------------------------------


def check_file(path: Path, *, quick: bool = False) -> CheckResult:
    """Check a database file: SQLite, not damaged, a schema version this program knows."""
    path = Path(path)
    if not path.exists():
        return CheckResult(False, f"文件不存在：{path}")
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        return CheckResult(False, f"无法读取文件 {path}：{exc}")
    if header != SQLITE_HEADER:
        return CheckResult(False, f"{path.name} 不是回头看工作台的数据库文件（不是 SQLite 数据库）")
    try:
        problems, revisions = inspect_file(path, quick=quick)
    except DatabaseError as exc:
        if "只读" in str(exc):  # a read-only folder, not a damaged file
            return CheckResult(False, f"无法读取数据库文件 {path.name}：{exc}")
        return CheckResult(False, f"数据库文件已损坏，无法读取（{exc}）")
    if problems != ["ok"]:
        detail = "；".join(problems[:3]).replace("\n", "；")[:200]
        return CheckResult(False, f"数据库文件已损坏（{detail}）")
    if revisions is None:
        return CheckResult(False, f"{path.name} 不是回头看工作台的数据库（没有结构版本）")
    unknown = revisions - known_revisions()
    if unknown:
        return CheckResult(
            False,
            f"数据库的结构版本 {'、'.join(sorted(unknown))} 本程序不认识"
            "（可能来自更新版本的回头看工作台），请升级程序后再打开",
            revisions,
        )
    objects, paths = (set(), []) if quick else file_contents(path)
    tables = {name for kind, name, _ in objects if kind == "table"}
    if not quick and len(revisions) == 1:
        revision = next(iter(revisions))
        expected = schema_objects(revision)
        missing = expected - objects  # a trigger rewritten under its own name is missing too
        changed = sorted(name for kind, name, _ in missing if kind == "table" and name in tables)
        if changed:
            return CheckResult(
                False,
                f"{path.name} 不完整：{len(changed)} 个表（如 {changed[0]}）的列与它的结构版本 "
                f"{revision} 不符，可能被改动过或已损坏",
                revisions,
            )
        if missing:
            kinds = {"table": "表", "index": "索引", "trigger": "触发器", "view": "视图"}
            tally = "、".join(
                f"{sum(1 for k, *_ in missing if k == kind)} 个{label}"
                for kind, label in kinds.items()
                if any(k == kind for k, *_ in missing)
            )
            return CheckResult(
                False,
                f"{path.name} 不完整：按它的结构版本 {revision} 缺少 {tally}，可能被改动过或已损坏",
                revisions,
            )
        added = [name for kind, name, _ in objects - expected if kind == "trigger"]
        if added:
            return CheckResult(
                False,
                f"{path.name} 有 {len(added)} 个它的结构版本 {revision} 没有的触发器"
                f"（如“{added[0][:40]}”），可能被改动过，不能使用",
                revisions,
            )
    if not quick and not revisions:
        return CheckResult(False, f"{path.name} 没有结构版本记录，不是完整的数据库", revisions)
    outside = [p for p in paths if not attachment_path_ok(p)]
    if outside:
        return CheckResult(
            False,
            f"{path.name} 中有 {len(outside)} 个附件路径指向附件文件夹以外"
            f"（如“{outside[0][:60]}”），可能被改动过，不能使用",
            revisions,
        )
    if "audit_chain_head" in tables:  # older revisions are chained at upgrade
        chain = verify_chain(path)
        if not chain.ok:
            return CheckResult(False, f"{path.name}：{chain.message}", revisions, chain)
        return CheckResult(True, f"数据库文件完好，{chain.message}", revisions, chain)
    return CheckResult(True, "数据库文件完好", revisions)


def verify_chain(path: Path) -> audit_chain.ChainReport:
    """Walk the audit log's hash chain of a database file (see audit_chain)."""
    entries, head = audit_chain.chain_sql()
    try:
        head_row = next(iter(list(file_rows(path, head))), None)
        return audit_chain.verify(file_rows(path, entries), head_row)
    except DatabaseError as exc:
        return audit_chain.ChainReport(False, f"无法读取操作日志（{exc}）")


_FIND_HASH = (
    "SELECT id, (SELECT max(id) FROM audit_entry) FROM audit_entry"
    " WHERE chain_hash LIKE {} ORDER BY id LIMIT 1"
)


def find_chain_hash(path: Path, written: str) -> tuple[int, int] | None:
    """Return (entry id, entries after it) of the entry whose chain hash starts as written."""
    text = "".join(written.split()).lower()
    row = next(iter(list(file_rows(path, _FIND_HASH.format("?"), (text + "%",)))), None)
    return (row[0], row[1] - row[0]) if row else None


def find_chain_hash_on(engine: Engine, written: str) -> tuple[int, int] | None:
    """The same on a server database (or any engine): read only."""
    text = "".join(written.split()).lower()
    with engine.connect() as conn:
        row = conn.execute(sql_text(_FIND_HASH.format(":h")), {"h": text + "%"}).first()
    return (row[0], row[1] - row[0]) if row else None


class NoLock:
    """A server database takes no file lock: the server keeps several clerks apart."""

    def release(self) -> None:
        """Nothing to release."""


def attachment_path_ok(relative: str) -> bool:
    """True when a stored attachment path stays inside the data folder's attachments/."""
    parts = relative.split("/")
    return (
        len(parts) >= 2
        and parts[0] == "attachments"
        and all(p not in ("", ".", "..") for p in parts)
        and not any(c in relative for c in ("\\", ":", "\x00"))
    )


def quick_check(db_path: Path) -> CheckResult:
    """The start-up check: PRAGMA quick_check and the schema version."""
    return check_file(db_path, quick=True)


def newest_good_backup(db_path: Path, folder: Path | None = None) -> BackupInfo | None:
    """Return the newest automatic backup that passes the full check."""
    for info in list_backups(db_path, folder):
        if check_file(info.path).ok:
            return info
    return None


# --- to and from a folder the user picks ----------------------------------------------------


def leaves_data_folder(folder: Path) -> bool:
    """True when a folder is outside the data folder: a backup written there is encrypted."""
    try:
        Path(folder).resolve().relative_to(data_dir().resolve())
    except ValueError:
        return True
    return False


MSG_NO_BACKUP_PASSWORD = (
    "备份到数据文件夹以外（如U盘）的备份须加密，但还没有设置备份密码：请管理员在“备份与恢复”中"
    "点“设置备份密码…”（或用命令 huitoukan backup-password）设置后再备份"
)


def backup_target(
    folder: Path, stem: str, suffix: str, key: BackupKey | None
) -> tuple[str, Path, bool]:
    """Return (name, file, encrypted) of a backup of `stem` made now into `folder` (a USB
    stick): named 〈stem〉-备份-〈time〉, encrypted under the backup key outside the data folder.
    A missing folder, or no backup password where one is needed, is refused in Chinese."""
    if not folder.is_dir():
        raise BackupError(f"文件夹不存在：{folder}")
    name = f"{stem}-备份-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    encrypted = leaves_data_folder(folder)
    if encrypted and key is None:
        raise BackupError(MSG_NO_BACKUP_PASSWORD)
    return name, folder / (name + (backup_crypto.SUFFIX if encrypted else suffix)), encrypted


def backup_to_folder(db_path: Path, folder: Path, key: BackupKey | None = None) -> Path:
    """Copy the database into a folder (a USB stick) and check the copy; return its path.

    Outside the data folder the copy is encrypted under the backup key that the administrator's
    backup password gave (`….htkbak`): the plain copy is made and checked in the data folder's
    backups/, encrypted onto the stick, and the stick's file is read back and authenticated.
    """
    folder = Path(folder)
    name, target, encrypted = backup_target(folder, Path(db_path).stem, ".sqlite3", key)
    plain = backups_dir() / (name + ".sqlite3" + PART_SUFFIX) if encrypted else target
    try:
        write_backup(Path(db_path), plain)
        result = check_file(plain)
        if not result.ok:
            raise BackupError(f"备份文件检查未通过：{result.message}")
        if encrypted:
            backup_crypto.encrypt_file(plain, target, key)
            backup_crypto.verify_file(target, key)
    except (BackupError, BackupPasswordError) as exc:
        raise BackupError(f"备份失败：{exc}（{folder}）") from exc
    except Exception as exc:  # a full or pulled-out stick, a read-only folder
        raise BackupError(f"备份失败：{os_reason(exc)}（{folder}）") from exc
    finally:
        if encrypted:
            with contextlib.suppress(OSError):
                plain.unlink(missing_ok=True)
    return target


@contextlib.contextmanager
def opened_backup(source: Path, password: str | None):
    """Yield a backup as a plain database file: itself, or decrypted into the data folder.

    A wrong password (or a changed file) raises BackupError before anything is written; the
    decrypted copy is removed afterwards (or by `clean_debris` after a crash).
    """
    source = Path(source)
    if not backup_crypto.is_encrypted(source):
        yield source
        return
    if not password:
        raise BackupError(f"{source.name} 是加密的备份，恢复需要备份密码。当前数据库未作任何改动。")
    folder = backups_dir()
    folder.mkdir(parents=True, exist_ok=True)
    plain = folder / (source.stem + "-解密.sqlite3" + PART_SUFFIX)
    try:
        backup_crypto.decrypt_file(source, plain, password)
    except BackupPasswordError as exc:
        raise BackupError(f"没有恢复：{exc}。当前数据库未作任何改动。") from None
    except OSError as exc:
        raise BackupError(f"无法读取备份文件 {source}：{os_reason(exc)}") from exc
    try:
        yield plain
    finally:
        with contextlib.suppress(OSError):
            plain.unlink(missing_ok=True)


_SIDECARS = ("-wal", "-shm", "-journal")


def os_reason(exc: BaseException) -> str:
    """Return an OS or SQLite failure as Chinese words, never the library's English."""
    text = str(exc).lower()
    if "database is locked" in text:
        return "数据库正被另一个程序占用"
    if "not a database" in text or "malformed" in text:
        return "数据库文件已损坏"
    if isinstance(exc, PermissionError) or "readonly" in text or "read-only" in text:
        return "没有写入权限（文件夹是只读的，或文件正被其他程序占用）"
    if "disk is full" in text or "no space" in text or getattr(exc, "errno", None) == 28:
        return "磁盘已满"
    if isinstance(exc, FileNotFoundError):
        return "找不到文件或文件夹（U盘可能已拔出）"
    return "读写文件时出错（U盘可能已拔出，或磁盘有故障）"


def _remove_sidecars(db_path: Path) -> None:
    # A -wal left from the replaced file would be replayed into the restored one.
    for suffix in _SIDECARS:
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.unlink()


def _keep_current(db_path: Path, folder: Path) -> Path | None:
    if not db_path.exists():
        return None
    target = folder / backup_name(db_path, KIND_RESTORE)
    try:
        return write_backup(db_path, target)
    except Exception:  # the current file is damaged: keep its bytes as they are
        wal = db_path.with_name(db_path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        part = target.with_name(target.name + PART_SUFFIX)
        shutil.copyfile(db_path, part)
        os.replace(part, target)
        return target


def restore(source: Path, db_path: Path, folder: Path | None = None) -> Path | None:
    """Replace the database by a backup after checking it; return where the old one was kept.

    The caller closes every connection to `db_path` first (dispose the engine).
    """
    source, db_path = Path(source), Path(db_path)
    folder = folder or backups_dir()
    if source.resolve() == db_path.resolve():
        raise BackupError("不能用数据库文件自身来恢复")
    tmp = db_path.with_name(db_path.name + RESTORING_SUFFIX)
    _remove_sidecars(tmp)
    try:
        shutil.copyfile(source, tmp)
        wal = source.with_name(source.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, tmp.with_name(tmp.name + "-wal"))
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"无法读取备份文件 {source}：{os_reason(exc)}") from exc
    result = check_file(tmp)
    if not result.ok:
        tmp.unlink(missing_ok=True)
        _remove_sidecars(tmp)
        message = result.message.replace(tmp.name, source.name)
        raise BackupError(f"没有恢复：{message}。当前数据库未作任何改动。")
    kept = _keep_current(db_path, folder)
    _remove_sidecars(tmp)
    _remove_sidecars(db_path)
    os.replace(tmp, db_path)
    return kept


# --- where the database may live, and who has it open -------------------------------------------


def _mount_of(path: str, mounts_text: str) -> tuple[str, str] | None:
    best: tuple[str, str] | None = None
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > len(best[0])):
            best = (point, parts[2])
    return best


def network_reason(path: Path | str, *, mounts_text: str | None = None) -> str | None:
    """Return why a database path is refused (on a network share), or None for a local disk."""
    text = str(path)
    explain = (
        "SQLite 的文件锁在网络共享上不可靠，两台电脑同时打开可能损坏数据。"
        "请把数据库放在本机硬盘上（例如 D 盘或“文档”文件夹）；"
        "全县共用一个数据库将来以服务器方式提供。"
    )
    if text.startswith(("\\\\", "//")):
        return f"数据库位于网络共享 {text}。{explain}"
    if sys.platform == "win32":
        import ctypes

        drive = Path(text).resolve().drive
        if drive and ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE:
            return f"数据库位于网络驱动器 {drive}。{explain}"
        return None
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    mount = _mount_of(str(Path(text).resolve()), mounts_text)
    if mount and mount[1] in NETWORK_FS:
        return f"数据库位于网络文件系统（{mount[1]}，{mount[0]}）。{explain}"
    return None


class DatabaseLock:
    """An OS-level lock file next to the database: one window per database file.

    The operating system drops the lock when the holding process dies, so a lock file left by a
    crash or a power cut is stale and simply taken over.
    """

    def __init__(self, db_path: Path) -> None:
        self.path = Path(db_path).with_name(Path(db_path).name + ".lock")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyOpenError saying who holds it."""
        if self._fd is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only folder: say so, not an unexpected error
            raise BackupError(
                f"无法使用数据库 {self.path.parent / self.path.stem}：{os_reason(exc)}"
            ) from exc
        try:
            _lock(fd)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise AlreadyOpenError(
                f"该数据库已在另一个回头看工作台窗口中打开（{holder}）。"
                "同一数据库同时只能在一个窗口中使用，以免两处的修改互相覆盖。"
                "请切换到已打开的窗口；若确认没有，请稍候再试或重新启动电脑。"
            ) from None
        info = {
            "pid": os.getpid(),
            "user": _user(),
            "host": socket.gethostname(),
            "since": datetime.now().strftime("%Y-%m-%d %H:%M"),
        }
        os.lseek(fd, 1, os.SEEK_SET)
        os.ftruncate(fd, 1)
        os.write(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"))
        self._fd = fd

    def release(self) -> None:
        """Release the lock and remove the lock file."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)
        with contextlib.suppress(OSError):
            self.path.unlink()

    def __enter__(self) -> DatabaseLock:
        self.acquire()
        return self

    def __exit__(self, *_exc) -> None:
        self.release()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "?"


def _read_holder(fd: int) -> str:
    # Byte 0 is the locked byte (Windows forbids reading a locked range); the holder follows.
    try:
        os.lseek(fd, 1, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode("utf-8"))
        return f"用户 {info['user']}，计算机 {info['host']}，自 {info['since']} 起"
    except (OSError, ValueError, KeyError):
        return "占用者未知"


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# --- start-up -------------------------------------------------------------------------------


@dataclass
class StartupReport:
    """What the start-up guard found: the lock (held), the check, the backup made."""

    lock: DatabaseLock
    check: CheckResult
    newest_good: BackupInfo | None = None
    backup: Path | None = None


def startup(db_path: Path, folder: Path | None = None) -> StartupReport:
    """Refuse a network path, take the lock, check the file quickly, back up once a day.

    Raises BackupError (network share) or AlreadyOpenError; a damaged file is reported with
    the newest good backup so that the window can offer to restore it.
    """
    db_path = Path(db_path)
    reason = network_reason(db_path)
    if reason:
        raise BackupError(reason)
    lock = DatabaseLock(db_path)
    lock.acquire()
    clean_debris(db_path, folder)  # ours to clean: nobody else holds the file now
    if not db_path.exists():
        return StartupReport(lock, CheckResult(True, "新数据库"))
    check = quick_check(db_path)
    if not check.ok:
        return StartupReport(lock, check, newest_good_backup(db_path, folder))
    backup = auto_backup(db_path, folder)
    prune(db_path, folder)  # also the backups written before migrations
    return StartupReport(lock, check, backup=backup)
