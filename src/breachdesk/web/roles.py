"""Who may do what in the workbench: the one permission matrix, checked on the server.

Every workbench route declares the single permission it needs (``app.py`` refuses to start
with a route that declares none); a role holds a fixed set of permissions. Change the
matrix here and only here; ``docs/web.md`` prints it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    RESPONDER = "responder"
    LEGAL = "legal"
    VIEWER = "viewer"


class Permission(StrEnum):
    # Dashboard, alert and incident lists and pages, inventory, watch list.
    VIEW = "view"
    # Open incidents from alerts, change an incident, its tasks, evidence, scope runs.
    RESPOND = "respond"
    # Obligations and notice campaigns (the law and notify stages).
    DECIDE = "decide"
    # Lists of affected persons (each view audited).
    PERSONS_VIEW = "persons.view"
    # Exports and downloads holding personal data (each audited).
    PERSONS_EXPORT = "persons.export"
    # Upload a reported email to score it.
    PHISHING_SCORE = "phishing.score"
    # Read the audit log.
    AUDIT_READ = "audit.read"
    # Accounts: add, disable, reset passwords.
    USERS_MANAGE = "users.manage"


MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.RESPONDER: frozenset(
        {
            Permission.VIEW,
            Permission.RESPOND,
            Permission.PERSONS_VIEW,
            Permission.PERSONS_EXPORT,
            Permission.PHISHING_SCORE,
        }
    ),
    Role.LEGAL: frozenset(
        {
            Permission.VIEW,
            Permission.DECIDE,
            Permission.PERSONS_VIEW,
            Permission.PERSONS_EXPORT,
        }
    ),
    Role.VIEWER: frozenset({Permission.VIEW}),
}


def allowed(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (unknown roles hold nothing)."""
    try:
        return permission in MATRIX[Role(role)]
    except ValueError:
        return False


def matrix_rows() -> list[tuple[str, list[bool]]]:
    """Permission → allowed per role (in ``Role`` order), for the users page and the docs."""
    return [(p.value, [p in MATRIX[r] for r in Role]) for p in Permission]
