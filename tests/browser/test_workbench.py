"""The workbench in a real browser on the demo: log in, read an alert whose events carry a
planted script, open an incident from an alert, run scope, read the obligations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import HOSTILE_AGENT, Site, log_in

pytestmark = pytest.mark.slow


def test_login_shows_the_dashboard_with_the_demo_incident(
    page: Any, site: Site, artifacts: Path
) -> None:
    page.goto("/")
    assert "/login" in page.url  # not logged in: sent to the login form
    log_in(page, site, "admin")
    assert page.locator("h1").first.inner_text() == "Dashboard"
    incidents = page.locator("#open-incidents")
    assert re.search(r"INC-\d{4}-\d{4}", incidents.inner_text())
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    assert page.failed_loads == []
    assert page.console_errors == []


def test_wrong_password_is_refused(page: Any, site: Site) -> None:
    page.goto("/login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "/login" in page.url
    assert page.locator("[role=alert]").count() == 1


def _attack_alert_path(page: Any, site: Site) -> str:
    """The alert of the attacker's first address (the planted request is one of its)."""
    truth = json.loads((site.workspace / "truth.json").read_text(encoding="utf-8"))
    page.goto("/alerts")
    row = page.locator("#alerts tbody tr", has_text=truth["attack"]["ips"][0]).first
    href: str = row.locator("a[href^='/alerts/']").first.get_attribute("href")
    return href


def test_script_in_a_user_agent_is_shown_as_text_and_never_runs(
    page: Any, site: Site, artifacts: Path
) -> None:
    log_in(page, site, "responder")
    page.goto(_attack_alert_path(page, site))
    events = page.locator("#events")
    cell = events.locator("td", has_text="window.__bdPwned = 1").first
    assert cell.inner_text().strip() == HOSTILE_AGENT
    # Nothing the attacker wrote became markup, and nothing of it ran.
    assert page.evaluate("() => window.__bdPwned === undefined")
    assert events.locator("script, img").count() == 0
    cell.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "alert-with-hostile-agent.png"), full_page=True)


def test_open_an_incident_from_an_alert(page: Any, site: Site, artifacts: Path) -> None:
    log_in(page, site, "responder")
    page.goto("/alerts")
    free = page.locator("#alerts tbody tr", has_text="none").first
    free.locator("a[href^='/alerts/']").first.click()
    page.wait_for_load_state()
    page.fill("#open-incident input[name=title]", "Browser test: suspicious reads")
    page.locator("#open-incident button[type=submit]").click()
    page.wait_for_load_state()
    assert re.search(r"/incidents/INC-\d{4}-\d{4}$", page.url), page.url
    assert "Browser test: suspicious reads" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "incident-opened-from-alert.png"), full_page=True)


def _demo_incident(page: Any) -> str:
    """The demo's own incident: the first one opened (other tests open more)."""
    page.goto("/incidents")
    links = page.locator("a[href^='/incidents/INC-']")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    return min(h for h in hrefs if re.fullmatch(r"/incidents/INC-\d{4}-\d{4}", h))


def test_run_scope_from_the_incident_page(page: Any, site: Site, artifacts: Path) -> None:
    log_in(page, site, "responder")
    page.goto(_demo_incident(page))
    before = page.locator("#scope-summary").inner_text()
    with page.expect_navigation(timeout=180_000):
        page.locator("#scope-run").click()
    affected = page.locator("#scope-affected")
    assert int(affected.get_attribute("data-affected")) > 0
    assert page.locator("#scope-summary").inner_text() != before  # a new run, newer time
    page.locator("#scope").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "incident-scope.png"), full_page=True)


def test_legal_reads_the_obligations_with_deadlines(page: Any, site: Site, artifacts: Path) -> None:
    log_in(page, site, "legal")
    page.goto(_demo_incident(page))
    required = page.locator("#obligations-table tr.obligation[data-required=yes]")
    assert required.count() >= 1
    text = page.locator("#obligations-table").inner_text()
    assert "GDPR" in text
    assert re.search(r"\d{4}-\d{2}-\d{2}", text)  # deadlines are shown
    page.locator("#obligations-table").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "incident-obligations.png"), full_page=True)
