"""RegistryService: queries and changes of villages, households and members."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from desktop.errors import AppError, FieldIssue, StaleRecordError
from desktop.models.base import count_where
from desktop.models.campaign import (
    FORM_STATE_COMPLETE,
    FORM_STATE_SIGNED,
    Campaign,
    FormRecord,
)
from desktop.models.registry import County, Group, Household, Member, Township, Village
from desktop.models.safety import AuditEntry
from desktop.models.setting import SETTING_DEMO, DatabaseSetting
from desktop.services.registry import codes, departures
from desktop.services.registry.conflicts import HouseholdConflict, differences, merge
from desktop.services.registry.data import (
    HouseholdData,
    HouseholdRow,
    MemberData,
    TreeNode,
    VillageInfo,
    VillageSummary,
)
from desktop.services.registry.departures import keep_departed
from desktop.services.registry.idcard import check_id
from desktop.services.registry.query import group_key
from desktop.services.registry.writer import derived_values, member_values
from desktop.services.safety import township_scope
from desktop.services.unit_of_work import Database

VERIFICATION_FORM = "verification"

MEMBER_FIELDS = (
    "name", "id_number", "sex", "relation", "ethnicity", "political_status", "education",
    "schooling", "health", "labour_ability", "work_status", "work_months", "is_soldier",
    "ins_serious_illness", "ins_employee_pension", "ins_resident_medical",
    "ins_resident_pension", "pension_status", "birth_date", "extra",
)  # fmt: skip

HOUSEHOLD_FIELDS = (
    "poverty_kind", "special_kind", "is_registered", "exit_year", "income_per_capita", "phone",
    "bank_name", "bank_account", "helper_name", "helper_phone", "poverty_causes",
    "count_hukou", "count_card", "count_system", "count_actual", "note",
)  # fmt: skip


class RegistryError(AppError):
    """A change to the registry was refused; the message says why, in Chinese."""


class StaleHouseholdError(RegistryError, StaleRecordError):
    """Someone else saved the household since it was opened."""


def _member_sex(member: MemberData) -> str:
    """The sex entered, or else the one the ID number says."""
    if member.sex:
        return member.sex
    check = check_id(member.id_number) if member.id_number else None
    return check.sex if check and check.ok and check.sex else ""


def _relation_issues(data: HouseholdData, index: int, label: str) -> list[FieldIssue]:
    """Warnings where a member's relation to the head and its sex cannot both be right."""
    member = data.members[index]
    sex = _member_sex(member)
    implied = codes.RELATION_SEX.get(member.relation)
    if sex and implied and sex != implied:
        return [
            FieldIssue(
                "relation",
                f"{label}：与户主关系为“{member.relation}”，性别却是“{sex}”，请核对关系或性别",
                False,
                index,
            )
        ]
    if member.relation == "配偶" and sex:
        head = next((m for m in data.members if m.relation == codes.HEAD_RELATION), None)
        if head is not None and _member_sex(head) == sex:
            return [
                FieldIssue(
                    "relation",
                    f"{label}：配偶与户主性别相同（均为“{sex}”），请核对关系或性别",
                    False,
                    index,
                )
            ]
    return []


