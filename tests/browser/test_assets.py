"""The page loads one script and one stylesheet, gzipped, cached for a year; index.html is
revalidated on every load."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from radar_api.static import IMMUTABLE

pytestmark = pytest.mark.browser


def test_one_script_one_stylesheet_gzipped_and_cached(page, site):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row").first).to_be_visible()
    # Every view's template is already there: opening the others asks for no file.
    for path, ready in [("/#/status", "#collector-outcome"), ("/#/compare", ".view-compare")]:
        page.goto(site + path)
        expect(page.locator(ready)).to_be_visible()
    page.wait_for_load_state("networkidle")

    files = [r for r in responses if "/v1/" not in r.url]
    by_type = {}
    for response in files:
        by_type.setdefault(response.request.resource_type, []).append(response)
    assert sorted(by_type) == ["document", "script", "stylesheet"], [r.url for r in files]
    (script,) = by_type["script"]
    (stylesheet,) = by_type["stylesheet"]
    for bundle in (script, stylesheet):
        assert "/assets/app." in bundle.url
        headers = bundle.all_headers()
        assert headers["cache-control"] == IMMUTABLE, bundle.url
        assert headers["content-encoding"] == "gzip", bundle.url
    document = by_type["document"][0].all_headers()
    assert document["cache-control"] == "no-cache"
    assert document["content-encoding"] == "gzip"


def test_a_second_visit_takes_the_bundles_from_the_cache(page, site):
    page.goto(site + "/#/systems")
    expect(page.locator(".system-row").first).to_be_visible()
    again = page.context.new_page()  # same browser cache
    again.goto(site + "/#/status")
    expect(again.locator("#collector-outcome")).to_be_visible()
    transferred = again.evaluate(
        "performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/assets/')).map(e => [e.name, e.transferSize])"
    )
    # Immutable: not even a revalidation goes out (transferSize 0 is a cache hit).
    assert len(transferred) == 2 and all(size == 0 for _, size in transferred), transferred
