"""The health engine's benchmark: every target of docs/performance.md, measured in one run.

For each database URL given (its database name included: that database, or that SQLite file,
is dropped and made anew; nothing else is touched), it writes synthetic activity straight into
the collector's tables with bulk inserts (100 CI systems, one of them the reference "zuul", 20
projects, about 11,000 reports a day with two job results each, rechecks, second patchsets,
duplicates, outages and dead systems), runs the engine's own refresh over what was written, and
then serves the real API over HTTP (``radar-api``, waitress, in its own process) and measures:

- history "100k": the 9 days before now (about 100k reports); history "1M": 81 older days added
  (90 days, about 1M reports), the recent days the same;
- per history: the p50/p95 of GET /v1/systems for window=7d, 30d, 90d and an explicit 30-day
  window ending two days ago (not at midnight), one system's detail and jobs (7d), its trend by
  day over 90 days, /metrics; the engine's refresh and the hourly status history it fills in
  (all of it, 90 days at 1M);
- at the largest history: the engine's work after a poll that stores the last hour's activity
  (about 500 reports held back from the fill), and the requests per second of 50 concurrent
  clients on the 7-day leaderboard with gunicorn and 1 then 2 worker processes (MySQL only).

SQLite URLs stop at 100k unless --sqlite-1m. --scale 0.1 writes a tenth of the reports (same
systems and days), for a quick run.

    python benchmarks/engine.py mysql+pymysql://root@127.0.0.1:3306/radar_bench \\
        sqlite:////tmp/radar_bench.sqlite
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from radar_core import migration, models
from radar_core.db import make_engine, transaction
from radar_core.engine import refresh, status
from radar_core.engine.settings import EngineSettings
from radar_core.engine.sql import hour_floor

SYSTEMS = 100
PROJECTS = 20
REPORTS_PER_DAY = 11_111
REFERENCE = "zuul"
JOB_NAMES = [f"job-{n}" for n in range(12)]
SETTINGS = EngineSettings(reference_account=REFERENCE)
RECENT_DAYS, ALL_DAYS = 9, 90
POLL = timedelta(hours=1)  # the activity held back for the poll
SYSTEM = "ci-7"

TARGETS_MS = {
    "systems 7d": 100, "systems 30d": 100, "systems 90d": 300, "systems past 30d": 100,
    "detail 7d": 50, "jobs 7d": 50, "trend 90d by day": 150, "metrics": 100,
}


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 - naive UTC, as Radar


# --- the database ------------------------------------------------------------------------------


def fresh_database(url: str) -> str:
    """Drop and create the database ``url`` names (a SQLite file: delete it); returns the URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit(f"{url}: name a SQLite file")
        for suffix in ("", "-wal", "-shm", "-journal"):
            pathlib.Path(parsed.database + suffix).unlink(missing_ok=True)
        return url
    name = parsed.database
    if not name:
        raise SystemExit(f"{url}: name the database to use (it is dropped and made anew)")
    server = create_engine(parsed._replace(database=None), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    server.dispose()
    return url


# --- synthetic activity ------------------------------------------------------------------------


@dataclass
class Profile:
    """How one CI system behaves."""

    id: int
    username: str
    watched: list[int]
    coverage: float
    success: float
    latency_s: float  # median of a log-normal latency
    duplicates: float
    down: list[tuple[datetime, datetime]] = field(default_factory=list)

    def up(self, moment: datetime) -> bool:
        return not any(start <= moment < end for start, end in self.down)


@dataclass
class Batch:
    """Rows for the collector's tables, by table."""

    changes: list = field(default_factory=list)
    patchsets: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    jobs: list = field(default_factory=list)
    rechecks: list = field(default_factory=list)

    def write(self, connection) -> None:
        m = models
        for model, rows, size in ((m.Change, self.changes, 2000),
                                  (m.Patchset, self.patchsets, 2000),
                                  (m.Report, self.reports, 2000),
                                  (m.JobResult, self.jobs, 4000),
                                  (m.Recheck, self.rechecks, 2000)):
            for start in range(0, len(rows), size):
                connection.execute(insert(model.__table__), rows[start:start + size])

    def change_ids(self) -> set[int]:
        return ({row["change_id"] for row in self.reports}
                | {row["change_id"] for row in self.rechecks}
                | {row["id"] for row in self.changes})


class Generator:
    """Synthetic Gerrit activity ending at ``end``; what is dated in its last hour is kept in
    ``poll`` (what the next poll stores), what is dated after it is dropped."""

    def __init__(self, end: datetime, reports_per_day: int, seed: int = 1):
        self.end = end
        self.cut = end - POLL
        self.per_day = reports_per_day
        self.rng = rng = random.Random(seed)
        self.ids = {"change": 0, "patchset": 0, "report": 0, "job": 0, "recheck": 0}
        self.poll = Batch()
        self.profiles = [Profile(1, REFERENCE, list(range(1, PROJECTS + 1)), 0.99, 0.9,
                                 40 * 60, 0.0)]
        for system in range(2, SYSTEMS + 1):
            success = rng.choices([0.95, 0.85, 0.6, 0.25], [70, 18, 9, 3])[0]
            profile = Profile(
                system, f"ci-{system}", rng.sample(range(1, PROJECTS + 1), PROJECTS // 2),
                coverage=rng.choice([0.97] * 8 + [0.8, 0.5]), success=success,
                latency_s=rng.choice([15, 30, 60, 90, 120] * 4 + [300]) * 60,
                duplicates=rng.choice([0.0, 0.0, 0.01, 0.05]),
            )
            if rng.random() < 0.15:  # a two-day outage somewhere in the 90 days
                start = end - timedelta(days=rng.uniform(2, ALL_DAYS))
                profile.down.append((start, start + timedelta(days=2)))
            self.profiles.append(profile)
        # Three dead systems: silent for 3 days, unsupported (20 and 40 days).
        for system, days in ((11, 3), (12, 20), (13, 40)):
            self.profiles[system - 1].down.append((end - timedelta(days=days), end + POLL))

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def systems(self) -> tuple[list, list]:
        accounts = [{"id": p.id, "name": f"CI {p.username}", "username": p.username}
                    for p in self.profiles]
        systems = [{"id": p.id, "name": f"CI {p.username}", "username": p.username,
                    "source": "config", "first_seen_at": self.end - timedelta(days=365)}
                   for p in self.profiles]
        return accounts, systems

    def day(self, start: datetime) -> Batch:
        """About a day's worth of reports on changes created in [start, start + 1 day)."""
        batch, count = Batch(), 0
        while count < self.per_day:
            created = start + timedelta(seconds=self.rng.uniform(0, 86400))
            count += self._change(batch, created.replace(microsecond=0))
        return batch

    def _change(self, batch: Batch, created: datetime) -> int:
        if created >= self.end:
            return 1  # nothing after the end; still counts towards the day
        rng = self.rng
        target = batch if created < self.cut else self.poll
        change_id = self.next_id("change")
        project = rng.randint(1, PROJECTS)
        target.changes.append({"id": change_id, "number": change_id, "project_id": project,
                               "branch": "master", "status": "NEW", "created": created,
                               "updated": created, "subject": f"Change {change_id}"})
        second = created + timedelta(seconds=rng.uniform(1800, 30 * 3600))
        created_at = [created] + ([second] if rng.random() < 0.3 and second < self.cut else [])
        count = 0
        for number, ps_created in enumerate(created_at, start=1):
            ps_id = self.next_id("patchset")
            superseded = created_at[number] if number < len(created_at) else None
            target.patchsets.append({"id": ps_id, "change_id": change_id, "project_id": project,
                                     "number": number, "created": ps_created,
                                     "superseded_at": superseded})
            for profile in self.profiles:
                if project in profile.watched:
                    count += self._reports(batch, profile, change_id, ps_id, number, ps_created)
        return count

    def _reports(self, batch, profile: Profile, change_id, ps_id, number, created) -> int:
        rng = self.rng
        if rng.random() > profile.coverage:
            return 0
        date = created + timedelta(seconds=max(60, rng.lognormvariate(
            math.log(profile.latency_s), 0.6)))
        count = 0
        for _attempt in range(3):  # the first run, then rechecks after failures
            if not profile.up(date) or date >= self.end:
                break
            passed = rng.random() < profile.success
            self._report(batch, profile, change_id, ps_id, number, date, passed)
            count += 1
            if rng.random() < profile.duplicates:
                self._report(batch, profile, change_id, ps_id, number,
                             date + timedelta(seconds=rng.randint(30, 600)), passed)
                count += 1
            if passed or rng.random() > 0.3:
                break
            asked = date + timedelta(seconds=rng.randint(300, 3600))
            if asked >= self.end:
                break
            recheck_id = self.next_id("recheck")
            (batch if asked < self.cut else self.poll).rechecks.append({
                "id": recheck_id, "change_id": change_id, "patchset_id": ps_id,
                "patchset_number": number, "message_id": f"r{recheck_id}", "account_id": 9999,
                "date": asked, "target": None,
            })
            date = asked + timedelta(seconds=max(60, rng.lognormvariate(
                math.log(profile.latency_s), 0.6)))
        return count

    def _report(self, batch, profile, change_id, ps_id, number, date, passed) -> None:
        rng = self.rng
        date = date.replace(microsecond=0)
        if date >= self.end:
            return
        target = batch if date < self.cut else self.poll
        report_id = self.next_id("report")
        result, result_class = ("SUCCESS", "success") if passed else rng.choice(
            [("FAILURE", "failure")] * 9 + [("ERROR", "error")])
        target.reports.append({
            "id": report_id, "change_id": change_id, "patchset_id": ps_id,
            "patchset_number": number, "system_id": profile.id, "message_id": f"m{report_id}",
            "date": date, "kind": "report", "result": result, "result_class": result_class,
            "vote": 1 if passed else -1, "pipeline": "check",
            "message": f"Build {'succeeded' if passed else 'failed'}.",
        })
        for position, name in enumerate(rng.sample(JOB_NAMES, 2)):
            job_class = result_class if position == 0 else (
                "success" if passed or rng.random() < 0.5 else result_class)
            target.jobs.append({
                "id": self.next_id("job"), "report_id": report_id, "position": position,
                "name": name, "result": job_class.upper(), "result_class": job_class,
                "voting": True, "duration_s": rng.randint(60, 7200),
            })


# --- filling and the engine ----------------------------------------------------------------------


def fill(engine, generator: Generator, days_back: range) -> tuple[int, set[int], float]:
    """Write the days ``days_back`` (days before the end) straight into the tables; returns the
    reports written, the changes touched and the seconds taken."""
    started = time.perf_counter()
    reports, touched = 0, set()
    for back in days_back:
        batch = generator.day(generator.end - timedelta(days=back))
        with engine.begin() as connection:
            batch.write(connection)
        reports += len(batch.reports)
        touched |= batch.change_ids()
    return reports, touched, time.perf_counter() - started


def run_refresh(engine, change_ids, now) -> float:
    """The engine's refresh of ``change_ids`` in one transaction, as after a store."""
    started = time.perf_counter()
    with transaction(engine) as session:
        refresh.lock(session)
        refresh.refresh(session, change_ids, SETTINGS, now)
    return time.perf_counter() - started


def run_evaluate(engine, now) -> tuple[float, int]:
    """The status evaluation after a poll: every hour left to evaluate, and now."""
    with engine.connect() as conn:
        before = conn.execute(select(models.EngineState.evaluated_until,
                                     models.EngineState.dirty_since)).first()
    started = time.perf_counter()
    status.evaluate(engine, SETTINGS, now, "bench")
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        until = conn.scalar(select(models.EngineState.evaluated_until))
    first = before.dirty_since if before and before.dirty_since else (
        before.evaluated_until if before else None)
    hours = int((until - first) / timedelta(hours=1)) if first and until else 0
    return elapsed, hours


def store_poll(engine, batch: Batch, now) -> tuple[float, float, float]:
    """Store the held-back hour as a poll does (rows and refresh in one transaction), then
    evaluate; returns the seconds of the rows' writes, of the refresh and of the evaluation."""
    with transaction(engine) as session:
        refresh.lock(session)
        started = time.perf_counter()
        batch.write(session.connection())
        written = time.perf_counter() - started
        started = time.perf_counter()
        refresh.refresh(session, batch.change_ids(), SETTINGS, now)
        refreshed = time.perf_counter() - started
    started = time.perf_counter()
    status.evaluate(engine, SETTINGS, now, "bench")
    return written, refreshed, time.perf_counter() - started


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(text("count(*)")).select_from(model.__table__))


# --- the API over HTTP ---------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """radar-api (or gunicorn with ``workers``) in its own process, on the benchmark's database."""

    def __init__(self, url: str, workdir: pathlib.Path, workers: int = 0):
        self.port = free_port()
        config = workdir / "radar.conf"
        config.write_text(
            f"[database]\nconnection = {url}\n[health]\nreference_account = {REFERENCE}\n"
            "[api]\nthreads = 4\n"
        )
        env = {**os.environ, "RADAR_CONFIG_FILE": str(config)}
        if workers:
            command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
                       "--bind", f"127.0.0.1:{self.port}", "--backlog", "1024",
                       "--log-level", "warning", "radar_api.wsgi:application"]
        else:
            command = [sys.executable, "-m", "radar_api.cmd", "--config-file", str(config),
                       "--port", str(self.port)]
        self.log = open(workdir / f"server-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while True:
            try:
                get(self.port, "/v1/status")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the API did not start: see {self.log.name}") from None
                time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def get(port: int, path: str, connection: http.client.HTTPConnection | None = None) -> float:
    """GET ``path``; returns the milliseconds it took (the whole body read). Raises on non-200."""
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if connection is None:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    return elapsed


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1,
                                                   round(0.95 * (len(ordered) - 1)))]


