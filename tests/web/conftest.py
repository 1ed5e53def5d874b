"""Fixtures of the web tests: the demo workspace built by the real stages, and logged-in
in-process clients, one per role."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package, which is not installed; httpx works.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from breachdesk.demo.generate import GenerateOptions
from breachdesk.demo.run import run_demo
from breachdesk.web import Role, add_user, create_app
from breachdesk.web.ratelimit import LoginLimits
from breachdesk.workspace import Workspace, open_workspace

PASSWORD = "correct horse battery staple 42"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> None:
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": csrf_of(form.text), "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The demo retailer after every stage (incident, scope, law, notify), 300 customers."""
    out: Path = tmp_path_factory.mktemp("web") / "demo"
    run = run_demo(GenerateOptions(out=out, customers=300, seed=11))
    assert not run.failed, [(s.name, o.lines) for s, o in run.stages if o.status == "failed"]
    workspace = open_workspace(out)
    for role in Role:
        add_user(workspace.store, role.value, role.value, PASSWORD, actor="test")
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def clients(demo_workspace: Workspace) -> dict[str, TestClient]:
    """One logged-in client per role name; ``anonymous`` has no session."""
    app = create_app(demo_workspace, login_limits=LoginLimits(per_address=1000, per_account=100))
    out: dict[str, TestClient] = {"anonymous": TestClient(app)}
    for role in Role:
        client = TestClient(app)
        login(client, role.value)
        out[role.value] = client
    return out
