"""The audit trail: every change to the registry, the forms and the problems, who and when.

Recording is generic, so that other services need no edits:
- an `after_flush` listener, installed by `install` on the session factory of each
  `unit_of_work.Database` (never on SQLAlchemy's Session class), reads each new, changed and
  deleted ORM object's attribute history and writes one entry per changed field (one per
  created or deleted record);
- `registry_writer.write_households` (the roster import, the demo) writes through the driver
  for speed and calls `log_bulk_households`: one entry per household.
Entries are written on the same connection, inside the same transaction as the change: a change
that is rolled back leaves no entry, and an entry never exists without its change. Every entry
is appended through `audit_chain.append`, which chains it to the one before (see there).

Who acts comes from `acting_as(...)` (a context variable) or else from the actor of the
`Database` the session belongs to (the signed-in user of the window, the operating-system user
of a command); Core bulk writes take the actor `attach`ed to their engine.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, event, inspect, or_, select
from sqlalchemy.orm import Session, sessionmaker

from desktop.models.base import utcnow
from desktop.models.registry import Household
from desktop.models.safety import (
    ACTION_DELETE,
    ACTION_EXPORT,
    ACTION_IMPORT_DELETE,
    ACTION_IMPORT_INSERT,
    ACTION_IMPORT_UPDATE,
    ACTION_INSERT,
    ACTION_LABELS,
    ACTION_UPDATE,
    SOURCE_CLI,
    AuditEntry,
)

if TYPE_CHECKING:
    from desktop.services.unit_of_work import Database

from desktop.services.actor import SYSTEM_ACTOR, Actor, CurrentUser
from desktop.services.registry.idcard import mask_id
from desktop.services.safety import audit_chain
from desktop.services.safety.auth import EXPORT_AUDIT, require
from desktop.services.safety.privacy import mask_account, mask_stored, mask_value
from desktop.services.workbooks.sanitise import safe_row

# Derived or bookkeeping columns whose changes say nothing to a reader of the log; password
# columns are never copied into the log.
IGNORED_COLUMNS = frozenset(
    {
        "created_at",
        "updated_at",
        "updated_by",
        "search_text",
        "flags",
        "member_count",
        "version",
        "password_hash",
        "password_salt",
        "password_params",
        "last_sign_in",
        "seq",  # renumbering after a removal is not a change of its own
        "uid",  # the exchange's name of a record, set once (ExchangedMixin)
    }
)

TABLE_LABELS = {
    "county": "县",
    "township": "乡镇",
    "village": "村",
    "village_group": "组",
    "household": "户",
    "member": "家庭成员",
    "form_record": "表格",
    "campaign": "回头看批次",
    "app_user": "用户",
    "user_township": "用户乡镇授权",
    "audit_entry": "操作日志",
    "exchange_package": "交换包",
    "exchange_conflict": "交换包冲突",
}
FIELD_LABELS = {
    "code": "户编号",
    "name": "姓名/名称",
    "village_id": "所属村",
    "group_id": "所属组",
    "head_name": "户主",
    "poverty_kind": "贫困户属性",
    "special_kind": "特殊群体",
    "is_registered": "建档立卡",
    "exit_year": "脱贫年度",
    "income_per_capita": "人均纯收入",
    "phone": "联系电话",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
    "helper_name": "帮扶责任人",
    "helper_phone": "帮扶人电话",
    "poverty_causes": "致贫原因",
    "count_hukou": "户口簿人数",
    "count_card": "明白卡人数",
    "count_system": "系统人数",
    "count_actual": "实际人数",
    "note": "备注",
    "seq": "序号",
    "sex": "性别",
    "id_number": "身份证号",
    "birth_date": "出生日期",
    "relation": "与户主关系",
    "ethnicity": "民族",
    "political_status": "政治面貌",
    "education": "文化程度",
    "schooling": "在校情况",
    "health": "健康状况",
    "labour_ability": "劳动能力",
    "work_status": "务工情况",
    "work_months": "务工时间",
    "state": "状态",
    "answers": "答案",
    "accepted_warnings": "已确认的提醒",
    "paper_outdated": "纸质表已过期",
    "role": "角色",
    "active": "启用",
    "township_id": "乡镇",
    "user_id": "用户",
}

_actor_var: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)
_engine_actors: weakref.WeakKeyDictionary[Engine, Callable[[], Actor]] = weakref.WeakKeyDictionary()
_ANNOTATIONS = "audit_annotations"


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Record changes made inside the block under this actor (command line, worker threads)."""
    token = _actor_var.set(actor)
    try:
        yield actor
    finally:
        _actor_var.reset(token)


