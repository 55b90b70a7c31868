"""How the web client behaves: URLs and history, the shared window and project, the API-down
banner, the auto-refresh, untrusted names, and readable contrast."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser import fmt
from tests.browser.helpers import XSS_NAME, eventually, hash_query, wait_until

pytestmark = pytest.mark.browser


def scores_on_screen(page) -> dict[int, str]:
    cells = page.locator(".system-row").evaluate_all(
        "rows => rows.map(r => [r.dataset.systemId,"
        " r.querySelector('.col-score').textContent.trim()])"
    )
    return {int(sid): text for sid, text in cells}


def assert_scores_match(page, systems):
    expected = {s["id"]: fmt.score(s["health"]["score"]) for s in systems}
    assert scores_on_screen(page) == expected


def test_navigation_and_back_button(page, site, api):
    systems = api.systems(window="30d")
    page.goto(site + "/#/systems?window=30d")
    expect(page.locator(".system-row")).to_have_count(len(systems))

    first = page.locator(".system-row .system-link").first
    name = first.text_content()
    first.click()
    expect(page.locator("#system-name")).to_have_text(name)
    # The window travels with every link.
    assert re.search(r"#/systems/\d+\?window=30d$", page.url), page.url

    page.click('.nav-link:has-text("Collector")')
    expect(page.locator("#collector-outcome")).to_be_visible()
    assert "#/status?window=30d" in page.url

    page.go_back()
    expect(page.locator("#system-name")).to_have_text(name)
    page.go_back()
    expect(page.locator(".system-row")).to_have_count(len(systems))
    assert "#/systems?window=30d" in page.url
    page.go_forward()
    expect(page.locator("#system-name")).to_have_text(name)


def test_changing_the_window_updates_url_and_data(page, site, api):
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row").first).to_be_visible()
    eventually(lambda: assert_scores_match(page, api.systems()))

    page.click('button[data-window="24h"]')
    assert "window=24h" in page.url
    eventually(lambda: assert_scores_match(page, api.systems(window="24h")))
    assert page.watcher.api_requests("/v1/systems?window=24h")
    expect(page.locator('button[data-window="24h"]')).to_have_attribute("aria-pressed", "true")

    page.click('button[data-window="30d"]')
    assert "window=30d" in page.url
    eventually(lambda: assert_scores_match(page, api.systems(window="30d")))

    # Back to the previous window: the URL is the state.
    page.go_back()
    assert "window=24h" in page.url
    eventually(lambda: assert_scores_match(page, api.systems(window="24h")))


def test_custom_window(page, site, api):
    today = datetime.now(UTC).date()
    since, until = (today - timedelta(days=10)).isoformat(), today.isoformat()
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row").first).to_be_visible()
    page.click('button[data-window="custom"]')
    page.fill("#custom-since", since)
    page.fill("#custom-until", until)
    page.click(".custom-window button[type=submit]")
    expect(page).to_have_url(re.compile(rf"since={since}&until={until}"))
    assert "window=" not in page.url
    eventually(lambda: assert_scores_match(page, api.systems(since=since, until=until)))


def test_project_filter(page, site, api):
    projects = [p for p in api.get("projects")["projects"] if p["systems"]]
    if not projects:
        pytest.skip("no project with systems")
    project = projects[0]["name"]
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row").first).to_be_visible()
    expect(page.locator(f'#project-select option[value="{project}"]')).to_have_count(1)
    page.select_option("#project-select", project)
    assert hash_query(page.url)["project"] == project
    eventually(lambda: assert_scores_match(page, api.systems(project=project)))
    # The project is kept when moving to another view.
    page.locator(".system-row .system-link").first.click()
    expect(page.locator("#system-name")).to_be_visible()
    assert hash_query(page.url)["project"] == project


def test_api_down_banner_appears_and_goes(page, site, api, live_api):
    page.goto(site + "/#/systems")
    rows = page.locator(".system-row")
    expect(rows.first).to_be_visible()
    count = rows.count()
    banner = page.locator("#api-down-banner")
    expect(banner).to_have_count(0)

    live_api.stop_api()
    try:
        page.click('button[data-window="24h"]')  # any request now fails
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("unreachable")
        # What was on screen stays there, marked stale, rather than vanishing.
        expect(rows).to_have_count(count)
    finally:
        live_api.start_api()
    # No reload, no click: the page notices the API is back and catches up by itself.
    expect(banner).to_have_count(0, timeout=20_000)
    eventually(lambda: assert_scores_match(page, api.systems(window="24h")), timeout=15)
    expect(page.locator(".state-stale")).to_have_count(0)


def refuse_stream(page):
    """Answer /v1/stream as a server with every stream slot taken does."""
    page.route("**/v1/stream*", lambda route: route.fulfill(
        status=503, content_type="application/json",
        body='{"faultcode": "Server", "faultstring": "too many open streams"}'))


def test_without_the_stream_refreshes_every_poll_interval_keeping_the_users_place(
    page, site, api
):
    interval = api.get("status")["poll_interval"]
    refuse_stream(page)
    page.clock.install()
    page.goto(site + "/#/systems?sort=name")
    expect(page.locator(".system-row").first).to_be_visible()
    # The footer says the page polls, and how often.
    expect(page.locator("#live-state")).to_have_attribute("data-mode", "polling")
    expect(page.locator("#live-state")).to_contain_text(
        f"Live updates off (the event stream is unavailable): refreshing every {interval // 60} min"
    )
    # The refresh is scheduled once /v1/status gave the interval: only then move the clock.
    expect(page.locator("#next-refresh")).to_be_visible()
    name = page.locator(".system-row .system-link").first.text_content()
    page.fill("#system-search", name)
    expect(page.locator(".system-row .system-link").first).to_have_text(name)
    before = len(page.watcher.api_requests("/v1/systems?"))

    page.clock.fast_forward((interval + 1) * 1000)
    wait_until(
        lambda: len(page.watcher.api_requests("/v1/systems?")) > before,
        "no refresh after one poll interval",
    )
    # Still the user's search, sort and list.
    expect(page.locator("#system-search")).to_have_value(name)
    expect(page.locator(".system-row .system-link").first).to_have_text(name)
    assert "sort=name" in page.url


def test_refresh_keeps_paged_reports_and_scroll(page, site, api, sample):
    """On a long system page, a refresh keeps the reports paged in and the scroll position."""
    interval = api.get("status")["poll_interval"]
    sid = sample.system["id"]
    refuse_stream(page)
    page.clock.install()
    page.goto(site + f"/#/systems/{sid}")
    rows = page.locator(".report-row")
    expect(rows.first).to_be_visible()
    if page.locator("#more-reports").count():
        shown = rows.count()
        page.click("#more-reports")
        expect(rows).not_to_have_count(shown)
    shown = rows.count()
    # Every panel drawn first: a panel above that arrives later moves the page by itself.
    expect(page.locator("#chart-score, #trend-empty").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.locator(".report-row").last.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    before = len(page.watcher.api_requests(f"/v1/systems/{sid}/reports"))
    # The refresh is scheduled once /v1/status gave the interval: only then move the clock.
    expect(page.locator("#next-refresh")).to_be_visible()

    page.clock.fast_forward((interval + 1) * 1000)
    wait_until(
        lambda: len(page.watcher.api_requests(f"/v1/systems/{sid}/reports")) > before,
        "no refresh after one poll interval",
        timeout=30,  # real time; once in CI none came within 10 s (cause not found)
    )
    page.wait_for_load_state("networkidle")
    assert rows.count() >= shown
    assert page.evaluate("window.scrollY") == scrolled


def _system_with_job(api, job_name):
    for system in api.systems(window="30d"):
        jobs = api.get(f"systems/{system['id']}/jobs", window="30d")["jobs"]
        if any(job["name"] == job_name for job in jobs):
            return system
    return None


def test_gerrit_names_are_shown_as_text(page, site, api):
    system = _system_with_job(api, XSS_NAME)
    assert system, (
        f"no job named exactly {XSS_NAME!r} in the API: the simulator posts one, so the"
        " collector must have altered the name (e.g. stripped its angle brackets)"
    )
    page.goto(site + f"/#/systems/{system['id']}?window=30d")
    job = page.locator(".job-name", has_text=XSS_NAME)
    expect(job).to_have_count(1)
    expect(job).to_have_text(XSS_NAME)
    assert page.locator('img[src="x"]').count() == 0
    # Its runs in the reports list are text too.
    expect(page.locator(".report-row").first).to_be_visible()
    assert page.locator('img[src="x"]').count() == 0

    # Typed into the search box, it is just a search.
    page.click(".nav-link >> text=Leaderboard")
    page.fill("#system-search", XSS_NAME)
    expect(page.locator(".empty")).to_contain_text("No system matches")
    assert page.locator('img[src="x"]').count() == 0
    assert not page.watcher.dialogs


CONTRAST_SCRIPT = """
(selectors) => {
  function rgb(text) {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(',').map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  function lum(c) {
    const f = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  const out = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      if (!el.textContent.trim() || !el.getClientRects().length) continue;
      const fg = rgb(getComputedStyle(el).color), bg = background(el);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      out.push([sel, el.textContent.trim().slice(0, 30), (a + 0.05) / (b + 0.05)]);
    }
  }
  return out;
}
"""
TEXT_SELECTORS = [
    "h1", "h2", "h3", ".subtitle", ".hint", ".muted", "th", "td", ".badge", ".chip",
    ".nav-link", ".toolbar-label", ".segment", ".attention-why", "a", ".figure dt", ".footer",
]  # fmt: skip


@pytest.mark.parametrize("path", ["/#/systems", "SYSTEM", "COMPARE", "CHANGE", "/#/status"])
def test_text_contrast_is_readable(themed_page, site, api, sample, path):
    """In the light and in the dark theme."""
    page = themed_page
    compared = ",".join(str(s["id"]) for s in [sample.system, *sample.others])
    path = {
        "SYSTEM": f"/#/systems/{api.systems()[0]['id']}",
        "COMPARE": f"/#/compare?systems={compared}",
        "CHANGE": f"/#/changes/{sample.change['number']}?report={sample.report_id}",
    }.get(path, path)
    page.goto(site + path)
    expect(page.locator(".state-loading")).to_have_count(0)
    expect(page.locator("main h1").first).to_be_visible()
    measured = page.evaluate(CONTRAST_SCRIPT, TEXT_SELECTORS)
    assert measured
    poor = [m for m in measured if m[2] < 4.5]
    assert not poor, f"text below WCAG AA 4.5:1: {poor[:10]}"
