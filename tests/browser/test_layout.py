"""Layout: what a page shows and where, at phone width and on views the window does not
affect."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _checked, _new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, site):
    yield from _checked(*_new_page(browser, "phone"))


def within_the_screen(page, locator):
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_collector_polls_show_their_errors_on_a_phone(phone, site, api):
    polls = api.get("status")["collector"]["polls"]
    assert polls, "the live stack has polled"
    phone.goto(site + "/#/status")
    first = phone.locator(".poll-row").first
    errors = first.locator(".poll-errors")
    expect(errors).to_be_visible()
    expect(errors).to_have_text(str(polls[0]["errors"]))
    # Its label says what the number is, since the header row is gone at this width.
    assert phone.evaluate(
        "el => getComputedStyle(el, '::before').content", errors.element_handle()
    ) == '"Errors"'
    for cell in first.locator("td:visible").all():
        assert within_the_screen(phone, cell), cell.text_content()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.viewport_size["width"]


@pytest.mark.parametrize(
    "path,shown",
    [
        ("/#/systems", True),
        ("SYSTEM", True),
        ("/#/compare", True),
        ("CHANGE", False),
        ("/#/changes", False),
        ("/#/status", False),
    ],
)
def test_window_and_project_pickers_only_where_they_matter(page, site, sample, path, shown):
    path = {"SYSTEM": f"/#/systems/{sample.system['id']}",
            "CHANGE": f"/#/changes/{sample.change['number']}"}.get(path, path)  # fmt: skip
    page.goto(site + path + ("&" if "?" in path else "?") + "window=30d")
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator("#project-select")).to_have_count(1 if shown else 0)
    expect(page.locator('button[data-window="30d"]')).to_have_count(1 if shown else 0)
    # Hidden or not, the window stays in the links, for the views that use it.
    expect(page.locator('.nav-link:has-text("Leaderboard")')).to_have_attribute(
        "href", "#/systems?window=30d"
    )


def test_the_pickers_come_back_when_leaving_the_collector(page, site):
    page.goto(site + "/#/status")
    expect(page.locator("#collector-outcome")).to_be_visible()
    expect(page.locator(".toolbar")).to_have_count(0)
    page.click('.nav-link:has-text("Leaderboard")')
    expect(page.locator(".toolbar")).to_be_visible()
    expect(page.locator("#project-select")).to_be_visible()
