"""The hooks the two seed-000 forms name, registered by name when the forms service is built.

A hook is Python that a description calls as `hook:<name>` because the expression language
cannot say it: the subject here is the household (HouseholdData) the form is about.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from desktop.engine import Finding, HookContext, HookRegistry, RepeatSection, is_blank
from desktop.services.forms.prefill import household_from_grid
from desktop.services.registry import codes
from desktop.services.registry.service import validate_household

COMPULSORY_AGES = (6, 15)  # 义务教育年龄（周岁）
STUDENT_FIELDS = ("students_local", "students_province", "students_outside")


def _age(birth: datetime.date | None, on: datetime.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def students_vs_ages(ctx: HookContext) -> Iterator[Finding]:
    """在校生人数 (区内 + 区外省内 + 省外) against the members' ages and schooling."""
    household, answers = ctx.subject, ctx.values
    if household is None or not hasattr(household, "members"):
        return
    if all(is_blank(answers.get(p)) for p in STUDENT_FIELDS):
        return
    total = sum(int(answers.get(p) or 0) for p in STUDENT_FIELDS)
    low, high = COMPULSORY_AGES
    ages = [_age(m.birth_date, ctx.today) for m in household.members]
    compulsory = sum(a is not None and low <= a <= high for a in ages)
    in_school = sum(m.schooling not in ("", codes.NOT_IN_SCHOOL) for m in household.members)
    if compulsory > total:
        yield Finding(
            f"家庭成员中有 {compulsory} 人处于义务教育年龄（{low}–{high} 周岁），"
            f"在校生人数合计只有 {total} 人，请核实是否有失学辍学"
        )
    if in_school > total:
        yield Finding(f"成员信息中有 {in_school} 名在校生，在校生人数合计只有 {total} 人")
    of_age = sum(a is not None and 3 <= a <= 30 for a in ages)
    if household.members and total > of_age:
        yield Finding(f"在校生人数合计 {total} 人，多于 3–30 周岁的家庭成员（{of_age} 人）")


def members_registry(ctx: HookContext) -> Iterator[Finding]:
    """Each member grid row as the registry would take it (one head, ID numbers …)."""
    household = ctx.subject
    if household is None or not hasattr(household, "members"):
        return
    for section in ctx.description.repeat_sections:
        if not isinstance(section, RepeatSection) or section.prefill != "members":
            continue
        candidate = household_from_grid(section, ctx.values.get(section.id) or [], household)
        for p in validate_household(candidate):
            if p.member_index is not None or p.field == "members":
                yield Finding(p.message, p.member_index, section.id, p.blocking)


def build_hooks() -> HookRegistry:
    """Return the registry of every hook the forms in resources/forms/ may name."""
    hooks = HookRegistry()
    hooks.add_rule(
        "students_vs_ages", students_vs_ages, "在校生人数与成员年龄（义务教育年龄 6–15 周岁）核对"
    )
    hooks.add_rule(
        "members_registry", members_registry, "成员表按户籍规则核对（户主唯一、证件号码等）"
    )
    return hooks
