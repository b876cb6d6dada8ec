"""Importing a checked roster into the database: all or nothing, or only the valid households.

The writing is `services.registry.writer.write_households` inside one unit of work of the
caller's `Database`, with the audit entries of each removed and added member.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Text, cast, select

from desktop.errors import FieldIssue, ImportResult
from desktop.models.registry import County, Household, Member, Township
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.idcard import mask_id
from desktop.services.registry.writer import WriteCancelled, collector_paused, write_households
from desktop.services.roster.parse import ParsedRoster, parse_roster
from desktop.services.roster.sheet import (
    ColumnMapping,
    ProgressFn,
    RosterCancelled,
    RosterError,
    RosterSheet,
    read_roster,
)
from desktop.services.unit_of_work import Database
from desktop.services.workbooks.cells import visible

MSG_REMOVED_MEMBER = (
    "数据库中户编号 {code} 有该成员，文件中没有：导入会删除该成员。若确需删除，请选择"
    "“删除文件中没有的成员”（命令行加 --remove-missing）后重新导入"
)


@dataclass(frozen=True)
class MemberChange:
    """A member a re-imported household loses or gains: household, name and ID number."""

    household_code: str
    household_id: int
    name: str
    id_number: str

    @property
    def shown(self) -> str:
        """Return the member as a message shows it: 李梅（430922********0021）."""
        return f"{self.name}（{mask_id(self.id_number)}）" if self.id_number else self.name


@dataclass
class RosterImportResult(ImportResult):
    """What a roster import read, wrote, and found; `rows` counts member rows."""

    sheet_name: str = ""
    households: int = 0  # households in the file
    updated: int = 0
    members: int = 0  # member rows written
    skipped_households: int = 0
    fatal: str = ""  # the file as a whole was refused
    removed: list[MemberChange] = field(default_factory=list)  # members the file leaves out
    added: list[MemberChange] = field(default_factory=list)  # new members of known households
    cancelled: bool = False
    seconds: float = 0.0

    def summary_lines(self, limit: int = 20) -> list[str]:
        """Return the summary in Chinese, with the first `limit` errors."""
        lines = [
            f"文件：{self.source.name}"
            + (f"（工作表“{self.sheet_name}”）" if self.sheet_name else "")
        ]
        if self.cancelled:
            lines.append("导入已取消，数据库没有任何改动。")
        elif self.fatal:
            lines.append(self.fatal)
        elif self.written:
            lines.append(
                f"已导入 {self.created + self.updated} 户（新增 {self.created} 户，"
                f"更新 {self.updated} 户），{self.members} 人。"
            )
            if self.skipped_households:
                lines.append(f"有错误的 {self.skipped_households} 户未导入。")
            for label, changes in (("删除成员", self.removed), ("新增成员", self.added)):
                if changes:
                    more = "……" if len(changes) > 10 else ""
                    shown = "、".join(m.shown for m in changes[:10])
                    lines.append(f"{label} {len(changes)} 人（已有的户）：{shown}{more}")
        else:
            lines.append(
                f"发现 {self.error_count} 处错误，全部未导入（数据库没有任何改动）。"
                "请改正后重新导入，或选择“跳过有错误的户”。"
            )
        lines.append(f"读取 {self.rows} 行，共 {self.households} 户。")
        if self.errors:
            lines.append(
                f"错误 {self.error_count} 处"
                + (f"，前 {limit} 处：" if self.error_count > limit else "：")
            )
            lines.extend(self.issue_lines(self.errors, limit))
        if self.warnings:
            lines.append(
                f"提示 {self.warning_count} 处（不影响导入）"
                + ("，前 10 处：" if self.warning_count > 10 else "：")
            )
            lines.extend(self.issue_lines(self.warnings, 10))
        return lines


def default_place(db: Database) -> tuple[str, str] | None:
    """Return (county, township) when the database holds exactly one township, else None."""
    with db.connection() as conn:
        rows = conn.execute(
            select(County.name, Township.name).join(Township, Township.county_id == County.id)
        ).all()
    return (rows[0][0], rows[0][1]) if len(rows) == 1 else None


def import_roster(
    db: Database,
    path: Path | str,
    skip_invalid: bool = False,
    mapping: ColumnMapping | None = None,
    progress: ProgressFn | None = None,
    cancel: Callable[[], bool] | None = None,
    *,
    sheet: RosterSheet | None = None,
    remove_missing: bool = False,
) -> RosterImportResult:
    """Import a roster: all or nothing, or only the valid households with `skip_invalid`.

    `progress(percent, text)` reports; `cancel()` returning True stops the import and
    nothing is written. Households already in the database (same 户编号) are updated; a
    member the file leaves out of such a household is an error (listed in `removed`) unless
    `remove_missing` says the removals are meant. Each removed and added member is logged.
    """
    with collector_paused():
        return _import_roster(
            db, path, skip_invalid, mapping, progress, cancel, sheet, remove_missing
        )


def _import_roster(
    db: Database, path, skip_invalid, mapping, progress, cancel, sheet, remove_missing
) -> RosterImportResult:
    started = time.perf_counter()
    result = RosterImportResult(Path(path))

    def report(percent: int, text: str) -> None:
        if cancel is not None and cancel():
            raise RosterCancelled()
        if progress is not None:
            progress(percent, text)

    try:
        report(0, "正在打开文件…")
        if sheet is None:
            sheet = read_roster(path)
        result.sheet_name = sheet.sheet_name
        total_rows = max(1, sheet.row_count - sheet.header_row - 1)
        parsed = parse_roster(
            sheet,
            mapping,
            default_place=default_place(db),
            progress=lambda n: report(min(45, 45 * n // total_rows), f"正在检查第 {n} 行…"),
            cancel=cancel,
        )
        result.rows = parsed.rows
        result.households = len(parsed.households)
        result.errors = parsed.errors
        result.warnings = parsed.warnings
        if parsed.fatal:
            result.fatal = parsed.fatal
            return result
        report(45, "正在与数据库核对…")
        with db.unit_of_work() as session:
            conn = session.connection()
            _check_against_db(conn, parsed, skip_invalid)
            removed, added = _member_changes(conn, parsed.households)
            result.removed = removed
            if removed and not remove_missing:
                _refuse_removals(parsed, removed)
            result.errors = parsed.errors
            bad = parsed.bad_codes
            if result.errors and not skip_invalid:
                return result
            to_write = [h for h in parsed.households if h.code not in bad]
            result.skipped_households = len(parsed.households) - len(to_write)
            if not to_write:
                return result
            _merge_existing(conn, to_write)
            report(50, "正在写入数据库…")

            def on_write(done: int, total: int) -> bool:
                if cancel is not None and cancel():
                    return False
                if progress is not None:
                    progress(50 + 49 * done // max(1, total), f"已写入 {done}/{total} 户…")
                return True

            written = write_households(conn, to_write, progress=on_write, ids_checked=True)
            result.removed = [m for m in removed if m.household_code not in bad]
            result.added = [m for m in added if m.household_code not in bad]
            from desktop.services.safety.audit import log_member_changes  # audit imports registry

            log_member_changes(conn, result.removed, result.added)
            report(99, "正在保存…")
        result.created = written.created
        result.updated = written.updated
        result.members = written.members
        result.written = True
        if progress is not None:
            progress(100, "导入完成")
    except (RosterCancelled, WriteCancelled):
        result.cancelled = True
        result.written = False
        result.created = result.updated = result.members = 0
    except RosterError as exc:
        result.fatal = str(exc)
    finally:
        result.seconds = time.perf_counter() - started
    return result


def _member_changes(conn, households: list[HouseholdData]):
    """Return the members that re-imported households lose and gain (matched by ID, else name)."""
    by_code = {h.code: h for h in households}
    query = select(Household.id, Household.code, Member.name, Member.id_number).join(
        Member, Member.household_id == Household.id
    )
    if len(by_code) <= 500:  # a few households; else most of the registry: read it whole
        query = query.where(Household.code.in_(list(by_code)))
    old: dict[str, list[tuple[int, str, str]]] = {}
    for household_id, code, name, number in conn.execute(query):
        if code in by_code:
            old.setdefault(code, []).append((household_id, name, number or ""))
    removed: list[MemberChange] = []
    added: list[MemberChange] = []
    for code, members in old.items():
        household_id = members[0][0]
        new = by_code[code].members
        new_ids = {m.id_number for m in new if m.id_number}
        new_names = {m.name for m in new}
        old_ids = {number for _, _, number in members if number}
        old_names = {name for _, name, _ in members}
        for _, name, number in members:
            if number not in new_ids if number else name not in new_names:
                removed.append(MemberChange(code, household_id, name, number))
        for m in new:
            if m.id_number not in old_ids if m.id_number else m.name not in old_names:
                added.append(MemberChange(code, household_id, m.name, m.id_number))
    return removed, added


def _refuse_removals(parsed: ParsedRoster, removed: list[MemberChange]) -> None:
    """Make each member the file would remove an error of its household (shown, not written)."""
    name_column = -1
    for change in removed:
        parsed.errors.append(
            FieldIssue.in_sheet(
                parsed.first_rows.get(change.household_code, 0),
                name_column,
                "姓名",
                change.shown,
                MSG_REMOVED_MEMBER.format(code=visible(change.household_code)),
                change.household_code,
            )
        )
        parsed.bad_codes.add(change.household_code)
    parsed.errors.sort(key=lambda e: (e.row, e.column))


def _check_against_db(conn, parsed: ParsedRoster, skip_invalid: bool) -> None:
    """Add an error for each ID already in the database under a household the file keeps."""
    if not parsed.id_rows:
        return
    in_db = conn.execute(
        select(Member.id_number, Household.code)
        .join(Household, Household.id == Member.household_id)
        .where(Member.id_number != "")
    ).all()
    if not in_db:
        return
    owner_in_file = {}
    for h in parsed.households:
        for m in h.members:
            owner_in_file[m.id_number] = h.code
    file_codes = set(owner_in_file.values())
    # A household of the file replaces its members, so an ID it holds now does not conflict;
    # a household left out (skipped) keeps its members, which may then conflict in turn.
    while True:
        written_codes = file_codes - parsed.bad_codes
        added = False
        for number, db_code in in_db:
            file_code = owner_in_file.get(number)
            if file_code is None or file_code == db_code or db_code in written_codes:
                continue
            if file_code in parsed.bad_codes:
                continue
            row = parsed.id_rows.get(number, 0)
            parsed.errors.append(
                FieldIssue.in_sheet(
                    row,
                    parsed.id_column if row else -1,
                    "证件号码",
                    mask_id(number),
                    f"该证件号码已在数据库中，属于户编号 {visible(db_code)}",
                    file_code,
                )
            )
            parsed.bad_codes.add(file_code)
            added = True
        if not added or not skip_invalid:
            break
    parsed.errors.sort(key=lambda e: (e.row, e.column))


_KEEP_HOUSEHOLD = (
    "bank_name", "bank_account", "helper_name", "helper_phone", "poverty_causes",
    "count_hukou", "count_card", "count_system", "count_actual", "note",
)  # fmt: skip
_KEEP_MEMBER = (
    "political_status", "work_months", "is_soldier", "ins_serious_illness",
    "ins_employee_pension", "ins_resident_medical", "ins_resident_pension", "pension_status",
    "extra",
)  # fmt: skip


def _merge_existing(conn, households: list[HouseholdData]) -> None:
    """Keep what the roster does not carry (helpers, counts, insurance…) on re-imported households.

    The writer replaces a household's columns and members; a roster has only the template
    columns, so the rest is copied over from the database, members matched by ID or name.
    """
    codes_in_file = {h.code: h for h in households}
    found = conn.execute(
        select(Household.id, Household.code, *(getattr(Household, f) for f in _KEEP_HOUSEHOLD))
    ).all()
    matched = {row.id: codes_in_file[row.code] for row in found if row.code in codes_in_file}
    if not matched:
        return
    for row in found:
        data = matched.get(row.id)
        if data is not None:
            for name in _KEEP_HOUSEHOLD:
                setattr(data, name, getattr(row, name))
    # Most members carry nothing beyond the roster: their values are not decoded nor copied.
    # `extra` comes as its JSON text, decoded only when it holds something.
    plain = MemberData(name="")
    defaults = tuple(getattr(plain, f) for f in _KEEP_MEMBER[:-1])
    query = select(
        Member.household_id,
        Member.id_number,
        Member.name,
        cast(Member.extra, Text),
        *(getattr(Member, f) for f in _KEEP_MEMBER[:-1]),
    )
    if len(matched) <= 500:  # a few households; else most of the registry: read it whole
        query = query.where(Member.household_id.in_(list(matched)))
    old_members: dict[int, list] = {}
    for household_id, number, name, extra, *keep in conn.execute(query):
        if household_id not in matched:
            continue
        if tuple(keep) == defaults and extra in _NO_EXTRA:
            values = None  # nothing to carry over
        else:
            values = (*keep, json.loads(extra) if extra not in _NO_EXTRA else {})
        old_members.setdefault(household_id, []).append((number, name, values))
    for household_id, olds in old_members.items():
        if all(values is None for _number, _name, values in olds):
            continue
        by_id = {number: values for number, _name, values in olds if number}
        by_name = {name: values for _number, name, values in olds}
        for member in matched[household_id].members:
            if member.id_number in by_id:  # matched by ID first, else by name
                values = by_id[member.id_number]
            else:
                values = by_name.get(member.name)
            if values is None:
                continue
            for name, value in zip(_KEEP_MEMBER, values, strict=True):
                setattr(member, name, dict(value) if isinstance(value, dict) else value)


_NO_EXTRA = ("{}", "null", None, "")
