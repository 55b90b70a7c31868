"""The leaderboard at scale: a fixed number of API requests, the API's order and labels, and
since when each system is in its status."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import fmt

pytestmark = pytest.mark.browser
MAX_REQUESTS = 5


def test_leaderboard_needs_five_requests_whatever_the_systems(page, site, api):
    systems = api.systems()
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row")).to_have_count(len(systems))
    # Every sparkline drawn, from one /v1/trends call, with the API's scores.
    expect(page.locator("#leaderboard-table")).to_have_attribute("data-trends", "loaded")
    for trend in api.get("trends", window="7d", bucket="day")["trends"]:
        scores = [p["score"] for p in trend["points"] if p["score"] is not None]
        label = f"Daily score, from {scores[0]} to {scores[-1]}" if scores else "No daily scores"
        expect(page.locator(f'.system-row[data-system-id="{trend["system"]["id"]}"] '
                            ".col-trend svg")).to_have_attribute("aria-label", label)
    page.wait_for_load_state("networkidle")
    requests = page.watcher.requests
    assert len(requests) <= MAX_REQUESTS, requests
    assert len(page.watcher.api_requests("/v1/trends")) == 1, requests
    assert not [url for url in requests if "/trend?" in url], requests


def test_default_order_is_the_apis_severity_order(page, site, api):
    systems = api.systems()  # the API's default sort: severity
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row .system-link")).to_have_text([s["name"] for s in systems])
    expect(page.locator('th.col-severity')).to_have_attribute("aria-sort", "ascending")


def test_labels_and_statuses_come_from_the_catalogue(page, site, api):
    catalogue = api.get("figures")
    labels = {f["name"]: f["label"] for f in catalogue["figures"]}
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row").first).to_be_visible()
    for key in ("score", "coverage", "timeliness", "success_rate", "latency_p50_s",
                "last_report_at", "status_since"):
        expect(page.locator(f'button[data-sort="{key}"]')).to_contain_text(labels[key])
    chips = page.locator(".status-chips .chip")
    expect(chips).to_have_count(len(catalogue["statuses"]))
    for chip, status in zip(chips.all(), catalogue["statuses"], strict=True):
        assert chip.get_attribute("data-status") == status["name"]
        assert chip.get_attribute("title") == status["help"]
        expect(chip).to_contain_text(status["label"])


def test_status_since_on_the_leaderboard_and_the_system_page(page, site, api):
    systems = api.systems()
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row")).to_have_count(len(systems))
    dated = [s for s in systems if s["health"]["status_since"]]
    assert dated, "the engine's history should date some status"
    for system in systems:
        cell = page.locator(f'.system-row[data-system-id="{system["id"]}"] .col-status_since')
        since = system["health"]["status_since"]
        if since:
            expect(cell.locator("time")).to_have_attribute("title", fmt.utc(since))
        else:
            expect(cell).to_have_text("—")
    target = dated[0]
    page.goto(site + f"/#/systems/{target['id']}")
    since = fmt.utc(target["health"]["status_since"])
    expect(page.locator("#status-since time")).to_have_text(since)
    deadline = fmt.duration(api.get("figures")["thresholds"]["report_deadline_s"])
    expect(page.locator("#report-deadline")).to_have_text(deadline)
