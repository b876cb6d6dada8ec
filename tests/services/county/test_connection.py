"""The window's database connection: a server address saved without its password, said in
Chinese when it cannot be reached, tried once without changing anything."""

from __future__ import annotations

import pytest

from desktop.models.database import DatabaseError, check_server, server_failure
from desktop.services.connection import (
    ServerAddress,
    describe,
    needs_password,
    try_server,
    with_password,
)
from desktop.services.settings import last_database, save_setting


def test_an_address_is_saved_without_its_password_and_read_back():
    address = ServerAddress(host="192.168.1.10", database="回头看", user="li@县", port=5433)
    saved = address.url()
    assert saved == "postgresql://li%40%E5%8E%BF@192.168.1.10:5433/%E5%9B%9E%E5%A4%B4%E7%9C%8B"
    assert ServerAddress.of(saved) == address
    typed = address.url("p@ss:w/rd")
    assert "p%40ss%3Aw%2Frd" in typed and ServerAddress.of(typed) == address  # password dropped
    assert with_password(saved, "p@ss:w/rd") == typed and with_password(saved, "") == saved
    assert address.label == "服务器 192.168.1.10:5433 上的 回头看（用户 li@县）"
    assert describe(saved) == address.label
    assert describe("/data/镇.sqlite3") == "本机数据库文件 /data/镇.sqlite3"


def test_what_is_missing_is_said_before_anything_is_tried():
    empty = ServerAddress(host="", database="", user="", port=0)
    assert empty.problems() == [
        "请填写服务器地址", "请填写数据库名", "请填写用户名", "端口应为 1–65535 之间的数",
    ]  # fmt: skip
    with pytest.raises(DatabaseError, match="请填写服务器地址"):
        try_server(empty)
    with pytest.raises(DatabaseError, match="端口"):
        ServerAddress.of("postgresql://u@host:99999/db")


def test_the_servers_english_is_told_in_chinese_without_the_password():
    url = "postgresql://clerk:secret@10.0.0.5:5432/county"
    cases = {
        'FATAL:  password authentication failed for user "clerk"': "用户名或密码不对",
        "fe_sendauth: no password supplied": "需要密码",
        'FATAL:  database "county" does not exist': "没有这个数据库",
        "connection refused\n\tIs the server running": "连接被拒绝",
        'could not translate host name "x" to address': "找不到这个服务器地址",
        "timeout expired": "连接超时",
        "something else entirely": "连接失败",
    }
    for english, chinese in cases.items():
        said = server_failure(url, Exception(english))
        assert chinese in said and "secret" not in said and "10.0.0.5" in said
        assert said.isascii() is False and "FATAL" not in said
    assert needs_password(server_failure(url, Exception("fe_sendauth: no password supplied")))
    assert not needs_password(server_failure(url, Exception("connection refused")))


def test_a_server_that_is_not_there_is_refused_in_chinese_quickly():
    pytest.importorskip("psycopg", reason="the PostgreSQL driver (extra postgres) is not installed")
    with pytest.raises(DatabaseError) as caught:
        check_server("postgresql://clerk@127.0.0.1:1/county", timeout_s=3)
    assert "无法连接数据库服务器" in str(caught.value) and "连接被拒绝" in str(caught.value)


def test_the_saved_server_is_the_next_start_database():
    address = ServerAddress(host="127.0.0.1", database="county", user="clerk")
    save_setting("last_database", address.url())
    assert last_database() == "postgresql://clerk@127.0.0.1:5432/county"


def test_a_real_server_is_tried_once_and_left_as_it_was(pg_server, engine):
    if pg_server is None:
        pytest.skip("needs the PostgreSQL server of scripts/test_postgres.sh")
    from sqlalchemy import inspect

    tables = sorted(inspect(engine).get_table_names())
    url = engine.url.render_as_string(hide_password=False)
    address = ServerAddress.of(url)
    try_server(address, engine.url.password or "")
    assert sorted(inspect(engine).get_table_names()) == tables


def test_without_the_driver_the_clerk_is_told_it_is_not_installed(without_psycopg):
    with pytest.raises(DatabaseError, match="未安装 PostgreSQL 驱动"):
        check_server("postgresql://clerk@127.0.0.1:1/county")
