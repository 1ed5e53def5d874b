"""Browser tests: Playwright drives Debian's Chromium against ``breachdesk serve`` on a demo
workspace (real server process, real browser, real demo data).

Locally they skip, with the reason, when no Chromium is found; under CI=true a missing
Chromium is a failure (``.ci/run`` installs Debian's ``chromium`` package).
Screenshots land in ``test-artifacts/browser/`` (or ``$BREACHDESK_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from breachdesk.demo.generate import GenerateOptions, generate_retailer
from breachdesk.demo.stages import demo_stages
from breachdesk.workspace import open_workspace

ROOT = Path(__file__).resolve().parents[2]
# Planted in a log's user agent: it must show as text and never run.
HOSTILE_AGENT = '"><script>window.__bdPwned = 1</script><img src=x onerror="window.__bdPwned=2">'
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    wanted = os.environ.get("BREACHDESK_TEST_CHROMIUM")
    if wanted:
        return wanted if Path(wanted).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        reason = "no Chromium found (install Debian's chromium, or set BREACHDESK_TEST_CHROMIUM)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}: browser tests must run under CI")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("BREACHDESK_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def plant_hostile_agent(out: Path) -> None:
    """Append one attacker request, with a script in its user agent, to the gateway log of
    the attack's day (a copy of the attack's first gateway request)."""
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    day = truth["attack"]["start"][:10]
    log = out / "logs" / "gateway" / f"gateway-{day}.jsonl"
    for line in log.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("client_ip") in truth["attack"]["ips"]:
            record["user_agent"] = HOSTILE_AGENT
            record["request_id"] = "planted-hostile-agent"
            with log.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
            return
    raise AssertionError(f"no attack request in {log}")


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Path:
    """The demo retailer with every stage run, one hostile user agent planted in its logs."""
    out = tmp_path_factory.mktemp("browser") / "demo"
    generate_retailer(GenerateOptions(out=out, customers=400, days=14, seed=11))
    plant_hostile_agent(out)
    workspace = open_workspace(out)
    try:
        for stage in demo_stages():
            if stage.run is not None and stage.name != "web":
                stage.run(workspace)
    finally:
        workspace.close()
    return out


@dataclass(frozen=True)
class Site:
    url: str
    workspace: Path
    users: dict[str, str]  # role → password; the account is named after its role


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"breachdesk serve exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("breachdesk serve did not start listening")


@pytest.fixture(scope="session")
def site(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``breachdesk serve`` (the real command, in its own process) on the demo workspace."""
    from breachdesk.web import add_user, create_admin_once, generate_password

    workspace = open_workspace(demo_workspace)
    try:
        users = {"admin": create_admin_once(workspace, actor="browser tests")}
        for role in ("responder", "legal", "viewer"):
            users[role] = generate_password()
            add_user(workspace.store, role, role, users[role], actor="browser tests")
    finally:
        workspace.close()
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [sys.executable, "-m", "breachdesk", "-w", str(demo_workspace), "serve"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            _wait_for(port, process, time.monotonic() + 60)
        except AssertionError as exc:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise AssertionError(f"{exc}; its output ends:\n{tail}") from None
        yield Site(f"http://127.0.0.1:{port}", demo_workspace, users)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    """Chromium through Playwright's sync API, for one module: that API runs an event loop
    in this thread while it is open, which would break later tests that use asyncio."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(site: Site, browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) with its page; console errors and failed loads
    collected.

    ``site`` comes first: Playwright's sync API runs an event loop in this thread, and the
    demo's stages (run for ``site``) use ``asyncio.run``, which refuses to nest in one.
    """
    context = browser.new_context(base_url=site.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.console_errors = []
    page.failed_loads = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on(
        "response",
        lambda r: r.status >= 400 and page.failed_loads.append(f"{r.status} {r.url}"),
    )
    try:
        yield page
    finally:
        context.close()


def log_in(page: Any, site: Site, role: str) -> None:
    page.goto("/login")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", site.users[role])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"login as {role} failed: {page.url}"
