"""An administrator's name and password for the privileged commands.

Users, restore, exports with full ID numbers and the audit export are refused unless an
administrator signs in: the name from `--admin` or the environment variable HUITOUKAN_ADMIN,
the password typed (never echoed) or, for scripts, from HUITOUKAN_ADMIN_PASSWORD. The sign-in
goes through the same checks as the window's (wrong passwords slowed down, the account locked
at the tenth, each logged), and the command's changes are logged under the administrator's
name with the source 命令行. Every other command stays scriptable without a password.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING

from desktop.commands.common import fail
from desktop.errors import AppError
from desktop.models.safety import SOURCE_CLI
from desktop.services.actor import Actor, CurrentUser
from desktop.services.safety.audit import acting_as
from desktop.services.safety.auth import PERMISSION_LABELS, can

if TYPE_CHECKING:
    from desktop.services.context import AppServices

ENV_ADMIN = "HUITOUKAN_ADMIN"
ENV_ADMIN_PASSWORD = "HUITOUKAN_ADMIN_PASSWORD"


def add_admin_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--admin NAME` to a privileged command."""
    parser.add_argument(
        "--admin",
        metavar="用户名",
        default=None,
        help=f"管理员用户名（或环境变量 {ENV_ADMIN}）；密码交互输入，"
        f"脚本中取自环境变量 {ENV_ADMIN_PASSWORD}",
    )


def _credentials(args: argparse.Namespace, what: str) -> tuple[str, str]:
    name = (getattr(args, "admin", None) or os.environ.get(ENV_ADMIN) or "").strip()
    password = os.environ.get(ENV_ADMIN_PASSWORD)
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if not name and interactive:
        name = input(f"{what}需要管理员登录。管理员用户名：").strip()
    if not name:
        fail(
            f"{what}需要管理员登录：请用 --admin 指定管理员用户名"
            f"（脚本中可设环境变量 {ENV_ADMIN} 和 {ENV_ADMIN_PASSWORD}）",
            1,
        )
    if password is None and interactive:
        password = getpass.getpass(f"管理员“{name}”的密码：")
    if not password:
        fail(
            f"{what}需要管理员“{name}”的密码：请在提示时输入"
            f"（脚本中可设环境变量 {ENV_ADMIN_PASSWORD}）",
            1,
        )
    return name, password


def sign_in_admin(services: AppServices, args: argparse.Namespace, permission: str) -> CurrentUser:
    """Sign an administrator in for a privileged command, or exit with the reason in Chinese."""
    what = PERMISSION_LABELS[permission]
    if not services.auth.has_users():
        fail(
            f"{what}需要管理员登录，但这个数据库还没有用户："
            "请先用 huitoukan user add 用户名 --role 管理员 创建管理员",
            1,
        )
    name, password = _credentials(args, what)
    try:
        user = services.auth.sign_in(name, password)  # slowed down, locked, logged as the window
    except AppError as exc:
        fail(f"{exc}。命令未执行。", 1)
    if not can(user, permission):
        fail(f"“{user.name}”不是管理员，不能{what}。命令未执行。", 1)
    return user


@contextmanager
def as_admin(
    services: AppServices, args: argparse.Namespace, permission: str
) -> Iterator[CurrentUser]:
    """Sign an administrator in and log the block's changes under their name (source 命令行)."""
    user = sign_in_admin(services, args, permission)
    services.user = user
    with acting_as(Actor(user.name, SOURCE_CLI)):
        yield user


def admin_when(
    needed: bool, services: AppServices, args: argparse.Namespace, permission: str
) -> AbstractContextManager:
    """`as_admin` when a command's option makes it privileged (`--full-ids`), else nothing."""
    return as_admin(services, args, permission) if needed else nullcontext()
