"""`huitoukan print` from the command line: a household, a village, blank, missing characters."""

from __future__ import annotations

import pdfplumber
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.cli import main
from desktop.models.registry import Household, Village
from desktop.printing.fonts import register_fonts


def _db(demo_engine) -> str:
    return str(demo_engine.url.database)


def _text(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return ["".join(c["text"] for c in page.chars) for page in pdf.pages]


def test_print_one_household(demo_engine, tmp_path, capsys):
    with Session(demo_engine) as s:
        code, head = s.execute(select(Household.code, Household.head_name).limit(1)).one()
    out = tmp_path / "one.pdf"
    assert main(["print", "verification", "--db", _db(demo_engine), "--household", code,
                 "--out", str(out)]) == 0  # fmt: skip
    pages = _text(out)
    assert len(pages) == 1 and head in pages[0] and code in pages[0]
    assert "1 户" in capsys.readouterr().out


def test_print_a_village_in_household_code_order(demo_engine, tmp_path):
    with Session(demo_engine) as s:
        village = s.scalars(select(Village).order_by(Village.id)).first()
        codes = s.scalars(
            select(Household.code)
            .where(Household.village_id == village.id)
            .order_by(Household.code)
        ).all()
        name = village.name
    out = tmp_path / "village.pdf"
    assert main(["print", "collection", "--db", _db(demo_engine), "--village", name,
                 "--out", str(out)]) == 0  # fmt: skip
    pages = _text(out)
    stamped = [next(c for c in codes if f"户编号：{c}" in p) for p in pages]
    assert sorted(set(stamped)) == list(codes)
    assert stamped == sorted(stamped)


def test_print_blank_needs_no_database(tmp_path):
    out = tmp_path / "blank.pdf"
    assert main(["print", "collection", "--blank", "--out", str(out)]) == 0
    pages = _text(out)
    assert len(pages) == 2 and "空白表" in pages[0]


def test_unknown_household_and_village_are_refused(demo_engine, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["print", "verification", "--db", _db(demo_engine), "--household", "NOPE",
              "--out", str(tmp_path / "x.pdf")])  # fmt: skip
    assert info.value.code == 1 and "NOPE" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["print", "verification", "--db", _db(demo_engine), "--village", "不存在村",
              "--out", str(tmp_path / "x.pdf")])  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()


def test_characters_no_font_has_stop_printing_unless_forced(demo_engine, tmp_path, capsys):
    fonts = register_fonts()
    # A private-use character: no font carries it, whatever is installed.
    odd = "\ue000"
    assert fonts.missing_chars([odd]) == [odd]
    with Session(demo_engine) as s, s.begin():
        code = s.scalar(select(Household.code).limit(1))
        hid = s.scalar(select(Household.id).where(Household.code == code))
        s.execute(update(Household).where(Household.id == hid).values(helper_name=f"王{odd}"))
    out = tmp_path / "odd.pdf"
    args = ["print", "verification", "--db", _db(demo_engine), "--household", code,
            "--out", str(out)]  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "U+E000" in err and code in err and "挂钩帮扶责任人" in err
    assert not out.exists()
    assert main([*args, "--force"]) == 0
    assert "〔U+E000〕" in _text(out)[0]