def attach(engine: Engine, provider: Callable[[], Actor]) -> None:
    """Make changes on this engine default to the actor the provider returns (the app's user)."""
    _engine_actors[engine] = provider


def current_actor(engine: Engine | None = None) -> Actor:
    """Return who is acting now: the context's actor, else the engine's user, else 系统."""
    actor = _actor_var.get()
    if actor is not None:
        return actor
    provider = _engine_actors.get(engine) if engine is not None else None
    return provider() if provider is not None else SYSTEM_ACTOR


def annotate(
    session: Session, obj: object, action: str, note: str = "", user_name: str | None = None
) -> None:
    """Give the next flush's entries of one object an action, a note and who (sign, unlock …)."""
    session.info.setdefault(_ANNOTATIONS, {})[id(obj)] = (action, note, user_name)


def value_text(value) -> str | None:
    """Return a value as the log stores it: text, 是/否, JSON for lists and dicts."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def record_label(table: str, values: dict) -> str:
    """Return a short human label of a record from its column values."""
    if table == "household":
        return " ".join(str(v) for v in (values.get("code"), values.get("head_name")) if v)
    if table == "form_record":
        return f"{values.get('form_code', '')}（户ID {values.get('household_id', '')}）"
    for key in ("name", "code", "title", "number"):
        if values.get(key):
            return str(values[key])[:128]
    return ""


def _state_values(state) -> dict:
    # Only what is loaded: lazy-loading inside a flush would emit SQL at the wrong moment.
    return {k: v for k, v in state.dict.items() if not k.startswith("_")}


def _household_of(table: str, record_id: int | None, values: dict) -> int | None:
    if table == "household":
        return record_id
    value = values.get("household_id")
    return value if isinstance(value, int) else None


def _entry(actor: Actor, table: str, record_id, values: dict, **fields) -> dict:
    row = {
        "at": utcnow(),
        "user_name": actor.name,
        "source": actor.source,
        "table_name": table,
        "record_id": record_id if isinstance(record_id, int) else None,
        "record_label": record_label(table, values)[:128],
        "household_id": _household_of(table, record_id, values),
        "field": "",
        "old_value": None,
        "new_value": None,
        "action": ACTION_UPDATE,
        "note": "",
    }
    row.update(fields)
    return row


def _summary(values: dict, columns) -> str:
    # Runs once per household of a county import (100,000 times): text and whole numbers, the
    # most common values, skip value_text.
    shown = {}
    for c in columns:
        if c in IGNORED_COLUMNS or c == "id":
            continue
        value = values.get(c)
        kind = type(value)
        if kind is str:
            if value:
                shown[c] = _masked(c, value) if c in MASKED_COLUMNS else value
        elif kind is int:
            shown[c] = str(value)
        elif value is not None and (value or kind not in (list, dict)):
            shown[c] = value_text(mask_value(value, c))  # a JSON list of persons and their IDs
    return json.dumps(shown, ensure_ascii=False)


# The log is read by more people than may see ID and bank numbers: it keeps them masked.
MASKED_COLUMNS = {"id_number": mask_id, "bank_account": mask_account}


def _masked(key: str, text: str | None) -> str | None:
    mask = MASKED_COLUMNS.get(key)
    return mask(text) if mask is not None and text else text


def _logged(key: str, value) -> str | None:
    """Return a value as the log keeps it: as text, ID and bank numbers masked at any depth."""
    return value_text(mask_value(value, key))


def _field_changes(key: str, old, new) -> Iterator[tuple[str, str | None, str | None]]:
    # A JSON dict (a form's answers) is logged key by key: "answers.A12".
    if isinstance(old, dict) and isinstance(new, dict):
        for sub in sorted(set(old) | set(new), key=str):
            if old.get(sub) != new.get(sub):
                yield f"{key}.{sub}", _logged(sub, old.get(sub)), _logged(sub, new.get(sub))
        return
    if old != new:
        yield key, _logged(key, old), _logged(key, new)


def _logged_object(obj, notes: dict, action: str, actor: Actor) -> tuple:
    """Return (state, table, values, action, note, actor) of an object a flush writes: the
    action, note and name a service noted for it (acting_as, annotate), else the defaults."""
    state = inspect(obj)
    values = _state_values(state)
    action, note, who = notes.get(id(obj), (action, "", None))
    by = Actor(who, actor.source) if who else actor
    return state, state.mapper.local_table.name, values, action, note, by


def _orm_entries(session: Session, actor: Actor) -> list[dict]:
    notes: dict = session.info.pop(_ANNOTATIONS, {})
    rows: list[dict] = []
    for obj in list(session.new):
        if isinstance(obj, AuditEntry):
            continue
        state, table, values, action, note, by = _logged_object(obj, notes, ACTION_INSERT, actor)
        columns = [a.key for a in state.mapper.column_attrs]
        rows.append(
            _entry(
                by,
                table,
                state.identity[0] if state.identity else values.get("id"),
                values,
                action=action,
                new_value=_summary(values, columns),
                note=note,
            )
        )
    for obj in list(session.dirty):
        if isinstance(obj, AuditEntry) or not session.is_modified(obj, include_collections=False):
            continue
        state, table, values, action, note, by = _logged_object(obj, notes, ACTION_UPDATE, actor)
        record_id = state.identity[0] if state.identity else None
        for attr in state.mapper.column_attrs:
            if attr.key in IGNORED_COLUMNS:
                continue
            history = state.attrs[attr.key].history
            if not history.added and not history.deleted:
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            for field, old_text, new_text in _field_changes(attr.key, old, new):
                rows.append(
                    _entry(
                        by,
                        table,
                        record_id,
                        values,
                        action=action,
                        field=field,
                        old_value=old_text,
                        new_value=new_text,
                        note=note,
                    )
                )
    for obj in list(session.deleted):
        if isinstance(obj, AuditEntry):
            continue
        # A deletion is logged under the flush's actor, whatever was noted for the object.
        state, table, values, action, _note, by = _logged_object(obj, {}, ACTION_DELETE, actor)
        columns = [a.key for a in state.mapper.column_attrs]
        rows.append(
            _entry(
                by,
                table,
                state.identity[0] if state.identity else None,
                values,
                action=action,
                old_value=_summary(values, columns),
            )
        )
    return rows


def install(sessions: sessionmaker, actor: Callable[[], Actor]) -> None:
    """Log every flush of this factory's sessions, under `acting_as`'s actor or else `actor`'s."""

    def before_flush(session: Session, _context, _instances) -> None:
        audit_chain.seal_pending(session)  # entries added as objects (sign-ins) join the chain

    def after_flush(session: Session, _context) -> None:
        # History and the new/dirty/deleted sets still show the pre-flush state here, and the
        # new objects already have their ids.
        rows = _orm_entries(session, _actor_var.get() or actor())
        audit_chain.append(session.connection(), rows)

    event.listen(sessions, "before_flush", before_flush)
    event.listen(sessions, "after_flush", after_flush)


