"""The three-level decision on a 清退 or 新增: 工作队 核实 → 镇（街道） 审核 → 县 核定.

Seed 000 四（二）: “经工作队核实，报镇（街道）、县（市、区）扶贫办核定确认无误后，不符合条件的
严格按照程序，一律给予清退”; 四（三）: a proposed addition is compared with the same lists first.
Each level records who, when, the decision and why, and may send the case back one level. The
registry changes only at 县 核定, in the transaction that records it, together with the problem
it raises in the 整改台账 and the audit entries of every changed field.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desktop.dates import chinese_date
from desktop.errors import AppError, StaleRecordError
from desktop.models.base import utcnow
from desktop.models.comparison import (
    CASE_ADDITION,
    CASE_REMOVAL,
    DECISION_AGREE,
    DECISION_DISAGREE,
    DECISION_SEND_BACK,
    HIT_IN_CASE,
    HIT_OPEN,
    LEVEL_APPROVE,
    LEVEL_REVIEW,
    LEVEL_VERIFY,
    STAGE_APPROVED,
    STAGE_REJECTED,
    Case,
    CaseEvidence,
    CaseStep,
    Hit,
)
from desktop.models.problem import CatalogueItem, TownshipUnitRole, Unit
from desktop.models.registry import (
    HOUSEHOLD_PLACE,
    Household,
    Member,
    outerjoin_place,
)
from desktop.services.actor import CurrentUser
from desktop.services.comparison.departments import (
    DECISION_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    LEVELS,
    STAGE_LABELS,
)
from desktop.services.comparison.documents import (
    ADDITIONS,
    APPROVAL_TITLES,
    REMOVALS,
    ApprovalBlock,
    ApprovalSheet,
)
from desktop.services.comparison.matching import (
    build_index,
    current_list_ids,
    load_lists,
    match,
    record_hits,
)
from desktop.services.problems.catalogue import (
    GROUP_WORDS,
    role_of_printed,
    seed_reference_data,
    split_units,
)
from desktop.services.problems.data import ProblemData
from desktop.services.problems.rules import (
    KIND_IMMEDIATE,
    SCOPE_HOUSEHOLD,
)
from desktop.services.problems.service import ProblemService
from desktop.services.registry import codes
from desktop.services.registry.idcard import mask_id
from desktop.services.safety.auth import (
    APPROVE_CASE,
    REVIEW_CASE,
    VERIFY_CASE,
    require,
)
from desktop.services.stored_files import read_source, stored_copy
from desktop.services.unit_of_work import Database, get_or_raise

EVIDENCE_DIR = "comparison"
# Seed 002's item 5, 提高识别精准度: 识别不准 (a removal) and 漏评 (an addition) both belong there.
IDENTIFICATION_ITEM = 5
PROBLEM_SOURCE = "回头看排查"
ROSTER_OF = {CASE_REMOVAL: REMOVALS, CASE_ADDITION: ADDITIONS}
_PERMISSION = {LEVEL_VERIFY: VERIFY_CASE, LEVEL_REVIEW: REVIEW_CASE, LEVEL_APPROVE: APPROVE_CASE}


class CaseError(AppError):
    """A case cannot be opened or decided as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class Decision:
    """What one level decided, as the case dialog or a signed 审批表 gives it."""

    decision: str  # agree, disagree, send_back
    decided_on: date
    reason: str = ""
    finding: str = ""  # 工作队 核实情况
    on_paper: bool = False  # the county signed a printed 审批表
    signed_by: str = ""  # who signed it


@dataclass(frozen=True)
class StepInfo:
    """One recorded decision, for the case dialog and the 审批表."""

    level: str
    decision: str
    decided_on: date
    who: str
    reason: str
    finding: str
    on_paper: bool
    signed_by: str
    at: datetime

    @property
    def level_label(self) -> str:
        """Return the level in Chinese."""
        return LEVEL_LABELS[self.level]

    @property
    def decision_label(self) -> str:
        """Return the decision in Chinese."""
        return DECISION_LABELS[self.decision]


