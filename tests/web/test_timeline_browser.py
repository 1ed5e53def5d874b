"""The timeline chart's script in a real browser (Debian's Chromium through Playwright):
kind filter, drag zoom and hover details, under the workbench's CSP, with a ``<script>``
planted in an alert's principal that must stay text.

Skips with the reason when no Chromium is found; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from breachdesk.web import create_app
from breachdesk.web.ratelimit import LoginLimits
from breachdesk.web.roles import Role
from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path
from tests.web.conftest import PASSWORD, SCRIPT_NAME, USERS, Demo


def _chromium() -> str:
    found = chromium_path()
    if found is None:
        reason = "no Chromium found (install Debian's chromium; .ci/run does)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def server(demo: Demo) -> Iterator[str]:
    """The workbench on a free loopback port, served by uvicorn in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(demo.workspace, login_limits=LoginLimits(per_address=1000, per_account=100))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser_page(server: str) -> Iterator[tuple[Any, list[str]]]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    problems: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})

        def on_dialog(dialog: Any) -> None:
            problems.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        def on_console(message: Any) -> None:
            # Failed loads are checked by URL in on_response (the favicon request 404s).
            if message.type == "error" and not message.text.startswith("Failed to load"):
                problems.append(f"console: {message.text}")

        def on_response(response: Any) -> None:
            if response.status >= 400 and not response.url.endswith("/favicon.ico"):
                problems.append(f"{response.status} {response.url}")

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
        page.goto(f"{server}/login")
        page.fill("input[name=name]", USERS[Role.RESPONDER])
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")
        yield page, problems
        browser.close()


def _visible_dots(page: Any) -> int:
    return int(
        page.locator("#timeline-chart circle.entry:not(.filtered-out):not(.out-of-range)").count()
    )


def test_timeline_filters_zooms_and_details_in_the_browser(
    browser_page: tuple[Any, list[str]], server: str, demo: Demo
) -> None:
    page, problems = browser_page
    page.goto(f"{server}/incidents/{demo.incident_id}")
    chart = page.locator("#timeline-chart")
    assert chart.is_visible()
    rows = page.locator("#timeline-table tr[data-kind]")
    total = rows.count()
    assert total >= 3
    assert _visible_dots(page) == total

    # Filter: ticking one kind leaves only its dots and rows.
    page.check("#timeline-kind-case")
    case_rows = page.locator("#timeline-table tr[data-kind=case]").count()
    assert 0 < case_rows < total
    assert _visible_dots(page) == case_rows
    assert page.locator("#timeline-table tr[data-kind]:visible").count() == case_rows
    page.uncheck("#timeline-kind-case")
    assert _visible_dots(page) == total

    # Zoom: drag across the left fifth of the plot; "Show all" comes back.
    box = chart.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.19, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.30, y, steps=6)
    page.mouse.up()
    assert chart.get_attribute("data-zoomed") == "true"
    assert page.input_value("#timeline-since").endswith("Z")
    assert page.locator("#timeline-reset").is_visible()
    page.click("#timeline-reset")
    assert chart.get_attribute("data-zoomed") == "false"
    assert _visible_dots(page) == total

    # Hover: the planted <script> in the alert's principal is shown as text, never run.
    dot = page.locator("#timeline-chart circle.kind-first-malicious-event").first
    dot.hover()
    detail = page.locator("#timeline-detail").inner_text()
    assert SCRIPT_NAME in detail
    entry = dot.get_attribute("data-entry")
    assert "selected" in (page.locator(f"#entry-{entry}").get_attribute("class") or "")
    assert page.evaluate("document.querySelectorAll('#timeline-detail *').length") == 0
    assert problems == []
