"""The gateway's table of MLflow calls against what the metadata service serves: every
call reaches a handler that answers with the reply the gateway expects, no route is
declared twice, and the one-entry calls become the batch the service logs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from keel_common.contracts.mlflow.runs import LogBatch
from keel_gateway.mlflow.endpoints import ENDPOINTS
from keel_metadata.app import create_runtime


def test_every_mlflow_call_has_a_handler_answering_the_expected_reply() -> None:
    served = dict(create_runtime().router.methods())
    for endpoint in ENDPOINTS:
        assert endpoint.request in served, f"{endpoint.path}: no handler"
        assert served[endpoint.request] is endpoint.reply, endpoint.path


def test_no_route_is_declared_twice() -> None:
    routes = Counter((e.method, e.path) for e in ENDPOINTS)
    assert [r for r, n in routes.items() if n > 1] == []


def test_single_entry_calls_become_batches() -> None:
    by_path = {e.path: e for e in ENDPOINTS}
    sent: dict[str, dict[str, Any]] = {
        "/runs/log-metric": {"run_uuid": "a" * 32, "key": "m", "value": 1.5, "timestamp": 3},
        "/runs/log-parameter": {"run_id": "a" * 32, "key": "p", "value": "1"},
        "/runs/set-tag": {"run_id": "a" * 32, "run_uuid": "a" * 32, "key": "t", "value": "x"},
    }
    batches = {}
    for path, fields in sent.items():
        adapt = by_path[path].adapt
        assert adapt is not None
        batches[path] = LogBatch.model_validate(adapt(fields))
    assert batches["/runs/log-metric"].metrics[0].value == 1.5
    assert batches["/runs/log-metric"].run_id == "a" * 32
    assert batches["/runs/log-parameter"].params[0].key == "p"
    assert batches["/runs/set-tag"].tags[0].value == "x"