# --- bulk writes (registry_writer.write_households) ----------------------------------------

_HOUSEHOLD_TABLE = Household.__table__
_BULK_COLUMNS = [
    c.name for c in _HOUSEHOLD_TABLE.columns if c.name not in IGNORED_COLUMNS and c.name != "id"
]


def log_bulk_households(conn: Connection, created: list[dict], changed: list[dict]) -> None:
    """Log a bulk write of households (the roster import, the demo): one entry per household.

    `registry_writer.write_households` calls this inside its transaction, before it writes:
    rows of `created` carry their new "id", rows of `changed` the "b_id" they update, so the
    old values are read here to log what changes.
    """
    if not created and not changed:
        return
    actor = current_actor(conn.engine)
    moment = utcnow()  # one write, one moment: the chain formats it once, not per household
    entries = [
        _entry(
            actor,
            "household",
            row["id"],
            row,
            action=ACTION_IMPORT_INSERT,
            new_value=_summary(row, _BULK_COLUMNS),
            at=moment,
        )
        for row in created
    ]
    if changed:
        entries += _update_entries(conn, actor, changed)
    audit_chain.append(conn, entries)  # 100,000 entries on a county import


def log_member_changes(conn: Connection, removed: list, added: list) -> None:
    """Log each member a roster import removed from, or added to, a household it updated.

    The bulk write replaces a household's members; without this the log said `{}` → `{}` while
    people disappeared. The ID number is logged masked.
    """
    if not removed and not added:
        return
    actor = current_actor(conn.engine)
    entries = []
    for action, changes in ((ACTION_IMPORT_DELETE, removed), (ACTION_IMPORT_INSERT, added)):
        for m in changes:
            shown = json.dumps(
                {"姓名": m.name, "身份证号": mask_id(m.id_number)}, ensure_ascii=False
            )
            entries.append(
                _entry(
                    actor,
                    "member",
                    None,
                    {"name": m.name, "household_id": m.household_id},
                    action=action,
                    field="成员",
                    old_value=shown if action == ACTION_IMPORT_DELETE else None,
                    new_value=shown if action == ACTION_IMPORT_INSERT else None,
                    note=f"花名册导入：户编号 {m.household_code}",
                )
            )
    audit_chain.append(conn, entries)


