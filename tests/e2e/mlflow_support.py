"""Pointing the real `mlflow` client at Keel, as a user would: a tracking URI that names
the workspace, and a Keel token in MLFLOW_TRACKING_TOKEN."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow
import pytest
from mlflow.models.model import ModelInfo

from tests.e2e.conftest import RunningServices


class Doubler(mlflow.pyfunc.PythonModel):  # type: ignore[misc, name-defined]
    def predict(self, context: Any, model_input: list[float], params: Any = None) -> list[float]:
        return [2 * x for x in model_input]


def tracking_uri(services: RunningServices, workspace_id: str, gateway_url: str = "") -> str:
    return f"{gateway_url or services.gateway_url}/mlflow/workspaces/{workspace_id}"


@contextmanager
def as_user(
    monkeypatch: pytest.MonkeyPatch,
    services: RunningServices,
    workspace_id: str,
    token: str,
    gateway_url: str = "",
) -> Iterator[mlflow.MlflowClient]:
    """The fluent API and a client, both logging to `workspace_id` with `token` (through
    `gateway_url` when given, the services' own gateway otherwise)."""
    uri = tracking_uri(services, workspace_id, gateway_url)
    with monkeypatch.context() as env:
        env.setenv("MLFLOW_TRACKING_URI", uri)
        env.setenv("MLFLOW_TRACKING_TOKEN", token)
        # A refused call must fail the test now, not after the client's backoff.
        env.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        env.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
        mlflow.set_tracking_uri(uri)
        mlflow.set_registry_uri(uri)
        try:
            yield mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
        finally:
            while mlflow.active_run() is not None:
                mlflow.end_run()


def log_a_file_and_a_model(client: mlflow.MlflowClient, notes: Path, downloads: Path) -> ModelInfo:
    """In the active experiment, a run that logs `notes` under `docs/` and a pyfunc model
    (`Doubler`); the file lists and comes back whole. The model's info, to register it."""
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(notes), artifact_path="docs")
        info: ModelInfo = mlflow.pyfunc.log_model(
            name="model", python_model=Doubler(), pip_requirements=["mlflow"]
        )
    listed = [f.path for f in client.list_artifacts(run.info.run_id, "docs")]
    assert listed == ["docs/notes.txt"]
    fetched = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="docs/notes.txt", dst_path=str(downloads)
    )
    assert Path(fetched).read_bytes() == notes.read_bytes()
    return info
