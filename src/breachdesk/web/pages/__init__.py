"""The workbench's pages: one router module each; ``ROUTERS`` lists them for ``create_app``."""

from fastapi import APIRouter

from breachdesk.web.pages import (
    alerts,
    audit,
    dashboard,
    incidents,
    inventory,
    phishing,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    dashboard.router,
    alerts.router,
    incidents.router,
    inventory.router,
    phishing.router,
    audit.router,
    users.router,
)

__all__ = ["ROUTERS"]
