"""The system page says since when and why: the status timeline, failures by result word and
by job, the reasons jobs gave, the patchsets it missed, and a reports list with filters; each
renders the API's own data, and Gerrit's strings stay text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import XSS_NAME, hash_query

pytestmark = pytest.mark.browser


def _most_missing(api):
    systems = api.systems()
    return max(systems, key=lambda s: (s["stats"]["patchsets_eligible"] or 0)
               - (s["stats"]["patchsets_reported"] or 0))


def _most_failing(api):
    return max(api.systems(),
               key=lambda s: (s["stats"]["failure"] or 0) + (s["stats"]["error"] or 0))


def test_timeline_failures_and_missed_render_the_apis_data(page, site, api):
    system = _most_failing(api)
    sid = system["id"]
    now = datetime.now(UTC).replace(tzinfo=None)
    history = api.get(f"systems/{sid}/history",
                      since=(now - timedelta(days=30)).isoformat(timespec="seconds"))
    failures = api.get(f"systems/{sid}/failures")
    missed = api.get(f"systems/{sid}/missed", limit=25)["patchsets"]
    page.goto(site + f"/#/systems/{sid}")

    # Timeline: one band per status held, in order, ending with the current status.
    changes = history["changes"]
    statuses = [changes[0]["from"], *(c["to"] for c in changes)] if changes else [
        system["health"]["status"]]
    bands = page.locator("#timeline .timeline-band")
    expect(bands).to_have_count(len(statuses))
    assert [b.get_attribute("data-status") for b in bands.all()] == statuses
    assert statuses[-1] == system["health"]["status"]

    words = [r for r in failures["by_result"] if r["result_class"] != "success"]
    assert words, "the most failing system should have failed reports"
    expect(page.locator(".result-word")).to_have_count(len(words))
    for word in words:
        expect(page.locator(f'.result-word[data-result="{word["result"]}"] .result-count')
               ).to_have_text(str(word["reports"]))
    top = [j for j in failures["by_job"] if j["per_day"] is not None]
    expect(page.locator(".failing-job")).to_have_count(len(top))
    expect(page.locator(".failing-job .failing-job-count")).to_have_text(
        [str(j["failures"]) for j in top])
    expect(page.locator(".reason-given")).to_have_count(min(10, len(failures["reasons"])))

    expect(page.locator(".missed-patchset")).to_have_count(len(missed))
    if missed:
        link = page.locator(".missed-patchset .gerrit-link").first
        expect(link).to_have_attribute("href", missed[0]["gerrit_url"])
        expect(link).to_have_text(f"{missed[0]['change']},{missed[0]['patchset']}")

    # 90 days: the same history asked over 90 days.
    page.click("#timeline-90")
    assert hash_query(page.url).get("timeline") == "90"
    expect(page.locator("#timeline-90")).to_have_attribute("aria-pressed", "true")


def test_silent_system_lists_its_missed_patchsets(page, site, api):
    system = _most_missing(api)
    missed = api.get(f"systems/{system['id']}/missed", limit=25)["patchsets"]
    gap = system["stats"]["patchsets_eligible"] - system["stats"]["patchsets_reported"]
    assert len(missed) == min(25, gap) > 0
    page.goto(site + f"/#/systems/{system['id']}")
    expect(page.locator(".missed-patchset")).to_have_count(len(missed))
    expect(page.locator(".missed-patchset .gerrit-link")).to_have_text(
        [f"{p['change']},{p['patchset']}" for p in missed])


def test_report_filters_page_through_the_api(page, site, api):
    system = _most_failing(api)
    sid = system["id"]
    failures = api.get(f"systems/{sid}/failures")
    word = next(r for r in failures["by_result"] if r["result_class"] != "success")
    page.goto(site + f"/#/systems/{sid}")
    page.click(f'.result-word[data-result="{word["result"]}"] button')
    assert hash_query(page.url)["result"] == word["result"]
    expected, _ = api.reports(sid, result=word["result"])
    rows = page.locator(".report-row")
    expect(rows).to_have_count(len(expected))
    assert [int(r.get_attribute("data-report-id")) for r in rows.all()] == [
        r["id"] for r in expected]

    # Job and change from the form; the URL keeps them (a bookmark).
    job = next(j["name"] for j in failures["by_job"] if j["name"])
    page.fill('#report-filters input[name="job"]', job)
    page.click('#report-filters button[type="submit"]')
    expected, _ = api.reports(sid, result=word["result"], job=job)
    expect(rows).to_have_count(len(expected))
    query = hash_query(page.url)
    assert (query["result"], query["job"]) == (word["result"], job)
    page.reload()
    expect(rows).to_have_count(len(expected))
    page.click("#clear-report-filters")
    assert "result" not in hash_query(page.url)
    expected, _ = api.reports(sid)
    expect(rows).to_have_count(len(expected))


def test_gerrit_strings_in_the_new_panels_show_as_text(page, site, api):
    """Job names, reasons, result words, subjects and projects come from Gerrit comments and
    changes: the API's answers are given HTML in every such string, which must show as text."""
    system = _most_failing(api)
    sid = system["id"]

    def poison(route):
        body = route.fetch().json()
        if "by_job" in body:
            for job in body["by_job"]:
                job["name"] = XSS_NAME
                job["results"] = [{"result": XSS_NAME, "runs": 1}]
            body["by_result"] = [{**r, "result": XSS_NAME} for r in body["by_result"]]
            body["reasons"] = [{"result": XSS_NAME, "detail": XSS_NAME, "runs": 1,
                                "jobs": [XSS_NAME], "last_at": None}]
        if "patchsets" in body:
            body["patchsets"] = [{**p, "subject": XSS_NAME, "project": XSS_NAME}
                                 for p in body["patchsets"]] or [{
                "id": 1, "project": XSS_NAME, "change": 1, "patchset": 1,
                "created": "2026-11-23T10:00:00Z", "subject": XSS_NAME, "gerrit_url": None}]
        route.fulfill(response=route.fetch(), body=json.dumps(body))

    page.route("**/v1/systems/*/failures*", poison)
    page.route("**/v1/systems/*/missed*", poison)
    page.goto(site + f"/#/systems/{sid}")
    expect(page.locator(".failing-job-name").first).to_have_text(XSS_NAME)
    expect(page.locator(".reason-detail").first).to_have_text(XSS_NAME)
    expect(page.locator(".missed-subject").first).to_have_text(XSS_NAME)
    expect(page.locator(".result-word").first).to_contain_text(XSS_NAME)
    assert page.locator('img[src="x"]').count() == 0
    assert not page.watcher.dialogs
