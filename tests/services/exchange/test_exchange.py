"""Exchange packages: two townships merged into a county, conflicts shown and resolved, the
county's package back, and every refused package changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.models.base import Base
from desktop.models.problem import Attachment
from desktop.models.registry import Household, Township
from desktop.models.safety import AuditEntry
from desktop.services.exchange import records
from desktop.services.exchange.keys import ExchangeError
from desktop.services.exchange.merge import Merge
from tests.services.exchange.conftest import change_household, household


def snapshot(service) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused import changed nothing."""
    with service.db.connection() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(select(t))), key=repr)
            for t in Base.metadata.sorted_tables
        }


def count(service, model) -> int:
    with service.db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def codes(service, township: str) -> list[str]:
    with service.db.session() as s:
        return sorted(
            s.scalars(
                select(Household.code)
                .join(Household.village)
                .join(Township)
                .where(Township.name == township)
            )
        )


def test_two_townships_merge_into_the_county_without_collisions(sites, tmp_path):
    county, taohuajiang, xiushan = sites
    a1 = taohuajiang.export(tmp_path / "a1.htkx")
    b1 = xiushan.export(tmp_path / "b1.htkx")
    assert (a1.sequence, a1.township, b1.township) == (1, "桃花江镇", "修山镇")
    assert a1.counts["household"] == count(taohuajiang, Household) and a1.counts["附件"] > 0

    first = county.import_package(a1.path)
    second = county.import_package(b1.path)
    assert first.counts.inserted["household"] == count(taohuajiang, Household)
    assert second.counts.inserted["household"] == 3 and second.counts.conflicts == 0
    assert codes(county, "桃花江镇") == codes(taohuajiang, "桃花江镇")
    assert codes(county, "修山镇") == codes(xiushan, "修山镇")
    with county.db.session() as s:  # one 桃江县 with both townships
        assert sorted(s.scalars(select(Township.name))) == ["修山镇", "桃花江镇"]
        stored = s.scalars(select(Attachment)).all()
    assert stored and all((county.data_dir / a.path).is_file() for a in stored)
    assert first.files == len({a.path for a in stored})

    # Nothing changed since: the next packages carry no records, only their numbers.
    a2 = taohuajiang.export(tmp_path / "a2.htkx")
    assert a2.sequence == 2 and not any(k in a2.counts for k in ("household", "member"))
    again = county.import_package(a2.path)
    assert again.counts.inserted == {} and again.counts.updated == {}


def test_a_change_on_both_sides_is_a_conflict_shown_and_resolved(sites, tmp_path):
    county, taohuajiang, _ = sites
    county.import_package(taohuajiang.export(tmp_path / "a1.htkx").path)
    code, other = codes(taohuajiang, "桃花江镇")[:2]
    change_household(taohuajiang, code, phone="13800000001")
    change_household(taohuajiang, other, head_name="改名户主")
    change_household(county, code, phone="13900000002")

    result = county.import_package(taohuajiang.export(tmp_path / "a2.htkx").path)
    assert result.counts.updated == {"household": 1} and result.counts.conflicts == 1
    assert household(county, other).head_name == "改名户主"  # changed there only: taken
    assert household(county, code).phone == "13900000002"  # both: not applied
    (conflict,) = county.conflicts()
    assert code in conflict.what and conflict.status == "待处理"
    assert [(d.label, d.ours, d.theirs) for d in conflict.differences] == [
        ("联系电话", "13900000002", "13800000001")
    ]

    county.resolve(conflict.id, take_theirs=True, user_name="县审核员")
    assert household(county, code).phone == "13800000001"
    assert county.conflicts() == [] and county.conflicts(open_only=False)[0].status == "采用对方"
    with county.db.session() as s:
        notes = s.scalars(select(AuditEntry.note).where(AuditEntry.note.like("交换包冲突%")))
        assert any("采用对方" in n for n in notes)
    with pytest.raises(ExchangeError, match="已处理"):
        county.resolve(conflict.id, take_theirs=False, user_name="县审核员")


