"""The web stage of ``breachdesk demo``: an admin account with a one-time password, and how
to open the workbench on the demo workspace."""

from __future__ import annotations

import os
from pathlib import Path

from breachdesk.demo.stages import StageOutcome
from breachdesk.web.accounts import create_admin_once
from breachdesk.web.app import create_app, workbench_routes
from breachdesk.workspace import Workspace


def web_stage(workspace: Workspace) -> StageOutcome:
    create_app(workspace)  # refuses to build when a route has no permission
    password = create_admin_once(workspace)
    folder = _shown(workspace.root)
    return StageOutcome(
        "done",
        [
            f"Workbench: run 'breachdesk -w {folder} serve', open http://127.0.0.1:8000/ "
            f"and log in as admin with the one-time password {password}",
            "(shown once, stored only as an argon2id hash; a new demo run replaces it; "
            "change it with 'breachdesk user passwd admin')",
            "Customer portal of the same server: http://127.0.0.1:8000/portal/verify",
        ],
        {
            "routes": len(workbench_routes()),
            "workspace": folder,
            "admin_user": "admin",
            "admin_password": password,
        },
    )


def _shown(root: Path) -> str:
    try:
        relative = os.path.relpath(root)
    except ValueError:
        return str(root)
    return relative if not relative.startswith("..") else str(root)
