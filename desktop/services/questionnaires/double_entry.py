"""Double entry of questionnaires for quality control, as CSPro's verify mode does it.

A second clerk keys a sample of completed questionnaires blind; `differences` lists, field by
field, where the two entries disagree; `resolve` keeps one value per difference (written to the
questionnaire, so a questionnaire under review or passed refuses it like any change); and
`error_rates` shows, per clerk, how many of the fields they keyed were wrong.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from desktop.engine import Evaluator, is_blank
from desktop.errors import AppError
from desktop.models.campaign import FormRecord
from desktop.models.setting import DatabaseSetting
from desktop.models.team import VerifyEntry
from desktop.services.actor import CurrentUser
from desktop.services.forms.catalog import load_form
from desktop.services.forms.hooks import build_hooks
from desktop.services.questionnaires.check import cleared_by_skips, question_name, skip_notice
from desktop.services.questionnaires.review_lock import QUESTIONNAIRES
from desktop.services.questionnaires.team_data import ENTERED_STATES
from desktop.services.questionnaires.teams import current_campaign_id
from desktop.services.unit_of_work import Database

SAMPLE_SHARE = 0.1  # a tenth of the entered questionnaires is keyed again
# The draws of a campaign, recorded as one database setting (JSON list; migration 0011 keeps
# the second entries, not the draws, and a setting is audited like any other row).
SAMPLE_SETTING = "double_entry_sample"


class DoubleEntryError(AppError):
    """A second entry or a resolution that is not allowed; the message says why."""


@dataclass(frozen=True)
class Difference:
    """One field where the two entries disagree, named as the paper names it."""

    field: str
    question: str  # 第9题
    label: str
    first: Any
    second: Any
    # The skip answer (a field code) whose resolution decides this one: it is asked under one
    # entry's answer there and skipped under the other's, so it follows that answer.
    decided_by: str = ""


@dataclass(frozen=True)
class Resolution:
    """What resolving a second entry did: the value kept per difference, and the answers a
    kept skip answer cleared (as on paper they are struck out)."""

    kept: dict[str, Any]
    cleared: dict[str, list[str]]  # why (第4题填“②否”，跳过) → the questions cleared

    @property
    def notice(self) -> str:
        """The line the screen shows (empty when no skip cleared anything)."""
        return skip_notice(self.cleared)


@dataclass(frozen=True)
class ClerkRate:
    """A clerk's keyed fields in resolved double entries and how many were wrong."""

    clerk: str
    fields: int
    errors: int

    @property
    def rate(self) -> float:
        """Errors per field keyed (0 when nothing was compared)."""
        return self.errors / self.fields if self.fields else 0.0


@dataclass(frozen=True)
class SampleDraw:
    """One recorded draw of questionnaires to key again: who drew, when, by what rule."""

    drawn_at: str  # 2020-04-29 09:30:00
    drawn_by: str
    rule: str  # 按比例 10% / 按份数 5 份
    seed: int  # the same seed over the same questionnaires draws the same sample
    available: int  # how many could be drawn
    items: tuple[tuple[int, str], ...]  # (household id, questionnaire)

    def as_json(self) -> dict[str, Any]:
        """The draw as stored."""
        return {"at": self.drawn_at, "by": self.drawn_by, "rule": self.rule, "seed": self.seed,
                "available": self.available, "items": [list(i) for i in self.items]}  # fmt: skip

    @classmethod
    def of_json(cls, raw: Mapping[str, Any]) -> SampleDraw:
        """A stored draw."""
        items = tuple((int(h), str(c)) for h, c in raw["items"])
        return cls(raw["at"], raw["by"], raw["rule"], int(raw["seed"]), int(raw["available"]),
                   items)  # fmt: skip


@dataclass(frozen=True)
class DrawnRow:
    """One drawn questionnaire: the household, and whether it has been keyed again."""

    household_id: int
    household_code: str
    head_name: str
    village: str
    form_code: str
    keyed: bool


def _draws_key(campaign_id: int) -> str:
    return f"{SAMPLE_SETTING}:{campaign_id}"


def _draw(entered: list, share: float | None, count: int | None, seed: int) -> list:
    if not entered:
        return []
    wanted = count if count is not None else max(1, round(len(entered) * (share or 0)))
    return sorted(random.Random(seed).sample(entered, k=min(max(wanted, 1), len(entered))))


