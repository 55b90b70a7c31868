"""Each view renders, at desktop and phone width, and shows the API's own figures."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import fmt
from tests.browser.helpers import screenshot

pytestmark = pytest.mark.browser


def view_paths(sample):
    compare = ",".join(str(s["id"]) for s in [sample.system, *sample.others])
    change = f"/#/changes/{sample.change['number']}?report={sample.report_id}"
    return {
        "leaderboard": ("/#/systems", ".system-row"),
        "system": (f"/#/systems/{sample.system['id']}", "#system-name"),
        "compare": (f"/#/compare?systems={compare}", ".compare-table"),
        "change": (change, ".change-grid"),
        "status": ("/#/status", "#collector-outcome"),
        "project": (f"/#/projects/{sample.change['project']}", ".project-system"),
        "events": ("/#/events", ".event-row"),
    }


@pytest.mark.parametrize(
    "view", ["leaderboard", "system", "compare", "change", "status", "project", "events"]
)
def test_view_renders(sized_page, site, sample, view):
    path, ready = view_paths(sample)[view]
    sized_page.goto(site + path)
    expect(sized_page.locator(ready).first).to_be_visible()
    expect(sized_page.locator(".state-error")).to_have_count(0)
    expect(sized_page.locator("#api-down-banner")).to_have_count(0)
    # Usable on a phone: the page itself never scrolls sideways (wide tables scroll inside).
    width = sized_page.evaluate("document.documentElement.scrollWidth")
    assert width <= sized_page.viewport_size["width"], f"{view} is {width}px wide"
    if view in ("system", "compare"):
        expect(sized_page.locator("canvas").first).to_be_visible()
    screenshot(sized_page, view)


def test_root_redirects_to_leaderboard_keeping_window(page, site):
    page.goto(site + "/#/nowhere?window=30d")
    expect(page.locator(".system-row").first).to_be_visible()
    assert "#/systems?window=30d" in page.url


def test_leaderboard_shows_api_figures(page, site, api):
    page.goto(site + "/#/systems")
    systems = api.systems()
    rows = page.locator(".system-row")
    expect(rows).to_have_count(len(systems))
    for system in systems:
        row = page.locator(f'.system-row[data-system-id="{system["id"]}"]')
        health, stats = system["health"], system["stats"]
        expect(row.locator(".col-name .system-link")).to_have_text(system["name"])
        expect(row.locator(".col-status")).to_have_text(fmt.STATUS_LABELS[health["status"]])
        expect(row.locator(".col-score")).to_have_text(fmt.score(health["score"]))
        expect(row.locator(".col-coverage")).to_have_text(fmt.percent(health["coverage"]))
        expect(row.locator(".col-timeliness")).to_have_text(fmt.percent(health["timeliness"]))
        expect(row.locator(".col-success_rate")).to_have_text(fmt.percent(health["success_rate"]))
        expect(row.locator(".col-latency_p50_s")).to_have_text(fmt.duration(stats["latency_p50_s"]))
        expect(row.locator(".col-last_report_at time")).to_have_attribute(
            "title", fmt.utc(stats["last_report_at"])
        )
    # Failing and silent systems are listed again at the top, in the attention panel.
    troubled = [s for s in systems if s["health"]["status"] in ("failing", "silent")]
    expect(page.locator(".attention-item")).to_have_count(len(troubled))


def test_leaderboard_sorts_filters_and_searches(page, site, api):
    systems = api.systems()
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row")).to_have_count(len(systems))

    page.click('button[data-sort="name"]')
    assert "sort=name" in page.url
    names = sorted((s["name"] for s in systems), key=str.lower)
    expect(page.locator(".system-row .system-link")).to_have_text(names)
    page.click('button[data-sort="name"]')
    assert "sort=-name" in page.url
    expect(page.locator(".system-row .system-link")).to_have_text(names[::-1])

    status = systems[0]["health"]["status"]
    page.click(f'.chip[data-status="{status}"]')
    assert f"status={status}" in page.url
    expect(page.locator(".system-row")).to_have_count(
        sum(1 for s in systems if s["health"]["status"] == status)
    )
    page.click(f'.chip[data-status="{status}"]')

    target = systems[-1]
    page.fill("#system-search", target["name"][:6])
    expected = [s for s in systems if target["name"][:6].lower() in s["name"].lower()
                or target["name"][:6].lower() in s["username"].lower()]  # fmt: skip
    expect(page.locator(".system-row")).to_have_count(len(expected))
    assert "q=" in page.url
    # The sorted, filtered list is a bookmark: reloading gives the same rows.
    page.reload()
    expect(page.locator(".system-row")).to_have_count(len(expected))


def test_system_view_shows_api_figures(page, site, api, sample):
    sid = sample.system["id"]
    system = api.get(f"systems/{sid}")
    jobs = api.get(f"systems/{sid}/jobs")["jobs"]
    reports, _ = api.reports(sid)
    page.goto(site + f"/#/systems/{sid}")

    expect(page.locator("#system-name")).to_have_text(system["name"])
    expect(page.locator("#system-score")).to_have_text(fmt.score(system["health"]["score"]))
    expect(page.locator("#stat-reports")).to_have_text(f"{system['stats']['reports']:,}")
    expect(page.locator("#stat-rechecks")).to_have_text(f"{system['stats']['rechecks']:,}")
    expect(page.locator("#stat-flaky")).to_have_text(f"{system['stats']['flaky_patchsets']:,}")
    expect(page.locator("#stat-latency-p50")).to_have_text(
        fmt.duration(system["stats"]["latency_p50_s"])
    )
    for key in ("coverage", "timeliness", "success_rate", "stability"):
        expect(page.locator(f'[data-component="{key}"] .component-value')).to_have_text(
            fmt.percent(system["health"][key])
        )
    expect(page.locator(".reasons li")).to_have_count(len(system["reasons"]))

    expect(page.locator(".job-row")).to_have_count(len(jobs))
    first_job = page.locator(".job-row").first
    expect(first_job.locator(".job-name")).to_have_text(jobs[0]["name"])
    expect(first_job.locator(".job-runs")).to_have_text(str(jobs[0]["runs"]))
    failure_rate = None if jobs[0]["success_rate"] is None else 1 - jobs[0]["success_rate"]
    expect(first_job.locator(".job-failure-rate")).to_have_text(fmt.percent(failure_rate))
    non_voting = sum(1 for job in jobs if job["voting"] is False)
    expect(page.locator(".job-row .tag")).to_have_count(non_voting)

    expect(page.locator(".report-row")).to_have_count(len(reports))
    newest = page.locator(".report-row").first
    expect(newest).to_have_attribute("data-report-id", str(reports[0]["id"]))
    if reports[0]["gerrit_url"]:
        expect(newest.locator(".gerrit-link")).to_have_attribute("href", reports[0]["gerrit_url"])
    logged = [job for job in reports[0]["jobs"] if job["url"]]
    expect(newest.locator(".log-link")).to_have_count(len(logged))
    contacts = system["contacts"]
    if contacts.get("email"):
        expect(page.locator("#contacts")).to_contain_text(contacts["email"])


def test_system_reports_page_on(page, site, api, sample):
    sid = sample.system["id"]
    reports, following = api.reports(sid)
    if not following:
        pytest.skip("the busiest system has a single page of reports")
    page.goto(site + f"/#/systems/{sid}")
    expect(page.locator(".report-row")).to_have_count(len(reports))
    page.click("#more-reports")
    expect(page.locator(".report-row")).not_to_have_count(len(reports))


def test_compare_view_shows_api_figures(page, site, api, sample):
    chosen = [sample.system, *sample.others]
    ids = ",".join(str(s["id"]) for s in chosen)
    page.goto(site + f"/#/compare?systems={ids}")
    table = page.locator(".compare-table")
    expect(table.locator("thead th[data-system-id]")).to_have_count(len(chosen))
    by_id = {s["id"]: s for s in api.systems()}
    for system in chosen:
        current = by_id[system["id"]]
        score_cell = table.locator(f'tr[data-figure="Score"] td[data-system-id="{system["id"]}"]')
        expect(score_cell).to_have_text(fmt.score(current["health"]["score"]))
        coverage_cell = table.locator(
            f'tr[data-figure="Coverage"] td[data-system-id="{system["id"]}"]'
        )
        expect(coverage_cell).to_have_text(fmt.percent(current["health"]["coverage"]))
        # An age on screen, the exact time in the <time> (and so in the CSV export).
        last_report = table.locator(
            f'tr[data-figure="Last report"] td[data-system-id="{system["id"]}"] time'
        )
        expect(last_report).to_have_attribute("datetime", current["stats"]["last_report_at"])
        expect(last_report).to_have_text(re.compile(r" ago$|^just now$"))
    expect(page.locator("#compare-chart canvas")).to_be_visible()
    page.select_option("#compare-metric", "coverage")
    assert "metric=coverage" in page.url

    # Unpicking down to one system asks for another; the choice is in the URL.
    for system in chosen[1:]:
        page.click(f'.picker .chip[data-system-id="{system["id"]}"]')
    expect(page.locator("#compare-hint")).to_be_visible()
    assert f"systems={chosen[0]['id']}&" in page.url or page.url.endswith(
        f"systems={chosen[0]['id']}"
    )


def test_change_view_grid_and_report(page, site, sample):
    change = sample.change
    page.goto(site + "/#/changes")
    page.fill("#change-number", str(change["number"]))
    page.click(".change-search button[type=submit]")
    expect(page.locator("#change-subject")).to_have_text(change["subject"])
    assert f"#/changes/{change['number']}" in page.url

    grid = page.locator(".change-grid")
    expect(grid.locator("tbody tr")).to_have_count(len(change["patchsets"]))
    expect(grid.locator("thead th[data-system-id]")).to_have_count(len(change["systems"]))
    results = [(ps, r) for ps in change["patchsets"] for r in ps["results"]]
    expect(grid.locator(".cell-link")).to_have_count(len(results))

    patchset, result = results[-1]
    cell = grid.locator(
        f'tr[data-patchset="{patchset["number"]}"] td[data-system-id="{result["system_id"]}"] a'
    )
    expect(cell).to_contain_text(result["result"])
    cell.click()
    assert f"report={result['report_id']}" in page.url
    detail = page.locator("#report-detail")
    expect(detail).to_be_visible()
    expect(detail.locator(".report-jobs tbody tr")).to_have_count(len(result["jobs"]))


def test_change_view_unknown_change(page, site):
    page.goto(site + "/#/changes/999999999")
    expect(page.locator(".state-error")).to_contain_text("999999999")
    expect(page.locator("#api-down-banner")).to_have_count(0)


def test_unknown_system_shows_error(page, site):
    page.goto(site + "/#/systems/no-such-system-anywhere")
    expect(page.locator(".state-error")).to_be_visible()


def test_status_view_shows_api_figures(page, site, api):
    status = api.get("status")
    page.goto(site + "/#/status")
    collector = status["collector"]
    expect(page.locator("#collector-outcome")).to_have_text(collector["outcome"] or "never polled")
    expect(page.locator("#poll-interval")).to_have_text(fmt.duration(status["poll_interval"]))
    expect(page.locator(".poll-row")).to_have_count(len(collector["polls"]))
    if status.get("totals"):
        expect(page.locator("#total-reports")).to_have_text(f"{status['totals']['reports']:,}")