def test_kept_copy_goes_back_to_the_township_in_the_countys_package(sites, tmp_path):
    county, taohuajiang, _ = sites
    county.import_package(taohuajiang.export(tmp_path / "a1.htkx").path)
    code, decided = codes(taohuajiang, "桃花江镇")[:2]
    change_household(taohuajiang, code, note="乡镇的备注")
    change_household(county, code, note="县里的备注")
    change_household(county, decided, removal_reason="县核定清退")
    county.import_package(taohuajiang.export(tmp_path / "a2.htkx").path)
    (conflict,) = county.conflicts()
    county.resolve(conflict.id, take_theirs=False, user_name="县审核员")

    back = county.export(tmp_path / "c1.htkx", township="桃花江镇")
    assert back.sequence == 1 and back.counts["household"] >= 2
    taken = taohuajiang.import_package(back.path)
    assert taken.counts.conflicts == 0 and taken.counts.updated["household"] == 2
    assert household(taohuajiang, code).note == "县里的备注"
    assert household(taohuajiang, decided).removal_reason == "县核定清退"
    # And round again: nothing left to trade.
    settled = county.import_package(taohuajiang.export(tmp_path / "a3.htkx").path)
    assert settled.counts.updated == {} and settled.counts.conflicts == 0


def test_the_countys_package_for_a_township_holds_only_that_township(sites, tmp_path):
    county, taohuajiang, xiushan = sites
    county.import_package(taohuajiang.export(tmp_path / "a1.htkx").path)
    county.import_package(xiushan.export(tmp_path / "b1.htkx").path)
    (code,) = codes(xiushan, "修山镇")[:1]
    change_household(county, code, phone="0737-1234567")
    change_household(county, codes(county, "桃花江镇")[0], phone="0737-7654321")
    back = county.export(tmp_path / "c1.htkx", township="修山镇")
    rows = county.read(back.path).data["rows"]
    assert [r["code"] for r in rows["household"]] == [code]
    assert [r["name"] for r in rows["township"]] == ["修山镇"]
    xiushan.import_package(back.path)
    assert household(xiushan, code).phone == "0737-1234567"
    with pytest.raises(ExchangeError, match="发给另一台电脑"):
        taohuajiang.import_package(back.path)


def test_a_tampered_or_truncated_package_is_refused_and_changes_nothing(sites, tmp_path):
    county, taohuajiang, _ = sites
    package = taohuajiang.export(tmp_path / "a1.htkx").path
    payload = package.read_bytes()
    before = snapshot(county)

    import zipfile

    tampered = tmp_path / "tampered.htkx"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "data.json":
                content = content.replace("修".encode(), "改".encode()).replace(
                    b'"phone":"', b'"phone":"1'
                )
            target.writestr(info, content)
    with pytest.raises(ExchangeError, match="与签发时不符"):
        county.import_package(tampered)
    resigned = tmp_path / "resigned.htkx"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(resigned, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "manifest.json":
                content = content.replace(b'"sequence":1', b'"sequence":2')
            target.writestr(info, content)
    with pytest.raises(ExchangeError, match="签名不对"):
        county.import_package(resigned)
    truncated = tmp_path / "truncated.htkx"
    truncated.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(ExchangeError, match="不完整或已损坏"):
        county.import_package(truncated)
    assert snapshot(county) == before
    assert county.import_package(package).sequence == 1  # the sound one still goes in


def test_a_missing_package_is_named_and_a_repeated_one_refused(sites, tmp_path):
    county, taohuajiang, _ = sites
    county.import_package(taohuajiang.export(tmp_path / "a1.htkx").path)
    code = codes(taohuajiang, "桃花江镇")[0]
    change_household(taohuajiang, code, phone="1")
    a2 = taohuajiang.export(tmp_path / "a2.htkx").path
    change_household(taohuajiang, code, phone="2")
    a3 = taohuajiang.export(tmp_path / "a3.htkx").path
    a4 = taohuajiang.export(tmp_path / "a4.htkx").path
    before = snapshot(county)
    with pytest.raises(ExchangeError, match="缺少桃花江镇的第 2–3 号交换包"):
        county.import_package(a4)
    assert snapshot(county) == before
    county.import_package(a2)
    with pytest.raises(ExchangeError, match="缺少桃花江镇的第 3 号交换包"):
        county.import_package(a4)
    with pytest.raises(ExchangeError, match=r"第 2 号交换包已于 .* 导入过"):
        county.import_package(a2)
    county.import_package(a3)
    county.import_package(a4)
    assert household(county, code).phone == "2"


KILL_POINTS = {
    # the 200th record taken (inserts of this table pending, earlier tables flushed)
    "rows": (Merge, "_take", 200),
    "deletions": (Merge, "take_deletions", 1),
    "audit": (Merge, "take_audit", 1),
    # after rows, deletions, audit entries and files: the agreed digests, then the commit
    "agreed": (records, "save_agreed", 1),
}


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_an_import_killed_midway_leaves_the_county_as_before(sites, tmp_path, monkeypatch, point):
    county, taohuajiang, xiushan = sites
    county.import_package(xiushan.export(tmp_path / "b1.htkx").path)
    package = taohuajiang.export(tmp_path / "a1.htkx").path
    before = snapshot(county)
    owner, attribute, after_calls = KILL_POINTS[point]
    original = getattr(owner, attribute)
    calls = []

    def killed(*args, **kwargs):
        calls.append(1)
        if len(calls) >= after_calls:
            raise KeyboardInterrupt  # the process dies here
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, attribute, killed)
    with pytest.raises(KeyboardInterrupt):
        county.import_package(package)
    assert snapshot(county) == before
    attachments = county.data_dir / "attachments"
    assert not attachments.exists() or not any(p.is_file() for p in attachments.rglob("*"))
    monkeypatch.undo()
    assert county.import_package(package).counts.inserted["household"] > 0