def iso(moment: datetime) -> str:
    return quote(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


def paths(now: datetime) -> dict[str, str]:
    until = (now - timedelta(days=2)).replace(minute=17, second=23)
    since = until - timedelta(days=30)
    return {
        "systems 7d": "/v1/systems?window=7d",
        "systems 30d": "/v1/systems?window=30d",
        "systems 90d": "/v1/systems?window=90d",
        "systems past 30d": f"/v1/systems?since={iso(since)}&until={iso(until)}",
        "detail 7d": f"/v1/systems/{SYSTEM}?window=7d",
        "jobs 7d": f"/v1/systems/{SYSTEM}/jobs?window=7d",
        "trend 90d by day": f"/v1/systems/{SYSTEM}/trend?window=90d&bucket=day",
        "metrics": "/metrics",
    }


def measure(port: int, requests: dict[str, str], runs: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 (ms) of ``runs`` requests of each path in turn, after 2 to warm up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    timings = {name: [] for name in requests}
    for path in requests.values():
        for _ in range(2):
            get(port, path, conn)
    for _ in range(runs):  # interleaved, so that a burst of load elsewhere hits every path
        for name, path in requests.items():
            timings[name].append(get(port, path, conn))
    conn.close()
    return {name: percentiles(values) for name, values in timings.items()}


def throughput(port: int, path: str, clients: int, seconds: float) -> tuple[float, int, int]:
    """Requests per second of ``clients`` threads asking ``path`` for ``seconds`` (after 3 s
    of warm-up), with the requests and the errors counted."""
    done, errors = [0] * clients, [0] * clients
    state = {"counting": False, "stop": False}

    def client(index):
        conn = None
        while not state["stop"]:
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                get(port, path, conn)
                if state["counting"]:
                    done[index] += 1
            except (OSError, RuntimeError, http.client.HTTPException):
                if state["counting"]:
                    errors[index] += 1
                if conn is not None:
                    conn.close()
                conn = None
            if conn is not None and conn.sock is None:
                conn = None  # closed by the server (gunicorn's sync workers): a new one

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    state["counting"] = True
    started = time.perf_counter()
    time.sleep(seconds)
    state["counting"] = False
    elapsed = time.perf_counter() - started
    state["stop"] = True
    for thread in threads:
        thread.join(timeout=300)
    return sum(done) / elapsed, sum(done), sum(errors)


# --- the run ------------------------------------------------------------------------------------


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "NOT MET"


def print_figures(figures) -> None:
    for name, (p50, p95) in figures.items():
        print(f"  {name:18s} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   "
              f"(target {TARGETS_MS[name]} ms: {verdict(p95, TARGETS_MS[name])})", flush=True)


def measure_api(url, workdir, runs):
    server = Server(url, workdir)
    try:
        figures = measure(server.port, paths(utcnow()), runs)
    finally:
        server.stop()
    print_figures(figures)
    return figures


def measure_poll(engine, poll: Batch, label: str) -> None:
    written, refreshed, evaluated = store_poll(engine, poll, utcnow())
    engine_s = refreshed + evaluated  # the target's "engine's work": not the collector's rows
    print(f"\n-- poll at {label}: {len(poll.reports)} reports on {len(poll.change_ids())} "
          f"changes; rows written {written:.2f} s, refresh {refreshed:.2f} s, status "
          f"evaluation {evaluated:.2f} s; engine (refresh and evaluation) {engine_s:.2f} s "
          f"(target 2 s: {verdict(engine_s, 2)})", flush=True)


def measure_throughput(url, workdir, args) -> None:
    print(f"\n-- throughput, {args.clients} clients on /v1/systems?window=7d, "
          f"{args.seconds:.0f} s each", flush=True)
    rates = {}
    for workers in (1, 2):
        server = Server(url, workdir, workers=workers)
        try:
            rate, done, errors = throughput(server.port, "/v1/systems?window=7d",
                                            args.clients, args.seconds)
        finally:
            server.stop()
        rates[workers] = rate
        print(f"  gunicorn {workers} worker(s): {rate:6.1f} requests/s "
              f"({done} requests, {errors} errors)", flush=True)
    ratio = rates[2] / rates[1]
    print(f"  2 workers / 1: {ratio:.2f}x (target 1.7x: {verdict(-ratio, -1.7)})")


def print_buffer_pool(engine) -> None:
    """What the MariaDB figures depend on most: whether the database fits in memory."""
    if engine.dialect.name == "sqlite":
        return
    with engine.connect() as conn:
        size = conn.scalar(text("SELECT @@innodb_buffer_pool_size"))
    print(f"InnoDB buffer pool: {int(size) / 2**20:.0f} MiB", flush=True)


def print_machine_speed() -> None:
    """A fixed pure-Python workload, so that runs on machines of other speeds can be compared
    (most of an answer's time is Python: the API's, and PyMySQL decoding rows)."""
    started, total = time.perf_counter(), 0
    for n in range(10_000_000):
        total += n
    print(f"machine: 10 million Python additions in {time.perf_counter() - started:.2f} s "
          f"(load average {os.getloadavg()[0]:.2f})", flush=True)


def run(url: str, args, workdir: pathlib.Path) -> None:
    backend = make_url(url).get_backend_name()
    recent, total = args.days
    histories = [("100k", range(recent, 0, -1))]
    if (backend != "sqlite" or args.sqlite_1m) and not args.only_100k:
        histories.append(("1M", range(total, recent, -1)))
    print(f"\n=== {make_url(url).render_as_string(hide_password=True)} "
          f"(scale {args.scale}) ===", flush=True)
    fresh_database(url)
    engine = make_engine(url)
    migration.upgrade(engine)
    print_buffer_pool(engine)
    end = utcnow().replace(second=0)
    generator = Generator(end, round(REPORTS_PER_DAY * args.scale))
    accounts, systems = generator.systems()
    with engine.begin() as connection:
        connection.execute(insert(models.Project.__table__), [
            {"id": p, "name": f"openstack/project-{p}"} for p in range(1, PROJECTS + 1)])
        connection.execute(insert(models.Account.__table__), accounts)
        connection.execute(insert(models.CISystem.__table__), systems)
    results = {}
    for label, days in histories:
        written, touched, seconds = fill(engine, generator, days)
        total = count(engine, models.Report)
        print(f"\n-- history {label}: {total} reports, {count(engine, models.Change)} changes "
              f"({written} reports written in {seconds:.0f} s)", flush=True)
        now = utcnow()
        took = run_refresh(engine, touched, now)
        print(f"engine refresh of the {len(touched)} changes written: {took:.1f} s", flush=True)
        took, hours = run_evaluate(engine, now)
        print(f"status history filled in: {hours} hours of 100 systems in {took:.1f} s "
              f"({1000 * took / max(hours, 1):.0f} ms an hour)", flush=True)
        results[(label, "backfill")] = (took, hours)
        results[label] = measure_api(url, workdir, args.runs)
    last = histories[-1][0]
    measure_poll(engine, generator.poll, last)
    backfill, hours = results[(last, "backfill")]
    print(f"-- status history backfill at {last}: {hours} hours in {backfill:.0f} s "
          f"(target 600 s for 90 days at 1M: {verdict(backfill, 600)})", flush=True)
    if "1M" in results:
        print("\n-- ratios of p95")
        for name in TARGETS_MS:
            ratio = results["1M"][name][1] / results["100k"][name][1]
            print(f"  {name:18s} 1M / 100k {ratio:5.2f}x", flush=True)
        ratio = results["1M"]["systems 90d"][1] / results["1M"]["systems 7d"][1]
        print(f"  systems 90d / 7d at 1M {ratio:5.2f}x (target 3x: {verdict(ratio, 3)})")
    if backend != "sqlite" and not args.skip_throughput:
        measure_throughput(url, workdir, args)
    engine.dispose()


def again(url: str, args, workdir: pathlib.Path) -> None:
    """Measure a database an earlier run filled (and may have stopped in): the API as it is;
    then a new day of activity ending now, the status history left to fill marked done (the
    hours before are not evaluated again), its last hour stored as a poll; then throughput."""
    print(f"\n=== again: {make_url(url).render_as_string(hide_password=True)} ===", flush=True)
    engine = make_engine(url)
    print_buffer_pool(engine)
    print(f"{count(engine, models.Report)} reports", flush=True)
    measure_api(url, workdir, args.runs)
    if args.api_only:
        engine.dispose()
        return
    generator = Generator(utcnow().replace(second=0), round(REPORTS_PER_DAY * args.scale))
    m = models
    with engine.begin() as conn:
        for kind, model in (("change", m.Change), ("patchset", m.Patchset),
                            ("report", m.Report), ("job", m.JobResult),
                            ("recheck", m.Recheck)):
            generator.ids[kind] = conn.scalar(select(func.max(model.id))) or 0
        conn.execute(update(m.EngineState).values(
            dirty_since=None, evaluated_until=hour_floor(utcnow()) - timedelta(hours=1)))
    written, touched, _ = fill(engine, generator, range(1, 0, -1))
    now = utcnow()
    took = run_refresh(engine, touched, now)
    evaluated, hours = run_evaluate(engine, now)
    print(f"a new day: {written} reports; refresh {took:.1f} s, {hours} hours evaluated in "
          f"{evaluated:.1f} s", flush=True)
    measure_poll(engine, generator.poll, "the database's size")
    if make_url(url).get_backend_name() != "sqlite" and not args.skip_throughput:
        measure_throughput(url, workdir, args)
    engine.dispose()


def _days(value: str) -> tuple[int, int]:
    recent, total = (int(part) for part in value.split(","))
    if not 0 < recent < total:
        raise argparse.ArgumentTypeError("two numbers of days, the first smaller")
    return recent, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", metavar="URL",
                        help="database URLs, database name included (dropped and made anew)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the reports to write (0.1: about 10k and 100k)")
    parser.add_argument("--runs", type=int, default=20, help="requests per path and history")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30,
                        help="seconds of throughput measurement per worker count")
    parser.add_argument("--days", type=_days, default=(RECENT_DAYS, ALL_DAYS),
                        help="days of the two histories, for a smoke run (default 9,90)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--sqlite-1m", action="store_true",
                        help="fill SQLite databases to 90 days too")
    parser.add_argument("--only-100k", action="store_true", help="stop every URL at 100k")
    parser.add_argument("--again", action="store_true",
                        help="measure databases an earlier run filled, without dropping them")
    parser.add_argument("--api-only", action="store_true",
                        help="with --again: only the requests, the databases left as they are "
                        "(a URL given more than once is measured in turn, for ratios taken in "
                        "the same minutes)")
    args = parser.parse_args()
    print_machine_speed()
    with tempfile.TemporaryDirectory(prefix="radar-bench-") as workdir:
        for url in args.urls:
            (again if args.again else run)(url, args, pathlib.Path(workdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
