"""Prometheus metrics of the systems' health and the collector's, built per scrape.

The figures come from the database at every scrape, so a fresh registry holds one collector
that knows them; the process-wide default registry would mix in the API's own process metrics
and keep state between scrapes. Counters (``_total``) are sums over every poll the database
logged, so they only grow, whichever API process answers; etc/prometheus/ has alerting rules
and etc/grafana/ a dashboard built on these names (tests keep them in step).
"""

from collections import Counter
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.registry import Collector

from radar_api.controllers.v1.utils import STATUSES
from radar_core import catalogue

SYSTEM_LABELS = ("username", "name")
OUTCOMES = ("ok", "error", "skipped")

# figure -> (metric name, help); ratios are in [0, 1], times in seconds.
SYSTEM_GAUGES = {
    "score": ("radar_system_score", "Health score (0-100) over the last 7 days."),
    **{name: (f"radar_system_{name}", f"{catalogue.FIGURES[name].help} Ratio, last 7 days.")
       for name in catalogue.COMPONENTS},
    "latency_p50_s": ("radar_system_latency_p50_seconds",
                      "Median seconds from patchset creation to the first report."),
    "latency_p90_s": ("radar_system_latency_p90_seconds",
                      "90th percentile of seconds from patchset creation to the first report."),
    "false_failure_rate": ("radar_system_false_failure_rate",
                           "Share of patchsets where it failed and the reference CI succeeded."),
    "reports": ("radar_system_reports", "Reports posted over the last 7 days."),
    "last_report_at": ("radar_system_last_report_timestamp_seconds",
                       "Unix time of the system's latest report."),
    "last_success_at": ("radar_system_last_success_timestamp_seconds",
                        "Unix time of the system's latest successful report."),
}
COLLECTOR_COUNTERS = {
    "requests": ("radar_collector_requests", "Gerrit requests made by every poll logged."),
    "errors": ("radar_collector_errors", "Failed Gerrit requests of every poll logged."),
    "rate_limited": ("radar_collector_rate_limited",
                     "Gerrit answers of HTTP 429 (rate limited) to every poll logged."),
    "reports_stored": ("radar_collector_reports_stored", "Reports stored by every poll."),
    "rechecks_stored": ("radar_collector_rechecks_stored", "Rechecks stored by every poll."),
}


def _number(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).timestamp()
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return float(value)


