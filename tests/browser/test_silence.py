"""Alerts and silences on the dashboard: open alerts and silences marked on the leaderboard and
the system page, and a silence created from the system page with a token.

A stack of its own (simulator, collector, API), since the test adds a silence.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from radar_core import tokens
from radar_core.db import transaction
from tests.browser.helpers import own_stack

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack(tmp_path_factory, site):  # site: the built web client is there
    with own_stack(tmp_path_factory, "silence") as stack:
        yield stack


def systems(base):
    return requests.get(f"{base}/v1/systems", timeout=30).json()["systems"]


def tagged(page, tag):
    """The ids of the leaderboard rows that carry ``tag`` (a .tag-<tag> element)."""
    return set(page.locator(".system-row").evaluate_all(
        f"rows => rows.filter(r => r.querySelector('.tag-{tag}')).map(r => +r.dataset.systemId)"
    ))


def test_alerts_and_a_silence_made_on_the_system_page(page, stack):
    base = stack.api.url.rstrip("/")
    with transaction(stack.engine) as session:
        token = tokens.create(session, "ops-desk", datetime.now(UTC).replace(tzinfo=None))
    alerting = {s["id"] for s in systems(base) if s["alert_open"]}
    assert alerting, "the scenario has failing or silent systems"

    page.goto(base + "/#/systems")
    expect(page.locator(".system-row")).to_have_count(len(systems(base)))
    assert tagged(page, "alert") == alerting
    assert tagged(page, "silenced") == set()

    target = min(alerting)
    page.goto(f"{base}/#/systems/{target}")
    expect(page.locator("#system-alert")).to_have_text("alert open")
    expect(page.locator("#system-silenced")).to_have_count(0)
    page.click("#silence summary")
    page.select_option("#silence-duration", "4h")
    page.fill("#silence-comment", "storage <b>upgrade</b>")
    page.fill("#silence-token", "radar_not-a-token")
    page.click("#silence-submit")
    expect(page.locator("#silence-error")).to_contain_text("unknown or revoked")
    assert requests.get(f"{base}/v1/silences", timeout=30).json() == {"silences": []}

    page.fill("#silence-token", token)
    page.click("#silence-submit")
    expect(page.locator("#silence-done")).to_contain_text("by ops-desk: storage <b>upgrade</b>")
    expect(page.locator("#system-silenced")).to_have_text("silenced")
    expect(page.locator("#silence-token")).to_have_value("")  # never kept
    [silence] = requests.get(f"{base}/v1/silences", timeout=30).json()["silences"]
    assert (silence["system_id"], silence["author"]) == (target, "ops-desk")
    starts = datetime.fromisoformat(silence["starts_at"].rstrip("Z"))
    ends = datetime.fromisoformat(silence["ends_at"].rstrip("Z"))
    assert ends - starts == timedelta(hours=4)

    page.goto(base + "/#/systems")
    expect(page.locator(".system-row")).to_have_count(len(systems(base)))
    assert tagged(page, "silenced") == {target}
