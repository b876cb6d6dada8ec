"""Demo problems for the demo township: about 200, in every status, with extensions and evidence."""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from desktop.models.problem import (
    Attachment,
    CatalogueItem,
    Extension,
    Person,
    Problem,
    ProblemEvent,
    Unit,
)
from desktop.models.registry import Household, Village
from desktop.services.problems.attachments import ATTACHMENTS_DIR
from desktop.services.problems.catalogue import seed_reference_data
from desktop.services.problems.rules import (
    IMMEDIATE_OPINION,
    KIND_DEADLINE,
    KIND_IMMEDIATE,
    SCOPE_HOUSEHOLD,
    SCOPE_UNIT,
    SCOPE_VILLAGE,
    STATUS_AWAITING,
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_OPEN,
)
from desktop.services.stored_files import SourceFile
from desktop.services.unit_of_work import Database

# (catalogue item, scope, description, cause, measures): what review teams really write down.
TEMPLATES = (
    (1, SCOPE_HOUSEHOLD, "家中适龄儿童辍学在家，未返校就读", "家长重视不够，学生厌学",
     "联系中心校上门劝返，落实控辍保学责任人"),
    (2, SCOPE_HOUSEHOLD, "家庭成员未参加城乡居民基本医疗保险", "外出务工未及时缴费",
     "协助办理参保手续，由财政代缴个人部分"),
    (2, SCOPE_VILLAGE, "村卫生室无合格村医坐诊", "原村医退休后未补充",
     "协调镇卫生院派驻医生轮流坐诊"),
    (3, SCOPE_HOUSEHOLD, "住房经鉴定为C级危房，仍在居住", "户主年老无力维修",
     "纳入危房改造计划，先行搬至安全住房过渡"),
    (3, SCOPE_HOUSEHOLD, "房屋屋面漏雨、墙体开裂", "年久失修", "申请危改补助，组织维修加固"),
    (4, SCOPE_HOUSEHOLD, "饮用水源季节性断水，取水不便", "山塘水源不稳定",
     "接通集中供水管网，旱季安排送水"),
    (4, SCOPE_VILLAGE, "自来水水质检测不达标", "消毒设备损坏", "更换消毒设备并复检水质"),
    (5, SCOPE_HOUSEHOLD, "户内新增人口未及时纳入", "新生儿未办理户口", "办理户口登记后按程序纳入"),
    (7, SCOPE_HOUSEHOLD, "系统人数与实际人数不一致", "家庭成员分户后未更新",
     "核实户籍，按程序更新扶贫开发信息系统"),
    (7, SCOPE_HOUSEHOLD, "明白卡收入数据与系统不符", "收入测算口径不一致",
     "重新测算收入并更新明白卡"),
    (8, SCOPE_VILLAGE, "《扶贫手册》村级集中保管，未发放到户", "担心农户遗失",
     "将扶贫手册发放到户并讲解内容"),
    (11, SCOPE_UNIT, "驻村工作队员考勤不全，在岗时间不足", "工作队管理制度执行不严",
     "严格考勤，每月通报在岗情况"),
    (12, SCOPE_HOUSEHOLD, "帮扶责任人调整后未重新结对", "干部岗位变动",
     "重新明确帮扶责任人并入户走访"),
    (13, SCOPE_HOUSEHOLD, "一户一方案帮扶措施与实际需求不符", "制定方案时调查不细",
     "重新入户调查，调整帮扶措施"),
    (15, SCOPE_VILLAGE, "边缘户未建立台账", "摸排不彻底", "开展边缘户摸排，建立动态监测台账"),
    (17, SCOPE_VILLAGE, "村集体经济收入较上年下降", "村办光伏收益减少", "谋划新增集体经济项目"),
    (19, SCOPE_VILLAGE, "组级道路破损，雨天通行困难", "养护资金不足", "申报道路维修项目"),
    (20, SCOPE_HOUSEHOLD, "产业奖补资金未兑现到户", "申报材料不齐", "补齐材料，限期兑现奖补资金"),
    (20, SCOPE_HOUSEHOLD, "公益岗位人员未正常履职", "岗位职责不明确",
     "明确岗位职责，按月考核发放工资"),
    (21, SCOPE_HOUSEHOLD, "“雨露计划”职业教育补助未申请", "家长不了解政策",
     "上门宣传政策并协助申请补助"),
    (22, SCOPE_HOUSEHOLD, "慢性病患者未办理慢性病卡", "未及时鉴定",
     "组织到县医院鉴定并办理慢性病卡"),
    (22, SCOPE_HOUSEHOLD, "家庭医生签约后未履约服务", "村医服务人口过多",
     "落实签约履约，每季度随访"),
    (23, SCOPE_HOUSEHOLD, "危房改造补助资金未及时发放到户", "验收资料未报齐",
     "完成竣工验收，拨付补助资金"),
    (24, SCOPE_VILLAGE, "光伏电站收益分配未公示", "村务公开不及时", "在村务公开栏公示收益分配方案"),
    (25, SCOPE_HOUSEHOLD, "扶贫小额信贷到期未还", "经营亏损", "制定还款计划，办理续贷或展期"),
    (27, SCOPE_HOUSEHOLD, "重度残疾人护理补贴未享受", "未申请", "协助办理残疾人护理补贴"),
    (27, SCOPE_HOUSEHOLD, "符合条件未纳入低保", "申请材料未提交", "按程序申请纳入低保"),
    (28, SCOPE_VILLAGE, "扶贫项目资金拨付进度慢", "项目验收滞后", "加快验收，按进度拨付资金"),
    (30, SCOPE_VILLAGE, "扶贫资产未登记入账", "资产台账未建立", "清查扶贫资产，建立资产台账"),
    (31, SCOPE_VILLAGE, "扶贫车间闲置", "入驻企业退出", "招引新企业入驻，盘活扶贫资产"),
    (32, SCOPE_UNIT, "一周内召开同类会议三次", "会议统筹不够", "合并会议，压减会议数量"),
    (34, SCOPE_UNIT, "要求村级重复填报同类表格", "部门数据不共享", "统一报表口径，数据共享"),
)  # fmt: skip

