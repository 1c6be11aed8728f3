"""The rest of the MLflow-compatible API through the real `mlflow` client: experiment and
run lifecycles, MLflow's limits and error codes, datasets, the registry's searches (the
client's own prompt filter included) and the events its changes announce, Basic auth
with an API key, and calls Keel does not offer."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import mlflow
import pytest
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException, RestException

from keel_common.contracts.base import Envelope
from keel_common.settings import BusSettings
from tests.e2e.auth_support import admin
from tests.e2e.conftest import RunningServices
from tests.e2e.mlflow_support import Doubler, as_user, tracking_uri
from tests.support.kafka import read_records

pytestmark = [
    pytest.mark.broker,
    pytest.mark.filterwarnings("ignore:.*stages.*:FutureWarning"),
]


def _code(error: pytest.ExceptionInfo[MlflowException]) -> str:
    return str(error.value.error_code)


def test_experiments_and_runs_live_through_their_lifecycles(
    services: RunningServices, workspace: str, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with as_user(monkeypatch, services, workspace, admin_token) as client:
        # Every workspace has MLflow's Default experiment.
        assert client.get_experiment("0").name == "Default"
        first = client.create_experiment("alpha", tags={"team": "ml"})
        second = client.create_experiment("beta")
        with pytest.raises(MlflowException) as taken:
            client.create_experiment("alpha")
        assert _code(taken) == "RESOURCE_ALREADY_EXISTS"
        client.set_experiment_tag(first, "stage", "dev")
        assert client.get_experiment(first).tags == {"team": "ml", "stage": "dev"}
        client.delete_experiment_tag(first, "stage")
        client.rename_experiment(second, "gamma")
        found = client.search_experiments(filter_string="name LIKE 'al%'")
        assert [e.name for e in found] == ["alpha"]
        names = [e.name for e in client.search_experiments(order_by=["name ASC"])]
        assert names == ["Default", "alpha", "gamma"]

        run = client.create_run(first, run_name="r1", tags={"k": "v"})
        client.set_tag(run.info.run_id, "gone", "soon")
        client.delete_tag(run.info.run_id, "gone")
        client.update_run(run.info.run_id, status="KILLED", name="renamed")
        fetched = client.get_run(run.info.run_id)
        assert fetched.info.run_name == "renamed" and fetched.info.status == "KILLED"
        assert "gone" not in fetched.data.tags and fetched.data.tags["k"] == "v"

        client.delete_run(run.info.run_id)
        assert client.search_runs([first]) == []
        deleted = client.search_runs([first], run_view_type=mlflow.entities.ViewType.DELETED_ONLY)
        assert [r.info.run_id for r in deleted] == [run.info.run_id]
        with pytest.raises(MlflowException) as inactive:
            client.log_param(run.info.run_id, "x", "1")
        assert _code(inactive) == "INVALID_PARAMETER_VALUE"
        client.restore_run(run.info.run_id)
        assert [r.info.run_id for r in client.search_runs([first])] == [run.info.run_id]

        # A deleted experiment takes its runs with it, and gives them back on restore.
        client.delete_experiment(first)
        assert client.get_experiment(first).lifecycle_stage == "deleted"
        assert all(e.name != "alpha" for e in client.search_experiments())
        with pytest.raises(MlflowException) as closed:
            client.create_run(first)
        assert _code(closed) == "INVALID_PARAMETER_VALUE"
        client.restore_experiment(first)
        assert [r.info.run_id for r in client.search_runs([first])] == [run.info.run_id]


def test_experiments_created_at_once_get_distinct_numbers(
    services: RunningServices, workspace: str, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with as_user(monkeypatch, services, workspace, admin_token) as client:
        with ThreadPoolExecutor(8) as pool:
            made = list(pool.map(lambda i: client.create_experiment(f"parallel-{i}"), range(24)))
        assert sorted(int(i) for i in made) == list(range(1, 25))
        names = {e.experiment_id: e.name for e in client.search_experiments(max_results=100)}
        assert {names[i] for i in made} == {f"parallel-{i}" for i in range(24)}


def test_mlflow_limits_and_bad_input_get_mlflow_errors(
    services: RunningServices, workspace: str, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with as_user(monkeypatch, services, workspace, admin_token) as client:
        run = client.create_run("0")
        # The client splits what it logs into batches within the limits itself.
        client.log_batch(run.info.run_id, metrics=[Metric("m", 1.0, 1, i) for i in range(1500)])
        assert len(client.get_metric_history(run.info.run_id, "m")) == 1500
        with pytest.raises(MlflowException) as bad_filter:
            client.search_runs(["0"], filter_string="metrics.acc >> 1")
        assert _code(bad_filter) == "INVALID_PARAMETER_VALUE"
        # Non-finite metric values survive the round trip.
        client.log_metric(run.info.run_id, "nan", float("nan"))
        client.log_metric(run.info.run_id, "inf", float("inf"))
        metrics = client.get_run(run.info.run_id).data.metrics
        assert metrics["nan"] != metrics["nan"] and metrics["inf"] == float("inf")

    url = tracking_uri(services, workspace)
    headers = {"Authorization": f"Bearer {admin_token}"}
    point = {"key": "m", "value": 1.0, "timestamp": 1, "step": 0}
    too_many = httpx.post(
        f"{url}/api/2.0/mlflow/runs/log-batch",
        json={"run_id": run.info.run_id, "metrics": [point] * 1001},
        headers=headers,
    )
    assert too_many.status_code == 400, too_many.text
    assert too_many.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "metrics" in too_many.json()["message"]
    entities = {
        "run_id": run.info.run_id,
        "metrics": [point] * 950,
        "params": [{"key": f"p{i}", "value": "1"} for i in range(60)],
    }
    over = httpx.post(f"{url}/api/2.0/mlflow/runs/log-batch", json=entities, headers=headers)
    assert over.status_code == 400 and "1000" in over.json()["message"]
    oversized = httpx.post(
        f"{url}/api/2.0/mlflow/runs/log-batch",
        json={"run_id": run.info.run_id, "tags": [{"key": "k", "value": "x" * 1_100_000}]},
        headers=headers,
    )
    assert oversized.status_code == 400
    assert oversized.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    not_json = httpx.post(f"{url}/api/2.0/mlflow/runs/create", content=b"{", headers=headers)
    assert not_json.status_code == 400 and "JSON" in not_json.json()["message"]
    traces = httpx.get(f"{url}/api/2.0/mlflow/traces", headers=headers)
    assert traces.status_code == 404 and traces.json()["error_code"] == "ENDPOINT_NOT_FOUND"
    escape = httpx.get(
        f"{url}/api/2.0/mlflow-artifacts/artifacts/..%2F..%2Fetc%2Fpasswd", headers=headers
    )
    assert escape.status_code in (400, 404)
    assert "root:" not in escape.text


def test_datasets_are_logged_as_run_inputs_and_searchable(
    services: RunningServices, workspace: str, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd
    from mlflow.data.pandas_dataset import from_pandas

    with as_user(monkeypatch, services, workspace, admin_token) as client:
        mlflow.set_experiment("data")
        frame = pd.DataFrame({"x": [1, 2, 3]})
        with mlflow.start_run() as run:
            mlflow.log_input(from_pandas(frame, name="train-set"), context="training")
        inputs = client.get_run(run.info.run_id).inputs
        assert inputs is not None
        assert [d.dataset.name for d in inputs.dataset_inputs] == ["train-set"]
        found = mlflow.search_runs(
            filter_string="datasets.name = 'train-set' and datasets.context = 'training'",
            output_format="list",
        )
        assert [r.info.run_id for r in found] == [run.info.run_id]


async def test_the_registry_through_mlflow_announces_what_keel_announces(
    services: RunningServices,
    workspace: str,
    admin_token: str,
    monkeypatch: pytest.MonkeyPatch,
    bus_settings: BusSettings,
) -> None:
    with as_user(monkeypatch, services, workspace, admin_token) as client:
        mlflow.set_experiment("registry")
        with mlflow.start_run():
            info = mlflow.pyfunc.log_model(
                name="model", python_model=Doubler(), pip_requirements=["mlflow"]
            )
        client.create_registered_model("scorer", tags={"owner": "ml"}, description="v0")
        with pytest.raises(MlflowException) as exists:
            client.create_registered_model("scorer")
        assert _code(exists) == "RESOURCE_ALREADY_EXISTS"
        for _ in range(2):
            client.create_model_version("scorer", info.model_uri, tags={"t": "1"})
        client.set_registered_model_alias("scorer", "champion", "1")
        client.set_registered_model_alias("scorer", "champion", "2")
        client.transition_model_version_stage("scorer", "1", "Staging")
        client.transition_model_version_stage(
            "scorer", "2", "Staging", archive_existing_versions=True
        )
        assert client.get_model_version("scorer", "1").current_stage == "Archived"
        latest = client.get_latest_versions("scorer", stages=["Staging"])
        assert [v.version for v in latest] == ["2"]

        client.update_registered_model("scorer", description="the scorer")
        client.set_registered_model_tag("scorer", "tier", "gold")
        client.set_model_version_tag("scorer", "2", "validated", "yes")
        client.update_model_version("scorer", "2", description="best")
        model = client.get_registered_model("scorer")
        assert model.description == "the scorer" and model.tags == {"owner": "ml", "tier": "gold"}
        assert model.aliases == {"champion": "2"}
        # The client sends its own prompt filter; models without the tag are kept.
        assert [m.name for m in client.search_registered_models()] == ["scorer"]
        assert [m.name for m in client.search_registered_models("name LIKE 'sc%'")] == ["scorer"]
        versions = client.search_model_versions("name = 'scorer' and tag.validated = 'yes'")
        assert [(v.version, v.description) for v in versions] == [("2", "best")]
        uri = client.get_model_version_download_uri("scorer", "2")
        assert uri.startswith("mlflow-artifacts:/") and "/models/m-" in uri

        client.rename_registered_model("scorer", "ranker")
        with pytest.raises(MlflowException) as gone:
            client.get_registered_model("scorer")
        assert _code(gone) == "RESOURCE_DOES_NOT_EXIST"
        client.delete_registered_model_alias("ranker", "champion")
        client.delete_model_version("ranker", "1")
        assert [v.version for v in client.search_model_versions("name = 'ranker'")] == ["2"]

    # Keel's own registry shows the model MLflow renamed.
    listed = httpx.get(
        f"{services.gateway_url}/api/v1/workspaces/{workspace}/models", headers=admin(services)
    ).json()
    assert [m["name"] for m in listed["items"]] == ["ranker"]

    def mine(records: list[Any]) -> list[str]:
        envelopes = [Envelope.model_validate_json(r.value) for r in records]
        return [e.type for e in envelopes if e.workspace == uuid.UUID(workspace)]

    seen = mine(
        await read_records(
            bus_settings, "keel.events.metadata", until=lambda rs: len(mine(rs)) >= 8, timeout=15
        )
    )
    assert seen.count("keel.metadata.model_version.created") == 2
    # Two moves and one removal of the alias; stage: 1 to Staging, 2 to Staging, 1 archived.
    assert seen.count("keel.metadata.model_alias.moved") == 3
    assert seen.count("keel.metadata.model_version.stage_changed") == 3


def test_basic_auth_with_an_api_key_and_the_key_s_own_role(
    services: RunningServices, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = admin(services)
    base = f"{services.gateway_url}/api/v1/workspaces/{workspace}/service-accounts"
    account = httpx.post(base, json={"name": "trainer", "role": "viewer"}, headers=headers)
    assert account.status_code == 201, account.text
    key = httpx.post(
        f"{base}/{account.json()['id']}/api-keys",
        json={"name": "mlflow", "expires_in_days": 1},
        headers=headers,
    ).json()["key"]
    uri = tracking_uri(services, workspace)
    with monkeypatch.context() as env:
        env.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
        env.setenv("MLFLOW_TRACKING_USERNAME", "trainer")
        env.setenv("MLFLOW_TRACKING_PASSWORD", key)
        env.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        client = mlflow.MlflowClient(tracking_uri=uri)
        assert client.get_experiment("0").name == "Default"
        with pytest.raises(RestException) as viewer:
            client.create_experiment("nope")
        assert viewer.value.error_code == "PERMISSION_DENIED"
        env.setenv("MLFLOW_TRACKING_PASSWORD", "not-a-key")
        with pytest.raises(RestException) as wrong:
            client.get_experiment("0")
        assert wrong.value.error_code == "UNAUTHENTICATED"