def _differs(old, new) -> bool:
    """True when a column's value changes as the log shows it (5200 and 5200.0 do not)."""
    if type(old) is type(new) and old == new:
        return False  # the common case, without formatting both as text
    return value_text(old) != value_text(new)


def _changes_text(values: dict) -> str:
    return json.dumps({c: _logged(c, v) for c, v in values.items()}, ensure_ascii=False)


def _update_entries(conn: Connection, actor: Actor, rows: list[dict]) -> list[dict]:
    old_by_id: dict[int, dict] = {}
    ids = [row["b_id"] for row in rows]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        result = conn.execute(select(_HOUSEHOLD_TABLE).where(_HOUSEHOLD_TABLE.c.id.in_(chunk)))
        for old in result.mappings():
            old_by_id[old["id"]] = dict(old)
    entries = []
    for row in rows:
        old = old_by_id.get(row["b_id"], {})
        changed = [c for c in _BULK_COLUMNS if c in row and _differs(old.get(c), row[c])]
        entries.append(
            _entry(
                actor,
                "household",
                row["b_id"],
                {**old, **row},
                action=ACTION_IMPORT_UPDATE,
                field="、".join(FIELD_LABELS.get(c, c) for c in changed)[:128],
                old_value=json.dumps(
                    {c: _logged(c, old.get(c)) for c in changed}, ensure_ascii=False
                ),
                new_value=json.dumps({c: _logged(c, row[c]) for c in changed}, ensure_ascii=False),
            )
        )
    return entries


# --- reading and exporting -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    """One entry as the history dialog and the export show it."""

    id: int
    at: datetime
    user_name: str
    source: str
    action: str
    table_name: str
    record_id: int | None
    record_label: str
    field: str
    old_value: str | None
    new_value: str | None
    note: str

    @property
    def action_label(self) -> str:
        """Return the action in Chinese."""
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def table_label(self) -> str:
        """Return the kind of record in Chinese."""
        return TABLE_LABELS.get(self.table_name, self.table_name)

    @property
    def field_label(self) -> str:
        """Return the field in Chinese where known ("answers.A12" → "答案.A12")."""
        head, dot, rest = self.field.partition(".")
        return FIELD_LABELS.get(head, head) + dot + rest

    @property
    def source_label(self) -> str:
        """Return where the change came from in Chinese."""
        return "命令行" if self.source == SOURCE_CLI else "程序"


def _row(e: AuditEntry) -> AuditRow:
    return AuditRow(
        e.id,
        e.at,
        e.user_name,
        e.source,
        e.action,
        e.table_name,
        e.record_id,
        mask_stored(e.record_label) or "",
        e.field,
        mask_stored(e.old_value),  # entries from before nested values were masked
        mask_stored(e.new_value),
        mask_stored(e.note) or "",
    )


EXPORT_HEADERS = (
    "时间", "操作人", "来源", "操作", "对象", "记录ID", "记录", "字段", "原值", "新值", "说明",
)  # fmt: skip


def add_head_sheet(book, head: tuple[int, str]) -> None:
    """Add the sheet 校验 naming the chain head when the file was written."""
    sheet = book.create_sheet("校验")
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 70
    entry, digest = head
    sheet.append(["写出时的日志链头", f"第 #{entry} 条"])
    sheet.append(["链头哈希 (SHA-256)", digest])
    sheet.append(["核对", "huitoukan check --db 数据库文件 --audit-hash 哈希的前 16 位以上"])