@dataclass(frozen=True)
class CaseRow:
    """A case as the cases table lists it."""

    id: int
    number: str
    kind: str
    stage: str
    household_id: int | None
    household_code: str
    head_name: str
    township: str
    village: str
    subject: str  # 整户 or the member's name
    reason: str
    approved_on: date | None
    approved_by: str

    @property
    def kind_label(self) -> str:
        """Return 清退 or 新增."""
        return KIND_LABELS[self.kind]

    @property
    def stage_label(self) -> str:
        """Return where the case stands, in Chinese."""
        return STAGE_LABELS[self.stage]


@dataclass
class CaseDetail:
    """A case with its steps, evidence and hits: what the case dialog shows."""

    row: CaseRow
    version: int
    poverty_kind: str
    compared_at: datetime | None
    steps: list[StepInfo] = field(default_factory=list)
    evidence: list[tuple[int, str, str]] = field(default_factory=list)  # id, name, added by
    hit_ids: list[int] = field(default_factory=list)
    problem_id: int | None = None
    persons: list[dict] = field(default_factory=list)


def next_level(stage: str) -> str:
    """Return the level after this one (approved after 县 核定)."""
    index = LEVELS.index(stage)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else STAGE_APPROVED


def previous_level(stage: str) -> str:
    """Return the level a case sent back from this one goes to."""
    index = LEVELS.index(stage)
    if index == 0:
        raise CaseError("工作队核实是第一步，不能再退回")
    return LEVELS[index - 1]


