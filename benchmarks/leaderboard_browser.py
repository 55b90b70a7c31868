"""How long the leaderboard takes to be complete in a browser, with 100 CI systems.

Fills a fresh SQLite database (or --db-url) with generated systems (100 by default, a week of
reports each on patchsets of a few projects), runs the health engine on it as the collector
would after a poll, serves the API and the built web client (as radar-api does), and opens
the leaderboard in headless Chromium (Debian's, driven by Playwright). For each run it prints
the time from navigation until the leaderboard's data is complete (every system's row and
every sparkline drawn) and the number of API requests the page made; the first run warms the
API and is left out of the median.

Run: python benchmarks/leaderboard_browser.py [--systems 100] [--runs 5]
Needs the web client built (cd webclient && npm ci && npm run build) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from radar_core import migration, models  # noqa: E402
from radar_core.db import make_engine, transaction  # noqa: E402
from radar_core.engine import refresh, status  # noqa: E402
from radar_core.engine.settings import EngineSettings  # noqa: E402

PROJECTS = 8
DAYS = 7
PATCHSETS_PER_DAY = 40
RESULTS = [("SUCCESS", "success")] * 8 + [("FAILURE", "failure")] * 2 + [("NODE_FAILURE", "error")]
CHROMIUM = os.environ.get("RADAR_CHROMIUM", "/usr/bin/chromium")
COMPLETE = """(n) => {
  const table = document.querySelector('#leaderboard-table');
  return document.querySelectorAll('.system-row').length === n &&
    Boolean(table) && table.dataset.trends === 'loaded' &&
    document.querySelectorAll('.col-trend svg.sparkline').length === n;
}"""


def fill(engine, systems: int, now: datetime, seed: int = 1) -> int:
    """Systems that each watch a few projects and report on most of their patchsets."""
    rng = random.Random(seed)
    start = now - timedelta(days=DAYS)
    watched = {s: rng.sample(range(1, PROJECTS + 1), 3) for s in range(1, systems + 1)}
    changes, patchsets, reports, jobs = [], [], [], []
    for n in range(DAYS * PATCHSETS_PER_DAY):
        created = start + timedelta(seconds=rng.randint(0, DAYS * 86400 - 6 * 3600))
        project = rng.randint(1, PROJECTS)
        changes.append({"id": n + 1, "number": 10000 + n, "project_id": project,
                        "branch": "master", "status": "NEW", "subject": f"Change {n}",
                        "created": created, "updated": created})
        patchsets.append({"id": n + 1, "change_id": n + 1, "project_id": project, "number": 1,
                          "created": created, "superseded_at": None})
        for system in range(1, systems + 1):
            if project not in watched[system] or rng.random() < 0.1:
                continue
            result, result_class = rng.choice(RESULTS)
            report_id = len(reports) + 1
            reports.append({
                "id": report_id, "change_id": n + 1, "patchset_id": n + 1,
                "patchset_number": 1, "system_id": system, "message_id": f"m{report_id}",
                "date": created + timedelta(seconds=rng.randint(600, 5 * 3600)),
                "kind": "report", "result": result, "result_class": result_class,
                "vote": 1 if result == "SUCCESS" else -1, "pipeline": "check",
                "message": "Build finished.",
            })
            jobs.append({"report_id": report_id, "position": 0, "name": "tempest",
                         "result": result, "result_class": result_class, "voting": True,
                         "duration_s": rng.randint(600, 3600)})
    with engine.begin() as conn:
        conn.execute(insert(models.Project), [{"id": p, "name": f"openstack/project-{p}"}
                                              for p in range(1, PROJECTS + 1)])
        conn.execute(insert(models.Account), [{"id": s, "name": f"CI {s}", "username": f"ci-{s}"}
                                              for s in range(1, systems + 1)])
        conn.execute(insert(models.CISystem), [
            {"id": s, "name": f"Generated CI {s}", "username": f"ci-{s}",
             "first_seen_at": start - timedelta(days=30)} for s in range(1, systems + 1)])
        conn.execute(insert(models.Change), changes)
        conn.execute(insert(models.Patchset), patchsets)
        for chunk in range(0, len(reports), 5000):
            conn.execute(insert(models.Report), reports[chunk:chunk + 5000])
        for chunk in range(0, len(jobs), 5000):
            conn.execute(insert(models.JobResult), jobs[chunk:chunk + 5000])
    return len(reports)


def run_engine(engine, settings: EngineSettings, now: datetime) -> None:
    """What the collector does after a poll: refresh the facts, evaluate the statuses."""
    with transaction(engine) as session:
        refresh.lock(session)
        refresh.refresh(session, set(session.scalars(select(models.Change.id))), settings, now)
    status.evaluate(engine, settings, now, "benchmark")


def measure(url: str, systems: int, runs: int) -> list[tuple[float, int, int]]:
    """(seconds until complete, API requests, of which data requests) per run."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        for _ in range(runs + 1):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            requests = []
            page.on("request", lambda r, seen=requests: seen.append(r.url)
                    if "/v1/" in r.url else None)
            started = time.perf_counter()
            page.goto(url + "/#/systems")
            page.wait_for_function(COMPLETE, arg=systems, timeout=120_000, polling=20)
            elapsed = time.perf_counter() - started
            data = [u for u in requests if "/v1/stream" not in u]
            results.append((elapsed, len(requests), len(data)))
            context.close()
        browser.close()
    return results


def api_times(url: str) -> dict[str, float]:
    """Median time (s) of 3 requests of each data request the leaderboard makes."""
    import requests

    paths = ["/v1/systems?window=7d", "/v1/trends?bucket=day&window=7d", "/v1/figures",
             "/v1/projects"]
    times = {}
    with requests.Session() as session:
        for path in paths:
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                session.get(url + path, timeout=120).raise_for_status()
                runs.append(time.perf_counter() - started)
            times[path] = statistics.median(runs)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db-url", help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()

    from radar_api.app import make_app
    from radar_core.service import Radar, Settings
    from radar_demo.stack import ApiServer

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite:///{tmp}/bench.sqlite"
        engine = make_engine(url)
        migration.upgrade(engine)
        now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
        began = time.perf_counter()
        reports = fill(engine, args.systems, now)
        settings = EngineSettings()
        run_engine(engine, settings, now)
        print(f"{args.systems} systems, {reports} reports over {DAYS} days, stored and "
              f"evaluated in {time.perf_counter() - began:.1f} s ({engine.dialect.name})")
        api = ApiServer(make_app(Radar(engine, Settings(engine=settings)), poll_interval=300))
        api.start()
        try:
            results = measure(api.url, args.systems, args.runs)
            paths = api_times(api.url)
        finally:
            api.stop()
            engine.dispose()
    warm = results[1:]
    for n, (elapsed, requests, data) in enumerate(results):
        label = "first (cold)" if n == 0 else f"run {n}"
        print(f"{label:>13}: complete after {elapsed * 1000:7.0f} ms, {requests} API requests "
              f"({data} for data, plus the event stream)")
    for path, seconds in paths.items():
        print(f"{path:>34}: {seconds * 1000:6.0f} ms (median of 3, alone)")
    median = statistics.median(r[0] for r in warm)
    print(f"median of {len(warm)} warm runs: {median * 1000:.0f} ms until the leaderboard's "
          f"data is complete; at most {max(r[1] for r in warm)} API requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
