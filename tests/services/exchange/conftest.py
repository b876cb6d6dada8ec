"""Exchange fixtures: a county and two townships, each its own database and data folder.

桃花江镇 is the small demo (with evidence files); 修山镇 is built here on another PC, in the
same county 桃江县 (so both packages name a county of the same name, with different uids).
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from desktop.demo.township import CITY, COUNTY, PROVINCE
from desktop.models.database import open_database
from desktop.models.registry import County, Household, Member, Township, Village
from desktop.services.exchange.service import ExchangeService
from desktop.services.unit_of_work import Database


@pytest.fixture
def new_engine(request, pg_server, tmp_path):
    """Make further empty, migrated databases (files, or PostgreSQL databases)."""
    made = []

    def make(name: str):
        if pg_server is not None:
            url = pg_server.create(request.getfixturevalue("_pg_empty_template"))
            engine = open_database(url)
            made.append((engine, url))
        else:
            engine = open_database(tmp_path / f"{name}.sqlite3")
            made.append((engine, None))
        return engine

    yield make
    for engine, url in made:
        engine.dispose()
        if url is not None:
            pg_server.drop(url)


def build_xiushan(engine) -> None:
    """A second township on its own PC: 桃江县修山镇, two villages, three households."""
    with Database(engine).unit_of_work() as s:
        # Typed as the demo has it: the county's copies agree (a difference is a conflict).
        county = County(name=COUNTY, province=PROVINCE, city=CITY)
        township = Township(county=county, name="修山镇")
        for v, village_name in enumerate(("石牛江村", "栗山坪村"), 1):
            village = Village(township=township, name=village_name, code=f"XS{v:02d}")
            for h in range(1, 3 if v == 1 else 2):
                code = f"4309220{v}{h:04d}"
                household = Household(code=code, village=village, head_name=f"修{v}{h}")
                household.members = [Member(seq=1, name=f"修{v}{h}", relation="户主")]
                s.add(household)
        s.add(county)


@pytest.fixture
def sites(demo_engine, demo_data_dir, new_engine, tmp_path):
    """(county, 桃花江镇, 修山镇): ExchangeServices with the county's key set everywhere."""
    county_engine = new_engine("county")
    xiushan_engine = new_engine("xiushan")
    build_xiushan(xiushan_engine)
    folders = {}
    for name in ("county", "taohuajiang", "xiushan"):
        folders[name] = tmp_path / f"data-{name}"
    shutil.copytree(demo_data_dir, folders["taohuajiang"])
    folders["county"].mkdir()
    folders["xiushan"].mkdir()
    county = ExchangeService(Database(county_engine), folders["county"])
    taohuajiang = ExchangeService(Database(demo_engine), folders["taohuajiang"])
    xiushan = ExchangeService(Database(xiushan_engine), folders["xiushan"])
    key = county.new_county_key()
    taohuajiang.set_key(key.text)
    xiushan.set_key(key.text)
    return county, taohuajiang, xiushan


def household(service: ExchangeService, code: str) -> Household | None:
    """A household by 户编号, detached (read in a short session)."""
    with service.db.session(expire_on_commit=False) as s:
        found = s.scalar(select(Household).where(Household.code == code))
        if found is not None:
            s.expunge(found)
        return found


def change_household(service: ExchangeService, code: str, **values) -> None:
    """Change a household as a clerk's save would (audited, version up)."""
    with service.db.unit_of_work() as s:
        found = s.scalar(select(Household).where(Household.code == code))
        for key, value in values.items():
            setattr(found, key, value)
        found.version += 1
