"""The web workbench (login, roles, pages) and the public portal, for ``breachdesk serve``.

``create_app(workspace)`` builds the ASGI app; ``create_admin_once`` gives the ``admin``
account a fresh one-time password (the demo prints it).
"""

from breachdesk.web.accounts import (
    UserAccount,
    add_user,
    create_admin_once,
    disable_user,
    generate_password,
    list_users,
    set_password,
)
from breachdesk.web.app import create_app
from breachdesk.web.roles import MATRIX, Permission, Role

__all__ = [
    "MATRIX",
    "Permission",
    "Role",
    "UserAccount",
    "add_user",
    "create_admin_once",
    "create_app",
    "disable_user",
    "generate_password",
    "list_users",
    "set_password",
]
