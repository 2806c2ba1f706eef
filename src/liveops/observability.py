"""Prometheus metrics of one process. Each app owns its registry (no import-time globals)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


class _Live(Collector):
    """Figures read at scrape time from the live backend, so nothing has to be kept in sync."""

    def __init__(
        self,
        consoles: Callable[[], int],
        owned: Callable[[], Iterable[str]],
        positions: Callable[[], dict[str, int]],
    ) -> None:
        self._consoles, self._owned, self._positions = consoles, owned, positions

    def collect(self) -> Iterable[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "liveops_consoles", "Console websockets open on this process", value=self._consoles()
        )
        owned = GaugeMetricFamily(
            "liveops_aggregator_owned",
            "1 for each show aggregated by this process",
            labels=["show"],
        )
        for show in self._owned():
            owned.add_metric([show], 1)
        yield owned
        position = GaugeMetricFamily(
            "liveops_stream_offset", "Newest publication offset per show", labels=["show"]
        )
        for show, offset in self._positions().items():
            position.add_metric([show], offset)
        yield position


class _Reservations(Collector):
    """The reservation desk's and the expiry sweeper's counts, read at scrape time."""

    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self._counts = counts

    def collect(self) -> Iterable[CounterMetricFamily]:
        help_by_name = {
            "decisions": "Reservation requests decided (each order's first decision or a retry)",
            "batches": "Reservation transactions committed (one decides many requests)",
            "early_probe_races": "Batches decided again: an order id was decided by someone "
            "else between the early probe and the row lock",
            "expired": "SKU rows given units back by the expiry sweeper",
        }
        for name, value in self._counts().items():
            yield CounterMetricFamily(f"liveops_reservation_{name}", help_by_name[name], value)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.ingest_events = Counter(
            "liveops_ingest_events", "Ingested events by outcome", ["outcome"], registry=r
        )
        self.ingest_shed = Counter(
            "liveops_ingest_shed",
            "Ingest requests refused with 503 because the process was at its in-flight limit",
            registry=r,
        )
        self.ingest_requests = Counter(
            "liveops_ingest_requests", "Ingest requests by HTTP status", ["status"], registry=r
        )
        self.ingest_persist_seconds = Histogram(
            "liveops_ingest_persist_seconds",
            "Time to validate and durably store one ingest batch",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=r,
        )
        self.console_resumes = Counter(
            "liveops_console_resumes", "Console reconnects by outcome", ["outcome"], registry=r
        )
        self.console_closes = Counter(
            "liveops_console_server_closes",
            "Consoles closed by the server, by close code (4008: too slow)",
            ["code"],
            registry=r,
        )
        self.bus_failures = Counter(
            "liveops_bus_failures", "Events that could not be handed to the bus", registry=r
        )

    def watch_live(
        self,
        consoles: Callable[[], int],
        owned: Callable[[], Iterable[str]],
        positions: Callable[[], dict[str, int]],
    ) -> None:
        self.registry.register(_Live(consoles, owned, positions))

    def watch_reservations(self, counts: Callable[[], dict[str, int]]) -> None:
        self.registry.register(_Reservations(counts))

    def render(self) -> bytes:
        return generate_latest(self.registry)
