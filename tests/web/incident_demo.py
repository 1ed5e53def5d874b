"""The demo retailer after every stage, for the incident page tests: built once per module by
``breachdesk demo``'s own walk (generate, inventory, ingest, detect, incident, scope, law,
notify), with one account per role and a logged-in client for each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from breachdesk.demo.generate import GenerateOptions
from breachdesk.demo.run import run_demo
from breachdesk.web import Role, add_user, create_app, set_password
from breachdesk.web.ratelimit import LoginLimits
from breachdesk.workspace import Workspace, open_workspace
from tests.web.conftest import PASSWORD, Client


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """300 customers, seed 11: about 30 s on a shared two-core machine."""
    out: Path = tmp_path_factory.mktemp("web-incident") / "demo"
    run = run_demo(GenerateOptions(out=out, customers=300, seed=11))
    assert not run.failed, [(s.name, o.lines) for s, o in run.stages if o.status == "failed"]
    workspace = open_workspace(out)
    for role in Role:
        if role is Role.ADMIN:  # the demo's web stage made it, with a one-time password
            set_password(workspace.store, "admin", PASSWORD, actor="test")
        else:
            add_user(workspace.store, role.value, role.value, PASSWORD, actor="test")
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def clients(demo_workspace: Workspace) -> Iterator[dict[str, Client]]:
    """One logged-in client per role name, and ``anonymous`` without a session."""
    app = create_app(demo_workspace, login_limits=LoginLimits(per_address=1000, per_account=100))
    out: dict[str, Client] = {"anonymous": Client(app)}
    for role in Role:
        client = Client(app)
        assert client.login(role.value).status_code == 303
        out[role.value] = client
    yield out
    for client in out.values():
        client.close()
