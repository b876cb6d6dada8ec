"""FormService: open, check, save, sign and print the paper forms of a subject in a campaign.

A form is about a subject: a household, or a village or township for their own papers. What is
asked, computed, skipped and checked comes from the description and the one evaluator (the form
engine); this service fills what the registry knows, stores the answers, and writes back the
registry fields the form changes, in one transaction.

A completed or signed form keeps its computed values and the standard they were computed under;
it is shown and printed from what was stored, never recomputed. A draft is recomputed when it
is opened, and the state says which computed values changed since it was saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from desktop.engine import Evaluation, Evaluator, FormDescription, FormDescriptionError
from desktop.errors import AppError, FieldIssue, StaleRecordError, ValidationError
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_DRAFT,
    FORM_STATE_SIGNED,
    SUBJECT_HOUSEHOLD,
    SUBJECT_TOWNSHIP,
    SUBJECT_VILLAGE,
    Campaign,
    FormRecord,
)
from desktop.models.registry import County, Household, Township, Village
from desktop.services.forms import conflicts
from desktop.services.forms.catalog import load_form
from desktop.services.forms.conflicts import FormConflict
from desktop.services.forms.hooks import build_hooks
from desktop.services.forms.prefill import MEMBER_ID_KEY, Place, prefill, writeback
from desktop.services.forms.snapshot import STANDARD_FIELDS, standard_snapshot
from desktop.services.forms.standard_watch import PINNED_NOTE, kept_note, unpinned
from desktop.services.registry.data import HouseholdData
from desktop.services.registry.service import (
    RegistryError,
    RegistryService,
    current_campaign,
    load_household,
)
from desktop.services.registry.service import household_data as registry_household_data
from desktop.services.unit_of_work import Database, get_or_raise

__all__ = [
    "MEMBER_ID_KEY",
    "STANDARD_FIELDS",
    "STATE_EMPTY",
    "STATE_LABELS",
    "FieldIssue",
    "FormError",
    "FormService",
    "FormState",
    "FormValidationError",
    "PrintItem",
    "StaleFormError",
    "Subject",
    "standard_snapshot",
]  # fmt: skip

STATE_EMPTY = ""  # 未填: no record yet
STATE_LABELS = {
    STATE_EMPTY: "未填",
    FORM_STATE_DRAFT: "草稿",
    FORM_STATE_COMPLETE: "已完成",
    FORM_STATE_SIGNED: "已签字",
}
STORED_STATES = (FORM_STATE_COMPLETE, FORM_STATE_SIGNED)  # shown and printed as stored
UNSAVED_STAMP = "未保存（草稿）"
NO_CAMPAIGN = "还没有“回头看”活动，请先建立活动再填表"


class FormError(AppError):
    """A form could not be opened or saved; the message says why, in Chinese."""


class FormValidationError(FormError, ValidationError):
    """Completion refused: blocking errors, or warnings accepted without a reason."""


class StaleFormError(FormError, StaleRecordError):
    """Someone saved the form since it was opened."""


@dataclass(frozen=True)
class Subject:
    """What a form is about: ("household", id), ("village", id) or ("township", id)."""

    kind: str
    id: int

    @classmethod
    def of(cls, value: Subject | int) -> Subject:
        """A Subject, or a household id (the usual case) made into one."""
        return value if isinstance(value, Subject) else cls(SUBJECT_HOUSEHOLD, int(value))

    @property
    def column(self) -> str:
        """The FormRecord column that points at this subject."""
        return {
            SUBJECT_HOUSEHOLD: "household_id",
            SUBJECT_VILLAGE: "village_id",
            SUBJECT_TOWNSHIP: "township_id",
        }[self.kind]


@dataclass
class FormState:
    """A form opened for one subject: answers (saved or prefilled) and the record's state."""

    household_id: int | None
    form_code: str
    campaign_id: int
    description: FormDescription
    household: HouseholdData | None
    answers: dict[str, Any]
    accepted_warnings: dict[str, str] = field(default_factory=dict)
    state: str = STATE_EMPTY
    version: int = 0
    prefilled: frozenset[str] = frozenset()
    paper_outdated: bool = False
    updated_by: str = ""
    updated_at: datetime.datetime | None = None
    subject: Subject | None = None
    standard: dict[str, Any] = field(default_factory=dict)  # what the values were computed under
    stored: bool = False  # shown as stored at completion (not recomputed)
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # draft: code → (was, now)
    # A stored form whose campaign's standard changed since: what changed, not recomputed.
    standard_note: str = ""

    @property
    def state_label(self) -> str:
        """未填 / 草稿 / 已完成 / 已签字."""
        return STATE_LABELS.get(self.state, self.state)

    @property
    def is_signed(self) -> bool:
        """True when the signed paper came back: the answers are locked."""
        return self.state == FORM_STATE_SIGNED

    def changed_message(self) -> str:
        """Chinese note of the computed values that changed since the draft was saved."""
        if not self.changed:
            return ""
        d = self.description
        parts = [
            f"{d.field_label(code)}：{d.fields[code].text(was) or '空'} → "
            f"{d.fields[code].text(now) or '空'}"
            for code, (was, now) in self.changed.items()
            if code in d.fields
        ]
        return "按当前标准重新计算，以下结果与保存时不同：\n" + "\n".join(parts)


