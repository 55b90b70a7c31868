"""The dark theme follows the system's prefers-color-scheme, charts included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Relative luminance (WCAG) of an element's computed colour property.
LUMINANCE = """
([selector, property]) => {
  const text = getComputedStyle(document.querySelector(selector))[property];
  const [r, g, b] = text.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
"""
# The colours the score chart was drawn with: tick labels and its line.
CHART_COLOURS = """
() => {
  const chart = Chart.getChart(document.querySelector('#chart-score canvas'));
  return {ticks: chart.scales.y.ticks.length && chart.options.scales.y.ticks.color,
          line: chart.data.datasets[0].borderColor,
          series: getComputedStyle(document.documentElement).getPropertyValue('--series-1').trim()};
}
"""


def luminance(page, selector, prop):
    return page.evaluate(LUMINANCE, [selector, prop])


def colour_luminance(page, colour):
    return page.evaluate(
        """(colour) => { const probe = document.createElement('i'); probe.style.color = colour;
        document.body.appendChild(probe); const c = getComputedStyle(probe).color; probe.remove();
        const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
        const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); }""",
        colour,
    )


def test_the_page_follows_the_colour_scheme(themed_page, site, sample):
    page = themed_page
    page.goto(site + f"/#/systems/{sample.system['id']}")
    expect(page.locator("#chart-score canvas")).to_be_visible()
    background = luminance(page, "body", "backgroundColor")
    card = luminance(page, ".card", "backgroundColor")
    text = luminance(page, "#system-name", "color")
    colours = page.evaluate(CHART_COLOURS)
    ticks = colour_luminance(page, colours["ticks"])
    if page.scheme == "dark":
        assert background < 0.02 and card < 0.03, (background, card)
        assert text > 0.7 and ticks > 0.4, (text, ticks)
    else:
        assert background > 0.8 and card > 0.9, (background, card)
        assert text < 0.05 and ticks < 0.1, (text, ticks)
    assert (text + 0.05) / (background + 0.05) > 7 or (background + 0.05) / (text + 0.05) > 7
    # The chart's series colour is the theme's.
    assert colours["line"] == colours["series"]


def test_switching_the_scheme_redraws_the_charts(page, site, sample):
    page.goto(site + f"/#/systems/{sample.system['id']}")
    expect(page.locator("#chart-score canvas")).to_be_visible()
    light = page.evaluate(CHART_COLOURS)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function(
        "(before) => Chart.getChart(document.querySelector('#chart-score canvas'))"
        ".data.datasets[0].borderColor !== before",
        arg=light["line"],
    )
    dark = page.evaluate(CHART_COLOURS)
    assert dark["line"] == dark["series"] != light["series"]
    assert colour_luminance(page, dark["ticks"]) > colour_luminance(page, light["ticks"])
    assert luminance(page, "body", "backgroundColor") < 0.02
