"""Browser tests: the web client in real headless Chromium against a live Radar API.

Debian's ``chromium`` is driven by Playwright (the ``browser`` fixture of tests/conftest.py,
one for the session); each test gets a fresh context (cookies, cache) and page. ``live_api``
(tests/conftest.py) serves the API and the web client with simulator data.

Set RADAR_SCREENSHOTS=1 to save a screenshot of each view at desktop and phone width, light
and dark, into docs/screenshots/<view>-<desktop|phone>[-dark].png
(test_views.py::test_view_renders).
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from radar_api.static import DEFAULT_ROOT as BUILT_CLIENT

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
SCHEMES = ["light", "dark"]  # prefers-color-scheme
# Generous for a loaded CI machine; a passing run waits far less.
TIMEOUT_MS = 15_000
# How the built index.html names its bundles (webclient/build.mjs).
BUNDLE = re.compile(r'"(assets/app\.\w+\.(?:js|css))"')
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def site(live_api):
    """The live API's base URL, once the built web client is known to be there."""
    index = BUILT_CLIENT / "index.html"
    named = BUNDLE.findall(index.read_text()) if index.is_file() else []
    missing = [name for name in ["index.html", *named] if not (BUILT_CLIENT / name).is_file()]
    if len(named) != 2:
        missing.append("the two bundles index.html names (assets/app.<hash>.js and .css)")
    if missing:
        pytest.fail(
            f"{BUILT_CLIENT} lacks {missing}: run `npm ci && npm run build` in webclient/ first"
        )
    return live_api.url.rstrip("/")


class Api:
    """The same API the page reads, fetched directly, to compare figures with the screen."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **params):
        response = self.http.get(f"{self.base}/v1/{path.lstrip('/')}", params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def systems(self, **params):
        """Every system, following ``next`` pages like the client does."""
        body = self.get("systems", **params)
        systems = list(body["systems"])
        while body.get("next"):
            marker = re.search(r"[?&]marker=([^&]+)", body["next"]).group(1)
            body = self.get("systems", **params, marker=marker)
            systems += body["systems"]
        return systems

    def reports(self, system_id, at_least=25, **params):
        """Newest reports, page after page until ``at_least`` (what the client shows first)."""
        body = self.get(f"systems/{system_id}/reports", limit=at_least, **params)
        reports = list(body["reports"])
        while body.get("next") and len(reports) < at_least:
            marker = re.search(r"[?&]marker=([^&]+)", body["next"]).group(1)
            body = self.get(f"systems/{system_id}/reports", limit=at_least, marker=marker, **params)
            reports += body["reports"]
        return reports, body.get("next")


@pytest.fixture(scope="session")
def api(site):
    return Api(site)


class Sample:
    """Interesting data picked from the live API: the busiest systems and a shared change."""

    def __init__(self, api):
        systems = api.systems()
        assert len(systems) >= 2, "the simulator should give several systems"
        busiest = sorted(systems, key=lambda s: -(s["stats"]["reports"] or 0))
        self.system = busiest[0]
        self.others = busiest[1:3]
        self.change, self.report_id = self._shared_change(api, busiest[:3])

    @staticmethod
    def _shared_change(api, systems):
        """A change with several patchsets and systems: the grid is then worth looking at."""
        best, best_size = None, -1
        seen = set()
        for system in systems:
            for report in api.get(f"systems/{system['id']}/reports", limit=15)["reports"]:
                if report["change"] in seen:
                    continue
                seen.add(report["change"])
                try:
                    change = api.get(f"changes/{report['change']}")
                except requests.HTTPError:
                    continue
                size = len(change["patchsets"]) * len(change["systems"])
                if size > best_size:
                    best, best_size = change, size
        assert best, "no report to take a change from"
        results = [r for ps in best["patchsets"] for r in ps["results"]]
        return best, results[-1]["report_id"]


@pytest.fixture(scope="session")
def sample(api):
    return Sample(api)


class Watcher:
    """What a page did that a test must not miss: errors, dialogs, API requests."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(msg.text)
                if msg.type == "error" and "Failed to load resource" not in msg.text
                else None
            ),
        )
        page.on("dialog", self._dialog)
        page.on("request", lambda req: self.requests.append(req.url) if "/v1/" in req.url else None)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def api_requests(self, path_part: str) -> list[str]:
        return [url for url in self.requests if path_part in url]


def _new_page(browser, viewport: str, scheme: str = "light"):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], color_scheme=scheme, locale="en-GB", timezone_id="UTC"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.watcher = Watcher(page)
    page.viewport_name, page.scheme = viewport, scheme
    return context, page


def _checked(context, page):
    """Yield ``page``; then fail the test if a script error or any dialog happened."""
    yield page
    watcher = page.watcher
    context.close()
    assert not watcher.dialogs, f"a dialog opened: {watcher.dialogs}"
    assert not watcher.errors, f"script errors: {watcher.errors}"


@pytest.fixture
def page(browser, site):
    """A desktop-sized page in the light theme."""
    yield from _checked(*_new_page(browser, "desktop"))


@pytest.fixture(params=SCHEMES)
def themed_page(request, browser, site):
    """A desktop-sized page, in the light and in the dark theme (prefers-color-scheme)."""
    yield from _checked(*_new_page(browser, "desktop", request.param))


@pytest.fixture(params=[(v, s) for s in SCHEMES for v in VIEWPORTS], ids="-".join)
def sized_page(request, browser, site):
    """At desktop and at phone width, light and dark."""
    yield from _checked(*_new_page(browser, *request.param))
