"""CSV export: every table has one, and the file's rows are the table's rows as shown."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser import fmt
from tests.browser.helpers import XSS_NAME

pytestmark = pytest.mark.browser

LEADERBOARD_HEADER = [
    "System", "Status", "Since", "Score", "Coverage", "Timeliness", "Success rate", "P50 latency",
    "Last report",
]  # fmt: skip
# What a reader sees in each cell, read independently of the export's own code; None for the
# cells whose export is declared to differ (exact times, data-csv values, lists of jobs).
SHOWN_CELLS = """
(table) => Array.from(table.querySelectorAll('thead tr, tbody tr')).map(tr =>
  Array.from(tr.children).filter(c => !c.hasAttribute('data-csv-skip')).map(c =>
    c.hasAttribute('data-csv')
      || c.querySelector('time[datetime], [data-csv-item], [data-csv], [data-csv-skip]')
      || c.querySelector('[aria-hidden=true]:not(:empty)')
      ? null : c.innerText.replace(/\\s+/g, ' ').trim()))
"""


# What the page looked like when a download did not come (to tell why from a CI log).
DOWNLOAD_STATE = """id => {
  const table = document.getElementById(id);
  const live = angular.element(document.documentElement).injector().get('live');
  return {table: !!table, rows: table ? table.rows.length : null, live: live.mode,
          reason: live.reason, events: live.events,
          buttons: document.querySelectorAll('radar-csv-export button').length};
}"""


def download_csv(page, table_id):
    """Click the table's export button; the file's name and rows (the raw bytes checked)."""
    try:
        with page.expect_download() as info:
            page.click(f'radar-csv-export[table="{table_id}"] button')
        download = info.value
    except PlaywrightTimeout:
        state = page.evaluate(DOWNLOAD_STATE, table_id)
        raise AssertionError(f"no download of {table_id} from {page.url}: {state}") from None
    raw = Path(download.path()).read_bytes()
    assert raw.startswith("\ufeff".encode()), "a byte order mark, for spreadsheets"
    text = raw.decode("utf-8")[1:]
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "CRLF lines"
    return download.suggested_filename, list(csv.reader(io.StringIO(text, newline="")))


def test_leaderboard_export_is_the_filtered_sorted_table(page, site, api):
    systems = api.systems()
    status = max({s["health"]["status"] for s in systems},
                 key=lambda st: sum(s["health"]["status"] == st for s in systems))  # fmt: skip
    page.goto(site + f"/#/systems?status={status}&sort=name")
    shown = [s for s in systems if s["health"]["status"] == status]
    expect(page.locator(".system-row")).to_have_count(len(shown))

    name, rows = download_csv(page, "leaderboard-table")
    assert name == "radar-leaderboard-7d.csv"
    assert rows[0] == LEADERBOARD_HEADER
    expected = [
        [
            s["name"],
            fmt.STATUS_LABELS[s["health"]["status"]],
            s["health"]["status_since"] or "",
            fmt.score(s["health"]["score"]),
            fmt.percent(s["health"]["coverage"]),
            fmt.percent(s["health"]["timeliness"]),
            fmt.percent(s["health"]["success_rate"]),
            fmt.duration(s["stats"]["latency_p50_s"]),
            s["stats"]["last_report_at"] or "never",
        ]
        for s in sorted(shown, key=lambda s: s["name"].lower())
    ]
    assert rows[1:] == expected


def test_jobs_export_keeps_gerrit_names_as_text(page, site, api):
    acme = next(s for s in api.systems(window="30d") if s["username"] == "acme-ci")
    jobs = api.get(f"systems/{acme['id']}/jobs", window="30d")["jobs"]
    assert any(job["name"] == XSS_NAME for job in jobs)
    page.goto(site + f"/#/systems/{acme['id']}?window=30d")
    expect(page.locator(".job-row")).to_have_count(len(jobs))

    name, rows = download_csv(page, "jobs-table")
    assert name == "radar-jobs-acme-ci-30d.csv"
    assert rows[0][0] == "Job" and len(rows) == 1 + len(jobs)
    for row, job in zip(rows[1:], jobs, strict=True):
        failure_rate = None if job["success_rate"] is None else 1 - job["success_rate"]
        label = (job["name"] or "unnamed job") + (" non-voting" if job["voting"] is False else "")
        assert row == [
            label,
            str(job["runs"]),
            fmt.percent(failure_rate),
            f"{job['success']} / {job['failure']} / {job['error']} / {job['skipped']}",
            fmt.duration(job["duration_p50_s"]),
            job["last_success_at"] or "never",
        ]
    assert page.locator('img[src="x"]').count() == 0


def test_reports_export_lists_each_reports_jobs(page, site, api, sample):
    sid = sample.system["id"]
    reports, _ = api.reports(sid)
    page.goto(site + f"/#/systems/{sid}")
    expect(page.locator(".report-row")).to_have_count(len(reports))
    _, rows = download_csv(page, "reports-table")
    assert rows[0] == ["When", "Change", "Result", "Pipeline", "Jobs and logs"]
    for row, report in zip(rows[1:], reports, strict=True):
        vote = "" if not report["vote"] else f" {report['vote']:+d}"
        jobs = "; ".join(f"{j['name'] or 'unnamed job'}: {j['result']}" for j in report["jobs"])
        assert row == [
            report["date"],
            f"{report['change']},{report['patchset']} {report['project']}",
            f"{report['result']}{vote}",
            report["pipeline"] or "\u2014",
            jobs or "no job lines",
        ]


def view_tables(sample):
    compare = ",".join(str(s["id"]) for s in [sample.system, *sample.others])
    change = f"/#/changes/{sample.change['number']}?report={sample.report_id}"
    return [
        ("/#/systems", ".system-row"),
        (f"/#/systems/{sample.system['id']}", ".report-row"),
        (f"/#/compare?systems={compare}", ".compare-table"),
        (change, "#report-detail"),
        ("/#/status", ".poll-row"),
        ("/#/projects", ".project-row"),
        ("/#/events", ".event-row"),
    ]


def test_every_table_exports_what_it_shows(page, site, sample):
    for path, ready in view_tables(sample):
        # A document of its own for each view: headless Chromium starts at most 10 downloads
        # from one document (the 11th never comes), and the views differ only in #fragment.
        page.goto("about:blank")
        page.goto(site + path)
        expect(page.locator(ready).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        ids = page.locator("main table").evaluate_all("ts => ts.map(t => t.id)")
        assert ids and all(ids), (path, ids)
        for table_id in ids:
            expect(page.locator(f'radar-csv-export[table="{table_id}"] button')).to_be_visible()
            _, rows = download_csv(page, table_id)
            shown = page.locator(f"#{table_id}").evaluate(SHOWN_CELLS)
            assert len(rows) == len(shown), (path, table_id)
            for number, (got, want) in enumerate(zip(rows, shown, strict=True)):
                assert len(got) == len(want), (table_id, got, want)
                for cell, text in zip(got, want, strict=True):
                    if number == 0 and text is not None:  # headers are upper case by CSS
                        cell, text = cell.upper(), text.upper()
                    if text is not None:
                        assert cell == text, (table_id, got, want)


def test_quoting_and_formula_neutralisation(page, site):
    page.goto(site + "/#/status")
    expect(page.locator("#collector-outcome")).to_be_visible()
    cells = [
        '=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB",
        "-1", "+2", "1,234", "97%", "a,b", 'say "hi"', "two\nlines", "", "Ünïcode CI 🚀 日本",
    ]  # fmt: skip
    text = page.evaluate(
        "rows => angular.element(document.documentElement).injector()"
        ".get('csvExport').toCsv(rows)",
        [cells, ["<img src=x onerror=alert(1)>"]],
    )
    assert text.split("\r\n")[0].startswith('"\'=HYPERLINK(""http://evil.example"",""x"")"')
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [
        [
            '\'=HYPERLINK("http://evil.example","x")', "'+1+1", "'-2+3", "'@SUM(A1:A9)",
            "'\tTAB", "-1", "+2", "1,234", "97%", "a,b", 'say "hi"', "two\nlines", "",
            "Ünïcode CI 🚀 日本",
        ],
        ["<img src=x onerror=alert(1)>"],
    ]  # fmt: skip
