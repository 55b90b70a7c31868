"""Charts that tell the truth: straight lines between the measured points, series that stay
visible when they overlap, the report deadline on the latency chart, and a clear message
instead of an empty frame when there is nothing to draw."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from radar_core import config

pytestmark = pytest.mark.browser

# What Chart.js resolved for each dataset of the chart in `selector` (the options it draws with).
CHART_STATE = """
(selector) => {
  const chart = Chart.getChart(document.querySelector(selector + ' canvas'));
  if (!chart) return null;
  return {
    type: chart.config.type,
    legend: chart.options.plugins.legend.display,
    lines: chart.options.plugins.referenceLines.lines,
    yMax: chart.scales.y.max,
    yTicks: chart.scales.y.ticks.map(t => t.label),
    datasets: chart.data.datasets.map((d, i) => {
      const meta = chart.getDatasetMeta(i);
      const line = meta.dataset ? meta.dataset.options : null;
      return {
        label: d.label,
        type: meta.type,
        values: d.data,
        tension: line ? line.tension : null,
        cubic: line ? line.cubicInterpolationMode : null,
        dash: line ? Array.from(line.borderDash) : null,
        pointStyle: meta.data.length ? meta.data[0].options.pointStyle : null,
      };
    }),
  };
}
"""

# How many pixels of the row at the deadline's height, right of its label, have its colour.
DEADLINE_PIXELS = """
(selector) => {
  const canvas = document.querySelector(selector + ' canvas');
  const chart = Chart.getChart(canvas);
  const deadline = chart.options.plugins.referenceLines.lines[0].value;
  const y = Math.round(chart.scales.y.getPixelForValue(deadline));
  const area = chart.chartArea;
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  const probe = document.createElement('span');
  probe.style.color = getComputedStyle(document.documentElement).getPropertyValue('--deadline');
  document.body.appendChild(probe);
  const want = getComputedStyle(probe).color.match(/\\d+/g).map(Number);
  probe.remove();
  const left = Math.round((area.left + area.width / 2) * ratio);
  const right = Math.round(area.right * ratio) - 2;
  const row = canvas.getContext('2d')
    .getImageData(left, Math.round(y * ratio), right - left, 1).data;
  let hits = 0;
  for (let i = 0; i < row.length; i += 4) {
    if (Math.abs(row[i] - want[0]) < 40 && Math.abs(row[i + 1] - want[1]) < 40
        && Math.abs(row[i + 2] - want[2]) < 40 && row[i + 3] > 200) hits++;
  }
  return hits / (row.length / 4);
}
"""


def deadline_hours() -> float:
    option = next(opt for opt in config.health_opts if opt.name == "report_deadline")
    return option.type(option.default).total_seconds() / 3600


def chart_state(page, selector):
    expect(page.locator(f"{selector} canvas")).to_be_visible()
    return page.evaluate(CHART_STATE, selector)


@pytest.fixture
def system_page(page, site, sample):
    page.goto(site + f"/#/systems/{sample.system['id']}")
    expect(page.locator("#chart-rates canvas")).to_be_visible()
    return page


def test_lines_are_straight_between_the_measured_points(system_page, api, sample):
    points = api.get(f"systems/{sample.system['id']}/trend", bucket="day")["points"]
    for selector in ("#chart-score", "#chart-rates"):
        state = chart_state(system_page, selector)
        for dataset in state["datasets"]:
            assert dataset["type"] == "line"
            assert dataset["tension"] == 0 and dataset["cubic"] == "default", dataset
    # The points drawn are the API's, gaps included: nothing interpolated or smoothed.
    rates = chart_state(system_page, "#chart-rates")
    by_label = {d["label"]: d["values"] for d in rates["datasets"]}
    assert by_label["Coverage"] == [p["coverage"] for p in points]
    assert by_label["Timeliness"] == [p["timeliness"] for p in points]
    assert by_label["Success rate"] == [p["success_rate"] for p in points]


def test_overlapping_series_stay_apart_and_have_a_legend(system_page):
    state = chart_state(system_page, "#chart-rates")
    assert state["legend"] is True
    datasets = state["datasets"]
    assert len(datasets) == 3
    dashes = {tuple(d["dash"]) for d in datasets}
    markers = {d["pointStyle"] for d in datasets}
    assert len(dashes) == 3 and len(markers) == 3, datasets


def test_latency_chart_is_in_hours_with_the_report_deadline(system_page, api, sample):
    points = api.get(f"systems/{sample.system['id']}/trend", bucket="day")["points"]
    state = chart_state(system_page, "#chart-latency")
    (bars,) = state["datasets"]
    assert bars["values"] == [
        None if p["latency_p50_s"] is None else p["latency_p50_s"] / 3600 for p in points
    ]
    hours = deadline_hours()
    assert [line["value"] for line in state["lines"]] == [hours]
    assert state["lines"][0]["label"] == f"report deadline {hours:g}h"
    assert state["yMax"] > hours  # the line is inside the plot, whatever the latencies
    assert f"{hours:g}h" in state["yTicks"]
    # Drawn, not only configured: the row at the deadline has its colour.
    assert system_page.evaluate(DEADLINE_PIXELS, "#chart-latency") > 0.3
    expect(system_page.locator("#report-deadline")).to_have_text(f"{hours:g}h")


def test_a_system_without_data_gets_a_message_not_empty_frames(page, site, api):
    quiet = next(s for s in api.systems() if s["username"] == "quiet-ci")
    assert quiet["stats"]["reports"] == 0  # the simulator's CI that never reports
    page.goto(site + f"/#/systems/{quiet['id']}")
    expect(page.locator("#trend-empty")).to_contain_text("Nothing to draw")
    expect(page.locator("#trend-empty")).to_contain_text(quiet["name"])
    latency = page.locator("#chart-latency")
    expect(latency.locator(".chart-empty")).to_contain_text("no latency to draw")
    expect(latency.locator("canvas")).to_be_hidden()
    expect(page.locator("#chart-score, #chart-rates")).to_have_count(0)
    drawn = page.evaluate("Array.from(document.querySelectorAll('canvas')).some(Chart.getChart)")
    assert drawn is False
