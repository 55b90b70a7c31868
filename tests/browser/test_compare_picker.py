"""The compare picker: type to filter, pick with the keyboard, the choice in the URL."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import XSS_NAME, hash_query

pytestmark = pytest.mark.browser


def matching(systems, needle):
    needle = needle.lower()
    return sorted(
        (s for s in systems if needle in s["name"].lower() or needle in s["username"].lower()),
        key=lambda s: s["name"],
    )


def option_names(page):
    return page.locator("#system-options [role=option] .option-name").all_text_contents()


def chosen_ids(page):
    return [int(i) for i in hash_query(page.url).get("systems", "").split(",") if i]


def test_typing_filters_the_list(page, site, api):
    systems = api.systems()
    page.goto(site + "/#/compare")
    search = page.locator("#system-search")
    search.click()
    # Every system at first (they are the API's names, as text), in the page's order.
    expect(page.locator("#system-options [role=option]")).to_have_count(len(systems))
    names = option_names(page)
    assert sorted(names) == sorted(s["name"] for s in systems)
    for needle in ("jenkins", "ÜNÏ", "-ci", "flaky"):
        search.fill(needle)
        expected = matching(systems, needle)
        expect(page.locator("#system-options [role=option]")).to_have_count(len(expected))
        assert sorted(option_names(page)) == sorted(s["name"] for s in expected), needle
    search.fill("no system is called this")
    expect(page.locator("#system-options [role=option]")).to_have_count(0)
    expect(page.locator(".combo-none")).to_contain_text("No other system matches")


def test_picking_with_the_keyboard_keeps_the_choice_in_the_url(page, site, api):
    systems = api.systems()
    page.goto(site + "/#/compare")
    search = page.locator("#system-search")
    search.click()
    search.fill("ci")
    options = page.locator("#system-options [role=option]")
    expect(options).to_have_count(len(matching(systems, "ci")))
    offered = options.evaluate_all(
        "options => options.map(o => Number(o.dataset.systemId))"
    )
    by_id = {s["id"]: s for s in systems}
    first, second = by_id[offered[0]], by_id[offered[1]]
    # The first match is active as one types: Enter adds it.
    expect(search).to_have_attribute("aria-activedescendant", f"system-option-{first['id']}")
    search.press("Enter")
    expect(page.locator(f'.picker .chip[data-system-id="{first["id"]}"]')).to_be_visible()
    assert chosen_ids(page) == [first["id"]]
    # It is no longer offered; the arrow keys walk the others.
    expect(page.locator(f'#system-options [data-system-id="{first["id"]}"]')).to_have_count(0)
    expect(search).to_be_focused()
    search.fill("ci")
    search.press("ArrowDown")  # from the first match to the next
    search.press("ArrowUp")
    active = search.get_attribute("aria-activedescendant")
    assert active == f"system-option-{second['id']}"
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    assert chosen_ids(page) == [first["id"], second["id"]]
    expect(page.locator(".compare-table")).to_be_visible()
    # Escape closes the list; the back button and a reload keep the choice.
    search.press("Escape")
    expect(page.locator("#system-options")).to_be_hidden()
    expect(search).to_have_attribute("aria-expanded", "false")
    page.reload()
    expect(page.locator(".picker .chip")).to_have_count(2)
    page.go_back()
    expect(page.locator(".picker .chip")).to_have_count(1)


def test_a_click_picks_and_four_is_the_most(page, site, api):
    systems = sorted(api.systems(), key=lambda s: s["name"])
    ids = ",".join(str(s["id"]) for s in systems[:3])
    page.goto(site + f"/#/compare?systems={ids},{systems[0]['id']}")  # a repeat counts once
    expect(page.locator(".picker .chip")).to_have_count(3)
    search = page.locator("#system-search")
    search.click()
    page.click(f'#system-options [data-system-id="{systems[3]["id"]}"]')
    assert chosen_ids(page) == [s["id"] for s in systems[:4]]
    expect(search).to_be_disabled()
    expect(page.locator("#compare-chart canvas")).to_be_visible()
    # A chip removes its system, and the search box is back.
    page.click(f'.picker .chip[data-system-id="{systems[1]["id"]}"]')
    assert chosen_ids(page) == [systems[0]["id"], systems[2]["id"], systems[3]["id"]]
    expect(search).to_be_enabled()


def test_a_hostile_search_is_only_text(page, site):
    page.goto(site + "/#/compare")
    search = page.locator("#system-search")
    search.click()
    search.fill(XSS_NAME)
    expect(page.locator(".combo-none")).to_contain_text(XSS_NAME)
    assert page.locator('img[src="x"]').count() == 0
