"""The unmodified `mlflow` client's artifacts through a gateway whose artifact store is an
S3-compatible bucket (a real S3-protocol server process, tests/support/s3.py): files and a
pyfunc model go up, list, come back and load by alias, and every byte is in the bucket
under the workspace's prefix, none on the gateway's disk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import mlflow
import pytest

from tests.e2e.conftest import RunningServices, another_gateway
from tests.e2e.mlflow_support import as_user
from tests.support.s3 import S3Server, s3_server

pytestmark = pytest.mark.broker

BUCKET = "keel-artifacts"
PREFIX = "control-plane/mlflow"


class Tripler(mlflow.pyfunc.PythonModel):  # type: ignore[misc, name-defined]
    def predict(self, context: Any, model_input: list[float], params: Any = None) -> list[float]:
        return [3 * x for x in model_input]


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture(scope="module")
async def s3_gateway(services: RunningServices, s3: S3Server) -> AsyncIterator[str]:
    await s3.create_bucket(BUCKET)
    env = s3.gateway_env(f"s3://{BUCKET}/{PREFIX}")
    with another_gateway(services, "gateway-s3", env) as url:
        yield url


async def test_the_client_keeps_files_and_models_in_the_bucket(
    services: RunningServices,
    s3: S3Server,
    s3_gateway: str,
    workspace: str,
    admin_token: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    notes_text = "trained on the november data\n"
    notes = anyio.Path(tmp_path / "notes.txt")
    await notes.write_text(notes_text)
    with as_user(monkeypatch, services, workspace, admin_token, s3_gateway) as client:
        mlflow.set_experiment("in-the-bucket")
        with mlflow.start_run() as run:
            mlflow.log_artifact(str(notes), artifact_path="docs")
            info = mlflow.pyfunc.log_model(
                name="model", python_model=Tripler(), pip_requirements=["mlflow"]
            )
        listed = [f.path for f in client.list_artifacts(run.info.run_id, "docs")]
        assert listed == ["docs/notes.txt"]
        fetched = mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path="docs/notes.txt", dst_path=str(tmp_path / "dl")
        )
        assert await anyio.Path(fetched).read_text() == notes_text

        version = mlflow.register_model(info.model_uri, "tripler")
        client.set_registered_model_alias("tripler", "champion", version.version)
        loaded = mlflow.pyfunc.load_model("models:/tripler@champion")
        assert loaded.predict([1.0, 2.0]) == [3.0, 6.0]

    stored = await s3.objects(BUCKET, f"{PREFIX}/{workspace}/")
    notes_keys = [k for k in stored if k.endswith("/docs/notes.txt")]
    assert len(notes_keys) == 1 and stored[notes_keys[0]] == notes_text.encode()
    assert any(k.endswith("/MLmodel") for k in stored), sorted(stored)
    # Nothing of this workspace went to the gateway's local store.
    local = Path(services.env["KEEL_GATEWAY_ARTIFACT_ROOT"]) / workspace
    assert not await anyio.Path(local).exists()
