"""FormService: open, compute, check and save the answers of a paper form for one household.

The form's description (resources/forms/*.json) says what is asked; this service fills what the
registry already knows, computes computed cells, checks the rules, and saves the answers together
with the registry fields the form changes, in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop.errors import AppError, FieldIssue, StaleRecordError, ValidationError
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_DRAFT,
    FORM_STATE_SIGNED,
    FORMULA_DISPOSABLE_PER_CAPITA,
    FORMULA_NET_PER_CAPITA,
    Campaign,
    FormRecord,
)
from desktop.models.registry import County, Household, Township, Village
from desktop.services.forms.description import (
    NUMERIC_TYPES,
    Cell,
    FormDescription,
    GridColumn,
    MissingValue,
    RepeatSection,
    evaluate,
    expression_names,
    load_form,
)
from desktop.services.registry import codes
from desktop.services.registry.data import HouseholdData, MemberData
from desktop.services.registry.service import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    RegistryError,
    RegistryService,
    validate_household,
)
from desktop.services.unit_of_work import Database

STATE_EMPTY = ""  # 未填: no record yet
STATE_LABELS = {
    STATE_EMPTY: "未填",
    FORM_STATE_DRAFT: "草稿",
    FORM_STATE_COMPLETE: "已完成",
    FORM_STATE_SIGNED: "已签字",
}
COMPULSORY_AGES = (6, 15)  # 义务教育年龄（周岁）
MEMBER_ID_KEY = "_member_id"  # hidden key of a member-grid row: the Member it came from


class FormError(AppError):
    """A form could not be opened or saved; the message says why, in Chinese."""


class FormValidationError(FormError, ValidationError):
    """Completion refused: blocking errors, or warnings accepted without a reason."""


class StaleFormError(FormError, StaleRecordError):
    """Someone saved the form since it was opened."""


@dataclass
class FormState:
    """A form opened for one household: answers (saved or prefilled) and the record's state."""

    household_id: int
    form_code: str
    campaign_id: int
    description: FormDescription
    household: HouseholdData
    answers: dict[str, Any]
    accepted_warnings: dict[str, str] = field(default_factory=dict)
    state: str = STATE_EMPTY
    version: int = 0
    prefilled: frozenset[str] = frozenset()
    paper_outdated: bool = False
    updated_by: str = ""
    updated_at: datetime.datetime | None = None

    @property
    def state_label(self) -> str:
        """未填 / 草稿 / 已完成 / 已签字."""
        return STATE_LABELS.get(self.state, self.state)

    @property
    def is_signed(self) -> bool:
        """True when the signed paper came back: the answers are locked."""
        return self.state == FORM_STATE_SIGNED


@dataclass(frozen=True)
class PrintItem:
    """What the printer needs for one household's form: answers, 户编号 and record version."""

    household_code: str
    answers: Mapping[str, Any]
    version: int = 0
    household_id: int | None = None


def is_blank(value: Any) -> bool:
    """True for an unanswered value: None, empty text, empty list."""
    return value is None or value == "" or value == []


# --------------------------------------------------------------------------- prefill