def _asked(values: Mapping[str, Any], keys) -> dict[str, Any]:
    return {k: values.get(k) for k in keys}


class DoubleEntryService:
    """Second entries, their differences, their resolution and the clerks' error rates."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _campaign_id(self, s) -> int:
        return current_campaign_id(s, DoubleEntryError)

    @staticmethod
    def _compared(form_code: str, answers: Mapping[str, Any]) -> dict[str, Any]:
        """What a clerk keyed: the asked answers (skipped ones dropped, computed ones left)."""
        form = load_form(form_code)
        found = Evaluator(form, build_hooks()).evaluate(answers)
        keys = [k for k in form.entry_order if k in form.answer_keys and k not in found.computed]
        return {k: v for k, v in _asked(found.values, keys).items() if not is_blank(v)}

    def _drawable(self, s, campaign_id: int) -> list[tuple[int, str]]:
        """Entered questionnaires neither keyed twice nor drawn already, by household."""
        done = set(
            s.execute(
                select(VerifyEntry.household_id, VerifyEntry.form_code).where(
                    VerifyEntry.campaign_id == campaign_id
                )
            ).all()
        )
        done |= {item for d in self._draws(s, campaign_id) for item in d.items}
        return [
            (hid, code)
            for hid, code in s.execute(
                select(FormRecord.household_id, FormRecord.form_code)
                .where(
                    FormRecord.campaign_id == campaign_id,
                    FormRecord.form_code.in_(QUESTIONNAIRES),
                    FormRecord.state.in_(ENTERED_STATES),
                )
                .order_by(FormRecord.household_id)
            ).all()
            if (hid, code) not in done
        ]

    def drawable(self) -> int:
        """How many entered questionnaires could be drawn now (not keyed twice, not drawn)."""
        with self.db.session() as s:
            return len(self._drawable(s, self._campaign_id(s)))

    def sample(
        self, share: float | None = SAMPLE_SHARE, seed: int = 0, *, count: int | None = None
    ) -> list[tuple[int, str]]:
        """(household id, questionnaire) of a random share (or `count`) of the entered
        questionnaires not keyed twice or drawn yet, at least one; the same seed draws the
        same sample."""
        with self.db.session() as s:
            entered = self._drawable(s, self._campaign_id(s))
        return _draw(entered, share, count, seed)

    def draw_sample(
        self,
        user: CurrentUser,
        *,
        share: float | None = None,
        count: int | None = None,
        seed: int | None = None,
    ) -> SampleDraw:
        """Draw the questionnaires to key again, by share or by count (one of them), and
        record the draw (who, when, the rule, the seed, what was drawn) in the database."""
        if (share is None) == (count is None):
            raise DoubleEntryError("请选择按比例或按份数抽取（二者选一）")
        if share is not None and not 0 < share <= 1:
            raise DoubleEntryError("抽取比例应在 1%—100% 之间")
        if count is not None and count < 1:
            raise DoubleEntryError("抽取份数至少为 1")
        seed = random.SystemRandom().randrange(1, 10**6) if seed is None else seed
        with self.db.unit_of_work() as s:
            campaign_id = self._campaign_id(s)
            entered = self._drawable(s, campaign_id)
            if not entered:
                raise DoubleEntryError("没有可抽取的问卷（录入完成、尚未二次录入也未被抽中的）")
            items = _draw(entered, share, count, seed)
            rule = f"按比例 {share:.0%}" if share is not None else f"按份数 {count} 份"
            draw = SampleDraw(
                datetime.datetime.now().replace(microsecond=0).isoformat(sep=" "),
                user.name, rule, seed, len(entered), tuple(items),
            )  # fmt: skip
            setting = s.get(DatabaseSetting, _draws_key(campaign_id))
            if setting is None:
                setting = DatabaseSetting(key=_draws_key(campaign_id), value="[]")
                s.add(setting)
            setting.value = json.dumps(
                [*json.loads(setting.value or "[]"), draw.as_json()], ensure_ascii=False
            )
            return draw

    @staticmethod
    def _draws(s, campaign_id: int) -> list[SampleDraw]:
        setting = s.get(DatabaseSetting, _draws_key(campaign_id))
        return [SampleDraw.of_json(d) for d in json.loads(setting.value)] if setting else []

    def draws(self) -> list[SampleDraw]:
        """Every recorded draw of the current campaign, oldest first."""
        with self.db.session() as s:
            return self._draws(s, self._campaign_id(s))

    def pending(self) -> set[tuple[int, str]]:
        """(household id, questionnaire) drawn but not keyed a second time yet."""
        with self.db.session() as s:
            campaign_id = self._campaign_id(s)
            keyed = set(
                s.execute(
                    select(VerifyEntry.household_id, VerifyEntry.form_code).where(
                        VerifyEntry.campaign_id == campaign_id
                    )
                ).all()
            )
            return {i for d in self._draws(s, campaign_id) for i in d.items} - keyed

    def drawn_households(self, draw: SampleDraw) -> list[DrawnRow]:
        """The households of a draw as a list shows them, by 户编号, with whether each has
        been keyed a second time."""
        from desktop.models.registry import Household, Village

        ids = [hid for hid, _code in draw.items]
        with self.db.session() as s:
            found = {
                hid: (code, head, village)
                for hid, code, head, village in s.execute(
                    select(Household.id, Household.code, Household.head_name, Village.name)
                    .join(Village, Village.id == Household.village_id)
                    .where(Household.id.in_(ids))
                )
            }
            keyed = set(
                s.execute(
                    select(VerifyEntry.household_id, VerifyEntry.form_code).where(
                        VerifyEntry.household_id.in_(ids)
                    )
                ).all()
            )
        rows = [DrawnRow(hid, *found[hid], form, (hid, form) in keyed)
                for hid, form in draw.items if hid in found]  # fmt: skip
        return sorted(rows, key=lambda r: r.household_code)

    def enter_second(
        self, household_id: int, form_code: str, answers: Mapping[str, Any], clerk: CurrentUser
    ) -> list[Difference]:
        """Keep a second clerk's blind entry and return its differences from the first."""
        with self.db.unit_of_work() as s:
            campaign_id = self._campaign_id(s)
            record = s.scalar(
                select(FormRecord).where(
                    FormRecord.household_id == household_id,
                    FormRecord.campaign_id == campaign_id,
                    FormRecord.form_code == form_code,
                )
            )
            if record is None or record.state not in ENTERED_STATES:
                raise DoubleEntryError("该问卷还未录入完成，不能二次录入")
            if record.updated_by == clerk.name:
                raise DoubleEntryError(f"二次录入须由另一名录入员完成（第一次由{clerk.name}录入）")
            if s.scalar(
                select(VerifyEntry.id).where(
                    VerifyEntry.household_id == household_id,
                    VerifyEntry.campaign_id == campaign_id,
                    VerifyEntry.form_code == form_code,
                )
            ):
                raise DoubleEntryError("该问卷已二次录入过")
            s.add(
                VerifyEntry(
                    household_id=household_id,
                    campaign_id=campaign_id,
                    form_code=form_code,
                    first_clerk=record.updated_by,
                    first_answers=dict(record.answers),
                    clerk=clerk.name,
                    answers=dict(answers),
                    resolved={},
                )
            )
        return self.differences(household_id, form_code)

    def _entry(self, s, household_id: int, form_code: str) -> VerifyEntry:
        entry = s.scalar(
            select(VerifyEntry).where(
                VerifyEntry.household_id == household_id,
                VerifyEntry.campaign_id == self._campaign_id(s),
                VerifyEntry.form_code == form_code,
            )
        )
        if entry is None:
            raise DoubleEntryError("该问卷没有二次录入")
        return entry

    def differences(self, household_id: int, form_code: str) -> list[Difference]:
        """The fields where the two entries disagree, in paper order; a field one entry skips
        and the other answers names the differing skip answer that decides it."""
        with self.db.session() as s:
            entry = self._entry(s, household_id, form_code)
            first, second = entry.first_answers, entry.answers
        form = load_form(form_code)
        evaluator = Evaluator(form, build_hooks())
        a, b = self._compared(form_code, first), self._compared(form_code, second)
        differing = {k for k in form.entry_order if (k in a or k in b) and a.get(k) != b.get(k)}
        causes = {**evaluator.skip_causes(second), **evaluator.skip_causes(first)}
        return [
            Difference(
                k,
                question_name(form, k),
                form.field_label(k),
                a.get(k),
                b.get(k),
                causes.get(k, "") if causes.get(k) in differing else "",
            )
            for k in form.entry_order
            if k in differing
        ]

    def resolve(
        self, household_id: int, form_code: str, kept: Mapping[str, Any], user: CurrentUser
    ) -> Resolution:
        """Keep one value for every difference and write them to the questionnaire.

        A difference decided by a skip answer needs no choice of its own: it takes the value
        of the entry whose skip answer was kept, and when the kept answer skips it, it is
        cleared as on paper (the Resolution says which, and why)."""
        form = load_form(form_code)
        evaluator = Evaluator(form, build_hooks())
        differences = self.differences(household_id, form_code)
        by_field = {d.field: d for d in differences}
        for f, value in kept.items():
            d = by_field.get(f)
            if d is None or value not in (d.first, d.second):
                raise DoubleEntryError(f"{f}：只能取两次录入中的一个值")
        with self.db.unit_of_work() as s:
            entry = self._entry(s, household_id, form_code)
            record = s.scalar(
                select(FormRecord).where(
                    FormRecord.household_id == household_id,
                    FormRecord.campaign_id == entry.campaign_id,
                    FormRecord.form_code == form_code,
                )
            )
            before = dict(record.answers)
            answers, chosen, missing = dict(before), {}, []
            for d in differences:  # paper order: a skip answer comes before what it skips
                if d.field in evaluator.skipped(answers):
                    chosen[d.field] = None
                    continue
                if d.field in kept:
                    value = kept[d.field]
                elif d.decided_by and d.decided_by in chosen:
                    side = (
                        "first"
                        if chosen[d.decided_by] == by_field[d.decided_by].first
                        else "second"
                    )
                    value = getattr(d, side)
                else:
                    missing.append(d.question)
                    continue
                chosen[d.field] = value
                if is_blank(value):
                    answers.pop(d.field, None)
                else:
                    answers[d.field] = value
            if missing:
                raise DoubleEntryError("还有差异未处理：" + "、".join(dict.fromkeys(missing)))
            skipped = evaluator.skipped(answers)
            answered = {**entry.answers, **entry.first_answers, **before}
            cleared = cleared_by_skips(form, answered, answers, evaluator)
            answers = {k: v for k, v in answers.items() if k not in skipped}
            chosen = {f: (None if f in skipped else v) for f, v in chosen.items()}
            if answers != record.answers:
                # Through the form service: recomputed and checked again, refused when locked.
                from desktop.services.forms.service import FormService

                FormService(self.db).save(
                    household_id,
                    form_code,
                    answers,
                    complete=True,
                    accepted_warnings=record.accepted_warnings,
                    user=user,
                    campaign_id=entry.campaign_id,
                )
            entry.resolved = chosen
            entry.resolved_by = user.name
            entry.resolved_at = datetime.datetime.now().replace(microsecond=0)
        return Resolution(chosen, cleared)

    def error_rates(self) -> list[ClerkRate]:
        """Per clerk: fields keyed in resolved double entries, and how many were not kept."""
        fields: dict[str, int] = defaultdict(int)
        errors: dict[str, int] = defaultdict(int)
        with self.db.session() as s:
            entries = [
                (e.form_code, e.first_clerk, e.first_answers, e.clerk, e.answers, e.resolved)
                for e in s.scalars(select(VerifyEntry).where(VerifyEntry.resolved_by != ""))
            ]
        for code, first_clerk, first, clerk, second, resolved in entries:
            for who, answers, side in ((first_clerk, first, "first"), (clerk, second, "second")):
                keyed = self._compared(code, answers)
                other = self._compared(code, second if side == "first" else first)
                fields[who] += len(set(keyed) | set(other))
                errors[who] += sum(1 for f, value in resolved.items() if keyed.get(f) != value)
        return sorted(
            (ClerkRate(c, fields[c], errors[c]) for c in fields), key=lambda r: (-r.rate, r.clerk)
        )
