"""How the window and the sign-in dialog name the open database, and say when it is the demo."""

from __future__ import annotations

from desktop.services.connection import describe
from desktop.services.context import AppServices

DEMO_MARK = "演示数据"
DEMO_WARNING = "这是演示数据库：其中的户、人和问题都是虚构的，请不要录入真实信息。"
DEMO_STYLE = "background: #fff3cd; color: #7a4b00; padding: 6px; border: 1px solid #e0b252;"


def database_name(services: AppServices) -> str:
    """Return the open database's file name (the full path is in 关于 and the tooltip), or
    the county server's 服务器 host:port 上的 database."""
    if services.server_address is not None:
        return describe(services.server_address)
    path = services.db_path
    return path.name if path is not None else "内存数据库"


def is_demo(services: AppServices) -> bool:
    """True when the open database holds the demo township."""
    return services.registry.is_demo()


def window_caption(services: AppServices, app_title: str) -> str:
    """Return the main window's title: program, place, database file, and 演示数据 if so."""
    parts = [app_title]
    place = services.registry.title()
    if place:
        parts.append(place)
    parts.append(database_name(services))
    caption = " — ".join(parts)
    return f"【{DEMO_MARK}】{caption}" if is_demo(services) else caption
