"""Prometheus metrics of the systems' health and the collector's, built per scrape.

The figures come from the database at every scrape, so a fresh registry holds one collector
that knows them; the process-wide default registry would mix in the API's own process metrics
and keep state between scrapes.
"""

from collections import Counter
from datetime import UTC

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from radar_api.controllers.v1.utils import STATUSES

SYSTEM_LABELS = ("system", "username")
OUTCOMES = ("ok", "error", "skipped")


class RadarCollector(Collector):
    """Metrics of ``systems`` (items of Radar.systems) and ``status`` (Radar.status)."""

    def __init__(self, systems: list[dict], status: dict):
        self.systems = sorted(systems, key=lambda system: system["id"])
        self.status = status

    def collect(self):
        yield from self._system_metrics()
        yield from self._collector_metrics()

    def _system_metrics(self):
        gauges = {
            "score": ("radar_system_score", "Health score (0-100) over the last 7 days."),
            "coverage": ("radar_system_coverage", "Share of eligible patchsets reported on."),
            "success_rate": ("radar_system_success_rate", "SUCCESS / (SUCCESS+FAILURE+ERROR)."),
            "latency_p50_s": (
                "radar_system_latency_p50_seconds",
                "Median seconds from patchset creation to the first report.",
            ),
            "reports": ("radar_system_reports", "Reports posted over the last 7 days."),
        }
        families = {
            key: GaugeMetricFamily(name, text, labels=SYSTEM_LABELS)
            for key, (name, text) in gauges.items()
        }
        status = GaugeMetricFamily(
            "radar_system_status",
            "1 for the system's current health status, 0 for the others.",
            labels=(*SYSTEM_LABELS, "status"),
        )
        for system in self.systems:
            labels = [system.get("name") or "", system.get("username") or ""]
            figures = {**system["stats"], **system["health"]}
            for key, family in families.items():
                # Prometheus has no null: a figure without data has no sample.
                if figures.get(key) is not None:
                    family.add_metric(labels, float(figures[key]))
            for name in STATUSES:
                status.add_metric([*labels, name], 1.0 if figures["status"] == name else 0.0)
        yield from families.values()
        yield status

    def _collector_metrics(self):
        collector = self.status["collector"]
        last_success = GaugeMetricFamily(
            "radar_collector_last_success_timestamp_seconds",
            "Unix time of the collector's last successful poll.",
        )
        if collector.get("last_success_at") is not None:
            moment = collector["last_success_at"].replace(tzinfo=UTC)
            last_success.add_metric([], moment.timestamp())
        yield last_success
        lag = GaugeMetricFamily(
            "radar_collector_lag_seconds", "Seconds since the collector's last successful poll."
        )
        if collector.get("lag_s") is not None:
            lag.add_metric([], float(collector["lag_s"]))
        yield lag
        polls = GaugeMetricFamily(
            "radar_collector_polls", "Outcomes of the 20 latest polls.", labels=("outcome",)
        )
        outcomes = Counter(poll["outcome"] for poll in collector.get("polls") or [])
        for outcome in sorted(set(OUTCOMES) | set(outcomes)):
            polls.add_metric([outcome], float(outcomes[outcome]))
        yield polls
        yield from self._quota_metrics()

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


def render(systems: list[dict], status: dict) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RadarCollector(systems, status))
    return generate_latest(registry)
