"""The projects and events pages render the API's data, fit a phone, and keep Gerrit's
strings as text."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser import fmt
from tests.browser.helpers import XSS_NAME, screenshot

pytestmark = pytest.mark.browser


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{width}px wide"


def test_projects_list_and_a_project_page(page, site, api):
    projects = api.get("projects")["projects"]
    page.goto(site + "/#/projects")
    expect(page.locator(".project-row")).to_have_count(len(projects))
    expect(page.locator(".project-row .project-link")).to_have_text([p["name"] for p in projects])
    busiest = max(projects, key=lambda p: p["systems"])
    page.click(f'.project-link:text-is("{busiest["name"]}")')
    expect(page.locator("#project-name")).to_have_text(busiest["name"])

    systems = [s for s in api.systems(project=busiest["name"])
               if s["stats"]["patchsets_eligible"] or s["stats"]["reports"]]
    rows = page.locator(".project-system")
    expect(rows).to_have_count(len(systems))
    for system in systems:
        row = page.locator(f'.project-system[data-system-id="{system["id"]}"]')
        expect(row.locator(".col-status")).to_have_text(fmt.STATUS_LABELS[system["health"]["status"]])
        expect(row.locator(".col-coverage")).to_have_text(fmt.percent(system["health"]["coverage"]))
        expect(row.locator(".col-reports")).to_have_text(str(system["stats"]["reports"]))
    # A system's link keeps the project: its page then shows the figures on this project.
    href = rows.first.locator(".system-link").get_attribute("href")
    assert "project=" in href
    screenshot(page, "project")


def test_events_page_shows_every_kind(page, site, api):
    events = api.get("events")["events"]  # the first page, of the server's size
    assert events, "the collector's first poll records events"
    page.goto(site + "/#/events")
    expect(page.locator(".event-row")).to_have_count(len(events))
    assert [int(r.get_attribute("data-event-id")) for r in page.locator(".event-row").all()] == [
        e["id"] for e in events]
    status = next(e for e in events if e["kind"] == "status")
    row = page.locator(f'.event-row[data-event-id="{status["id"]}"]')
    expect(row.locator(".event-summary")).to_contain_text(fmt.STATUS_LABELS[status["data"]["to"]])
    screenshot(page, "events")
    # A kind the page does not know (alerts come later) shows as its data.
    page.route("**/v1/events*", lambda route: route.fulfill(
        response=route.fetch(), body=json.dumps({"events": [
            {"id": 9999, "at": "2026-11-23T10:00:00Z", "kind": "alert", "system_id": None,
             "data": {"state": "open", "channel": "slack"}}], "next": None})))
    page.reload()
    expect(page.locator(".event-row.event-alert .event-summary")).to_have_text(
        "state: open · channel: slack")


@pytest.mark.parametrize("path", ["/#/projects", "/#/events"])
def test_pages_fit_a_phone_and_keep_gerrit_strings_as_text(browser, site, path):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def poison(route):
        body = route.fetch().json()
        for project in body.get("projects", [])[:1]:  # names are unique
            project["name"] = XSS_NAME
        for event in body.get("events", [])[:1]:
            event["data"] = {**event["data"], "username": XSS_NAME, "reasons": [XSS_NAME],
                             "query": XSS_NAME}
        route.fulfill(response=route.fetch(), body=json.dumps(body))

    page.route("**/v1/projects", poison)
    page.route("**/v1/events*", poison)
    page.goto(site + path)
    row = page.locator(".project-row, .event-row").first
    expect(row).to_contain_text(XSS_NAME)
    fits(page)
    assert page.locator('img[src="x"]').count() == 0 and not dialogs
    context.close()