def validate_household(data: HouseholdData) -> list[FieldIssue]:
    """Check a household before saving: blocking errors and warnings, in Chinese."""
    problems: list[FieldIssue] = []
    if not data.code.strip():
        problems.append(FieldIssue("code", "户编号不能为空", True))
    if not data.members:
        problems.append(FieldIssue("members", "至少要有一名家庭成员（户主）", True))
    heads = [m for m in data.members if m.relation == codes.HEAD_RELATION]
    if data.members and len(heads) != 1:
        problems.append(FieldIssue("members", f"户主应有且只有一人，现有 {len(heads)} 人", True))
    if data.poverty_kind and data.poverty_kind not in codes.POVERTY_KINDS:
        problems.append(FieldIssue("poverty_kind", f"未知的贫困户属性：{data.poverty_kind}", True))
    if data.special_kind and data.special_kind not in codes.SPECIAL_KINDS:
        problems.append(FieldIssue("special_kind", f"未知的特殊群体：{data.special_kind}", True))
    if data.exit_year is not None and not data.is_registered:
        problems.append(FieldIssue("exit_year", "非建档立卡户不应有脱贫年度", False))
    seen: dict[str, int] = {}
    for index, m in enumerate(data.members):
        label = f"第{index + 1}名成员"
        if not m.name.strip():
            problems.append(FieldIssue("name", f"{label}：姓名不能为空", True, index))
        if m.id_number:
            check = check_id(m.id_number)
            for message in check.errors:
                problems.append(FieldIssue("id_number", f"{label}：{message}", True, index))
            for message in check.warnings:
                problems.append(FieldIssue("id_number", f"{label}：{message}", False, index))
            if check.ok and m.sex and check.sex and m.sex != check.sex:
                problems.append(
                    FieldIssue(
                        "sex", f"{label}：性别“{m.sex}”与证件号码（{check.sex}）不符", False, index
                    )
                )
            if check.number in seen:
                problems.append(
                    FieldIssue(
                        "id_number",
                        f"{label}：证件号码与第{seen[check.number] + 1}名成员重复",
                        True,
                        index,
                    )
                )
            seen[check.number] = index
        else:
            problems.append(FieldIssue("id_number", f"{label}：缺证件号码", False, index))
        problems.extend(_relation_issues(data, index, label))
    counts = [data.count_hukou, data.count_card, data.count_system, data.count_actual]
    known = {c for c in counts if c is not None}
    if len(known) > 1:
        text = "、".join(
            f"{label}{c}人"
            for label, c in zip(("户口簿", "明白卡", "系统", "实际"), counts, strict=True)
            if c is not None
        )
        problems.append(FieldIssue("counts", f"人数不一致：{text}，请在备注中说明", False))
    return problems


