"""Recovery copies: written atomically, found again after a crash, removed when done."""

from __future__ import annotations

import datetime
import json
import os

import pytest

from desktop.paths import recovery_dir
from desktop.services.forms.recovery import FormRecovery, db_key, pending_copies


def test_write_then_read_back_after_a_crash(tmp_path):
    db = tmp_path / "a.sqlite3"
    answers = {"head_name": "张三", "labour_count": 3, "causes": ["因病", "缺技术"]}
    FormRecovery(db, 7, "verification").write(
        answers, {"labour_count": "外出未归"}, base_version=2, household_code="HX001"
    )
    # A new object stands for the application started again after the crash.
    copy = FormRecovery(db, 7, "verification").read()
    assert copy is not None
    assert copy.answers == answers
    assert copy.accepted_warnings == {"labour_count": "外出未归"}
    assert copy.base_version == 2
    assert copy.household_code == "HX001"
    assert copy.written_at_text[:4].isdigit()


def test_file_lives_in_the_recovery_folder_and_is_json(tmp_path, data_dir):
    recovery = FormRecovery(tmp_path / "a.sqlite3", 7, "verification")
    path = recovery.write({"x": 1, "when": datetime.date(2018, 6, 3)})
    assert path.parent == recovery_dir()
    assert str(path).startswith(str(data_dir))
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["answers"] == {"x": 1, "when": "2018-06-03"}
    # No temp file is left beside it.
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_keyed_by_database_household_and_form(tmp_path):
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    FormRecovery(a, 7, "verification").write({"v": "a7v"})
    assert FormRecovery(a, 7, "collection").read() is None
    assert FormRecovery(a, 8, "verification").read() is None
    assert FormRecovery(b, 7, "verification").read() is None
    assert db_key(a) != db_key(b)
    assert db_key(a) == db_key(tmp_path / "." / "a.sqlite3")


def test_rewrite_replaces_and_discard_removes(tmp_path):
    recovery = FormRecovery(tmp_path / "a.sqlite3", 1, "collection")
    recovery.write({"A39": "100"})
    recovery.write({"A39": "1200"})
    assert recovery.read().answers == {"A39": "1200"}
    recovery.discard()
    assert not recovery.exists()
    assert recovery.read() is None
    recovery.discard()  # discarding twice is harmless


def test_failed_write_keeps_the_previous_copy(tmp_path, monkeypatch):
    recovery = FormRecovery(tmp_path / "a.sqlite3", 1, "collection")
    recovery.write({"A39": "100"})

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        recovery.write({"A39": "999"})
    monkeypatch.undo()
    assert recovery.read().answers == {"A39": "100"}
    assert len(list(recovery.folder.glob("*.tmp"))) == 0


def test_damaged_file_is_set_aside_not_offered(tmp_path):
    recovery = FormRecovery(tmp_path / "a.sqlite3", 1, "collection")
    recovery.folder.mkdir(parents=True, exist_ok=True)
    recovery.path.write_text('{"answers": {"A39": ', encoding="utf-8")  # cut by a power loss
    assert recovery.read() is None
    assert not recovery.path.exists()
    assert recovery.path.with_suffix(".damaged").exists()


def test_pending_copies_lists_one_database_only(tmp_path):
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    FormRecovery(a, 1, "verification").write({"k": 1})
    FormRecovery(a, 2, "collection").write({"k": 2})
    FormRecovery(b, 3, "verification").write({"k": 3})
    found = {(c.household_id, c.form_code) for c in pending_copies(a)}
    assert found == {(1, "verification"), (2, "collection")}


def test_in_memory_database_has_its_own_key():
    assert db_key(None) == db_key(":memory:") == "memory"
    recovery = FormRecovery(None, 5, "verification")
    recovery.write({"k": "v"})
    assert recovery.read().answers == {"k": "v"}
