"""The collector's memory and ingest speed, on SQLite and MariaDB.

1. Peak memory of a first poll (``radar-collector --once``: poll and health engine) and of a
   day-by-day backfill (``radar-collector backfill``) over 10 and over 40 simulated days. Each
   run is a child process against the Gerrit simulator (served by this process), on a fresh
   database; it prints its own peak resident memory (VmHWM) and how much it grew over the
   memory it had after its imports, before the poll.
2. Reports stored per second: our store (radar_collector.bulk, every table, in batches as a
   poll stores them) against a plain DB-API ``executemany`` of the same report and job rows into
   the same kind of database, side by side in one run.

Run: python benchmarks/collector_ingest.py [--days 10 40] [--changes-per-day 12] [--repeat 3]
MariaDB: set RADAR_BENCH_MYSQL_URL to a full URL with a database name, e.g.
mysql+pymysql://root@127.0.0.1:3306/radar_bench_ingest; that database (and only it) is
dropped and created again for every run. Without it only SQLite is measured.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

MYSQL_URL = os.environ.get("RADAR_BENCH_MYSQL_URL")
BATCH = 200


def rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_kb() -> int:
    """This process's own peak resident memory. Not ru_maxrss: Linux carries that over from
    the parent across fork and exec, so a child would report this benchmark's own peak (it
    serves the simulator, bigger for more days) whenever that is the larger."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- databases -----------------------------------------------------------------------------------


