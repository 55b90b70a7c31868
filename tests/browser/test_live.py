"""Live: an open page follows /v1/stream and shows what the collector stores, without a
reload, and again after the API restarts (the browser's EventSource reconnects and resumes).

A stack of its own (simulator, collector, API), since these tests add data: the scenario ends
six hours ago, and each step lets simulated time catch up by a few hours, then polls.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import fmt
from tests.browser.helpers import eventually, own_stack

pytestmark = pytest.mark.browser
# The promise: shown within 5 s of the poll's commit.
SHOWN_WITHIN_S = 5


@pytest.fixture(scope="module")
def stack(tmp_path_factory, site):  # site: the built web client is there
    with own_stack(tmp_path_factory, "live-stream", timedelta(hours=6)) as stack:
        yield stack


def last_reports(base):
    body = requests.get(f"{base}/v1/systems", timeout=30).json()
    return {s["id"]: s["stats"]["last_report_at"] for s in body["systems"]}


def shown_last_reports(page):
    cells = page.locator(".system-row").evaluate_all(
        "rows => rows.map(r => [r.dataset.systemId,"
        " r.querySelector('.col-last_report_at time').getAttribute('title')])"
    )
    return {int(sid): title for sid, title in cells}


def assert_page_shows(page, base):
    expected = {sid: fmt.utc(at) for sid, at in last_reports(base).items()}
    assert shown_last_reports(page) == expected


def advance_until_new_reports(stack, base):
    """Let a few simulated hours pass and poll, until some system's last report moves."""
    before = last_reports(base)
    for _ in range(3):
        stack.advance(timedelta(hours=2))
        if last_reports(base) != before:
            return
    pytest.fail("three polls of two simulated hours each stored no new report")


def test_a_change_stored_by_the_collector_shows_without_reload_and_after_api_restart(
    page, stack
):
    base = stack.api.url
    page.goto(base + "/#/systems?sort=name")
    expect(page.locator(".system-row").first).to_be_visible()
    expect(page.locator("#live-state")).to_have_attribute("data-mode", "live")
    page.fill("#system-search", "i")  # the user's place, which updates must keep
    page.evaluate("window.__notReloaded = true")
    requests_before = len(page.watcher.api_requests("/v1/systems?"))

    advance_until_new_reports(stack, base)
    eventually(lambda: assert_page_shows_filtered(page, base, "i"), timeout=SHOWN_WITHIN_S)
    assert len(page.watcher.api_requests("/v1/systems?")) > requests_before
    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("#system-search")).to_have_value("i")

    # The API restarts: the stream reconnects by itself and the next change shows too.
    stack.api.stop()
    stack.api.start()
    expect(page.locator("#live-state")).to_have_attribute("data-mode", "live", timeout=15_000)
    advance_until_new_reports(stack, base)
    eventually(lambda: assert_page_shows_filtered(page, base, "i"), timeout=SHOWN_WITHIN_S)
    assert page.evaluate("window.__notReloaded") is True


def assert_page_shows_filtered(page, base, needle):
    body = requests.get(f"{base}/v1/systems", timeout=30).json()
    expected = {
        s["id"]: fmt.utc(s["stats"]["last_report_at"])
        for s in body["systems"]
        if needle in s["name"].lower() or needle in (s["username"] or "").lower()
    }
    assert shown_last_reports(page) == expected
