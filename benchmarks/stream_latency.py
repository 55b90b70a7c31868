"""How soon a CI verdict posted in the simulator is in ``/v1/systems/{id}/reports`` with the
event stream on (the goal: within 5 s).

The whole stack on one machine: the Gerrit simulator (REST) and its SSH stream-events server,
a database (SQLite, or MariaDB with RADAR_BENCH_MYSQL_URL: a full URL with a database name,
which is dropped and created again), one REST poll, then the collector's stream source in its
thread, and the API over HTTP (waitress). Each verdict is timed from the moment the simulator
posts it to the moment the API lists it (asked every 20 ms).

Run: python benchmarks/stream_latency.py [--verdicts 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collector_ingest import fresh_database  # noqa: E402

from radar_api.app import make_app  # noqa: E402
from radar_collector import sources  # noqa: E402
from radar_collector.gerrit import GerritClient  # noqa: E402
from radar_collector.poller import Poller, PollSettings, utcnow  # noqa: E402
from radar_collector.stream import StreamSettings, StreamSource  # noqa: E402
from radar_core.db import make_engine  # noqa: E402
from radar_core.service import Radar, Settings  # noqa: E402
from radar_demo.scenario import Scenario  # noqa: E402
from radar_demo.server import GerritSimulator  # noqa: E402
from radar_demo.ssh import StreamEventsServer  # noqa: E402
from radar_demo.stack import ApiServer  # noqa: E402

VERDICT = (
    "Patch Set {ps}: Verified+1\n\nBuild succeeded (check pipeline).\n\n"
    "- bench-tox https://ci.example.org/logs/{n}/{k} : SUCCESS in 3m 12s\n"
)


def measure(backend: str, workdir: Path, verdicts: int) -> list[float]:
    url = fresh_database(backend, workdir, "latency")
    engine = make_engine(url)
    scenario = Scenario.generate(seed=3, days=2, changes_per_day=8)
    with GerritSimulator(scenario) as sim, StreamEventsServer(sim, workdir / "ssh") as ssh:
        settings = PollSettings(projects=[], ci_group="third-party-ci", reference_account="zuul",
                                backfill_days=3)
        poller = Poller(engine, GerritClient(sim.url), settings, name="bench")
        assert all(outcome.ok for outcome in poller.poll_all())
        stream = StreamSource(engine, StreamSettings(
            ssh_url=ssh.url, username="radar", key_file=ssh.key_file,
            known_hosts=ssh.known_hosts, auto_detect=False,
        ), poller.health, "bench")
        stop = threading.Event()
        sources.start([stream], stop)
        api = ApiServer(make_app(Radar(engine, Settings(poller.health)))).start()
        while not ssh.open_streams():
            time.sleep(0.02)
        system = scenario.system("acme-ci")
        latencies = []
        try:
            for k in range(verdicts):
                with scenario.lock:
                    change = max((c for c in scenario.changes if c.status == "NEW"),
                                 key=lambda c: c.updated)
                    ps = change.current.number
                    date = max(utcnow(), change.updated + timedelta(seconds=1))
                    posted = time.perf_counter()
                    scenario.post(change, date, "report", VERDICT.format(ps=ps, n=change.number,
                                  k=k), ps, system.id, result="SUCCESS", pipeline="check")
                since, until = date - timedelta(hours=1), date + timedelta(hours=1)
                query = (f"since={since:%Y-%m-%dT%H:%M:%SZ}&until={until:%Y-%m-%dT%H:%M:%SZ}"
                         "&limit=50")
                while True:
                    body = requests.get(f"{api.url}/v1/systems/{system.id}/reports?{query}",
                                        timeout=10).json()
                    if any(job["url"] and job["url"].endswith(f"/{change.number}/{k}")
                           for report in body["reports"] for job in report["jobs"]):
                        break
                    if time.perf_counter() - posted > 60:
                        raise SystemExit(f"verdict {k} not in the API after 60 s")
                    time.sleep(0.02)
                latencies.append(time.perf_counter() - posted)
        finally:
            stop.set()
            api.stop()
    engine.dispose()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=int, default=20)
    args = parser.parse_args()
    backends = ["sqlite"] + (["mysql"] if os.environ.get("RADAR_BENCH_MYSQL_URL") else [])
    with tempfile.TemporaryDirectory(prefix="radar-bench-") as tmp:
        for backend in backends:
            latencies = sorted(measure(backend, Path(tmp), args.verdicts))
            p90 = latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))]
            print(f"{backend:7} verdict to /v1/systems/{{id}}/reports over the event stream: "
                  f"p50 {statistics.median(latencies):.2f}s, p90 {p90:.2f}s, "
                  f"max {latencies[-1]:.2f}s over {len(latencies)} verdicts (goal: within 5 s)",
                  flush=True)


if __name__ == "__main__":
    main()