class RadarCollector(Collector):
    """Metrics of ``systems`` (items of Radar.systems), ``status`` (Radar.status) and
    ``facts`` (Radar.metrics)."""

    def __init__(self, systems: list[dict], status: dict, facts: dict):
        self.systems = sorted(systems, key=lambda system: system["id"])
        self.status = status
        self.facts = facts

    def collect(self):
        yield from self._system_metrics()
        yield from self._collector_metrics()
        yield from self._engine_metrics()

    def _system_metrics(self):
        families = {
            key: GaugeMetricFamily(name, text, labels=SYSTEM_LABELS)
            for key, (name, text) in SYSTEM_GAUGES.items()
        }
        status = GaugeMetricFamily(
            "radar_system_status",
            "1 for the system's current health status, 0 for the others (a state set).",
            labels=(*SYSTEM_LABELS, "status"),
        )
        silenced = GaugeMetricFamily(
            "radar_system_silenced", "1 while a silence covers the system (no alert opens).",
            labels=SYSTEM_LABELS)
        alerting = GaugeMetricFamily(
            "radar_system_alert_open", "1 while an alert of the system is open.",
            labels=SYSTEM_LABELS)
        quiet = self.facts["silenced"]
        for system in self.systems:
            labels = [system.get("username") or "", system.get("name") or ""]
            figures = {**system["stats"], **system["health"]}
            for key, family in families.items():
                # Prometheus has no null: a figure without data has no sample.
                if figures.get(key) is not None:
                    family.add_metric(labels, _number(figures[key]))
            for name in STATUSES:
                status.add_metric([*labels, name], 1.0 if figures["status"] == name else 0.0)
            silenced.add_metric(labels, float(self.facts["silence_all"]
                                              or system["id"] in quiet))
            alerting.add_metric(labels, float(system["id"] in self.facts["open_alerts"]))
        yield from families.values()
        yield from (status, silenced, alerting)

    def _collector_metrics(self):
        collector = self.status["collector"]
        last_success = GaugeMetricFamily(
            "radar_collector_last_success_timestamp_seconds",
            "Unix time of the collector's last successful poll.",
        )
        if collector.get("last_success_at") is not None:
            last_success.add_metric([], _number(collector["last_success_at"]))
        yield last_success
        lag = GaugeMetricFamily(
            "radar_collector_lag_seconds", "Seconds since the collector's last successful poll."
        )
        if collector.get("lag_s") is not None:
            lag.add_metric([], float(collector["lag_s"]))
        yield lag
        counters = self.facts["polls"]
        polls = CounterMetricFamily(
            "radar_collector_polls", "Polls logged, by outcome.", labels=("outcome",))
        outcomes = Counter(counters["polls"])
        for outcome in sorted(set(OUTCOMES) | set(outcomes)):
            polls.add_metric([outcome], float(outcomes[outcome]))
        yield polls
        for key, (name, text) in COLLECTOR_COUNTERS.items():
            yield CounterMetricFamily(name, text, value=float(counters[key]))
        duration = counters["duration"]
        yield HistogramMetricFamily(
            "radar_collector_poll_duration_seconds", "Seconds each finished poll took.",
            buckets=[(f"{bound:g}", float(n)) for bound, n in duration["buckets"]]
            + [("+Inf", float(duration["count"]))],
            sum_value=float(duration["sum"]))
        deliveries = GaugeMetricFamily(
            "radar_alert_deliveries", "Alert notifications by state (pending, sent, failed).",
            labels=("state",))
        states = Counter(self.facts["deliveries"])
        for state in sorted({"pending", "sent", "failed"} | set(states)):
            deliveries.add_metric([state], float(states[state]))
        yield deliveries
        yield from self._quota_metrics()

    def _engine_metrics(self):
        engine = self.facts["engine"] or {}
        yield CounterMetricFamily("radar_engine_runs", "Runs of the health engine.",
                                  value=float(engine.get("runs") or 0))
        yield CounterMetricFamily("radar_engine_run_seconds",
                                  "Seconds the health engine's runs took, summed.",
                                  value=float(engine.get("run_seconds") or 0))
        last = GaugeMetricFamily("radar_engine_last_run_seconds",
                                 "Seconds the health engine's latest run took.")
        at = GaugeMetricFamily("radar_engine_last_run_timestamp_seconds",
                               "Unix time of the health engine's latest run.")
        if engine.get("last_run_seconds") is not None:
            last.add_metric([], float(engine["last_run_seconds"]))
            at.add_metric([], _number(engine["last_run_at"]))
        yield last
        yield at

    def _quota_metrics(self):
        """The Gerrit quota monitor: what the last hour's polls asked, and the event streams."""
        quota = self.status.get("quota") or {}
        for key, name, help_text in (
            ("requests", "radar_gerrit_requests_last_hour",
             "HTTP requests the collector sent to Gerrit in the last hour (retries included)."),
            ("rate_limited", "radar_gerrit_rate_limited_last_hour",
             "HTTP 429 replies Gerrit sent in the last hour."),
            ("retry_wait_s", "radar_gerrit_retry_wait_seconds_last_hour",
             "Seconds the collector waited in the last hour because Retry-After asked."),
        ):
            family = GaugeMetricFamily(name, help_text)
            family.add_metric([], float(quota.get(key) or 0))
            yield family
        connected = GaugeMetricFamily(
            "radar_stream_connected", "1 while the collector's event stream is connected.",
            labels=("stream",),
        )
        lag = GaugeMetricFamily(
            "radar_stream_lag_seconds",
            "Seconds between Gerrit creating the stream's latest event and the collector "
            "reading it.", labels=("stream",),
        )
        for stream in quota.get("streams") or []:
            connected.add_metric([stream["name"]], 1.0 if stream["connected"] else 0.0)
            if stream.get("lag_s") is not None:
                lag.add_metric([stream["name"]], float(stream["lag_s"]))
        yield connected
        yield lag


def render(systems: list[dict], status: dict, facts: dict) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RadarCollector(systems, status, facts))
    return generate_latest(registry)
