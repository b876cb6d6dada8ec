"""`huitoukan demo` from the command line."""

import subprocess
import sys

from desktop.cli import main
from desktop.models.database import open_database
from desktop.services.registry.service import RegistryService
from desktop.services.unit_of_work import Database


def test_demo_command_builds_the_township(db_path, capsys):
    assert main(["demo", "--db", str(db_path), "--households", "80", "--seed", "3"]) == 0
    assert "80 户" in capsys.readouterr().out
    registry = RegistryService(Database(open_database(db_path)))
    hunan = [r for r in registry.household_rows() if r.code.startswith("430922")]
    assert len(hunan) == 80  # and the 青神县 township of seed 001 beside it


def test_demo_refuses_a_database_with_data(db_path):
    main(["demo", "--db", str(db_path), "--households", "10"])
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "demo", "--db", str(db_path), "--households", "10"],
        capture_output=True,
        encoding="utf-8",
    )
    assert result.returncode == 1
    assert "已有数据" in result.stderr