def _age(birth: datetime.date | None, on: datetime.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def prefill_value(source: str, household: HouseholdData, city: str = "") -> Any:
    """Return what the registry knows for a prefill source (see PREFILL_SOURCES)."""
    members = household.members
    if source == "city":
        return city
    if source == "head_name":
        return household.head_name
    if source == "poverty_causes":
        return list(household.poverty_causes or [])
    if source == "poverty_causes.main":
        return household.poverty_causes[0] if household.poverty_causes else None
    if source == "poverty_causes.other":
        return list(household.poverty_causes[1:]) if household.poverty_causes else []
    if source == "poverty_kind":
        return [household.poverty_kind] if household.poverty_kind else []
    if source == "poverty_kind.is_wubao_dibao":
        wubao_dibao = household.poverty_kind in ("低保贫困户", "五保贫困户") or (
            household.special_kind in ("低保户", "分散供养五保户")
        )
        return "是" if wubao_dibao else "否"
    if source == "members":
        return []  # the member grid is filled by member_rows()
    if source == "members.count":
        return len(members)
    if source == "members.labour_force":
        return sum(m.labour_ability in codes.LABOUR_FORCE for m in members)
    if source == "members.migrant":
        return sum(m.work_status not in ("", "无") for m in members)
    if source == "members.in_school":
        return sum(m.schooling not in ("", codes.NOT_IN_SCHOOL) for m in members)
    if source == "members.serious_illness_insured":
        return sum(bool(m.ins_serious_illness) for m in members)
    return getattr(household, source)


def _member_value(m: MemberData, column: GridColumn) -> Any:
    if column.member_field.startswith("extra."):
        return (m.extra or {}).get(column.member_field[6:])
    value = getattr(m, column.member_field)
    if column.type == "bool":
        return bool(value)
    return value


def member_rows(section: RepeatSection, household: HouseholdData) -> list[dict[str, Any]]:
    """Return the member grid's rows as the registry knows them."""
    rows = []
    for m in household.members:
        row: dict[str, Any] = {
            c.code: _member_value(m, c) for c in section.columns if c.member_field
        }
        row[MEMBER_ID_KEY] = m.id
        rows.append(row)
    return rows


def prefill(
    description: FormDescription,
    household: HouseholdData,
    answers: Mapping[str, Any] | None = None,
    city: str = "",
) -> tuple[dict[str, Any], frozenset[str]]:
    """Fill the empty answers that the registry knows; return (answers, prefilled codes)."""
    out = dict(answers or {})
    filled: set[str] = set()
    for h in description.header:
        if h.prefill and is_blank(out.get(h.code)):
            out[h.code] = prefill_value(h.prefill, household, city)
            filled.add(h.code)
    for cell in description.input_cells:
        if cell.prefill and not cell.computed and is_blank(out.get(cell.field)):
            value = prefill_value(cell.prefill, household, city)
            if not is_blank(value):
                out[cell.field] = value
                filled.add(cell.field)
    for section in description.repeat_sections:
        if section.prefill == "members" and not out.get(section.id):
            out[section.id] = member_rows(section, household)
            filled.add(section.id)
    return out, frozenset(filled)


# --------------------------------------------------------------------------- compute


def _people(description: FormDescription, answers: Mapping[str, Any]) -> int | None:
    for section in description.repeat_sections:
        if section.prefill == "members":
            rows = [r for r in answers.get(section.id) or [] if _row_has_name(section, r)]
            if rows:
                return len(rows)
    for code in ("actual_count", "members_count"):
        if isinstance(answers.get(code), int) and answers[code] > 0:
            return answers[code]
    return None


def _row_has_name(section: RepeatSection, row: Mapping[str, Any]) -> bool:
    name_col = next((c for c in section.columns if c.member_field == "name"), None)
    if name_col is None:
        return any(not is_blank(v) for k, v in row.items() if k != MEMBER_ID_KEY)
    return not is_blank(row.get(name_col.code))


def _per_capita_income(
    description: FormDescription, values: Mapping[str, Any], campaign: Any
) -> float | None:
    people = _people(description, values)
    if not people:
        return None
    formula = getattr(campaign, "income_formula", None) or FORMULA_DISPOSABLE_PER_CAPITA
    if formula == FORMULA_NET_PER_CAPITA:
        # 家庭年人均纯收入 = (总收入 − 生产经营性支出) ÷ 家庭人口数 (seed 001)
        income = ("A39", "A40", "A41", "A42")
        if all(is_blank(values.get(c)) for c in income):
            return None
        total = sum(float(values.get(c) or 0) for c in income) - float(values.get("A43") or 0)
    else:
        if is_blank(values.get("A52")):
            return None
        total = float(values["A52"])
    return round(total / people, 2)


def _typed(cell: Cell, value: Any) -> Any:
    if cell.type in ("int", "count") and isinstance(value, float) and value.is_integer():
        return int(value)
    if cell.type in ("money", "area", "decimal") and isinstance(value, int | float):
        return round(float(value), 2)
    return value


def compute(
    description: FormDescription, answers: Mapping[str, Any], campaign: Any = None
) -> dict[str, Any]:
    """Return the values of the computed cells (field code → value; None when all inputs blank)."""
    cells = description.computed_fields
    values = dict(answers)
    result: dict[str, Any] = {}
    # Computed cells may read each other in any order on paper (A53 reads A52 below it):
    # settle by repeating until nothing changes.
    for _ in range(len(cells) + 1):
        changed = False
        for cell in cells:
            if cell.computed.startswith("hook:"):
                value = _per_capita_income(description, values, campaign)
            else:
                names = expression_names(cell.computed)
                if all(is_blank(values.get(n)) for n in names):
                    value = None
                else:
                    try:
                        value = _typed(cell, evaluate(cell.computed, values, blanks_as_zero=True))
                    except (MissingValue, TypeError):
                        value = None
            if result.get(cell.field, ...) != value:
                result[cell.field] = value
                values[cell.field] = value
                changed = True
        if not changed:
            break
    return result


# --------------------------------------------------------------------------- validate


def _type_issue(cell: Cell, value: Any) -> str | None:
    name = cell.label or cell.field
    if cell.type in NUMERIC_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name}：应填数字，而不是“{value}”"
        if cell.type in ("int", "count") and not float(value).is_integer():
            return f"{name}：应填整数"
        if cell.type in ("count", "money", "area", "decimal") and value < 0:
            return f"{name}：不能为负数"
    elif cell.type == "choice":
        if value not in cell.choices:
            return f"{name}：“{value}”不是可选项（{'、'.join(cell.choices)}）"
    elif cell.type == "multi_choice":
        if not isinstance(value, list):
            return f"{name}：应为多选"
        wrong = [v for v in value if v not in cell.choices]
        if wrong:
            return f"{name}：“{'、'.join(map(str, wrong))}”不是可选项"
    elif cell.type == "bool":
        if not isinstance(value, bool):
            return f"{name}：应为勾选（是/否）"
    elif cell.type == "date":
        try:
            datetime.date.fromisoformat(str(value))
        except ValueError:
            return f"{name}：日期格式应为 年-月-日（如 2018-06-12）"
    elif not isinstance(value, str):
        return f"{name}：应为文字"
    return None