class CaseService:
    """Opening cases from hits or proposals and deciding them level by level."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = Path(data_dir)

    # --- opening ------------------------------------------------------------------------

    def open_removal(
        self, user: CurrentUser, hit_ids: list[int], reason: str, *, whole_household: bool = True
    ) -> int:
        """Send open hits of one household (or one member) to its work team as a 清退 case."""
        require(user, VERIFY_CASE)
        reason = reason.strip()
        if not hit_ids:
            raise CaseError("请先选择要核实的疑点")
        if not reason:
            raise CaseError("请填写拟清退的原因（认定依据）")
        with self.db.unit_of_work() as s:
            hits = s.scalars(select(Hit).where(Hit.id.in_(hit_ids))).all()
            if len(hits) != len(set(hit_ids)):
                raise CaseError("所选疑点有的已不存在，请刷新后再试")
            if any(h.status != HIT_OPEN for h in hits):
                raise CaseError("所选疑点有的已在核实中或已被新名单取代")
            households = {h.household_id for h in hits}
            if len(households) != 1 or None in households:
                raise CaseError("一个清退核实只能针对同一户的疑点")
            household_id = households.pop()
            member_id = None
            if not whole_household:
                members = {h.member_id for h in hits}
                if len(members) != 1 or None in members:
                    raise CaseError("只清退一人时，所选疑点应都指向同一名仍在户内的成员")
                member_id = members.pop()
            household = s.get(Household, household_id)
            if household is None or not household.is_registered:
                raise CaseError("该户不是建档立卡户，无需清退")
            case = self._new_case(s, CASE_REMOVAL, user, household_id, reason)
            case.member_id = member_id
            for h in hits:
                h.case_id, h.status = case.id, HIT_IN_CASE
            return case.id

    def open_addition(
        self, user: CurrentUser, household_id: int, poverty_kind: str, reason: str
    ) -> int:
        """Propose a household for 建档立卡 and compare its members with every list first."""
        require(user, VERIFY_CASE)
        reason = reason.strip()
        if poverty_kind not in codes.POVERTY_KINDS:
            raise CaseError(f"请选择贫困户属性：{'、'.join(codes.POVERTY_KINDS)}")
        if not reason:
            raise CaseError("请填写认定依据（如家庭年人均可支配收入、三保障情况）")
        with self.db.unit_of_work() as s:
            household = get_or_raise(s, Household, household_id, CaseError("该户已不存在"))
            if household.is_registered:
                raise CaseError(f"{household.code} 已是建档立卡户")
            if s.scalar(
                select(Case.id).where(
                    Case.household_id == household_id,
                    Case.kind == CASE_ADDITION,
                    Case.stage.in_(LEVELS),
                )
            ):
                raise CaseError(f"{household.code} 已有一个正在办理的新增申报")
            case = self._new_case(s, CASE_ADDITION, user, household_id, reason)
            case.poverty_kind = poverty_kind
            self._compare(s, case)
            return case.id

    def compare_again(self, user: CurrentUser, case_id: int) -> int:
        """Run the comparison on an addition's household again (lists received since)."""
        require(user, VERIFY_CASE)
        with self.db.unit_of_work() as s:
            case = self._load_open(s, case_id)
            if case.kind != CASE_ADDITION:
                raise CaseError("只有新增申报需要对拟新增户进行比对")
            return self._compare(s, case)

    @staticmethod
    def _compare(s: Session, case: Case) -> int:
        conn = s.connection()
        index = build_index(conn, household_ids=[case.household_id])
        new = sum(
            record_hits(conn, cols, match(conn, index, cols), case_id=case.id)
            for cols in load_lists(conn, current_list_ids(conn))
        )
        conn.execute(
            text("UPDATE comparison_hit SET status = :status WHERE case_id = :case"),
            {"status": HIT_IN_CASE, "case": case.id},
        )
        case.compared_at = utcnow()
        return new

    def _new_case(self, s: Session, kind: str, user, household_id: int, reason: str) -> Case:
        year = date.today().year
        prefix = f"{KIND_LABELS[kind]}{year}-"
        count = s.scalar(select(func.count(Case.id)).where(Case.number.like(f"{prefix}%")))
        case = Case(
            number=f"{prefix}{count + 1:03d}",
            kind=kind,
            household_id=household_id,
            reason=reason,
            stage=LEVEL_VERIFY,
            created_by=user.name,
            version=1,
        )
        s.add(case)
        s.flush()
        return case

    # --- deciding -----------------------------------------------------------------------

    def decide(self, user: CurrentUser, case_id: int, version: int, decision: Decision) -> str:
        """Record the decision of the level the case waits at; return its new stage.

        At 县 核定 an agreement changes the registry in the same transaction.
        """
        with self.db.unit_of_work() as s:
            case = self._load_open(s, case_id)
            require(user, _PERMISSION[case.stage])
            if version and case.version != version:
                raise StaleRecordError("该核实事项在您打开后已被他人处理，请关闭后重新打开")
            self._check(case, decision)
            level = case.stage
            s.add(
                CaseStep(
                    case_id=case.id,
                    level=level,
                    decision=decision.decision,
                    decided_on=decision.decided_on,
                    who=user.name,
                    reason=decision.reason.strip(),
                    finding=decision.finding.strip(),
                    on_paper=decision.on_paper,
                    signed_by=decision.signed_by.strip(),
                )
            )
            case.version += 1
            if decision.decision == DECISION_SEND_BACK:
                case.stage = previous_level(level)
            elif decision.decision == DECISION_DISAGREE:
                case.stage = STAGE_REJECTED
            elif level == LEVEL_APPROVE:
                approver = decision.signed_by.strip() if decision.on_paper else user.name
                self._approve(s, case, decision.decided_on, approver, user.name)
            else:
                case.stage = next_level(level)
            s.flush()
            return case.stage

    @staticmethod
    def _check(case: Case, decision: Decision) -> None:
        if decision.decision not in DECISION_LABELS:
            raise CaseError("请选择同意、不同意或退回")
        if decision.decided_on > date.today():
            raise CaseError("日期不能晚于今天")
        last = max((st.decided_on for st in case.steps), default=None)
        if last is not None and decision.decided_on < last:
            raise CaseError(f"日期不能早于上一步的日期（{last:%Y-%m-%d}）")
        if case.stage == LEVEL_VERIFY and not decision.finding.strip():
            raise CaseError("请填写工作队入户核实的情况")
        if decision.decision != DECISION_AGREE and not decision.reason.strip():
            what = "退回" if decision.decision == DECISION_SEND_BACK else "不同意"
            raise CaseError(f"{what}时请写明理由")
        if decision.decision == DECISION_SEND_BACK and case.stage == LEVEL_VERIFY:
            raise CaseError("工作队核实是第一步，不能再退回")
        if decision.on_paper:
            if case.stage != LEVEL_APPROVE:
                raise CaseError("只有县核定可以按纸质审批表录入")
            if not decision.signed_by.strip():
                raise CaseError("请填写在审批表上签字的人")
        if case.kind == CASE_ADDITION and case.compared_at is None:
            raise CaseError("新增申报须先与各部门名单比对")

    def _approve(self, s: Session, case: Case, day: date, approver: str, clerk: str) -> None:
        household = s.get(Household, case.household_id) if case.household_id else None
        if household is None:
            raise CaseError("该户已不存在，不能核定")
        case.stage = STAGE_APPROVED
        case.approved_on, case.approved_by = day, approver
        if case.kind == CASE_REMOVAL:
            if not household.is_registered:
                raise CaseError(f"{household.code} 已不是建档立卡户，不能再清退")
            if case.member_id is None:
                people = list(household.members)
                household.is_registered = False
                household.removed_on, household.removal_reason = day, case.reason
            else:
                member = s.get(Member, case.member_id)
                if member is None or member.household_id != household.id:
                    raise CaseError("要清退的成员已不在该户")
                if member.removed_on is not None:
                    raise CaseError(f"{member.name} 已经清退")
                people = [member]
                member.removed_on, member.removal_reason = day, case.reason
        else:
            if household.is_registered:
                raise CaseError(f"{household.code} 已是建档立卡户")
            people = list(household.members)
            household.is_registered = True
            household.poverty_kind = case.poverty_kind
            # 边缘户 and the other special kinds are groups outside the registry (seed 003).
            household.special_kind = ""
            household.removed_on, household.removal_reason = None, ""
        household.version += 1
        case.persons = [
            {"name": m.name, "id_number": m.id_number, "relation": m.relation} for m in people
        ]
        case.problem_id = self._raise_problem(s, case, household, day, approver, clerk)

    def _raise_problem(self, s, case: Case, household: Household, day, approver, clerk) -> int:
        """Record the identification error this decision corrects in the 整改台账, closed."""
        problems = ProblemService(self.db, self.data_dir)
        departments = sorted({h.row_department for h in _hit_departments(s, case)})
        found_by = f"{'、'.join(departments)}数据比对" if departments else "入户核实"
        if case.kind == CASE_REMOVAL:
            who = "整户" if case.member_id is None else "、".join(p["name"] for p in case.persons)
            description = (
                f"{found_by}发现{household.code}（户主{household.head_name}）{who}"
                f"不符合建档立卡条件：{case.reason}"
            )
            measures = f"经工作队核实、镇（街道）审核、县核定，已按程序清退（{case.number}）"
        else:
            description = (
                f"{household.code}（户主{household.head_name}）符合贫困人口标准但未纳入建档立卡："
                f"{case.reason}"
            )
            measures = (
                f"经比对、工作队核实、镇（街道）审核、县核定，已纳入建档立卡（{case.number}）"
            )
        item = s.scalar(select(CatalogueItem).where(CatalogueItem.number == IDENTIFICATION_ITEM))
        # Inside this decision's unit of work: the problem commits or rolls back with it.
        return problems.save(
            ProblemData(
                description=description,
                found_date=day,
                source=PROBLEM_SOURCE,
                item_id=item.id if item is not None else None,
                scope=SCOPE_HOUSEHOLD,
                household_id=household.id,
                measures=measures,
                unit_id=_responsible_unit(s, item, household),
                kind=KIND_IMMEDIATE,
                verification_opinion=f"县核定（{approver}）",
            ),
            clerk,
        )

    @staticmethod
    def _load_open(s: Session, case_id: int) -> Case:
        case = get_or_raise(s, Case, case_id, CaseError("该核实事项已不存在"))
        if case.stage not in LEVELS:
            raise CaseError(f"{case.number} 已{STAGE_LABELS[case.stage]}，不能再处理")
        return case

    # --- evidence -----------------------------------------------------------------------

    def add_evidence(self, user: CurrentUser, case_id: int, source: Path | str) -> int:
        """Copy a file the work team brought back into the data folder, with its checksum."""
        require(user, VERIFY_CASE)
        try:
            file = read_source(source)
        except OSError as exc:
            raise CaseError(f"无法读取文件“{source}”：{exc.strerror or exc}") from exc
        with self.db.unit_of_work() as s:
            case = self._load_open(s, case_id)
            relative = file.relative_path(f"{EVIDENCE_DIR}/{case.number}")
            with stored_copy(self.data_dir / relative, file):
                evidence = CaseEvidence(case_id=case.id, **file.fields(relative, user.name))
                s.add(evidence)
                s.flush()
            return evidence.id

    def evidence_file(self, evidence_id: int) -> Path:
        """Return the path of an evidence file in the data folder."""
        with self.db.session() as s:
            evidence = get_or_raise(s, CaseEvidence, evidence_id, CaseError("该证明材料已不存在"))
            return self.data_dir / evidence.path

    def approval_sheet(self, case_id: int) -> ApprovalSheet:
        """Return what the 审批表 of a case shows (ID numbers masked)."""
        return approval_sheet(self.db, case_id)

    # --- reading ------------------------------------------------------------------------

    def cases(
        self,
        *,
        stage: str | None = None,
        kind: str | None = None,
        village_ids: Collection[int] | None = None,
    ) -> list[CaseRow]:
        """Return cases (all, or at one stage, of one kind or of these villages), newest first."""
        stmt = _case_rows().order_by(Case.id.desc())
        if stage is not None:
            stmt = stmt.where(Case.stage == stage)
        if kind is not None:
            stmt = stmt.where(Case.kind == kind)
        if village_ids is not None:
            stmt = stmt.where(Household.village_id.in_(list(village_ids)))
        with self.db.session() as s:
            return [_case_row(*r) for r in s.execute(stmt)]

    def case(self, case_id: int) -> CaseDetail:
        """Return one case with its steps, evidence and hits."""
        with self.db.session() as s:
            found = s.execute(_case_rows().where(Case.id == case_id)).first()
            if found is None:
                raise CaseError("该核实事项已不存在")
            case = found[0]
            return CaseDetail(
                row=_case_row(*found),
                version=case.version,
                poverty_kind=case.poverty_kind,
                compared_at=case.compared_at,
                steps=[
                    StepInfo(
                        st.level,
                        st.decision,
                        st.decided_on,
                        st.who,
                        st.reason,
                        st.finding,
                        st.on_paper,
                        st.signed_by,
                        st.at,
                    )
                    for st in case.steps
                ],
                evidence=[(e.id, e.original_name, e.added_by) for e in case.evidence],
                hit_ids=[h.id for h in case.hits],
                problem_id=case.problem_id,
                persons=list(case.persons or []),
            )


