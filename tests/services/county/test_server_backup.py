"""Backups of the county's server database: pg_dump where this PC has it, said where not."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.safety import ACTION_BACKUP, AuditEntry
from desktop.services.context import AppServices
from desktop.services.safety import server_backup
from desktop.services.safety.backup import BackupError


def _server_services(pg_server, engine):
    if pg_server is None:
        pytest.skip("needs the PostgreSQL server of scripts/test_postgres.sh")
    return AppServices(engine)


def test_a_server_database_is_dumped_whole_and_read_back(pg_server, engine, data_dir):
    services = _server_services(pg_server, engine)
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here")
    services.registry.create_township("桃江县", "桃花江镇")
    folder = data_dir / "backups"  # inside the data folder: kept plain
    folder.mkdir(exist_ok=True)
    target = services.backups.back_up_to(folder)
    assert target.suffix == ".pgdump" and target.stat().st_size > 0
    assert not list(folder.glob("*.part"))
    listed = subprocess.run(
        [shutil.which("pg_restore"), "--list", str(target)], capture_output=True, text=True
    ).stdout
    assert "TABLE public household" in listed and "TRIGGER public audit_entry" in listed
    with Session(engine) as s:  # logged like a file backup
        notes = s.scalars(select(AuditEntry.note).where(AuditEntry.action == ACTION_BACKUP)).all()
    assert notes == [f"备份到 {target}"]


def test_without_pg_dump_the_clerk_is_told_and_nothing_is_written(
    pg_server, engine, data_dir, monkeypatch
):
    services = _server_services(pg_server, engine)
    monkeypatch.setattr(server_backup.shutil, "which", lambda _tool: None)
    with pytest.raises(BackupError, match="本机没有安装 PostgreSQL 的 pg_dump"):
        services.backups.back_up_to(data_dir)
    assert not list(data_dir.glob("*.pgdump*"))


def test_a_shared_server_database_is_not_restored_from_the_window(pg_server, engine, tmp_path):
    services = _server_services(pg_server, engine)
    with pytest.raises(BackupError, match="pg_restore"):
        services.backups.restore_from(tmp_path / "whatever.pgdump")