def _skipped_fields(description: FormDescription, answers: Mapping[str, Any]) -> set[str]:
    """Fields jumped over by a skip whose condition holds: not required."""
    order = [c.field for c in description.input_cells]
    skipped: set[str] = set()
    for i, cell in enumerate(description.input_cells):
        if cell.skip and answers.get(cell.field) == cell.skip.if_value and cell.skip.goto in order:
            skipped.update(order[i + 1 : order.index(cell.skip.goto)])
    return skipped


def _students_vs_ages(
    answers: Mapping[str, Any], household: HouseholdData | None, on: datetime.date
) -> list[str]:
    if household is None:
        return []
    parts = ("students_local", "students_province", "students_outside")
    if all(is_blank(answers.get(p)) for p in parts):
        return []
    total = sum(int(answers.get(p) or 0) for p in parts)
    low, high = COMPULSORY_AGES
    ages = [_age(m.birth_date, on) for m in household.members]
    compulsory = sum(a is not None and low <= a <= high for a in ages)
    in_school = sum(m.schooling not in ("", codes.NOT_IN_SCHOOL) for m in household.members)
    messages = []
    if compulsory > total:
        messages.append(
            f"家庭成员中有 {compulsory} 人处于义务教育年龄（{low}–{high} 周岁），"
            f"在校生人数合计只有 {total} 人，请核实是否有失学辍学"
        )
    if in_school > total:
        messages.append(f"成员信息中有 {in_school} 名在校生，在校生人数合计只有 {total} 人")
    of_age = sum(a is not None and 3 <= a <= 30 for a in ages)
    if household.members and total > of_age:
        messages.append(f"在校生人数合计 {total} 人，多于 3–30 周岁的家庭成员（{of_age} 人）")
    return messages