@dataclass(frozen=True)
class PrintItem:
    """What the printer needs for one form: answers, 户编号, record version, saved or not."""

    household_code: str
    answers: Mapping[str, Any]
    version: int = 0
    household_id: int | None = None
    unsaved: bool = False  # edits on screen not saved: stamped 未保存（草稿）, not a version

    @property
    def stamp(self) -> str:
        """How the print stamp names this copy: 第 N 版, 未保存（草稿） or 未保存."""
        if self.unsaved:
            return UNSAVED_STAMP
        return f"第 {self.version} 版" if self.version else "未保存"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class FormService:
    """Paper forms of a subject in a campaign: open, check, save, sign, list states, print."""

    def __init__(self, db: Database, registry: RegistryService | None = None) -> None:
        self.db = db
        self.registry = registry or RegistryService(db)
        self.hooks = build_hooks()
        self._evaluators: dict[int, Evaluator] = {}
        self._pinned = False

    # --- the evaluator ---------------------------------------------------------------

    def evaluator(self, description: FormDescription) -> Evaluator:
        """Return the one evaluator of a description (hooks checked once)."""
        found = self._evaluators.get(id(description))
        if found is None or found.description is not description:
            found = self._evaluators[id(description)] = Evaluator(description, self.hooks)
        return found

    def evaluate(
        self,
        description: FormDescription,
        answers: Mapping[str, Any],
        subject: Any = None,
        campaign: Any = None,
    ) -> Evaluation:
        """Compute, skip and check answers: what the screen shows and completion enforces."""
        return self.evaluator(description).evaluate(
            answers, subject=subject, standard=standard_snapshot(campaign)
        )

    def compute(
        self, description: FormDescription, answers: Mapping[str, Any], campaign: Any = None
    ) -> dict[str, Any]:
        """Return the computed cells' values for these answers."""
        return self.evaluate(description, answers, None, campaign).computed

    def validate(
        self,
        description: FormDescription,
        answers: Mapping[str, Any],
        household: HouseholdData | None = None,
        campaign: Any = None,
    ) -> list[FieldIssue]:
        """Return the issues of these answers (blocking errors and warnings)."""
        return list(self.evaluate(description, answers, household, campaign).issues)

    # --- reading ---------------------------------------------------------------------

    def _campaign_id(self, campaign_id: int | None) -> int:
        campaign_id = campaign_id or self.registry.current_campaign_id()
        if campaign_id is None:
            raise FormError(NO_CAMPAIGN)
        return campaign_id

    def _campaign(self, s: Session, campaign_id: int | None) -> Campaign:
        """The campaign read in `s`: the one named, or the current one (one statement)."""
        if campaign_id:
            return get_or_raise(s, Campaign, campaign_id, FormError("该“回头看”活动已不存在"))
        campaign = s.scalar(current_campaign(Campaign))
        if campaign is None:
            raise FormError(NO_CAMPAIGN)
        return campaign

    def _place(self, s: Session, subject: Subject) -> Place:
        query = select(County.province, County.city, County.name, Township.name).join(
            Township, Township.county_id == County.id
        )
        village = ""
        if subject.kind == SUBJECT_TOWNSHIP:
            row = s.execute(query.where(Township.id == subject.id)).first()
        else:
            query = query.add_columns(Village.name).join(
                Village, Village.township_id == Township.id
            )
            if subject.kind == SUBJECT_VILLAGE:
                row = s.execute(query.where(Village.id == subject.id)).first()
            else:
                row = s.execute(
                    query.join(Household, Household.village_id == Village.id).where(
                        Household.id == subject.id
                    )
                ).first()
            village = row[4] if row else ""
        if row is None:
            raise FormError("该户或该村（镇）已不存在")
        return Place(row[0] or "", row[1] or "", row[2] or "", row[3] or "", village)

    def _record(
        self, s: Session, subject: Subject, campaign_id: int, form_code: str, *, lock=False
    ) -> FormRecord | None:
        """The subject's record of a form; `lock` holds its row until the commit where the
        server has row locks (PostgreSQL), so two saves cannot both pass the version check."""
        query = select(FormRecord).where(
            getattr(FormRecord, subject.column) == subject.id,
            FormRecord.campaign_id == campaign_id,
            FormRecord.form_code == form_code,
        )
        return s.scalar(query.with_for_update() if lock else query)

    def _subject(self, s: Session, subject: Subject) -> tuple[HouseholdData | None, Place]:
        """The subject's household (None for a village's or township's own paper) and its
        place, read in `s`: for a household two statements, its place from the same row."""
        if subject.kind != SUBJECT_HOUSEHOLD:
            return None, self._place(s, subject)
        try:
            h = load_household(s, subject.id)
        except RegistryError as exc:
            raise FormError(str(exc)) from exc
        township = h.village.township
        county = township.county
        place = Place(
            county.province or "", county.city or "", county.name or "", township.name or "",
            h.village.name,
        )  # fmt: skip
        return household_data(h, place), place

    def _shown(
        self,
        description: FormDescription,
        record: FormRecord | None,
        household: HouseholdData | None,
        place: Place,
        campaign: Campaign | None,
    ) -> tuple[dict[str, Any], frozenset[str], dict[str, Any], dict[str, tuple[Any, Any]]]:
        """(answers, prefilled, standard, changed): as stored, or prefilled and recomputed."""
        if record is not None and record.state in STORED_STATES and record.standard:
            answers = dict(record.answers)
            answers.update(record.computed or {})
            return answers, frozenset(), dict(record.standard), {}
        answers, prefilled = prefill(
            description, household, dict(record.answers) if record else {}, place
        )
        # Computed cells only (no rules): opening and printing need the values, not the checks.
        evaluator, standard = self.evaluator(description), standard_snapshot(campaign)
        skipped = evaluator.skipped(answers)
        values = {k: v for k, v in answers.items() if k not in skipped}
        computed = evaluator.compute(values, subject=household, standard=standard)
        answers.update(computed)
        changed: dict[str, tuple[Any, Any]] = {}
        if record is not None and record.standard:
            was = record.computed or {}
            changed = {k: (was.get(k), v) for k, v in computed.items() if was.get(k) != v}
        return answers, prefilled, standard, changed

    def pin_old_forms(self, campaign_id: int | None = None) -> int:
        """Pin every completed or signed form kept without its computed values; return how many.

        Before migration 0006 a completed form stored only its answers and was recomputed (and
        its blanks refilled from the registry) at every print. Such a form is pinned once, as
        it shows at that moment: blanks the registry knew filled in, computed values as it
        stored them (computed now only where it stored none), and the campaign's standard.
        From then on it is shown and printed as stored, like a form completed since.
        """
        self._pinned = campaign_id is None or self._pinned
        with self.db.unit_of_work() as s:
            return pin_kept_forms(s, self.evaluator, campaign_id)

    def _pin_once(self) -> None:
        if not self._pinned:
            self.pin_old_forms()

    def open_form(
        self, subject: Subject | int, form_code: str, campaign_id: int | None = None
    ) -> FormState:
        """Return a subject's form: as stored when complete, else prefilled and recomputed."""
        self._pin_once()
        subject = Subject.of(subject)
        description = load_form(form_code)
        # One session: the campaign, the household with its place, and the record.
        with self.db.session() as s:
            campaign = self._campaign(s, campaign_id)
            campaign_id = campaign.id
            household, place = self._subject(s, subject)
            record = self._record(s, subject, campaign_id, form_code)
            answers, prefilled, standard, changed = self._shown(
                description, record, household, place, campaign
            )
            stored = bool(record and record.state in STORED_STATES and record.standard)
            return FormState(
                household_id=subject.id if subject.kind == SUBJECT_HOUSEHOLD else None,
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
                subject=subject,
                standard=standard,
                stored=stored,
                changed=changed,
                standard_note=kept_note(record.state, standard, standard_snapshot(campaign))
                if stored
                else "",
            )

    def campaign(self, campaign_id: int | None = None) -> Campaign:
        """Return the (current) campaign, detached, for evaluate()."""
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
                        FormRecord.campaign_id == campaign_id,
                        FormRecord.form_code == form_code,
                        FormRecord.household_id.is_not(None),
                    )
                ).all()
            )

    def form_conflict(self, opened: FormState, mine: Mapping[str, Any]) -> FormConflict:
        """What differs between a clerk's refused save and the form as saved since.

        `opened` is the form as the clerk opened (or last saved) it, `mine` the answers on
        their screen.
        """
        theirs = self.open_form(
            opened.subject or opened.household_id, opened.form_code, opened.campaign_id
        )
        d = opened.description
        return FormConflict(
            title=d.title,
            household_code=opened.household.code if opened.household else "",
            version=theirs.version,
            saved_by=theirs.updated_by,
            saved_at=theirs.updated_at,
            differences=conflicts.differences(d, opened.answers, mine, theirs.answers),
            theirs=dict(theirs.answers),
            merged=conflicts.merge(d, opened.answers, mine, theirs.answers),
        )

    # --- writing ---------------------------------------------------------------------

    def save(
        self,
        subject: Subject | int,
        form_code: str,
        answers: Mapping[str, Any],
        complete: bool,
        accepted_warnings: Mapping[str, str] | None = None,
        user: Any = None,
        *,
        campaign_id: int | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Save a subject's answers as draft or complete; return the record's new version.

        Completion is refused while a blocking error stands or a warning lacks a reason. The
        computed values and the standard are stored with the answers; on completion the
        registry fields the form changes (counts, helper, causes, members) are written in the
        same transaction; a draft only keeps the answers.
        """
        subject = Subject.of(subject)
        description = load_form(form_code)
        user_name = getattr(user, "name", None) or (user if isinstance(user, str) else "系统")
        reasons = {
            k: str(v).strip() for k, v in (accepted_warnings or {}).items() if str(v).strip()
        }
        from desktop.services.safety import form_lock

        with self.db.unit_of_work() as s:
            campaign = self._campaign(s, campaign_id)
            campaign_id = campaign.id
            household, _place = self._subject(s, subject)
            clean = {k: v for k, v in answers.items() if k in description.answer_keys}
            evaluation = self.evaluate(description, clean, household, campaign)
            if complete:
                reasons = self._check_completion(evaluation, reasons)
            record = self._record(s, subject, campaign_id, form_code, lock=True)
            if record is None:
                record = FormRecord(
                    campaign_id=campaign_id, form_code=form_code, version=0, answers={},
                    accepted_warnings={},
                )  # fmt: skip
                setattr(record, subject.column, subject.id)
                s.add(record)
            else:
                form_lock.ensure_editable(s, record)
                if expected_version is not None and record.version != expected_version:
                    raise StaleFormError(
                        f"该表在您打开后已被 {record.updated_by or '他人'} 保存"
                        f"（第 {record.version} 版），请关闭后重新打开"
                    )
            stored = {k: v for k, v in evaluation.values.items() if k not in evaluation.computed}
            record.answers = _jsonable(stored)
            record.computed = _jsonable(evaluation.computed)
            record.standard = standard_snapshot(campaign)
            record.accepted_warnings = reasons
            record.state = FORM_STATE_COMPLETE if complete else FORM_STATE_DRAFT
            record.version = (record.version or 0) + 1
            record.updated_by = user_name
            if record.id is None:
                _insert_first(s)
            if complete and household is not None:
                changed = writeback(description, evaluation.values, household)
                if changed is not None:
                    try:
                        self.registry.save_household(changed)  # joins this unit of work
                    except RegistryError as exc:
                        raise FormError(f"保存到户籍信息时出错：{exc}") from exc
            s.flush()
            return record.version

    @staticmethod
    def _check_completion(evaluation: Evaluation, reasons: dict[str, str]) -> dict[str, str]:
        blocking = evaluation.blocking
        if blocking:
            raise FormValidationError(
                "还有错误，不能标记为已完成（可先保存为草稿）：\n"
                + "\n".join(i.message for i in blocking),
                blocking,
            )
        unexplained = [i for i in evaluation.warnings if i.field not in reasons]
        if unexplained:
            raise FormValidationError(
                "以下提醒需要填写原因后才能标记为已完成：\n"
                + "\n".join(i.message for i in unexplained),
                unexplained,
            )
        warned = {i.field for i in evaluation.issues}
        return {k: v for k, v in reasons.items() if k in warned}

    def _locked_record(
        self, s: Session, subject: Subject, form_code: str, campaign_id: int | None
    ) -> FormRecord:
        record = self._record(s, subject, self._campaign_id(campaign_id), form_code)
        if record is None:
            raise FormError("该户还没有填写此表")
        return record

    def sign(self, subject: Subject | int, form_code: str, user: Any, campaign_id=None) -> None:
        """Mark a completed form 已签字 (its signed paper came back)."""
        from desktop.services.safety import form_lock

        with self.db.unit_of_work() as s:
            record = self._locked_record(s, Subject.of(subject), form_code, campaign_id)
            form_lock.sign(s, record, user)

    def unlock(
        self, subject: Subject | int, form_code: str, reason: str, user: Any, campaign_id=None
    ) -> None:
        """Unlock a signed form with a reason; the printed paper must be signed again."""
        from desktop.services.safety import form_lock

        with self.db.unit_of_work() as s:
            record = self._locked_record(s, Subject.of(subject), form_code, campaign_id)
            form_lock.unlock(s, record, reason, user)

    # --- printing --------------------------------------------------------------------

    def print_items(
        self, household_ids: Iterable[int], form_code: str, campaign_id: int | None = None
    ) -> list[PrintItem]:
        """Return the answers to print for many households, in 户编号 order (few queries).

        A completed or signed form prints exactly what was stored; a draft or a blank one is
        prefilled from the registry and computed under the campaign's standard.
        """
        self._pin_once()
        description = load_form(form_code)
        ids = list(dict.fromkeys(household_ids))
        items: list[PrintItem] = []
        with self.db.session() as s:
            if campaign_id is None:
                campaign = s.scalar(current_campaign(Campaign))
                campaign_id = campaign.id if campaign else None
            else:
                campaign = s.get(Campaign, campaign_id) if campaign_id else None
            places = village_places(s)
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
                    place = places[h.village_id]
                    data = household_data(h, place)
                    record = records.get(h.id)
                    answers, _, _, _ = self._shown(description, record, data, place, campaign)
                    items.append(PrintItem(h.code, answers, record.version if record else 0, h.id))
        items.sort(key=lambda i: i.household_code)
        return items


def _insert_first(s: Session) -> None:
    """Write a subject's first record of a form: two clerks saving it at once both find none
    to lock, and the second one's insert meets the first one's row (a conflict, not a crash)."""
    try:
        s.flush()
    except IntegrityError as exc:
        if "unique" not in str(exc.orig).lower():
            raise
        raise StaleFormError("该表在您打开后已被他人保存，请关闭后重新打开") from exc


def household_data(h: Household, place: Place) -> HouseholdData:
    """A loaded Household as the plain HouseholdData that forms read."""
    return registry_household_data(h, place.village_name, place.township_name, place.county_name)


def village_places(s: Session) -> dict[int, Place]:
    """Village id → its Place (province, city, county, township, village), in one query."""
    return {
        v_id: Place(province or "", city or "", c_name, t_name, v_name)
        for v_id, v_name, t_name, c_name, city, province in s.execute(
            select(
                Village.id,
                Village.name,
                Township.name,
                County.name,
                County.city,
                County.province,
            )
            .join(Township, Township.id == Village.township_id)
            .join(County, County.id == Township.county_id)
        )
    }


def pin_kept_forms(
    s: Session,
    evaluator: Callable[[FormDescription], Evaluator],
    campaign_id: int | None = None,
    standard: dict | None = None,
) -> int:
    """Pin the unpinned kept forms (of one campaign) inside session `s`; return how many.

    See FormService.pin_old_forms. `standard`: the snapshot to keep (a standard about to
    change, from the flush that changes it), else the campaign's standard now.
    """
    from desktop.services.safety import form_lock

    query = select(FormRecord).where(
        FormRecord.state.in_(STORED_STATES), FormRecord.household_id.is_not(None), unpinned()
    )
    if campaign_id is not None:
        query = query.where(FormRecord.campaign_id == campaign_id)
    with s.no_autoflush:
        records = s.scalars(query).all()
        places = village_places(s) if records else {}
        pinned = 0
        for record in records:
            try:
                description = load_form(record.form_code)
            except FormDescriptionError:
                continue  # a paper this version does not describe: left as it is
            h = s.scalar(
                select(Household)
                .options(selectinload(Household.members), selectinload(Household.group))
                .where(Household.id == record.household_id)
            )
            place = places[h.village_id]
            household = household_data(h, place)
            kept = standard or standard_snapshot(s.get(Campaign, record.campaign_id))
            answers, _ = prefill(description, household, dict(record.answers), place)
            stored = {
                c.field: answers[c.field]
                for c in description.computed_fields
                if c.field and answers.get(c.field) is not None
            }
            skipped = evaluator(description).skipped(answers)
            values = {k: v for k, v in answers.items() if k not in skipped}
            computed = evaluator(description).compute(values, subject=household, standard=kept)
            computed.update(stored)
            form_lock.pin(
                s,
                record,
                answers=_jsonable({k: v for k, v in answers.items() if k not in computed}),
                computed=_jsonable(computed),
                standard={**kept, "pinned": PINNED_NOTE},
                note=PINNED_NOTE,
            )
            pinned += 1
    return pinned
