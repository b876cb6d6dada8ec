"""ExchangeService: export a package for a peer, import one, list and resolve conflicts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from desktop.models.base import utcnow
from desktop.models.exchange import (
    CONFLICT_KEPT,
    CONFLICT_OPEN,
    CONFLICT_TAKEN,
    DIRECTION_RECEIVED,
    DIRECTION_SENT,
    ExchangeConflict,
    ExchangePackage,
)
from desktop.models.registry import Township
from desktop.models.safety import ACTION_UPDATE
from desktop.models.setting import SETTING_PC_ID, DatabaseSetting
from desktop.services.actor import CurrentUser
from desktop.services.exchange import conflicts, export, keys, records, rows
from desktop.services.exchange.keys import ExchangeError, ExchangeKey
from desktop.services.exchange.merge import Merge, MergeCounts
from desktop.services.exchange.package import Package, read_package, write_package
from desktop.services.problems.catalogue import seed_reference_data
from desktop.services.safety.audit import annotate
from desktop.services.safety.auth import EXCHANGE_PACKAGES, require
from desktop.services.safety.backup import attachment_path_ok
from desktop.services.stored_files import SourceFile, stored_copy
from desktop.services.unit_of_work import Database


@dataclass(frozen=True)
class ExportResult:
    """A package written: its number, destination, counts, evidence files it lacks."""

    path: Path
    sequence: int
    township: str
    destination_pc: str
    counts: dict[str, int]
    missing_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """A package taken in: where from, its number, and what it did."""

    township: str
    sequence: int
    source_pc: str
    counts: MergeCounts = field(default_factory=MergeCounts)
    files: int = 0


def _numbers(first: int, last: int) -> str:
    return f"第 {first} 号" if first == last else f"第 {first}–{last} 号"


class ExchangeService:
    """Exchange packages between this database and the PCs it trades with."""

    def __init__(
        self, db: Database, data_dir: Path, user: Callable[[], CurrentUser] = CurrentUser
    ) -> None:
        """`user`: who works (a package holds full ID numbers: reviewers and administrators)."""
        self.db = db
        self.data_dir = Path(data_dir)
        self.user = user

    # --- the key ----------------------------------------------------------------------

    def pc_id(self) -> str:
        """This database's PC id (made at the first call)."""
        with self.db.unit_of_work() as s:
            return keys.pc_id(s)

    def new_county_key(self) -> ExchangeKey:
        """Make and keep the county's key, to hand to its townships."""
        require(self.user(), EXCHANGE_PACKAGES)
        with self.db.unit_of_work() as s:
            return keys.new_county_key(s)

    def set_key(self, text: str) -> ExchangeKey:
        """Keep the key the county gave (a township)."""
        require(self.user(), EXCHANGE_PACKAGES)
        key = ExchangeKey.parse(text)
        with self.db.unit_of_work() as s:
            if key.county_pc == keys.pc_id(s):
                raise ExchangeError("这是本机自己生成的密钥，无需再填入")
            keys.save_key(s, key)
        return key

    def key(self) -> ExchangeKey | None:
        """The key kept here, or None."""
        with self.db.session() as s:
            return keys.exchange_key(s)

    def townships_heard_from(self) -> list[str]:
        """The 乡镇 whose packages this PC has taken in (those the county can send to)."""
        with self.db.session() as s:
            here = s.get(DatabaseSetting, SETTING_PC_ID)
            if here is None:
                return []
            found = s.scalars(
                select(ExchangePackage.township)
                .where(
                    ExchangePackage.direction == DIRECTION_RECEIVED,
                    ExchangePackage.destination_pc == here.value,
                )
                .distinct()
                .order_by(ExchangePackage.township)
            )
            return [name for name in found if name]

    # --- export -----------------------------------------------------------------------

    def export(self, out: Path, township: str | None = None) -> ExportResult:
        """Write the package of everything changed since the last one to the same PC.

        A township sends to the county its key names; the county names the township
        (`township`), which must have sent it a package before (so its PC is known).
        """
        require(self.user(), EXCHANGE_PACKAGES)
        out = Path(out)
        written = False
        try:
            with self.db.unit_of_work() as s:
                here, key = keys.pc_id(s), keys.required_key(s)
                destination, label, scope = self._destination(s, here, key, township)
                last = records.last_package(s, DIRECTION_SENT, here, destination)
                names = rows.Names.load(s.connection())
                agreed = records.agreed(s, destination)
                contents = export.collect(
                    s,
                    names,
                    agreed,
                    township_uid=scope,
                    audit_after=last.audit_upto if last else 0,
                    data_dir=self.data_dir,
                )
                sequence = last.sequence + 1 if last else 1
                manifest = {
                    "source_pc": here,
                    "destination_pc": destination,
                    "township": label,
                    "sequence": sequence,
                    "previous_digest": last.digest if last else "",
                    "created_at": utcnow().isoformat(sep=" "),
                    "counts": contents.counts(),
                }
                data = {"rows": contents.rows, "deleted": contents.deleted, "audit": contents.audit}
                digest = write_package(out, manifest, data, contents.files, key.secret)
                written = True
                s.add(
                    ExchangePackage(
                        direction=DIRECTION_SENT,
                        source_pc=here,
                        destination_pc=destination,
                        township=label,
                        sequence=sequence,
                        digest=digest,
                        previous_digest=manifest["previous_digest"],
                        created_at=utcnow(),
                        counts=manifest["counts"],
                        audit_upto=max(contents.audit_upto, last.audit_upto if last else 0),
                        file_name=out.name,
                        user_name=self.db.actor().name,
                    )
                )
                records.save_agreed(s, destination, agreed, contents.agreed)
        except BaseException:
            if written:
                out.unlink(missing_ok=True)  # not recorded as sent: the next one has it all
            raise
        return ExportResult(
            out, sequence, label, destination, manifest["counts"], tuple(contents.missing_files)
        )

    def _destination(self, s, here: str, key: ExchangeKey, township: str | None):
        """(destination PC, 乡镇 of the package, uid of the township it is limited to)."""
        if here != key.county_pc:
            names = list(s.scalars(select(Township.name).order_by(Township.id)))
            if township is not None and township not in names:
                raise ExchangeError(f"本数据库没有乡镇“{township}”")
            return key.county_pc, township or "、".join(names), None
        if not township:
            raise ExchangeError("县里导出交换包须指明发给哪个乡镇（--township 乡镇名）")
        found = s.scalars(select(Township.uid).where(Township.name == township)).all()
        if not found:
            raise ExchangeError(f"县数据库没有乡镇“{township}”")
        destination = records.township_pc(s, township, here)
        if destination is None:
            raise ExchangeError(
                f"还没有收到过{township}的交换包，不知道它的电脑：请先导入该乡镇发来的交换包"
            )
        return destination, township, found[0]

    # --- import -----------------------------------------------------------------------

    def read(self, path: Path) -> Package:
        """Read and verify a package without taking it in."""
        with self.db.session() as s:
            key = keys.required_key(s)
        return read_package(path, key.secret)

    def import_package(self, path: Path) -> ImportResult:
        """Take a package in, all or nothing: one unit of work, files removed on failure."""
        require(self.user(), EXCHANGE_PACKAGES)
        package = self.read(path)
        with ExitStack() as files, self.db.unit_of_work() as s:
            here, key = keys.pc_id(s), keys.required_key(s)
            self._check_route(s, package, here, key)
            seed_reference_data(s)  # a new county database: the catalogue problems point at
            record = ExchangePackage(
                direction=DIRECTION_RECEIVED,
                source_pc=package.source_pc,
                destination_pc=here,
                township=package.township,
                sequence=package.sequence,
                digest=package.digest,
                previous_digest=package.manifest.get("previous_digest", ""),
                created_at=datetime.fromisoformat(package.manifest["created_at"]),
                counts=package.manifest.get("counts", {}),
                file_name=Path(path).name,
                user_name=self.db.actor().name,
            )
            s.add(record)
            s.flush()
            agreed = records.agreed(s, package.source_pc)
            before = dict(agreed)
            merge = Merge(
                s,
                rows.Names.load(s.connection()),
                package.source_pc,
                agreed,
                record.id,
                f"交换包 {package.township} 第 {package.sequence} 号",
                package.township,
            )
            merge.take_rows(package.data.get("rows", {}))
            merge.take_deletions(package.data.get("deleted", {}))
            merge.take_audit(package.data.get("audit", []))
            written = self._store_files(files, package)
            records.save_agreed(s, package.source_pc, before, agreed)
            counts = dict(record.counts)
            counts["冲突"] = merge.counts.conflicts
            record.counts = counts
        return ImportResult(
            package.township, package.sequence, package.source_pc, merge.counts, written
        )

    def _check_route(self, s, package: Package, here: str, key: ExchangeKey) -> None:
        what = f"{package.township or '对方'}的第 {package.sequence} 号交换包"
        if package.source_pc == here:
            raise ExchangeError(f"{what}是本机自己导出的，不能导入本机")
        if package.destination_pc != here:
            raise ExchangeError(f"{what}是发给另一台电脑的（不是本数据库），未导入任何内容")
        if here != key.county_pc and package.source_pc != key.county_pc:
            raise ExchangeError(f"{what}不是县里发来的，未导入任何内容")
        seen = records.received(s, package.source_pc, here, package.sequence)
        if seen is not None:
            raise ExchangeError(f"{what}已于 {seen.at:%Y-%m-%d %H:%M} 导入过，未重复导入")
        last = records.last_package(s, DIRECTION_RECEIVED, package.source_pc, here)
        expected = last.sequence + 1 if last else 1
        if package.sequence > expected:
            raise ExchangeError(
                f"缺少{package.township or '对方'}的{_numbers(expected, package.sequence - 1)}"
                f"交换包：须按编号依次导入（这次是第 {package.sequence} 号）；未导入任何内容"
            )
        if package.sequence < expected:
            raise ExchangeError(f"{what}比已导入的第 {last.sequence} 号还早，未导入任何内容")
        previous = package.manifest.get("previous_digest", "")
        if last is not None and previous != last.digest:
            raise ExchangeError(
                f"{what}接不上本机导入过的第 {last.sequence} 号（对方的交换记录与本机不一致），"
                "未导入任何内容"
            )

    def _store_files(self, files: ExitStack, package: Package) -> int:
        written = 0
        for row in package.data.get("rows", {}).get("problem_attachment", []):
            relative, sha = row["path"], row["sha256"]
            if not attachment_path_ok(relative):
                raise ExchangeError(f"交换包中附件的存放位置不对：{relative}；未导入任何内容")
            target = self.data_dir / relative
            if target.exists() or sha not in package.files:
                continue
            source = SourceFile(row["original_name"], package.files[sha], sha)
            files.enter_context(stored_copy(target, source))
            written += 1
        return written

    # --- conflicts --------------------------------------------------------------------

    def conflicts(self, *, open_only: bool = True) -> list[conflicts.ConflictView]:
        """The conflicts of imported packages (open ones by default), oldest first."""
        with self.db.session() as s:
            query = select(ExchangeConflict).order_by(ExchangeConflict.id)
            if open_only:
                query = query.where(ExchangeConflict.status == CONFLICT_OPEN)
            return [conflicts.view(s, c) for c in s.scalars(query)]

    def resolve(self, conflict_id: int, *, take_theirs: bool, user_name: str) -> None:
        """Keep this PC's copy or take the other's; logged, and agreed with the other PC.

        Kept: the next package to that PC carries this copy. Taken: applied here now.
        """
        require(self.user(), EXCHANGE_PACKAGES)
        with self.db.unit_of_work() as s:
            conflict = s.get(ExchangeConflict, conflict_id)
            if conflict is None or conflict.status != CONFLICT_OPEN:
                raise ExchangeError("该冲突不存在或已处理")
            name, uid = conflict.table_name, conflict.uid
            agreed = records.agreed(s, conflict.peer_pc)
            before = dict(agreed)
            choice = "采用对方" if take_theirs else "保留本机"
            note = f"交换包冲突 {conflict.label}：{choice}"
            if take_theirs:
                merge = Merge(s, rows.Names.load(s.connection()), conflict.peer_pc, agreed, 0, note)
                cls = records.model(name)
                obj = s.scalar(select(cls).where(cls.uid == uid))
                if conflict.theirs is None:
                    if obj is not None:
                        merge.remove(name, obj, note)
                elif obj is None:
                    created = cls(**merge.insert_values(name, conflict.theirs))
                    s.add(created)
                    annotate(s, created, ACTION_UPDATE, note)
                else:
                    merge.apply(name, obj, conflict.theirs, note)
            if conflict.theirs is None:
                agreed.pop((name, uid), None)
            else:
                agreed[(name, uid)] = conflict.theirs_digest
            conflict.status = CONFLICT_TAKEN if take_theirs else CONFLICT_KEPT
            conflict.resolved_by = user_name
            conflict.resolved_at = utcnow()
            annotate(s, conflict, ACTION_UPDATE, note, user_name)
            s.flush()
            records.save_agreed(s, conflict.peer_pc, before, agreed)
