"""Two clerks saved the same record: one field's three states, for a person to choose.

A record is saved with the version it was opened at; when someone else saved it since, the
save is refused and nothing is overwritten. The domain's own module (registry/conflicts.py for
a household, forms/conflicts.py for a form) compares three states of it field by field: as
this clerk opened it, as this clerk has it on screen, and as it is saved now. Saving one's own
entries then keeps the other's changes wherever this clerk left a field as it was.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldDifference:
    """One field on which this clerk's entries and the saved record differ."""

    label: str  # 户编号, 成员 张三 · 联系电话, 第2行 · 姓名 …
    opened: str  # as this clerk opened it
    mine: str  # as this clerk has it on screen
    theirs: str  # as it is saved now

    @property
    def changed_by(self) -> str:
        """Who changed it since the opening: 您, 对方, or 双方."""
        mine, theirs = self.mine != self.opened, self.theirs != self.opened
        return "双方" if mine and theirs else "您" if mine else "对方"

    @property
    def merged(self) -> str:
        """What 以我的填写为准 saves: the clerk's entry where they changed it, else the other's."""
        return self.mine if self.mine != self.opened else self.theirs


def merged_value(opened, mine, theirs):
    """One value as 以我的填写为准 saves it (see FieldDifference.merged)."""
    return mine if mine != opened else theirs


def saved_summary(what: str, saved_by: str, saved_at, version: int, differences: int) -> str:
    """户 4309… 在您打开后已由 王录入 于 2026-12-03 12:30 保存（第 2 版）。… 有 3 处不同。"""
    who = saved_by or "他人"
    when = f"于 {saved_at:%Y-%m-%d %H:%M} " if saved_at else ""
    return (
        f"{what} 在您打开后已由 {who} {when}保存（第 {version} 版）。"
        f"您的填写与已保存的有 {differences} 处不同。"
    )