def _responsible_unit(s: Session, item: CatalogueItem | None, household: Household) -> int | None:
    """Return the 责任单位 of an identification problem, as seed 002 names it for the item.

    Item 5's area (强化建档立卡工作) names 扶贫工作站、各村: a household's identification is
    its own village's (the 各村 of the list), else the first named unit the township has,
    under the catalogue's name or as the unit it maps that role to.
    """
    names = split_units(item.area.responsible_units) if item is not None else []
    village = household.village
    if village is not None and not s.scalar(
        select(TownshipUnitRole.id).where(TownshipUnitRole.township_id == village.township_id)
    ):
        # A township (or village) registered after the reference data was copied has no units
        # of its own yet: give it the catalogue's template now, in this unit of work.
        seed_reference_data(s)
    if "各村" in names and village is not None:
        found = s.scalar(select(Unit.id).where(Unit.name == village.name))
        if found is not None:
            return found
    for name in (n for n in names if n not in GROUP_WORDS):
        found = None
        if village is not None:
            found = s.scalar(
                select(TownshipUnitRole.unit_id).where(
                    TownshipUnitRole.township_id == village.township_id,
                    TownshipUnitRole.role == role_of_printed(name),
                )
            )
        found = found or s.scalar(select(Unit.id).where(Unit.name == name))
        if found is not None:
            return found
    return None


