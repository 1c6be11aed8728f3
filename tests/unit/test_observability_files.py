"""infra/observability agrees with the code: every metric the dashboard queries is one the
gateway or the relay exposes, and Prometheus scrapes the ports and paths that serve them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import generate_latest
from starlette.routing import Route

from keel_gateway.edge.metrics_routes import router as gateway_metrics
from keel_gateway.edge.observe import RequestMetrics
from keel_gateway.settings import GatewaySettings
from keel_secrets.relay_agent.metrics import RelayMetrics
from keel_secrets.relay_agent.settings import RelaySettings

REPO = Path(__file__).resolve().parents[2]
OBSERVABILITY = REPO / "infra" / "observability"


def exposed() -> set[str]:
    """The series names the two registries really print, after observing once."""
    gateway, relay = RequestMetrics(), RelayMetrics()
    gateway.requests.labels("/api/v1/health", "GET", "200").inc()
    gateway.latency.labels("/api/v1/health", "GET").observe(0.01)
    relay.requests.labels("read", "success").inc()
    relay.latency.labels("read").observe(0.01)
    relay.vault_up.set(1)
    relay.heartbeats.inc()
    text = b"".join(generate_latest(r) for r in (gateway.registry, relay.registry))
    return {
        line.split("{")[0].split(" ")[0]
        for line in text.decode().splitlines()
        if line and not line.startswith("#")
    }


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())
    return loaded


def queried_metrics(expr: str) -> set[str]:
    without_labels = re.sub(r"\{[^}]*\}", "", expr)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_labels)
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_ranges))
    return {n for n in names if n.startswith("keel_")}


def test_every_metric_on_the_dashboard_is_exposed_by_the_code() -> None:
    series = exposed()
    used: set[str] = set()
    for panel in dashboard()["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = queried_metrics(target["expr"])
            assert names, target["expr"]
            assert names <= series, f"{panel['title']}: {sorted(names - series)}"
            used |= names
    # Every metric family the code has is on the dashboard at least once.
    families = {re.sub(r"_(bucket|sum|count|created|total)$", "", s) for s in series}
    assert families <= {re.sub(r"_(bucket|sum|count|created|total)$", "", u) for u in used}


def test_prometheus_scrapes_the_paths_and_ports_that_serve_metrics() -> None:
    paths = {route.path for route in gateway_metrics.routes if isinstance(route, Route)}
    assert "/metrics" in paths
    for name, port in (
        ("prometheus.yml", GatewaySettings().port),
        ("prometheus-relay.yml", RelaySettings().http_port),
    ):
        config = yaml.safe_load((OBSERVABILITY / name).read_text())
        [job] = config["scrape_configs"]
        assert job["metrics_path"] == "/metrics"
        [targets] = [c["targets"] for c in job["static_configs"]]
        assert all(t.endswith(f":{port}") for t in targets), (name, targets)
    relay_http = (REPO / "services/secrets/src/keel_secrets/relay_agent/http.py").read_text()
    assert 'Route("/metrics", metrics)' in relay_http


def test_the_collector_parses_the_trace_id_keel_logs() -> None:
    config = yaml.safe_load((OBSERVABILITY / "otel-collector.yaml").read_text())
    operators = config["receivers"]["filelog"]["operators"]
    [trace] = [o for o in operators if o["type"] == "trace_parser"]
    logging = (REPO / "libs/common/src/keel_common/logging.py").read_text()
    field = trace["trace_id"]["parse_from"].removeprefix("attributes.")
    assert f'event_dict.setdefault("{field}"' in logging
    for pipeline in config["service"]["pipelines"].values():
        assert set(pipeline["receivers"]) <= set(config["receivers"])
        assert set(pipeline["exporters"]) <= set(config["exporters"])
