"""The unmodified `mlflow` client against Keel's MLflow-compatible API on the real stack:
tracking, artifacts, a pyfunc model logged, registered, promoted and loaded by alias, and
Keel's RBAC and workspace isolation as the client sees them."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import mlflow
import pytest
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException, RestException

from tests.e2e.auth_support import add_user, admin, bearer, login, new_workspace
from tests.e2e.conftest import RunningServices
from tests.e2e.mlflow_support import as_user, log_a_file_and_a_model

pytestmark = pytest.mark.broker


def test_runs_are_tracked_searched_and_their_metric_history_kept(
    services: RunningServices, workspace: str, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with as_user(monkeypatch, services, workspace, admin_token) as client:
        experiment = mlflow.set_experiment("churn")
        assert experiment.name == "churn"
        with mlflow.start_run(run_name="baseline") as good:
            mlflow.log_param("lr", "0.01")
            for step, loss in enumerate([0.9, 0.5, 0.3]):
                mlflow.log_metric("loss", loss, step=step)
            mlflow.log_metrics({"acc": 0.91, "auc": 0.88})
            mlflow.set_tag("team", "growth")
            mlflow.set_tag("note", 'say "hi" \\ \u00fcn\u00efcode \u2014 \U0001f600')
            client.log_batch(
                good.info.run_id,
                metrics=[
                    Metric("batch_metric", float(i), 1_700_000_000_000 + i, i) for i in range(1000)
                ],
                params=[Param(f"p{i}", str(i)) for i in range(50)],
                tags=[RunTag("source", "test")],
            )
        with mlflow.start_run(run_name="worse"):
            mlflow.log_param("lr", "0.1")
            mlflow.log_metric("acc", 0.55)

        found = mlflow.search_runs(
            experiment_ids=[experiment.experiment_id],
            filter_string="metrics.acc > 0.8 and params.lr = '0.01' and tags.team = 'growth'",
            output_format="list",
        )
        assert [r.info.run_id for r in found] == [good.info.run_id]
        ordered = client.search_runs(
            [experiment.experiment_id], order_by=["metrics.acc DESC"], max_results=10
        )
        assert [r.info.run_name for r in ordered] == ["baseline", "worse"]

        # A search page shows each run exactly as reading the run does.
        for listed in ordered:
            assert listed.to_dictionary() == client.get_run(listed.info.run_id).to_dictionary()

        run = client.get_run(good.info.run_id)
        assert run.info.status == "FINISHED"
        assert run.data.params["lr"] == "0.01" and run.data.params["p49"] == "49"
        assert run.data.metrics["loss"] == 0.3
        assert run.data.tags["team"] == "growth"
        history = client.get_metric_history(good.info.run_id, "loss")
        assert [(m.step, m.value) for m in history] == [(0, 0.9), (1, 0.5), (2, 0.3)]
        assert len(client.get_metric_history(good.info.run_id, "batch_metric")) == 1000

        with pytest.raises(MlflowException) as changed:
            client.log_param(good.info.run_id, "lr", "0.5")
        assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
        with pytest.raises(MlflowException) as missing:
            client.get_run(uuid.uuid4().hex)
        assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_artifacts_and_a_model_go_from_run_to_registry_to_load_by_alias(
    services: RunningServices,
    workspace: str,
    admin_token: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("trained on the november data\n")
    with as_user(monkeypatch, services, workspace, admin_token) as client:
        mlflow.set_experiment("models")
        info = log_a_file_and_a_model(client, notes, tmp_path / "dl")

        version = mlflow.register_model(info.model_uri, "doubler")
        assert version.version == "1"
        client.set_registered_model_alias("doubler", "champion", version.version)
        promoted = client.transition_model_version_stage("doubler", version.version, "Production")
        assert promoted.current_stage == "Production"
        assert client.get_model_version_by_alias("doubler", "champion").version == "1"

        loaded = mlflow.pyfunc.load_model("models:/doubler@champion")
        assert loaded.predict([1.0, 2.5]) == [2.0, 5.0]

    # The same registry through Keel's own API: the version, its stage and its alias.
    native = httpx.get(
        f"{services.gateway_url}/api/v1/workspaces/{workspace}/models/doubler/aliases/champion",
        headers=bearer({"access_token": admin_token}),
    )
    assert native.status_code == 200, native.text
    assert native.json()["stage"] == "production" and native.json()["number"] == 1


async def test_rbac_and_workspaces_hold_for_the_client(
    services: RunningServices, workspace: str, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with as_user(monkeypatch, services, workspace, admin_token):
        mlflow.set_experiment("private-to-a")
    other = new_workspace(services, admin(services))
    email = f"viewer-{uuid.uuid4().hex[:8]}@example.com"
    await add_user(
        services.infra,
        email,
        "a long enough password",
        workspace_roles={uuid.UUID(workspace): "viewer", uuid.UUID(other): "developer"},
    )
    viewer_token = login(services.gateway_url, email, "a long enough password")["access_token"]

    with as_user(monkeypatch, services, workspace, viewer_token) as client:
        # A viewer reads...
        assert client.get_experiment_by_name("private-to-a") is not None
        # ...and may not write.
        with pytest.raises(RestException) as refused:
            client.create_experiment("not-allowed")
        assert refused.value.error_code == "PERMISSION_DENIED"

    with as_user(monkeypatch, services, other, viewer_token) as client:
        # In workspace B the same user sees nothing of A.
        assert client.get_experiment_by_name("private-to-a") is None
        assert all(e.name != "private-to-a" for e in client.search_experiments())

    stranger = f"stranger-{uuid.uuid4().hex[:8]}@example.com"
    await add_user(
        services.infra,
        stranger,
        "a long enough password",
        workspace_roles={uuid.UUID(other): "developer"},
    )
    stranger_token = login(services.gateway_url, stranger, "a long enough password")["access_token"]
    with as_user(monkeypatch, services, workspace, stranger_token) as client:
        with pytest.raises(RestException) as denied:
            client.get_experiment_by_name("private-to-a")
        assert denied.value.error_code == "PERMISSION_DENIED"

    with as_user(monkeypatch, services, workspace, "not-a-token") as client:
        with pytest.raises(RestException) as anonymous:
            client.search_experiments()
        assert anonymous.value.error_code == "UNAUTHENTICATED"