def _hit_departments(s: Session, case: Case):
    from desktop.models.comparison import DepartmentList

    return s.execute(
        select(DepartmentList.department.label("row_department"))
        .join(Hit, Hit.list_id == DepartmentList.id)
        .where(Hit.case_id == case.id)
    ).all()


def _case_rows():
    stmt = select(Case, *HOUSEHOLD_PLACE, Member.name)
    return outerjoin_place(stmt, household=Case.household_id).outerjoin(
        Member, Member.id == Case.member_id
    )


def _case_row(case: Case, code, head, township, village, member_name) -> CaseRow:
    return CaseRow(
        id=case.id,
        number=case.number,
        kind=case.kind,
        stage=case.stage,
        household_id=case.household_id,
        household_code=code or "",
        head_name=head or "",
        township=township or "",
        village=village or "",
        subject=(member_name or "（已不在户内）") if case.member_id else "整户",
        reason=case.reason,
        approved_on=case.approved_on,
        approved_by=case.approved_by,
    )


BLOCK_LABELS = {
    LEVEL_VERIFY: "工作队核实情况",
    LEVEL_REVIEW: "镇（街道）审核意见",
    LEVEL_APPROVE: "县（市、区）扶贫办核定意见",
}


def approval_sheet(db: Database, case_id: int, *, full_ids: bool = False) -> ApprovalSheet:
    """Return the 审批表 of a case: what each level found and decided, the county's box blank
    until it has decided."""
    from desktop.services.comparison.service import ComparisonService

    with db.session() as s:
        case = get_or_raise(s, Case, case_id, CaseError("该核实事项已不存在"))
        household = s.get(Household, case.household_id) if case.household_id else None
        if household is None:
            raise CaseError("该户已不存在")
        village = household.village
        place = f"{village.township.county.name}{village.township.name}{village.name}"
        if case.persons:
            people = [
                (p["name"], p.get("relation", ""), p.get("id_number", "")) for p in case.persons
            ]
        elif case.member_id is not None:
            m = s.get(Member, case.member_id)
            people = [(m.name, m.relation, m.id_number)] if m is not None else []
        else:
            people = [(m.name, m.relation, m.id_number) for m in household.members]
        latest: dict[str, CaseStep] = {}
        for step in case.steps:
            latest[step.level] = step
        blocks = []
        for level in LEVELS:
            step = latest.get(level)
            block = ApprovalBlock(BLOCK_LABELS[level])
            if step is not None and step.decision != DECISION_SEND_BACK:
                lines = [f"核实情况：{step.finding}"] if step.finding else []
                lines.append(
                    f"意见：{DECISION_LABELS[step.decision]}"
                    + (f"。{step.reason}" if step.reason else "")
                )
                block.text = "\n".join(lines)
                block.signer = step.signed_by if step.on_paper else step.who
                block.day = chinese_date(step.decided_on, padded=True)
            blocks.append(block)
        sheet = ApprovalSheet(
            title=APPROVAL_TITLES[ROSTER_OF[case.kind]],
            number=case.number,
            place=place,
            household_code=household.code,
            head_name=household.head_name,
            poverty_kind=case.poverty_kind or household.poverty_kind or household.special_kind,
            subject="整户" if case.member_id is None else "户内一人",
            reason=case.reason,
            persons=[(n, r, i if full_ids else mask_id(i)) for n, r, i in people],
            blocks=blocks,
        )
    sheet.hits = [
        f"{h.department}（{h.received_on:%Y-%m-%d}）：{h.member_name}，{h.match_label}相符"
        + ("，已离户" if h.left_household else "")
        + (f"；{h.detail_text}" if h.detail_text else "")
        for h in ComparisonService(db).hits(case_id=case_id)
    ]
    return sheet