def household_from_grid(
    section: RepeatSection, rows: Sequence[Mapping[str, Any]], household: HouseholdData
) -> HouseholdData:
    """Return a copy of the household whose members are the grid's rows (blank rows dropped)."""
    by_id = {m.id: m for m in household.members if m.id is not None}
    members = []
    for row in rows:
        if not any(not is_blank(v) for k, v in row.items() if k != MEMBER_ID_KEY):
            continue
        base = by_id.get(row.get(MEMBER_ID_KEY))
        m = replace(base, extra=dict(base.extra or {})) if base else MemberData(name="")
        for column in section.columns:
            if not column.member_field:
                continue
            value = row.get(column.code)
            if column.member_field.startswith("extra."):
                key = column.member_field[6:]
                if is_blank(value):
                    m.extra.pop(key, None)
                else:
                    m.extra[key] = value
            elif column.type == "bool":
                setattr(m, column.member_field, bool(value))
            elif column.type in ("int", "count"):
                setattr(m, column.member_field, None if is_blank(value) else int(value))
            else:
                setattr(m, column.member_field, "" if value is None else str(value).strip())
        members.append(m)
    return replace(household, members=members)


def validate(
    description: FormDescription,
    answers: Mapping[str, Any],
    household: HouseholdData | None = None,
    *,
    campaign: Any = None,
    today: datetime.date | None = None,
) -> list[FieldIssue]:
    """Check answers against the description: types, required fields, rules and hooks."""
    values = dict(answers)
    values.update(compute(description, answers, campaign))
    today = today or datetime.date.today()
    issues: list[FieldIssue] = []
    skipped = _skipped_fields(description, values)
    typed_ok: set[str] = set()
    for cell in description.input_cells:
        value = values.get(cell.field)
        if is_blank(value):
            if cell.required and cell.field not in skipped:
                issues.append(FieldIssue(cell.field, f"请填写{cell.label or cell.field}", True))
            continue
        problem = _type_issue(cell, value)
        if problem:
            issues.append(FieldIssue(cell.field, problem, True))
        else:
            typed_ok.add(cell.field)
    for section in description.repeat_sections:
        for index, row in enumerate(values.get(section.id) or []):
            if not any(not is_blank(v) for k, v in row.items() if k != MEMBER_ID_KEY):
                continue
            for column in section.columns:
                if column.required and is_blank(row.get(column.code)):
                    issues.append(
                        FieldIssue(
                            section.id,
                            f"第{index + 1}名成员：请填写{column.label}",
                            True,
                            member_index=index,
                        )
                    )
                elif (
                    column.type == "choice"
                    and not is_blank(row.get(column.code))
                    and row[column.code] not in column.choices
                ):
                    message = f"第{index + 1}名成员：{column.label}“{row[column.code]}”不是可选项"
                    issues.append(FieldIssue(section.id, message, True, member_index=index))
    # Rules only read values that passed the type check, so “abc” ≤ 3 never crashes a rule.
    rule_values = {k: v for k, v in values.items() if k in typed_ok or k not in description.fields}
    for rule in description.rules:
        if rule.check == "hook:students_vs_ages":
            for message in _students_vs_ages(rule_values, household, today):
                issues.append(FieldIssue(rule.field, message, rule.blocking, rule_id=rule.id))
            continue
        if rule.check == "hook:members_registry":
            issues += _members_issues(description, values, household, rule.field, rule.id)
            continue
        try:
            if rule.when and not evaluate(rule.when, rule_values):
                continue
            ok = evaluate(rule.check, rule_values)
        except (MissingValue, TypeError):
            continue
        if not ok:
            issues.append(FieldIssue(rule.field, rule.message, rule.blocking, rule_id=rule.id))
    return issues


def _members_issues(
    description: FormDescription,
    values: Mapping[str, Any],
    household: HouseholdData | None,
    field_code: str,
    rule_id: str,
) -> list[FieldIssue]:
    if household is None:
        return []
    section = description.section(field_code)
    if not isinstance(section, RepeatSection):
        return []
    candidate = household_from_grid(section, values.get(section.id) or [], household)
    return [
        FieldIssue(field_code, p.message, p.blocking, p.member_index, rule_id)
        for p in validate_household(candidate)
        if p.member_index is not None or p.field == "members"
    ]


# --------------------------------------------------------------------------- the service


