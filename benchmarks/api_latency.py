"""Latency of the leaderboard and system views over a large history, on MariaDB.

Fills a fresh MariaDB database with synthetic data at a steady rate (100 CI systems, about
11,000 reports a day), first 9 days (100k reports), then 90 days (1M reports), and measures the
API over real HTTP after each fill, twice: "computed", every answer computed on request (the
API without its cache), and "warmed", the API as radar-api serves it (cache and warmer), asked
the way dashboards ask: every path every 2 s for --duration seconds, crossing minutes, with new
data stored a third of the way in. Run: python benchmarks/api_latency.py [--quick]
Needs MariaDB at RADAR_BENCH_MYSQL_URL (default root@127.0.0.1:3306); drops and recreates the
database radar_bench.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

import requests
from sqlalchemy import create_engine, insert, select, text, update

from radar_core import migration, models, stats
from radar_core.db import make_engine

SERVER = os.environ.get("RADAR_BENCH_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/")
DATABASE = "radar_bench"
SYSTEMS = 100
PROJECTS = 20
REPORTS_PER_DAY = 11_111
RESULTS = [("SUCCESS", "success")] * 8 + [("FAILURE", "failure")] * 2 + [("ERROR", "error")]
JOB_NAMES = [f"job-{n}" for n in range(12)]


def fresh_database() -> str:
    server = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4"))
    server.dispose()
    return SERVER.rstrip("/") + f"/{DATABASE}?charset=utf8mb4"


class Filler:
    """Writes days of synthetic activity ending at ``until``, oldest day first."""

    def __init__(self, engine, until: datetime, seed: int = 1):
        self.engine = engine
        self.until = until
        self.random = random.Random(seed)
        self.next_ids = {"change": 1, "patchset": 1, "report": 1, "job": 1}
        self.watched = {s: self.random.sample(range(1, PROJECTS + 1), PROJECTS // 2)
                        for s in range(1, SYSTEMS + 1)}
        with engine.begin() as connection:
            connection.execute(insert(models.Project), [
                {"id": p, "name": f"openstack/project-{p}"} for p in range(1, PROJECTS + 1)])
            connection.execute(insert(models.Account), [
                {"id": s, "name": f"CI {s}", "username": f"ci-{s}"} for s in range(1, SYSTEMS + 1)])
            connection.execute(insert(models.CISystem), [
                {"id": s, "name": f"CI {s}", "username": f"ci-{s}", "source": "config",
                 "first_seen_at": until - timedelta(days=365)} for s in range(1, SYSTEMS + 1)])

    def fill_days(self, first_day_back: int, last_day_back: int) -> int:
        """Fill the days ``first_day_back`` .. ``last_day_back`` before until (inclusive)."""
        total = 0
        for back in range(first_day_back, last_day_back - 1, -1):
            total += self._day(self.until - timedelta(days=back))
        return total

    def add_poll(self) -> int:
        """What a poll would store: an hour's worth of activity, ending now."""
        return self._day(self.until - timedelta(hours=1), REPORTS_PER_DAY // 24, 3600)

    def _day(self, start: datetime, count: int | None = None, seconds: int = 86400) -> int:
        rng = self.random
        changes, patchsets, reports, jobs = [], [], [], []
        project_of = {}
        reports_today = 0
        while reports_today < (count or REPORTS_PER_DAY):
            project = rng.randint(1, PROJECTS)
            created = start + timedelta(seconds=rng.randint(0, seconds - 1))
            change_id = self.next_ids["change"]
            self.next_ids["change"] += 1
            project_of[change_id] = project
            changes.append({"id": change_id, "number": change_id, "project_id": project,
                            "branch": "master", "status": "NEW", "created": created,
                            "updated": created})
            ps_id = self.next_ids["patchset"]
            self.next_ids["patchset"] += 1
            patchsets.append({"id": ps_id, "change_id": change_id, "project_id": project,
                              "number": 1, "created": created, "superseded_at": None})
            for system in range(1, SYSTEMS + 1):
                if project not in self.watched[system] or rng.random() < 0.05:
                    continue
                date = created + timedelta(seconds=rng.randint(300, 6 * 3600))
                result, result_class = rng.choice(RESULTS)
                report_id = self.next_ids["report"]
                self.next_ids["report"] += 1
                reports.append({
                    "id": report_id, "change_id": change_id, "patchset_id": ps_id,
                    "patchset_number": 1, "system_id": system, "message_id": f"m{report_id}",
                    "date": date, "kind": "report", "result": result,
                    "result_class": result_class, "vote": 1 if result == "SUCCESS" else -1,
                    "pipeline": "check", "message": "Build finished.",
                })
                for position, name in enumerate(rng.sample(JOB_NAMES, 2)):
                    jobs.append({"id": self.next_ids["job"], "report_id": report_id,
                                 "position": position, "name": name, "result": result,
                                 "result_class": result_class, "voting": True,
                                 "duration_s": rng.randint(60, 7200)})
                    self.next_ids["job"] += 1
                reports_today += 1
        days = {}
        for report in reports:  # the per-day counts the collector keeps with the reports
            key = (report["system_id"], report["date"].date(), project_of[report["change_id"]])
            row = days.setdefault(key, {"system_id": key[0], "day": key[1], "project_id": key[2],
                                        "reports": 0, "success": 0, "failure": 0, "error": 0,
                                        "other": 0})
            row["reports"] += 1
            row[report["result_class"]] += 1
        with self.engine.begin() as connection:
            self._add_days(connection, days)
            connection.execute(insert(models.Change), changes)
            connection.execute(insert(models.Patchset), patchsets)
            for chunk in range(0, len(reports), 5000):
                connection.execute(insert(models.Report), reports[chunk:chunk + 5000])
            for chunk in range(0, len(jobs), 10000):
                connection.execute(insert(models.JobResult), jobs[chunk:chunk + 10000])
        return reports_today

    @staticmethod
    def _add_days(connection, days):
        # Reports dated after midnight may land on a day an earlier fill already counted.
        existing = {}
        keys = list(days)
        if keys:
            first = min(key[1] for key in keys)
            for row in connection.execute(
                select(models.SystemDay).where(models.SystemDay.day >= first)
            ).mappings():
                existing[(row["system_id"], row["day"], row["project_id"])] = row["id"]
        new_rows = []
        for key, row in days.items():
            if key in existing:
                connection.execute(
                    update(models.SystemDay).where(models.SystemDay.id == existing[key]).values(
                        **{column: getattr(models.SystemDay, column) + row[column]
                           for column in ("reports", "success", "failure", "error", "other")}))
            else:
                new_rows.append(row)
        if new_rows:
            connection.execute(insert(models.SystemDay), new_rows)


def measure(base_url: str, paths: list[str], runs: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 (ms) of ``runs`` requests of each path, after 3 to warm connections."""
    session = requests.Session()
    figures = {}
    for path in paths:
        for _ in range(3):
            session.get(base_url + path, timeout=300).raise_for_status()
        figures[path] = _percentiles([_timed(session, base_url + path) for _ in range(runs)])
    return figures


def measure_dashboards(base_url, paths, duration, poll_at, poll) -> dict[str, tuple]:
    """p50 and p95 (ms) of each path asked in rounds, one round every 2 s for ``duration``
    seconds (crossing minute boundaries, as dashboards refreshing do), with ``poll()`` (new data)
    run once ``poll_at`` seconds in. The first request of each path, computed on request, is
    left out: the warmer answers ahead only what has been asked before."""
    session = requests.Session()
    for path in paths:
        session.get(base_url + path, timeout=300).raise_for_status()
    timings = {path: [] for path in paths}
    started = time.monotonic()
    polled = False
    while time.monotonic() - started < duration:
        round_started = time.monotonic()
        if not polled and round_started - started >= poll_at:
            poll()
            polled = True
        for path in paths:
            timings[path].append(_timed(session, base_url + path))
        time.sleep(max(0.0, 2 - (time.monotonic() - round_started)))
    return {path: _percentiles(values) for path, values in timings.items()}


def _timed(session, url) -> float:
    started = time.perf_counter()
    session.get(url, timeout=300).raise_for_status()
    return (time.perf_counter() - started) * 1000


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10,
                        help="requests per endpoint, computed on request")
    parser.add_argument("--duration", type=int, default=150,
                        help="seconds of dashboard-like requests to the warmed server")
    parser.add_argument("--quick", action="store_true", help="10x less data, for a smoke run")
    args = parser.parse_args()
    global REPORTS_PER_DAY
    if args.quick:
        REPORTS_PER_DAY //= 10

    from radar_api.app import make_app
    from radar_core.cache import CachedRadar
    from radar_core.service import Radar, Settings
    from radar_demo.stack import ApiServer

    url = fresh_database()
    engine = make_engine(url)
    migration.upgrade(engine)
    until = datetime.utcnow().replace(microsecond=0)
    filler = Filler(engine, until)
    radar = Radar(engine, Settings(health=stats.HealthConfig()))
    computed = ApiServer(make_app(radar)).start()
    paths = ["/v1/systems?window=7d", "/v1/systems?window=30d", "/v1/systems/ci-7?window=7d",
             "/v1/systems/ci-7/jobs?window=7d", "/v1/systems/ci-7/trend?window=30d"]
    results = {}
    switch_interval = sys.getswitchinterval()
    try:
        for label, (oldest, newest) in (("9 days", (9, 1)), ("90 days", (90, 10))):
            started = time.perf_counter()
            filled = filler.fill_days(oldest, newest)
            total = filler.next_ids["report"] - 1
            print(f"history {label}: {total} reports ({filled} added in "
                  f"{time.perf_counter() - started:.0f} s)", flush=True)
            results[(label, "computed")] = measure(computed.url, paths, args.runs)
            # A fresh warmed API per history, as a restarted radar-api: no warmer thread runs
            # while the computed answers are measured.
            warmed = CachedRadar(radar, warm_every=5)
            server = ApiServer(make_app(warmed)).start()
            try:
                results[(label, "warmed")] = measure_dashboards(
                    server.url, paths, args.duration, args.duration / 3, filler.add_poll)
            finally:
                warmed.close()
                server.stop()
                sys.setswitchinterval(switch_interval)  # the warmer shortened it
            for mode in ("computed", "warmed"):
                for path, (p50, p95) in results[(label, mode)].items():
                    print(f"  {mode:8s} {path:36s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms",
                          flush=True)
    finally:
        computed.stop()
        engine.dispose()
    print("\nratio of p95, 90 days / 9 days:")
    for mode in ("computed", "warmed"):
        for path in paths:
            ratio = results[("90 days", mode)][path][1] / results[("9 days", mode)][path][1]
            print(f"  {mode:8s} {path:36s} {ratio:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
