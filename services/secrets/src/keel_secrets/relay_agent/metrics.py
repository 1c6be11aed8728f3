"""The relay's Prometheus metrics. Labels are operations and outcomes, never paths or
values (paths would make the metric a directory listing of the customer's secrets)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class RelayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "keel_relay_requests_total",
            "Requests from the control plane, by operation and outcome",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "keel_relay_request_seconds",
            "Time from receipt to signed reply",
            ["operation"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.vault_up = Gauge(
            "keel_relay_vault_up",
            "1 when the customer's Vault is reachable and unsealed",
            registry=self.registry,
        )
        self.heartbeats = Counter(
            "keel_relay_heartbeats_total", "Heartbeats sent", registry=self.registry
        )
