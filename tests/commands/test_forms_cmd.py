"""`huitoukan forms list|check` and `huitoukan print` for the questionnaires."""

from __future__ import annotations

import json

import pdfplumber
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.cli import main
from desktop.models.registry import Household, Village
from tests.engine.test_questions import REGISTERED, UNREGISTERED, _complete


def _write(tmp_path, answers) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_forms_list_prints_code_and_printed_title(capsys):
    assert main(["forms", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "hunan_registered\t建档立卡贫困户脱贫情况调查问卷" in lines
    assert "hunan_unregistered\t非建档立卡户情况调查问卷" in lines
    assert "verification\t2018年脱贫攻坚入户核查表" in lines


def test_check_a_complete_questionnaire_passes(tmp_path, capsys):
    assert (
        main(["forms", "check", REGISTERED, "--answers", _write(tmp_path, _complete(REGISTERED))])
        == 0
    )
    assert "结论：可以通过审核" in capsys.readouterr().out


def test_check_question_10_blocks_and_names_the_question(tmp_path, capsys):
    answers = _complete(REGISTERED) | {"Q4": "是", "Q4_1": "是", "Q10": "否"}
    assert main(["forms", "check", REGISTERED, "--answers", _write(tmp_path, answers)]) == 1
    out = capsys.readouterr().out
    assert "错误　第10题（Q10 建档立卡以来是否有在校生）" in out
    assert "不允许通过审核" in out
    assert "Q10_1" in out.split("跳过")[1]


def test_check_question_11_warns_but_passes(tmp_path, capsys):
    answers = _complete(REGISTERED) | {"Q11": "否"}
    assert main(["forms", "check", REGISTERED, "--answers", _write(tmp_path, answers)]) == 0
    out = capsys.readouterr().out
    assert "警告　第11题" in out and "结论：可以通过审核（错误 0 个，警告 1 个）" in out


def test_partial_judges_only_what_is_answered(tmp_path, capsys):
    path = _write(tmp_path, {"Q8": "C级危房维修加固"})
    assert main(["forms", "check", REGISTERED, "--answers", path]) == 1  # 请填写… everywhere
    capsys.readouterr()
    assert main(["forms", "check", REGISTERED, "--answers", path, "--partial"]) == 0
    out = capsys.readouterr().out
    assert "错误" not in out.replace("错误 0 个", "")
    assert "跳过（如填X直接跳转至Y）：Q8_1" in out
    path = _write(tmp_path, {"Q8": "否", "Q9": "自来水"})
    assert main(["forms", "check", REGISTERED, "--answers", path, "--partial"]) == 0
    assert "Q8_1、Q8_2、Q8_3、Q8_4、Q8_5、Q9_1a、Q9_1b、Q9_1c" in capsys.readouterr().out


def test_unregistered_question_8_ends_the_questionnaire(tmp_path, capsys):
    answers = _complete(UNREGISTERED) | {"Q8": "否"}
    assert main(["forms", "check", UNREGISTERED, "--answers", _write(tmp_path, answers)]) == 0
    assert "跳过（如填X直接跳转至Y）：Q8_1、Q8_2" in capsys.readouterr().out


def test_bad_file_or_code_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{不是 JSON", encoding="utf-8")
    assert _exit(["forms", "check", REGISTERED, "--answers", str(bad)]) == 2
    assert "JSON 格式错误" in capsys.readouterr().err
    assert _exit(["forms", "check", REGISTERED, "--answers", _write(tmp_path, {"Q99": "是"})]) == 2
    assert "没有这些字段：Q99" in capsys.readouterr().err
    assert _exit(["forms", "check", "nosuch", "--answers", _write(tmp_path, {})]) == 2
    assert "没有表单“nosuch”" in capsys.readouterr().err


def _exit(argv) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_print_questionnaires_blank_and_for_a_village(demo_engine, tmp_path):
    out = tmp_path / "blank.pdf"
    assert main(["print", REGISTERED, "--blank", "--out", str(out)]) == 0
    with pdfplumber.open(out) as pdf:
        text = "".join(c["text"] for p in pdf.pages for c in p.chars)
    assert "建档立卡贫困户脱贫情况调查问卷" in text and "复核人员签名" in text
    with Session(demo_engine) as s:
        village_id, name = s.execute(
            select(Village.id, Village.name)
            .join(Household)
            .where(Household.is_registered.is_(True))
            .group_by(Village.id)
            .order_by(Village.id)
        ).first()
        registered = s.scalar(
            select(func.count()).where(Household.village_id == village_id,
                                       Household.is_registered.is_(True))
        )  # fmt: skip
    out = tmp_path / "village.pdf"
    db = str(demo_engine.url.database)
    assert main(["print", REGISTERED, "--db", db, "--village", name, "--out", str(out)]) == 0
    with pdfplumber.open(out) as pdf:
        titles = sum("建档立卡贫困户脱贫情况调查问卷" in "".join(c["text"] for c in p.chars)
                     for p in pdf.pages)  # fmt: skip
    assert titles == registered  # one questionnaire per registered household, no others
