"""Visit sheets and a round's 整改函 read back from the PDF: page, fonts, categories, 抄送."""

from __future__ import annotations

import datetime
import io

import pdfplumber
import pytest

from desktop.printing.inspection import ArchiveRenderers, render_sample, render_visit_sheets
from tests.services.inspections.conftest import build_registry

A4_LANDSCAPE = (841.89, 595.28)
MM = 72 / 25.4


@pytest.fixture
def round_with_findings(engine, tmp_path):
    from desktop.services.inspections.data import FindingData, RoundData
    from desktop.services.inspections.service import InspectionService
    from desktop.services.problems.service import ProblemService
    from desktop.services.unit_of_work import Database

    build_registry(engine)
    db = Database(engine)
    service = InspectionService(db, ProblemService(db, tmp_path / "data"))
    service.ensure_reference_data()
    group = next(g for g in service.groups() if g.name == "第三组")
    service.add_coverage(group.id, "桃江县", "刘联络")
    round_id = service.save_round(
        RoundData(group_id=group.id, county_name="桃江县", start_date=datetime.date(2026, 7, 8),
                  end_date=datetime.date(2026, 7, 9)),
        "李进强",
    )  # fmt: skip
    service.draw_sample(round_id, service.township_id_by_name("桃花江镇"), 77, "李进强")
    households = [e for e in service.sample(round_id) if e.is_household]
    for n, target in enumerate(households[:2]):
        service.add_finding(
            FindingData(
                round_id=round_id, category_id=service.categories()[2].id,
                description=f"“八有”佐证不全{n}", household_id=target.household_id,
                unit_id=service.problems.unit_id_by_name(target.village_name),
                person_name="王村长", measures="补齐佐证", deadline=datetime.date(2026, 8, 9 + n),
            ),
            "李进强",
        )  # fmt: skip
    return service, round_id


def _text(pdf: bytes) -> tuple[pdfplumber.PDF, str]:
    doc = pdfplumber.open(io.BytesIO(pdf))
    return doc, "\n".join(page.extract_text() or "" for page in doc.pages)


def test_household_visit_sheets_list_every_category_with_its_method(round_with_findings):
    service, round_id = round_with_findings
    villages, households = service.visit_sheets(round_id)
    assert len(villages) == 2 and len(households) == 6
    doc, _text_all = _text(render_visit_sheets(households))
    assert len(doc.pages) == 6  # one A4 sheet per household
    page = doc.pages[0]
    assert (round(page.width, 2), round(page.height, 2)) == A4_LANDSCAPE
    words = page.extract_text().replace(" ", "")
    assert "脱贫攻坚督查入户走访记录表" in words
    # The 类别 column (10 mm in from the 10 mm margin, 30 mm wide) read on its own.
    column = page.crop((20 * MM, 0, 50 * MM, page.height)).extract_text().replace("\n", "")
    for c in service.categories():
        assert c.name in column
    assert "查阅党委（组）会议记录" in words  # 扶贫责任落实's 督查形式
    assert words.count("未发现问题") == 8 and "督查组成员签名" in words
    assert households[0].answers["head_name"] in words
    fonts = {f["fontname"] for f in page.chars}
    assert all("+" in name for name in fonts)  # every font embedded as a subset


def test_archive_visit_sheets_tick_the_categories_with_findings(round_with_findings):
    service, round_id = round_with_findings
    _villages, households = service.visit_sheets(round_id, with_findings=True)
    ticked = [s for s in households if s.answers.get("cat3_result") == "发现问题"]
    assert len(ticked) == 2 and ticked[0].answers["cat3_finding"].startswith("“八有”佐证不全")
    _doc, text = _text(render_visit_sheets(ticked))
    assert "“八有”佐证不全0" in text.replace(" ", "")


def test_a_village_sheet_names_its_kind_and_aid_unit(round_with_findings):
    service, round_id = round_with_findings
    villages, _ = service.visit_sheets(round_id)
    _doc, text = _text(render_visit_sheets(villages))
    text = text.replace(" ", "")
    assert "脱贫攻坚督查村级走访记录表" in text and "县农业农村局" in text and "贫困村" in text


def test_the_round_notice_carries_the_round_deadlines_and_copies(round_with_findings):
    service, round_id = round_with_findings
    notices = service.notices(round_id, date=datetime.date(2026, 7, 11))
    assert [n.due for n in notices] == [datetime.date(2026, 7, 12)] * len(notices)
    notice = notices[0]
    assert notice.copy_to == ("中共桃江县委", "桃江县人民政府")
    doc, text = _text(ArchiveRenderers.notice(notice))
    flat = text.replace(" ", "").replace("\n", "")
    assert "第三组于2026年7月8日至9日对你单位脱贫攻坚工作进行了督查" in flat
    assert "（督查编号：2026-第三组-01）" in flat
    assert "抄送：中共桃江县委，桃江县人民政府。" in flat
    for p in notice.problems:
        assert p.number in flat and f"{p.deadline.month}月{p.deadline.day}日" in flat
    last = doc.pages[-1].extract_text().replace(" ", "")
    assert "抄送" in last  # the 版记 closes the document, after the 问题清单


def test_the_sample_list_shows_the_seed_and_changes(round_with_findings):
    service, round_id = round_with_findings
    _doc, text = _text(render_sample(service.sample_sheet(round_id)))
    flat = text.replace(" ", "")
    assert "第三组督查抽查名单" in flat and "随机种子：77" in flat
    assert flat.count("预脱贫户") >= 4 and "未脱贫户" in flat