class AuditService:
    """Reading the audit trail, a record's history, the .xlsx export, explicit entries."""

    def __init__(self, db: Database, user: Callable[[], CurrentUser] | None = None) -> None:
        self.db = db
        self._user = user or CurrentUser

    def history(self, table: str, record_id: int) -> list[AuditRow]:
        """Return a record's history, newest first; a household's includes its members and forms."""
        cond = (AuditEntry.table_name == table) & (AuditEntry.record_id == record_id)
        if table == "household":
            cond = or_(cond, AuditEntry.household_id == record_id)
        with self.db.session() as s:
            entries = s.scalars(
                select(AuditEntry).where(cond).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            ).all()
            return [_row(e) for e in entries]

    def entries(self, start: date | None = None, end: date | None = None) -> list[AuditRow]:
        """Return the entries of a period (both days included), oldest first."""
        stmt = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
        if start is not None:
            stmt = stmt.where(AuditEntry.at >= datetime.combine(start, time.min))
        if end is not None:
            stmt = stmt.where(AuditEntry.at <= datetime.combine(end, time.max))
        with self.db.session() as s:
            return [_row(e) for e in s.scalars(stmt)]

    def export_xlsx(
        self, path: Path, start: date | None = None, end: date | None = None, *, user=None
    ) -> int:
        """Write the log of a period to an .xlsx file (administrators only); return the count."""
        from openpyxl import Workbook

        acting = user or self._user()
        require(acting, EXPORT_AUDIT)
        rows = self.entries(start, end)
        book = Workbook(write_only=True)
        sheet = book.create_sheet("操作日志")
        for col, width in enumerate((20, 12, 8, 12, 10, 8, 24, 18, 30, 30, 30)):
            sheet.column_dimensions[chr(ord("A") + col)].width = width
        sheet.freeze_panes = "A2"
        sheet.append(EXPORT_HEADERS)
        for r in rows:
            sheet.append(
                safe_row(
                    sheet,
                    [
                        r.at,
                        r.user_name,
                        r.source_label,
                        r.action_label,
                        r.table_label,
                        r.record_id,
                        r.record_label,
                        r.field_label,
                        r.old_value,
                        r.new_value,
                        r.note,
                    ],
                )
            )
        add_head_sheet(book, self.head())
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        book.save(tmp)
        tmp.replace(path)
        period = f"{start or '最早'} 至 {end or '最新'}"
        self.log(
            ACTION_EXPORT,
            "audit_entry",
            new_value=str(len(rows)),
            note=f"导出操作日志（{period}）到 {path}",
        )
        return len(rows)

    def head(self) -> tuple[int, str]:
        """Return the log's chain head: the last entry's id and its hash."""
        with self.db.session() as s:
            return audit_chain.head_of(s.connection())

    def head_text(self) -> str:
        """Return the chain head as a sentence to write on paper (after an export)."""
        entry, digest = self.head()
        return (
            f"操作日志链头：第 #{entry} 条，哈希 {digest}"
            "（请抄在纸上备查；huitoukan check --audit-hash 可核对）"
        )

    def log(
        self,
        action: str,
        table: str,
        record_id: int | None = None,
        *,
        label: str = "",
        field: str = "",
        old_value: str | None = None,
        new_value: str | None = None,
        note: str = "",
        household_id: int | None = None,
    ) -> None:
        """Write one explicit entry in its own transaction (exports, backups, restores)."""
        actor = _actor_var.get() or self.db.actor()
        with self.db.unit_of_work() as s:
            audit_chain.append(
                s.connection(),
                [
                    _entry(
                        actor,
                        table,
                        record_id,
                        {},
                        action=action,
                        record_label=label[:128],
                        field=field,
                        old_value=old_value,
                        new_value=new_value,
                        note=note,
                        household_id=household_id,
                    )
                ],
            )

    def log_export(self, table: str, rows: int, path: Path | str, *, full_ids: bool) -> None:
        """Log an export; one with full ID numbers says so (call after writing the file)."""
        what = "含完整身份证号" if full_ids else "身份证号已脱敏"
        self.log(
            ACTION_EXPORT,
            table,
            field="full_ids" if full_ids else "",
            new_value=str(rows),
            note=f"导出 {rows} 条（{what}）到 {path}",
        )
