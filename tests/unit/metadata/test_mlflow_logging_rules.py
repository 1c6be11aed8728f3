"""MLflow's logging rules as Keel keeps them: params are written once, the latest metric
is the one with the highest step (then timestamp), non-finite values survive JSONB, and
page tokens are only the ones this server issued."""

from __future__ import annotations

import math
import uuid

import pytest

from keel_common.contracts.mlflow.base import LoggedMetric as Metric
from keel_common.contracts.mlflow.base import Param, Tag
from keel_common.errors import InvalidInput
from keel_metadata.logged_models.metrics import merged
from keel_metadata.tracking.models import Run
from keel_metadata.tracking.runs import (
    _latest,
    _params,
    _refuse_duplicate_params,
    _with_tags,
    json_number,
)
from keel_metadata.tracking.tokens import offset_of, token_for


def _run(**columns: object) -> Run:
    return Run(id=uuid.uuid4().hex, params={}, tags={}, metrics={}, **columns)


def test_a_param_may_be_logged_again_only_with_the_same_value() -> None:
    run = _run()
    run.params = _params(run, [Param(key="lr", value="0.01")])
    assert _params(run, [Param(key="lr", value="0.01")]) == {"lr": "0.01"}
    with pytest.raises(InvalidInput) as changed:
        _params(run, [Param(key="lr", value="0.1")])
    assert changed.value.errors[0].field == "params"
    with pytest.raises(InvalidInput):
        _refuse_duplicate_params([Param(key="a", value="1"), Param(key="a", value="2")])


def test_the_latest_metric_is_the_highest_step_then_timestamp() -> None:
    run = _run()
    run.metrics = _latest(
        run,
        [
            Metric(key="loss", value=0.5, timestamp=10, step=2),
            Metric(key="loss", value=0.9, timestamp=20, step=1),  # later, but an earlier step
        ],
    )
    assert run.metrics["loss"] == {"value": 0.5, "timestamp": 10, "step": 2}
    run.metrics = _latest(run, [Metric(key="loss", value=0.4, timestamp=11, step=2)])
    assert run.metrics["loss"]["value"] == 0.4


def test_non_finite_values_are_kept_as_strings_postgres_reads_back() -> None:
    assert [json_number(v) for v in (1.5, math.nan, math.inf, -math.inf)] == [
        1.5,
        "NaN",
        "Infinity",
        "-Infinity",
    ]
    run = _run()
    run.metrics = _latest(run, [Metric(key="x", value=math.nan, timestamp=1, step=0)])
    assert run.metrics["x"]["value"] == "NaN"


def test_the_run_name_tag_renames_the_run() -> None:
    run = _run(name="old")
    run.tags = _with_tags(run, [Tag(key="mlflow.runName", value="new"), Tag(key="t", value="")])
    assert run.name == "new" and run.tags == {"mlflow.runName": "new", "t": ""}


def test_page_tokens_round_trip_and_forgeries_are_refused() -> None:
    assert offset_of(None) == 0
    assert offset_of(token_for(1000)) == 1000
    for forged in ("garbage", token_for(-1), token_for(10**9), "eyJvZmZzZXQiOiAiMTAifQ=="):
        with pytest.raises(InvalidInput) as refused:
            offset_of(forged)
        assert refused.value.errors[0].field == "page_token"


def test_a_logged_model_keeps_the_latest_value_of_each_metric_per_dataset() -> None:
    def point(key: str, value: float, step: int, ts: int, dataset: str | None = None) -> Metric:
        digest = "d" if dataset else None
        return Metric(key=key, value=value, step=step, timestamp=ts, model_id="m-1",
                            dataset_name=dataset, dataset_digest=digest)  # fmt: skip

    kept = merged([], [point("acc", 0.8, 1, 10), point("acc", 0.7, 0, 20)], run_id="r1")
    assert [(p["key"], p["value"], p["step"]) for p in kept] == [("acc", 0.8, 1)]  # step wins
    kept = merged(kept, [point("acc", 0.9, 1, 30), point("acc", 0.5, 0, 5, "eval")], "r2")
    assert [(p["value"], p.get("dataset_name"), p["run_id"]) for p in kept] == [
        (0.9, None, "r2"),  # same step, later time
        (0.5, "eval", "r2"),  # another dataset: kept beside it
    ]
    assert merged(kept, [point("loss", math.nan, 0, 1)], "r3")[-1]["value"] == "NaN"
