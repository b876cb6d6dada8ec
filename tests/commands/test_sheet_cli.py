"""`huitoukan sheet`: list the tables, write one as .xlsx or PDF, refuse clearly."""

import pdfplumber
import pytest
from openpyxl import load_workbook

from desktop.cli import main


@pytest.fixture
def db(sichuan_engine):
    path = sichuan_engine.url.database
    sichuan_engine.dispose()
    return path


def test_list_prints_each_code_and_title(capsys):
    assert main(["sheet", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in out] == [
        ["fj2", "附件2"], ["fj3", "附件3"], ["fj4", "附件4"], ["fj5", "附件5"], ["fj6", "附件6"],
    ]  # fmt: skip
    assert "青神县_____乡（镇）_____村脱贫人口“回头看”基础信息摸底表" in out[1]


def test_writes_a_village_sheet_as_xlsx(db, tmp_path, capsys):
    out = tmp_path / "fj3.xlsx"
    assert main(["sheet", "fj3", "--db", str(db), "--village", "柳沟村", "--out", str(out)]) == 0
    assert "附件3" in capsys.readouterr().out
    ws = load_workbook(out).worksheets[0]
    assert ws["A1"].value == "青神县西龙镇柳沟村脱贫人口“回头看”基础信息摸底表"


@pytest.mark.parametrize("where", [["--township", "西龙镇"], ["--county", "青神县"]])
def test_writes_a_village_sheet_for_every_village(db, tmp_path, capsys, where):
    out = tmp_path / "fj3.xlsx"
    assert main(["sheet", "fj3", "--db", str(db), *where, "--out", str(out)]) == 0
    assert "8 个村" in capsys.readouterr().out
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 8 and wb.sheetnames[0] == "附件3-西龙村"
    assert wb.worksheets[1]["A1"].value.startswith("青神县西龙镇")


def test_writes_a_township_sheet_as_pdf(db, tmp_path):
    out = tmp_path / "fj5.pdf"
    assert main(["sheet", "fj5", "--db", str(db), "--township", "西龙镇", "--out", str(out)]) == 0
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text()
    assert "退出贫困村“回头看”基础信息摸底表" in text and "西龙镇小计" in text


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["fj3", "--village", "不存在村"], 1, "没有名为“不存在村”的村"),
        (["fj9", "--village", "柳沟村"], 1, "没有表 fj9"),
        (["fj5", "--township"], 1, "有多个乡镇"),
        (["fj5", "--village", "柳沟村"], 2, "按乡镇填报"),
        (["fj3", "--county", "不存在县"], 1, "没有名为“不存在县”的县"),
        (["fj5", "--county", "青神县"], 1, "按乡镇填报"),
        (["fj3", "--county", "青神县", "--village", "柳沟村"], 2, "不能与"),
    ],
)
def test_refusals_say_why(db, tmp_path, capsys, args, code, words):
    out = tmp_path / "x.xlsx"
    with pytest.raises(SystemExit) as caught:
        main(["sheet", *args, "--db", str(db), "--out", str(out)])
    assert caught.value.code == code
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_a_hunan_village_has_its_own_standard_but_no_sichuan_tables(db, tmp_path, capsys):
    from desktop.models.database import open_database
    from desktop.services.registry.service import RegistryService
    from desktop.services.unit_of_work import Database

    engine = open_database(db)
    village = RegistryService(Database(engine)).village_summaries()[0].name  # 桃江县桃花江镇
    engine.dispose()
    with pytest.raises(SystemExit) as caught:
        main(
            [
                "sheet",
                "fj3",
                "--db",
                str(db),
                "--village",
                village,
                "--out",
                str(tmp_path / "x.pdf"),
            ]
        )
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert "湖南省脱贫质量“回头看”" in err and "没有表 fj3（可用：无）" in err