SOURCE_WEIGHTS = (("回头看排查", 45), ("督查组", 20), ("自查", 15), ("上级反馈", 10),
                  ("巡视/巡查", 6), ("审计", 4))  # fmt: skip
CLERKS = ("刘芳", "周建国", "黄小红", "曾志强")
CHECKERS = ("镇扶贫工作站 文斌", "镇纪委 汤敏", "分管领导 彭俊")
EXTENSION_REASONS = (
    "雨季施工困难，需待天晴后动工",
    "需县直部门审批，审批周期较长",
    "户主外出务工，需待返乡后办理",
    "项目资金尚未下达",
)
PERSON_NAMES = (
    "李建华", "王春梅", "张德清", "陈海平", "杨志强", "周国华", "黄秋菊", "曾桂英", "彭伟",
    "谢军", "胡芳", "郭丽", "罗明", "文辉", "汤艳", "莫敏", "熊强", "符勇", "龚娟", "蔡平",
)  # fmt: skip


@dataclass(frozen=True)
class DemoProblemsResult:
    """What the demo problem builder wrote."""

    problems: int
    extensions: int
    attachments: int


def _png(rng: random.Random, width: int = 320, height: int = 240) -> bytes:
    """A photo of a paper lying on a desk (turned a little, lines of text, a table, a red seal),
    so the demo's evidence looks like the clerk's phone pictures of 整改 papers.

    Drawn with Pillow, which reportlab brings along; no font is needed.
    """
    from io import BytesIO

    from PIL import Image, ImageDraw, ImageFilter

    desk = tuple(rng.randrange(90, 150) + d for d in (30, 10, -10))
    image = Image.new("RGB", (width, height), desk)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 3):  # the desk's grain
        shade = rng.randrange(-12, 12)
        grain = tuple(max(0, c + shade) for c in desk)
        draw.line([(0, y), (width, y + rng.randrange(-4, 5))], fill=grain)
    paper = Image.new("RGBA", (int(width * 0.62), int(height * 0.86)), (250, 248, 240, 255))
    pen = ImageDraw.Draw(paper)
    pw, ph = paper.size
    ink = (60, 60, 70, 255)
    pen.rectangle([pw * 0.3, 10, pw * 0.7, 17], fill=(40, 40, 50, 255))  # the title
    y = 28
    while y < ph * 0.45:  # lines of text: words with gaps, ragged on the right
        x, end = 12.0, 12 + (pw - 24) * rng.uniform(0.55, 1.0)
        while x < end:
            word = min(end, x + rng.uniform(8, 26))
            pen.rectangle([x, y, word, y + 2], fill=(105, 105, 115, 255))
            x = word + 3
        y += 8
    top, bottom = ph * 0.5, ph * 0.84  # a table
    for row in range(6):
        line_y = top + (bottom - top) * row / 5
        pen.line([12, line_y, pw - 12, line_y], fill=ink, width=1)
    for col in (12, pw * 0.35, pw * 0.65, pw - 12):
        pen.line([col, top, col, bottom], fill=ink, width=1)
    cx, cy, r = pw * 0.72, ph * 0.9, 14  # the red seal
    pen.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(200, 30, 30, 230), width=3)
    pen.regular_polygon((cx, cy, 5), 5, fill=(200, 30, 30, 230))
    angle = rng.uniform(-8, 8)
    shadow = Image.new("RGBA", paper.size, (0, 0, 0, 110)).rotate(angle, expand=True)
    shadow = shadow.filter(ImageFilter.GaussianBlur(4))
    paper = paper.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    x, y = (width - paper.width) // 2, (height - paper.height) // 2
    image.paste(shadow, (x + 5, y + 6), shadow)
    image.paste(paper, (x, y), paper)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _pdf(title: str) -> bytes:
    """A one-page PDF with a title, standing in for a scanned 整改报告."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    c.setFont("STSong-Light", 16)
    c.drawString(72, 760, title)
    c.setFont("STSong-Light", 11)
    c.drawString(72, 730, "（演示用整改佐证材料）")
    c.showPage()
    c.save()
    return out.getvalue()


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))


def add_demo_problems(
    engine: Engine,
    seed: int = 2020,
    *,
    count: int = 200,
    today: datetime.date | None = None,
    data_dir: Path | None = None,
) -> DemoProblemsResult:
    """Write about `count` realistic problems (all statuses, some overdue, some extended, a few
    with evidence files in the data folder) into a database that holds the demo township."""
    from desktop.paths import data_dir as default_data_dir

    rng = random.Random(seed)
    today = today or datetime.date.today()
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    written: list[Path] = []
    try:
        with Database(engine).unit_of_work() as s:
            result = _write(s, rng, count, today, folder, written)
    except Exception:
        for path in written:  # nothing half-saved: the files go with the rolled-back rows
            path.unlink(missing_ok=True)
        raise
    return result


def _write(
    s: Session,
    rng: random.Random,
    count: int,
    today: datetime.date,
    folder: Path,
    written: list[Path],
) -> DemoProblemsResult:
    if s.scalar(select(Problem.id).limit(1)) is not None:
        raise ValueError("数据库中已有整改问题，演示问题只能写入没有问题的数据库")
    seed_reference_data(s)
    items = {i.number: i.id for i in s.scalars(select(CatalogueItem))}
    villages = list(s.execute(select(Village.id, Village.name).order_by(Village.code)))
    if not villages:
        raise ValueError("数据库中没有村，请先生成演示乡镇")
    households = list(
        s.execute(select(Household.id, Household.village_id).order_by(Household.code))
    )
    units = {u.name: u for u in s.scalars(select(Unit))}
    people: dict[int, list[Person]] = {}
    names = list(PERSON_NAMES)
    rng.shuffle(names)
    for n, unit in enumerate(units.values()):
        person = Person(
            unit_id=unit.id, name=names[n % len(names)], position="负责人" if n % 3 else "站长"
        )
        s.add(person)
        people[unit.id] = [person]
    s.flush()
    office_units = [u for u in units.values() if u.kind != "村"]
    village_unit = {u.name: u for u in units.values() if u.kind == "村"}
    sources = [name for name, _ in SOURCE_WEIGHTS]
    weights = [w for _, w in SOURCE_WEIGHTS]
    numbers: dict[int, int] = {}
    n_ext = n_att = 0
    plans = []
    for _ in range(count):
        plans.append(today - datetime.timedelta(days=rng.randint(0, 150)))
    plans.sort()
    for found in plans:
        item_no, scope, description, cause, measures = rng.choice(TEMPLATES)
        numbers[found.year] = numbers.get(found.year, 0) + 1
        number = f"{found.year}-{numbers[found.year]:03d}"
        household_id = village_id = scope_unit_id = None
        if scope == SCOPE_HOUSEHOLD and households:
            household_id, village_id = rng.choice(households)
        elif scope == SCOPE_UNIT:
            scope_unit_id = rng.choice(office_units).id
        else:
            scope = SCOPE_VILLAGE
            village_id = rng.choice(villages)[0]
        village_name = next((v[1] for v in villages if v[0] == village_id), "")
        immediate = rng.random() < 0.12
        # Villages fix their own households' problems; township offices fix the rest.
        if village_name in village_unit and scope != SCOPE_UNIT and rng.random() < 0.55:
            unit = village_unit[village_name]
        else:
            unit = rng.choice(office_units)
        person = people[unit.id][0]
        clerk = rng.choice(CLERKS)
        p = Problem(
            number=number,
            found_date=found,
            source=rng.choices(sources, weights)[0],
            item_id=items.get(item_no),
            scope=scope,
            household_id=household_id,
            village_id=village_id,
            scope_unit_id=scope_unit_id,
            description=description,
            cause=cause,
            measures=measures,
            unit_id=unit.id,
            person_id=person.id,
            kind=KIND_IMMEDIATE if immediate else KIND_DEADLINE,
            note="",
            created_by=clerk,
            created_at=_at(found, rng),
            version=1,
        )
        events = [(found, clerk, "登记", f"登记问题 {number}（{p.kind}）")]
        if immediate:
            p.deadline = p.original_deadline = None
            p.status = STATUS_CLOSED
            p.closed_on = p.verified_on = found
            p.verified_by, p.verification_opinion = clerk, IMMEDIATE_OPINION
            events[0] = (found, clerk, "登记", events[0][3] + "，立行立改当即销号")
        else:
            deadline = found + datetime.timedelta(days=rng.choice((15, 20, 30, 30, 45, 60)))
            p.deadline = p.original_deadline = deadline
            age = (today - found).days
            # Older problems are further along; about one in six open ones runs late.
            progress = min(1.0, age / 90) + rng.uniform(-0.3, 0.3)
            if progress > 0.75:
                status = STATUS_CLOSED
            elif progress > 0.55:
                status = STATUS_AWAITING
            elif progress > 0.2:
                status = STATUS_IN_PROGRESS
            else:
                status = STATUS_OPEN
            if rng.random() < 0.15 and status != STATUS_OPEN:
                reason = rng.choice(EXTENSION_REASONS)
                new = deadline + datetime.timedelta(days=rng.choice((15, 30, 45)))
                when = min(today, deadline)
                s.add(
                    Extension(
                        problem=p,
                        old_deadline=deadline,
                        new_deadline=new,
                        reason=reason,
                        who=clerk,
                        at=_at(when, rng),
                    )
                )
                events.append(
                    (when, clerk, "延期", f"{deadline:%Y-%m-%d} → {new:%Y-%m-%d}：{reason}")
                )
                p.deadline = new
                n_ext += 1
            step = found
            chain = (STATUS_OPEN, STATUS_IN_PROGRESS, STATUS_AWAITING, STATUS_CLOSED)
            for old, new in itertools.pairwise(chain):
                if chain.index(status) < chain.index(new):
                    break
                step = min(today, step + datetime.timedelta(days=rng.randint(1, 12)))
                if new == STATUS_CLOSED:
                    checker = rng.choice(CHECKERS)
                    p.verified_by, p.verified_on, p.closed_on = checker, step, step
                    p.verification_opinion = "经实地查看，整改到位，同意销号"
                    events.append(
                        (step, clerk, "销号", f"验收人 {checker}，{step:%Y-%m-%d}：同意销号")
                    )
                else:
                    events.append((step, clerk, "状态", f"{old} → {new}"))
            p.status = status
        s.add(p)
        s.flush()
        for day, who, action, detail in sorted(events, key=lambda e: e[0]):
            s.add(
                ProblemEvent(
                    problem_id=p.id, at=_at(day, rng), who=who, action=action, detail=detail
                )
            )
        if p.status in (STATUS_AWAITING, STATUS_CLOSED) and rng.random() < 0.08:
            files = [(f"整改照片{n}.png", _png(rng)) for n in range(1, rng.randint(2, 3))]
            if rng.random() < 0.5:
                files.append(("整改报告.pdf", _pdf(f"问题 {number} 整改情况报告")))
            for name, payload in files:
                file = SourceFile.of(name, payload)
                relative = file.relative_path(f"{ATTACHMENTS_DIR}/{number}")
                target = folder / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(payload)
                written.append(target)
                s.add(
                    Attachment(
                        problem_id=p.id,
                        **file.fields(relative, clerk),
                        added_at=_at(p.closed_on or p.verified_on or today, rng),
                    )
                )
                n_att += 1
    s.flush()
    return DemoProblemsResult(len(plans), n_ext, n_att)