class FormService:
    """Paper forms of a household in a campaign: open, check, save, sign, list states."""

    def __init__(self, db: Database, registry: RegistryService | None = None) -> None:
        self.db = db
        self.registry = registry or RegistryService(db)

    # --- reading ---------------------------------------------------------------------

    def _campaign_id(self, campaign_id: int | None) -> int:
        campaign_id = campaign_id or self.registry.current_campaign_id()
        if campaign_id is None:
            raise FormError("还没有“回头看”活动，请先建立活动再填表")
        return campaign_id

    def _campaign(self, s: Session, campaign_id: int) -> Campaign:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise FormError("该“回头看”活动已不存在")
        return campaign

    def _city(self, s: Session, household_id: int) -> str:
        return (
            s.scalar(
                select(County.city)
                .join(Township, Township.county_id == County.id)
                .join(Village, Village.township_id == Township.id)
                .join(Household, Household.village_id == Village.id)
                .where(Household.id == household_id)
            )
            or ""
        )

    def _record(
        self, s: Session, household_id: int, campaign_id: int, form_code: str
    ) -> FormRecord | None:
        return s.scalar(
            select(FormRecord).where(
                FormRecord.household_id == household_id,
                FormRecord.campaign_id == campaign_id,
                FormRecord.form_code == form_code,
            )
        )

    def open_form(
        self, household_id: int, form_code: str, campaign_id: int | None = None
    ) -> FormState:
        """Return a household's form: saved answers, the gaps filled from the registry, computed."""
        description = load_form(form_code)
        campaign_id = self._campaign_id(campaign_id)
        try:
            household = self.registry.get_household(household_id)
        except RegistryError as exc:
            raise FormError(str(exc)) from exc
        with self.db.session() as s:
            campaign = self._campaign(s, campaign_id)
            record = self._record(s, household_id, campaign_id, form_code)
            city = self._city(s, household_id)
            answers, prefilled = prefill(
                description, household, dict(record.answers) if record else {}, city
            )
            answers.update(compute(description, answers, campaign))
            return FormState(
                household_id=household_id,
                form_code=form_code,
                campaign_id=campaign_id,
                description=description,
                household=household,
                answers=answers,
                accepted_warnings=dict(record.accepted_warnings or {}) if record else {},
                state=record.state if record else STATE_EMPTY,
                version=record.version if record else 0,
                prefilled=prefilled,
                paper_outdated=bool(record.paper_outdated) if record else False,
                updated_by=record.updated_by if record else "",
                updated_at=record.updated_at if record else None,
            )

    def compute(
        self, description: FormDescription, answers: Mapping[str, Any], campaign: Any = None
    ) -> dict[str, Any]:
        """Return the computed cells' values for these answers (see module function)."""
        return compute(description, answers, campaign)

    def validate(
        self,
        description: FormDescription,
        answers: Mapping[str, Any],
        household: HouseholdData | None = None,
        campaign: Any = None,
    ) -> list[FieldIssue]:
        """Return the issues of these answers (blocking errors and warnings)."""
        return validate(description, answers, household, campaign=campaign)

    def campaign(self, campaign_id: int | None = None) -> Campaign:
        """Return the (current) campaign, detached, for compute()."""
        campaign_id = self._campaign_id(campaign_id)
        with self.db.session(expire_on_commit=False) as s:
            campaign = self._campaign(s, campaign_id)
            s.expunge(campaign)
            return campaign

    def form_states(
        self, campaign_id: int | None = None, form_code: str = "verification"
    ) -> dict[int, str]:
        """Return household id → state (FORM_STATE_*) of every household that has the form."""
        campaign_id = self._campaign_id(campaign_id)
        with self.db.connection() as conn:
            return dict(
                conn.execute(
                    select(FormRecord.household_id, FormRecord.state).where(
                        FormRecord.campaign_id == campaign_id, FormRecord.form_code == form_code
                    )
                ).all()
            )

    # --- writing ---------------------------------------------------------------------

    def save(
        self,
        household_id: int,
        form_code: str,
        answers: Mapping[str, Any],
        complete: bool,
        accepted_warnings: Mapping[str, str] | None = None,
        user: Any = None,
        *,
        campaign_id: int | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Save a household's answers as draft or complete; return the record's new version.

        Completion is refused while a blocking error stands or a warning lacks a reason. On
        completion the registry fields the form changes (counts, helper, causes, members) are
        written in the same transaction; a draft only keeps the answers.
        """
        description = load_form(form_code)
        campaign_id = self._campaign_id(campaign_id)
        user_name = getattr(user, "name", None) or (user if isinstance(user, str) else "系统")
        try:
            household = self.registry.get_household(household_id)
        except RegistryError as exc:
            raise FormError(str(exc)) from exc
        reasons = {
            k: str(v).strip() for k, v in (accepted_warnings or {}).items() if str(v).strip()
        }
        from desktop.services.safety import form_lock

        with self.db.unit_of_work() as s:
            campaign = self._campaign(s, campaign_id)
            clean = {k: v for k, v in answers.items() if k in _answer_keys(description)}
            clean.update(compute(description, clean, campaign))
            if complete:
                issues = validate(description, clean, household, campaign=campaign)
                blocking = [i for i in issues if i.blocking]
                if blocking:
                    raise FormValidationError(
                        "还有错误，不能标记为已完成（可先保存为草稿）：\n"
                        + "\n".join(i.message for i in blocking),
                        blocking,
                    )
                unexplained = [i for i in issues if not i.blocking and i.field not in reasons]
                if unexplained:
                    raise FormValidationError(
                        "以下提醒需要填写原因后才能标记为已完成：\n"
                        + "\n".join(i.message for i in unexplained),
                        unexplained,
                    )
                warned = {i.field for i in issues}
                reasons = {k: v for k, v in reasons.items() if k in warned}
            record = self._record(s, household_id, campaign_id, form_code)
            if record is None:
                record = FormRecord(
                    household_id=household_id,
                    campaign_id=campaign_id,
                    form_code=form_code,
                    version=0,
                    answers={},
                    accepted_warnings={},
                )
                s.add(record)
            else:
                form_lock.ensure_editable(s, record)
                if expected_version is not None and record.version != expected_version:
                    raise StaleFormError(
                        f"该表在您打开后已被 {record.updated_by or '他人'} 保存"
                        f"（第 {record.version} 版），请关闭后重新打开"
                    )
            record.answers = _jsonable(clean)
            record.accepted_warnings = reasons
            record.state = FORM_STATE_COMPLETE if complete else FORM_STATE_DRAFT
            record.version = (record.version or 0) + 1
            record.updated_by = user_name
            if complete:
                changed = writeback(description, clean, household)
                if changed is not None:
                    try:
                        self.registry.save_household(changed)  # joins this unit of work
                    except RegistryError as exc:
                        raise FormError(f"保存到户籍信息时出错：{exc}") from exc
            s.flush()
            return record.version

    def sign(self, household_id: int, form_code: str, user: Any, campaign_id: int | None = None):
        """Mark a completed form 已签字 (its signed paper came back)."""
        from desktop.services.safety import form_lock

        campaign_id = self._campaign_id(campaign_id)
        with self.db.unit_of_work() as s:
            record = self._record(s, household_id, campaign_id, form_code)
            if record is None:
                raise FormError("该户还没有填写此表")
            form_lock.sign(s, record, user)

    def unlock(
        self,
        household_id: int,
        form_code: str,
        reason: str,
        user: Any,
        campaign_id: int | None = None,
    ):
        """Unlock a signed form with a reason; the printed paper must be signed again."""
        from desktop.services.safety import form_lock

        campaign_id = self._campaign_id(campaign_id)
        with self.db.unit_of_work() as s:
            record = self._record(s, household_id, campaign_id, form_code)
            if record is None:
                raise FormError("该户还没有填写此表")
            form_lock.unlock(s, record, reason, user)

    # --- printing --------------------------------------------------------------------

    def print_items(
        self,
        household_ids: Iterable[int],
        form_code: str,
        campaign_id: int | None = None,
    ) -> list[PrintItem]:
        """Return the answers to print for many households, in 户编号 order (few queries)."""
        description = load_form(form_code)
        campaign_id = self.registry.current_campaign_id() if campaign_id is None else campaign_id
        ids = list(dict.fromkeys(household_ids))
        items: list[PrintItem] = []
        with self.db.session() as s:
            campaign = s.get(Campaign, campaign_id) if campaign_id else None
            places = {
                v_id: (v_name, t_name, c_name, city)
                for v_id, v_name, t_name, c_name, city in s.execute(
                    select(Village.id, Village.name, Township.name, County.name, County.city)
                    .join(Township, Township.id == Village.township_id)
                    .join(County, County.id == Township.county_id)
                )
            }
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                households = s.scalars(
                    select(Household)
                    .options(selectinload(Household.members), selectinload(Household.group))
                    .where(Household.id.in_(chunk))
                ).all()
                records = {
                    r.household_id: r
                    for r in s.scalars(
                        select(FormRecord).where(
                            FormRecord.household_id.in_(chunk),
                            FormRecord.campaign_id == campaign_id,
                            FormRecord.form_code == form_code,
                        )
                    )
                }
                for h in households:
                    v_name, t_name, c_name, city = places[h.village_id]
                    data = _household_data(h, v_name, t_name, c_name)
                    record = records.get(h.id)
                    answers, _ = prefill(
                        description, data, dict(record.answers) if record else {}, city
                    )
                    answers.update(compute(description, answers, campaign))
                    items.append(PrintItem(h.code, answers, record.version if record else 0, h.id))
        items.sort(key=lambda i: i.household_code)
        return items


def _household_data(h: Household, village: str, township: str, county: str) -> HouseholdData:
    data = HouseholdData(
        code=h.code,
        village_id=h.village_id,
        group_name=h.group.name if h.group else "",
        members=[
            MemberData(**{f: getattr(m, f) for f in MEMBER_FIELDS}, id=m.id) for m in h.members
        ],
        id=h.id,
        version=h.version,
        village_name=village,
        township_name=township,
        county_name=county,
        **{f: getattr(h, f) for f in HOUSEHOLD_FIELDS},
    )
    data.poverty_causes = list(data.poverty_causes or [])
    return data


def _answer_keys(description: FormDescription) -> set[str]:
    keys = set(description.fields) | {h.code for h in description.header}
    keys |= {s.id for s in description.repeat_sections}
    keys |= {i.field for row in description.signatures for i in row if i.field}
    return keys


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def writeback(
    description: FormDescription, answers: Mapping[str, Any], household: HouseholdData
) -> HouseholdData | None:
    """Return the household with the registry fields the form changes, or None if unchanged."""
    data = replace(
        household,
        members=[replace(m, extra=dict(m.extra or {})) for m in household.members],
        poverty_causes=list(household.poverty_causes or []),
    )
    cells = [c for c in description.input_cells if c.writeback]
    by_source = {c.prefill: answers.get(c.field) for c in cells}
    for source, value in by_source.items():
        if source in ("count_hukou", "count_card", "count_system", "count_actual"):
            setattr(data, source, None if is_blank(value) else int(value))
        elif source in ("phone", "bank_name", "bank_account", "helper_name", "helper_phone"):
            setattr(data, source, "" if value is None else str(value).strip())
        elif source == "poverty_causes":
            data.poverty_causes = list(value or [])
        elif source == "poverty_kind":
            chosen = [k for k in codes.POVERTY_KINDS if k in (value or [])]
            if chosen:
                data.poverty_kind = chosen[0]
    if "poverty_causes.main" in by_source or "poverty_causes.other" in by_source:
        main = by_source.get("poverty_causes.main")
        other = by_source.get("poverty_causes.other") or []
        causes = ([main] if main else []) + [c for c in other if c != main]
        data.poverty_causes = causes
    for section in description.repeat_sections:
        if section.writeback and section.prefill == "members":
            data = household_from_grid(section, answers.get(section.id) or [], data)
    if _same(data, household):
        return None
    return data


def _same(a: HouseholdData, b: HouseholdData) -> bool:
    if any(getattr(a, f) != getattr(b, f) for f in HOUSEHOLD_FIELDS):
        return False
    if len(a.members) != len(b.members):
        return False
    return all(
        ma.id == mb.id and all(getattr(ma, f) == getattr(mb, f) for f in MEMBER_FIELDS)
        for ma, mb in zip(a.members, b.members, strict=True)
    )