def test_a_deletion_travels_unless_the_receiver_changed_the_record(sites, tmp_path):
    from desktop.models.registry import Member

    county, taohuajiang, _ = sites
    county.import_package(taohuajiang.export(tmp_path / "a1.htkx").path)
    with taohuajiang.db.unit_of_work() as s:
        members = s.scalars(select(Member).order_by(Member.id).limit(2)).all()
        gone, changed = [m.uid for m in members]
        for m in members:
            s.delete(m)
    with county.db.unit_of_work() as s:
        s.scalar(select(Member).where(Member.uid == changed)).political_status = "县里改过"
    result = county.import_package(taohuajiang.export(tmp_path / "a2.htkx").path)
    assert result.counts.deleted == {"member": 1} and result.counts.conflicts == 1
    with county.db.session() as s:
        uids = set(s.scalars(select(Member.uid).where(Member.uid.in_([gone, changed]))))
    assert uids == {changed}  # changed here: kept until a person decides
    (conflict,) = county.conflicts()
    assert [(d.label, d.theirs) for d in conflict.differences] == [("整条记录", "（已删除）")]
    county.resolve(conflict.id, take_theirs=False, user_name="县审核员")
    back = county.read(county.export(tmp_path / "c1.htkx", township="桃花江镇").path)
    assert changed in [m["uid"] for m in back.data["rows"]["member"]]  # goes back: not lost


def test_a_package_without_the_countys_key_is_refused(sites, tmp_path, new_engine):
    from desktop.services.exchange.service import ExchangeService
    from desktop.services.unit_of_work import Database

    county, taohuajiang, _ = sites
    other = ExchangeService(Database(new_engine("other")), tmp_path / "other")
    with pytest.raises(ExchangeError, match="还没有交换密钥"):
        other.export(tmp_path / "x.htkx")
    other.new_county_key()  # another county's key
    with pytest.raises(ExchangeError, match="签名不对"):
        other.import_package(taohuajiang.export(tmp_path / "a1.htkx").path)
    with pytest.raises(ExchangeError, match="格式不对"):
        taohuajiang.set_key("not a key")
    with pytest.raises(ExchangeError, match="须指明发给哪个乡镇"):
        county.export(tmp_path / "c.htkx")
    with pytest.raises(ExchangeError, match="县数据库没有乡镇“桃花江镇”"):
        county.export(tmp_path / "c.htkx", township="桃花江镇")


def test_a_clerk_may_not_trade_packages(sites, tmp_path):
    from desktop.errors import PermissionDeniedError
    from desktop.services.actor import CurrentUser
    from desktop.services.exchange.service import ExchangeService

    _, taohuajiang, _ = sites
    clerk = ExchangeService(
        taohuajiang.db, taohuajiang.data_dir, lambda: CurrentUser("王录入", "clerk")
    )
    for attempt in (
        lambda: clerk.export(tmp_path / "a1.htkx"),
        lambda: clerk.import_package(tmp_path / "a1.htkx"),
        lambda: clerk.resolve(1, take_theirs=True, user_name="王录入"),
        lambda: clerk.new_county_key(),
    ):
        with pytest.raises(PermissionDeniedError, match="录入员“王录入”无权"):
            attempt()
    assert not (tmp_path / "a1.htkx").exists()