class RegistryService:
    """Queries and changes of the registry; every call opens its own short session."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- places -------------------------------------------------------------------------

    def has_township(self) -> bool:
        """True when the database holds at least one township."""
        with self.db.session() as s:
            return s.scalar(select(func.count(Township.id))) > 0

    def is_demo(self) -> bool:
        """True when the demo builder wrote this database (its households are invented)."""
        with self.db.session() as s:
            return s.get(DatabaseSetting, SETTING_DEMO) is not None

    def create_township(self, county_name: str, township_name: str) -> int:
        """Create the county (if new) and the township; return the township's id."""
        county_name, township_name = county_name.strip(), township_name.strip()
        if not county_name or not township_name:
            raise RegistryError("县名和乡镇名都不能为空")
        with self.db.unit_of_work() as s:
            county = s.scalar(select(County).where(County.name == county_name))
            if county is None:
                county = County(name=county_name, province="", city="")
                s.add(county)
                s.flush()
            if s.scalar(
                select(Township).where(
                    Township.county_id == county.id, Township.name == township_name
                )
            ):
                raise RegistryError(f"{county_name}{township_name} 已存在")
            township = Township(county_id=county.id, name=township_name)
            s.add(township)
            if s.scalar(select(func.count(Campaign.id))) == 0:
                s.add(Campaign(name="脱贫攻坚“回头看”", is_current=True))
            s.flush()
            return township.id

    def title(self) -> str:
        """Return the name the window shows: the township, or the county when several."""
        with self.db.session() as s:
            rows = s.execute(
                select(County.name, Township.name).join(Township.county).order_by(Township.id)
            ).all()
        if not rows:
            return ""
        if len(rows) == 1:
            return f"{rows[0][0]}{rows[0][1]}"
        counties = list(dict.fromkeys(county for county, _ in rows))
        if len(counties) == 1:
            return f"{rows[0][0]}（{len(rows)}个乡镇）"
        if len(rows) <= 3:  # the demo: a Hunan township and a Sichuan one
            return "、".join(f"{county}{township}" for county, township in rows)
        return f"{counties[0]}等{len(counties)}个县（{len(rows)}个乡镇）"

    def tree(self) -> list[TreeNode]:
        """Return county → township → village → group nodes for the navigation tree."""
        with self.db.session() as s:
            counties = s.execute(select(County.id, County.name).order_by(County.id)).all()
            townships = s.execute(
                select(Township.id, Township.county_id, Township.name).order_by(Township.id)
            ).all()
            villages = s.execute(
                select(Village.id, Village.township_id, Village.name).order_by(
                    Village.code, Village.id
                )
            ).all()
            groups = s.execute(
                select(Group.id, Group.village_id, Group.name).order_by(Group.id)
            ).all()
        groups_by_village: dict[int, list[TreeNode]] = {}
        for g in groups:
            groups_by_village.setdefault(g.village_id, []).append(TreeNode("group", g.id, g.name))
        villages_by_township: dict[int, list[TreeNode]] = {}
        for v in villages:
            children = tuple(sorted(groups_by_village.get(v.id, []), key=_group_order))
            villages_by_township.setdefault(v.township_id, []).append(
                TreeNode("village", v.id, v.name, children)
            )
        townships_by_county: dict[int, list[TreeNode]] = {}
        for t in townships:
            townships_by_county.setdefault(t.county_id, []).append(
                TreeNode("township", t.id, t.name, tuple(villages_by_township.get(t.id, [])))
            )
        return [
            TreeNode("county", c.id, c.name, tuple(townships_by_county.get(c.id, [])))
            for c in counties
        ]

    def townships(self) -> list[tuple[int, str]]:
        """Return (id, name) of every township."""
        with self.db.session() as s:
            return [
                tuple(r)
                for r in s.execute(select(Township.id, Township.name).order_by(Township.id))
            ]

    # --- villages -----------------------------------------------------------------------

    def household_count(self) -> int:
        """Return how many households the database holds (an index count, milliseconds)."""
        with self.db.session() as s:
            return s.scalar(select(func.count(Household.id))) or 0

    def villages(self) -> list[VillageInfo]:
        """Return every village, in the villages table's order, without counting households.

        For pickers and filters: the counts of `village_summaries` read every household (0.2 s
        for a county), the names alone do not.
        """
        with self.db.session() as s:
            return [
                VillageInfo(**_village_fields(v))
                for v in s.scalars(
                    select(Village).order_by(Village.township_id, Village.code, Village.id)
                )
            ]

    def village_summaries(self, campaign_id: int | None = None) -> list[VillageSummary]:
        """Return every village with its household counts and review progress."""
        campaign_id = campaign_id or self.current_campaign_id()
        with self.db.session() as s:
            stats = (
                select(
                    Household.village_id.label("village_id"),
                    func.count(Household.id).label("households"),
                    func.coalesce(func.sum(Household.member_count), 0).label("people"),
                    count_where(Household.is_registered).label("registered"),
                    count_where(Household.is_registered & Household.exit_year.is_not(None)).label(
                        "exited"
                    ),
                    count_where(Household.is_registered & Household.exit_year.is_(None)).label(
                        "not_exited"
                    ),
                    count_where(Household.special_kind != "").label("special"),
                )
                .group_by(Household.village_id)
                .subquery()
            )
            reviewed = (
                select(
                    Household.village_id.label("village_id"), func.count(FormRecord.id).label("n")
                )
                .join(FormRecord, FormRecord.household_id == Household.id)
                .where(
                    FormRecord.campaign_id == campaign_id,
                    FormRecord.form_code == VERIFICATION_FORM,
                    FormRecord.state.in_((FORM_STATE_COMPLETE, FORM_STATE_SIGNED)),
                )
                .group_by(Household.village_id)
                .subquery()
            )
            rows = s.execute(
                select(
                    Village,
                    stats.c.households,
                    stats.c.people,
                    stats.c.registered,
                    stats.c.exited,
                    stats.c.not_exited,
                    stats.c.special,
                    reviewed.c.n,
                )
                .outerjoin(stats, stats.c.village_id == Village.id)
                .outerjoin(reviewed, reviewed.c.village_id == Village.id)
                .order_by(Village.township_id, Village.code, Village.id)
            ).all()
            return [
                VillageSummary(
                    **_village_fields(v),
                    households=h or 0,
                    people=p or 0,
                    registered_households=r or 0,
                    exited_households=e or 0,
                    not_exited_households=ne or 0,
                    special_households=sp or 0,
                    reviewed_households=n or 0,
                )
                for v, h, p, r, e, ne, sp, n in rows
            ]

    def save_village(
        self,
        *,
        township_id: int,
        name: str,
        code: str = "",
        is_poor_village: bool = False,
        exit_year: int | None = None,
        village_id: int | None = None,
    ) -> int:
        """Create or update a village; return its id."""
        name = name.strip()
        if not name:
            raise RegistryError("村名不能为空")
        if exit_year is not None and not is_poor_village:
            raise RegistryError("只有贫困村才有退出年份")
        with self.db.unit_of_work() as s:
            clash = s.scalar(
                select(Village.id).where(
                    Village.township_id == township_id,
                    Village.name == name,
                    Village.id != (village_id or 0),
                )
            )
            if clash:
                raise RegistryError(f"本乡镇已有名为“{name}”的村")
            village = s.get(Village, village_id) if village_id else None
            if village is None:
                village = Village(township_id=township_id, indicators={}, note="")
                s.add(village)
            village.name, village.code = name, code.strip()
            village.is_poor_village, village.exit_year = is_poor_village, exit_year
            s.flush()
            return village.id

    def delete_village(self, village_id: int) -> None:
        """Delete a village; refused while it still has households."""
        with self.db.unit_of_work() as s:
            village = s.get(Village, village_id)
            if village is None:
                return
            n = s.scalar(select(func.count(Household.id)).where(Household.village_id == village_id))
            if n:
                raise RegistryError(f"“{village.name}”还有 {n} 户，不能删除；请先移走或删除这些户")
            s.delete(village)

    # --- campaign -----------------------------------------------------------------------

    def current_campaign_id(self) -> int | None:
        """Return the id of the current campaign, if any."""
        with self.db.session() as s:
            return s.scalar(current_campaign(Campaign.id))

    # --- households ---------------------------------------------------------------------

    def household_rows(
        self, campaign_id: int | None = None, limit: int | None = None
    ) -> list[HouseholdRow]:
        """Return households as table rows in 户编号 order (all of them, or the first `limit`)."""
        campaign_id = campaign_id or self.current_campaign_id()
        states = (
            select(FormRecord.household_id, FormRecord.state)
            .where(FormRecord.campaign_id == campaign_id, FormRecord.form_code == VERIFICATION_FORM)
            .subquery()
        )
        kind = func.coalesce(
            func.nullif(Household.poverty_kind, ""),
            func.nullif(Household.special_kind, ""),
            codes.ORDINARY_KIND,
        )
        stmt = (
            select(
                Household.id,
                Household.code,
                Household.village_id,
                Village.name,
                func.coalesce(Group.name, ""),
                Household.head_name,
                Household.member_count,
                kind,
                Household.is_registered,
                Household.exit_year,
                Household.income_per_capita,
                Household.phone,
                Household.flags,
                func.coalesce(states.c.state, ""),
                Household.search_text,
            )
            .join(Village, Village.id == Household.village_id)
            .outerjoin(Group, Group.id == Household.group_id)
            .outerjoin(states, states.c.household_id == Household.id)
            .order_by(Household.code)
            .limit(limit)
        )
        with self.db.connection() as conn:
            # Raw DB-API rows straight into NamedTuples: the ORM's row processing costs more
            # than the query itself at county scale.
            make = HouseholdRow._make
            return [make(r) for r in conn.execute(stmt)]

    def village_ids_in(self, level: str, node_id: int) -> set[int] | None:
        """Return the ids of the villages a tree node covers (a group: its village); None: all."""
        if level == "county":
            stmt = select(Village.id).join(Township).where(Township.county_id == node_id)
        elif level == "township":
            stmt = select(Village.id).where(Village.township_id == node_id)
        elif level == "village":
            return {node_id}
        elif level == "group":
            stmt = select(Group.village_id).where(Group.id == node_id)
        else:
            return None
        with self.db.connection() as conn:
            return set(conn.execute(stmt).scalars())

    def household_ids_in(self, level: str, node_id: int) -> set[int] | None:
        """Return the ids of the households under a tree node (None: no restriction)."""
        stmt = select(Household.id)
        if level == "county":
            stmt = stmt.join(Village).join(Township).where(Township.county_id == node_id)
        elif level == "township":
            stmt = stmt.join(Village).where(Village.township_id == node_id)
        elif level == "village":
            stmt = stmt.where(Household.village_id == node_id)
        elif level == "group":
            stmt = stmt.where(Household.group_id == node_id)
        else:
            return None
        with self.db.connection() as conn:
            return set(conn.execute(stmt).scalars())

    def get_household(self, household_id: int) -> HouseholdData:
        """Return one household with its members."""
        with self.db.session() as s:
            h = load_household(s, household_id)
            return household_data(
                h, h.village.name, h.village.township.name, h.village.township.county.name
            )

    def find_household_id(self, code: str) -> int | None:
        """Return the id of the household with this 户编号."""
        with self.db.session() as s:
            return s.scalar(select(Household.id).where(Household.code == code.strip()))

    def suggest_household_code(self, village_id: int | None) -> str:
        """The next free 户编号 of a village (its highest plus one), "" when none can be told."""
        if village_id is None:
            return ""
        with self.db.session() as s:
            highest = s.scalar(
                select(func.max(Household.code)).where(Household.village_id == village_id)
            )
            if highest and highest.isdigit():
                following = str(int(highest) + 1).zfill(len(highest))
                taken = s.scalar(select(Household.id).where(Household.code == following))
                return "" if taken else following
            village_code = s.scalar(select(Village.code).where(Village.id == village_id)) or ""
            return f"{village_code}0001" if village_code.isdigit() else ""

    def household_conflict(self, opened: HouseholdData, mine: HouseholdData) -> HouseholdConflict:
        """What differs between a clerk's refused save and the household as saved since.

        `opened` is the household as the clerk opened it, `mine` as it is on their screen.
        """
        theirs = self.get_household(mine.id)
        with self.db.session() as s:
            last = s.execute(
                select(AuditEntry.user_name, AuditEntry.at)
                .where(AuditEntry.household_id == mine.id)
                .order_by(AuditEntry.id.desc())
                .limit(1)
            ).first()
        return HouseholdConflict(
            theirs=theirs,
            saved_by=last[0] if last else "",
            saved_at=last[1] if last else None,
            differences=differences(opened, mine, theirs),
            merged=merge(opened, mine, theirs),
        )

    def save_household(self, data: HouseholdData) -> int:
        """Create or update a household and its members in one transaction; return its id.

        Refuses blocking problems and a record someone else saved since it was read. Inside
        a unit of work, it commits with the rest of the unit.
        """
        blocking = [p.message for p in validate_household(data) if p.blocking]
        if blocking:
            raise RegistryError("；".join(blocking))
        with self.db.unit_of_work() as s:
            return self._save_household(s, data)

    def _save_household(self, s: Session, data: HouseholdData) -> int:
        # 户编号 are unique across the database: the check looks past a clerk's township grant.
        clash = s.scalar(
            select(Household.id)
            .where(Household.code == data.code, Household.id != (data.id or 0))
            .execution_options(**{township_scope.ALL_TOWNSHIPS: True})
        )
        if clash:
            raise RegistryError(f"户编号 {data.code} 已被另一户使用")
        if data.village_id is None:
            raise RegistryError("请选择所属村")
        if data.id is None:
            h = Household(code=data.code, village_id=data.village_id, version=1)
            s.add(h)
        else:
            # Locked until the commit where the server has row locks (PostgreSQL): two clerks
            # saving at once cannot both pass the version check. SQLite has one writer anyway.
            # populate_existing: the version compared is the locked row's, even when this
            # unit of work read the household before (a form's save reads it to evaluate).
            h = s.get(Household, data.id, with_for_update=True, populate_existing=True)
            if h is None:
                raise RegistryError(HOUSEHOLD_GONE)
            if data.version and h.version != data.version:
                raise StaleHouseholdError("该户在您打开后已被修改，请关闭后重新打开再修改")
            h.version += 1
        h.code, h.village_id = data.code.strip(), data.village_id
        h.group_id = self._group_id(s, data.village_id, data.group_name)
        for f in HOUSEHOLD_FIELDS:
            setattr(h, f, getattr(data, f))
        for key, value in derived_values(data).items():
            setattr(h, key, value)
        s.flush()
        self._save_members(s, h.id, data)
        s.flush()
        s.expire(h)
        return h.id

    @staticmethod
    def _save_members(s: Session, household_id: int, data: HouseholdData) -> None:
        # Members are diffed through the ORM rather than rewritten, so that the audit trail
        # records each changed field of each member (who changed which ID number, and when).
        rows = select(Member).where(Member.household_id == household_id)
        # As stored (populate_existing), not as an earlier read of this unit of work kept them.
        existing = {m.id: m for m in s.scalars(rows.execution_options(populate_existing=True))}
        kept: set[int] = set()
        for seq, m in enumerate(data.members, 1):
            values = member_values(household_id, seq, m)
            row = existing.get(m.id) if m.id is not None else None
            if row is None:
                if m.id is not None:
                    values["id"] = m.id
                s.add(Member(**values))
                continue
            kept.add(row.id)
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
        for member_id, row in existing.items():
            if member_id not in kept:
                # Kept as a former member: comparison looks for people who left, too.
                keep_departed(s, [row], departures.REASON_EDITED, _actor_name(s))
                s.delete(row)

    def _group_id(self, s: Session, village_id: int, name: str) -> int | None:
        name = name.strip()
        if not name:
            return None
        group = s.scalar(select(Group).where(Group.village_id == village_id, Group.name == name))
        if group is None:
            group = Group(village_id=village_id, name=name)
            s.add(group)
            s.flush()
        return group.id

    def delete_household(self, household_id: int) -> None:
        """Delete a household with its members and form answers."""
        with self.db.unit_of_work() as s:
            h = s.get(Household, household_id)
            if h is not None:
                reason = departures.REASON_HOUSEHOLD_DELETED
                keep_departed(s, h.members, reason, _actor_name(s), detach=True)
                s.delete(h)