def fresh_database(backend: str, workdir: Path, name: str) -> str:
    """A fresh, migrated database; returns its URL."""
    from radar_core import migration
    from radar_core.db import make_engine

    if backend == "sqlite":
        path = workdir / f"{name}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        parsed = make_url(MYSQL_URL)
        database = parsed.database
        if not database:
            sys.exit("RADAR_BENCH_MYSQL_URL must name a database (it is dropped and recreated)")
        server = create_engine(parsed.set(database=""), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS `{database}`"))
            connection.execute(
                text(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            )
        server.dispose()
        url = parsed.render_as_string(hide_password=False)
    engine = make_engine(url)
    migration.upgrade(engine)
    engine.dispose()
    return url


# --- 1. peak memory (child processes) --------------------------------------------------------


def child(mode: str, url: str, gerrit: str, days: int) -> None:
    """Run one first poll or backfill and print what it cost, as JSON."""
    from radar_collector.gerrit import GerritClient
    from radar_collector.poller import Poller, PollSettings, utcnow
    from radar_core.db import make_engine

    engine = make_engine(url)
    settings = PollSettings(
        projects=[], page_size=100, ci_group="third-party-ci", reference_account="zuul",
        backfill_days=days + 1,
    )
    poller = Poller(engine, GerritClient(gerrit, timeout=60), settings, name="bench")
    base = rss_kb()
    started = time.perf_counter()
    if mode == "poll":
        outcomes = poller.poll_all()
    elif mode == "poll-only":  # the poll without the health engine's evaluation after it
        outcomes = [poller.poll(query) for query in poller.queries()]
    else:
        since = (utcnow() - timedelta(days=days + 1)).replace(hour=0, minute=0, second=0)
        outcomes = [poller.poll("all", since=a, before=b) for a, b in poller.backfill_days(since)]
        poller.evaluate()
    seconds = time.perf_counter() - started
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    print(json.dumps({
        "peak_kb": peak_kb(),
        "base_kb": base,
        "seconds": round(seconds, 1),
        "reports": sum(o.counts.reports for o in outcomes),
    }))


def measure_memory(backend, workdir, days_list, changes_per_day) -> list[dict]:
    from radar_demo.scenario import Scenario
    from radar_demo.server import GerritSimulator

    results = []
    for days in days_list:
        scenario = Scenario.generate(seed=42, days=days, changes_per_day=changes_per_day)
        with GerritSimulator(scenario) as sim:
            for mode in ("poll", "backfill"):
                url = fresh_database(backend, workdir, f"memory-{days}-{mode}")
                output = subprocess.run(
                    [sys.executable, __file__, "--child", mode, url, sim.url, str(days)],
                    check=True, capture_output=True, text=True,
                ).stdout
                result = json.loads(output.strip().splitlines()[-1])
                result.update(backend=backend, days=days, mode=mode)
                results.append(result)
                print(
                    f"{backend:7} {mode:8} {days:3} days: {result['reports']:6} reports in "
                    f"{result['seconds']:6.1f}s, peak {result['peak_kb'] / 1024:6.1f} MiB "
                    f"(grew {(result['peak_kb'] - result['base_kb']) / 1024:5.1f} MiB during it)",
                    flush=True,
                )
    for mode in ("poll", "backfill"):
        runs = [r for r in results if r["mode"] == mode]
        low, high = runs[0], runs[-1]
        change = (high["peak_kb"] - low["peak_kb"]) / low["peak_kb"]
        print(f"{backend:7} {mode:8} peak memory {high['days']} days vs {low['days']} days: "
              f"{change:+.1%} (goal: under 20 %)", flush=True)
    return results


# --- 2. reports per second ---------------------------------------------------------------------


def changes_of(days, changes_per_day) -> list[dict]:
    from radar_collector.gerrit import GerritClient
    from radar_demo.scenario import Scenario
    from radar_demo.server import GerritSimulator

    scenario = Scenario.generate(seed=42, days=days, changes_per_day=changes_per_day)
    with GerritSimulator(scenario) as sim:
        client = GerritClient(sim.url, timeout=60)
        members = [m["_account_id"] for m in client.group_members("third-party-ci")]
        since = scenario.start - timedelta(days=1)
        changes = list(client.query_changes(f'after:"{since:%Y-%m-%d %H:%M:%S}"', 100))
    return changes, members


def our_store(url, changes, members) -> tuple[int, float]:
    from radar_collector.bulk import BulkStore
    from radar_collector.poller import utcnow
    from radar_collector.store import CIRegistry
    from radar_core.db import make_engine, transaction
    from radar_core.engine import refresh

    engine = make_engine(url)
    registry = CIRegistry(members, auto_detect=False)
    reports = 0
    gc.collect()  # the changes just read are not the store's garbage to collect
    started = time.perf_counter()
    for start in range(0, len(changes), BATCH):
        with transaction(engine) as session:
            refresh.lock(session)
            store = BulkStore(session, registry, utcnow())
            store.store(changes[start : start + BATCH])
            reports += store.counts.reports
    seconds = time.perf_counter() - started
    engine.dispose()
    return reports, seconds


def plain_executemany(source_url, target_url) -> tuple[int, float]:
    """Copy the parents untimed, then time a DB-API executemany of the reports and jobs."""
    from radar_core import models
    from radar_core.db import make_engine

    source, target = make_engine(source_url), make_engine(target_url)
    tables = [models.Project, models.Account, models.CISystem, models.Change, models.Patchset]
    with source.connect() as reading, target.begin() as writing:
        for model in tables:
            rows = [dict(r._mapping) for r in reading.execute(model.__table__.select())]
            writing.execute(model.__table__.insert(), rows)
        reports = [tuple(r) for r in reading.execute(models.Report.__table__.select())]
        jobs = [tuple(r) for r in reading.execute(models.JobResult.__table__.select())]
    paramstyle = "?" if target.dialect.name == "sqlite" else "%s"

    def statement(table):
        columns = ", ".join(c.name for c in table.columns)
        marks = ", ".join([paramstyle] * len(table.columns))
        return f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"

    connection = target.raw_connection()
    gc.collect()  # as for our store
    started = time.perf_counter()
    cursor = connection.cursor()
    for table, rows in ((models.Report.__table__, reports), (models.JobResult.__table__, jobs)):
        for start in range(0, len(rows), 1000):
            cursor.executemany(statement(table), rows[start : start + 1000])
    connection.commit()
    seconds = time.perf_counter() - started
    connection.close()
    source.dispose()
    target.dispose()
    return len(reports), seconds


def measure_rates(backend, workdir, changes, members, repeat: int) -> None:
    """Each side ``repeat`` times on fresh databases, alternating; their medians compared."""
    ours_times, plain_times = [], []
    for _ in range(repeat):
        ours_url = fresh_database(backend, workdir, "rate-ours")
        _, ours = our_store(ours_url, changes, members)
        if backend == "mysql":  # one database only: keep our rows in a SQLite copy's place
            copy = fresh_database("sqlite", workdir, "rate-copy")
            plain_executemany(ours_url, copy)  # parents and rows, to copy back from
            plain_url = fresh_database(backend, workdir, "rate-plain")
            count, plain = plain_executemany(copy, plain_url)
        else:
            plain_url = fresh_database(backend, workdir, "rate-plain")
            count, plain = plain_executemany(ours_url, plain_url)
        ours_times.append(ours)
        plain_times.append(plain)
    ours, plain = statistics.median(ours_times), statistics.median(plain_times)
    ours_rate, plain_rate = count / ours, count / plain
    print(
        f"{backend:7} store: {ours_rate:8.0f} reports/s (our bulk store, {len(changes)} changes, "
        f"{count} reports and notices with their jobs, median {ours:.2f}s of "
        f"{', '.join(f'{t:.2f}' for t in ours_times)}); plain executemany of the same report "
        f"and job rows: {plain_rate:8.0f} reports/s (median {plain:.2f}s of "
        f"{', '.join(f'{t:.2f}' for t in plain_times)}); ours is "
        f"{ours_rate / plain_rate:.0%} of it (goal: at least 30 %)",
        flush=True,
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, nargs="+", default=[10, 40])
    parser.add_argument("--changes-per-day", type=float, default=12)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--repeat", type=int, default=3,
                        help="times each side of the store rate is measured (the median counts)")
    args = parser.parse_args()
    backends = ["sqlite"] + (["mysql"] if MYSQL_URL else [])
    if not MYSQL_URL:
        print("RADAR_BENCH_MYSQL_URL is not set: SQLite only", flush=True)
    with tempfile.TemporaryDirectory(prefix="radar-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_memory:
            for backend in backends:
                measure_memory(backend, workdir, args.days, args.changes_per_day)
        changes, members = changes_of(max(args.days), args.changes_per_day)
        # Out of the collector's way: a poll holds one page of changes, the benchmark all of
        # them, which every full collection during either side's timing would walk again.
        gc.collect()
        gc.freeze()
        for backend in backends:
            measure_rates(backend, workdir, changes, members, args.repeat)


if __name__ == "__main__":
    main()
