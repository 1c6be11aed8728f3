"""A metric history crosses Kafka as columns and reaches the client in MLflow's shape."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import ValidationError

from keel_common.contracts.base import Envelope
from keel_common.contracts.mlflow.runs import MetricHistory


def test_the_client_gets_one_metric_object_per_point_in_step_order() -> None:
    history = MetricHistory(
        key='loss "val"',
        values=[0.5, 1e-05, -0.0, 12.0],
        timestamps=[1000, 1001, 1002, 1003],
        steps=[0, 1, 2, 3],
        next_page_token="tok",
    )
    body = json.loads(history.response_json())
    assert body == {
        "metrics": [
            {"key": 'loss "val"', "value": 0.5, "timestamp": 1000, "step": 0},
            {"key": 'loss "val"', "value": 1e-05, "timestamp": 1001, "step": 1},
            {"key": 'loss "val"', "value": -0.0, "timestamp": 1002, "step": 2},
            {"key": 'loss "val"', "value": 12.0, "timestamp": 1003, "step": 3},
        ],
        "next_page_token": "tok",
    }


def test_non_finite_values_are_written_as_protobuf_json_strings() -> None:
    history = MetricHistory(
        key="m",
        values=[math.nan, math.inf, -math.inf],
        timestamps=[1, 2, 3],
        steps=[0, 1, 2],
    )
    body = json.loads(history.response_json())
    assert [p["value"] for p in body["metrics"]] == ["NaN", "Infinity", "-Infinity"]
    assert "next_page_token" not in body


def test_the_columns_survive_the_envelope_with_non_finite_values() -> None:
    sent = MetricHistory(key="m", values=[math.nan, 2.5], timestamps=[1, 2], steps=[0, 1])
    received = Envelope.model_validate_json(Envelope.wrap(sent).to_bytes()).open(MetricHistory)
    assert math.isnan(received.values[0]) and received.values[1] == 2.5
    assert received.response_json() == sent.response_json()


def test_an_empty_history_is_an_empty_list() -> None:
    empty = MetricHistory(key="m", values=[], timestamps=[], steps=[])
    assert json.loads(empty.response_json()) == {"metrics": []}


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValidationError, match="as long as each other"):
        MetricHistory(key="m", values=[1.0], timestamps=[1, 2], steps=[0])