HOUSEHOLD_GONE = "该户已不存在（可能已被删除）"


def current_campaign(what=Campaign.id):
    """The statement that picks the current campaign (the one marked current, else the newest):
    its id, or `Campaign` itself."""
    return select(what).order_by(Campaign.is_current.desc(), Campaign.id.desc()).limit(1)


def load_household(s: Session, household_id: int) -> Household:
    """Load one household in `s` with its members, group, village, township and county: two
    statements (the household joined to what it belongs to, then its members), not six."""
    h = s.scalar(
        select(Household)
        .options(
            selectinload(Household.members),
            joinedload(Household.group),
            joinedload(Household.village).joinedload(Village.township).joinedload(Township.county),
        )
        .where(Household.id == household_id)
    )
    if h is None:
        raise RegistryError(HOUSEHOLD_GONE)
    return h


def household_data(
    h: Household, village_name: str, township_name: str, county_name: str
) -> HouseholdData:
    """A loaded Household (members and group loaded) as plain HouseholdData."""
    data = HouseholdData(
        code=h.code,
        village_id=h.village_id,
        group_name=h.group.name if h.group else "",
        members=[
            MemberData(**{f: getattr(m, f) for f in MEMBER_FIELDS}, id=m.id) for m in h.members
        ],
        id=h.id,
        version=h.version,
        village_name=village_name,
        township_name=township_name,
        county_name=county_name,
        **{f: getattr(h, f) for f in HOUSEHOLD_FIELDS},
    )
    data.poverty_causes = list(data.poverty_causes or [])
    for m in data.members:
        m.extra = dict(m.extra or {})  # the caller may change it; the ORM's value stays
    return data


def _actor_name(s: Session) -> str:
    # Imported here: audit → auth → context → this module.
    from desktop.services.safety.audit import current_actor

    return current_actor(s.get_bind()).name


def _group_order(node: TreeNode) -> tuple[int, str]:
    return group_key(node.name)


def _village_fields(village: Village) -> dict:
    """The fields of a VillageInfo, read from the row (the dataclass names its columns)."""
    return {f.name: getattr(village, f.name) for f in fields(VillageInfo)}
