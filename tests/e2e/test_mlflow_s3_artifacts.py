"""The unmodified `mlflow` client's artifacts through a gateway whose artifact store is an
S3-compatible bucket (a real S3-protocol server process, tests/support/s3.py): files and a
pyfunc model go up, list, come back and load by alias, and every byte is in the bucket
under the workspace's prefix, none on the gateway's disk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import mlflow
import pytest

from tests.e2e.conftest import RunningServices, another_gateway
from tests.e2e.mlflow_support import as_user, log_a_file_and_a_model
from tests.support.s3 import S3Server, s3_server

pytestmark = pytest.mark.broker

BUCKET = "keel-artifacts"
PREFIX = "control-plane/mlflow"


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
    notes = tmp_path / "notes.txt"
    await anyio.Path(notes).write_text(notes_text)
    with as_user(monkeypatch, services, workspace, admin_token, s3_gateway) as client:
        mlflow.set_experiment("in-the-bucket")
        info = log_a_file_and_a_model(client, notes, tmp_path / "dl")
        version = mlflow.register_model(info.model_uri, "doubler")
        client.set_registered_model_alias("doubler", "champion", version.version)
        loaded = mlflow.pyfunc.load_model("models:/doubler@champion")
        assert loaded.predict([1.0, 2.5]) == [2.0, 5.0]

    stored = await s3.objects(BUCKET, f"{PREFIX}/{workspace}/")
    notes_keys = [k for k in stored if k.endswith("/docs/notes.txt")]
    assert len(notes_keys) == 1 and stored[notes_keys[0]] == notes_text.encode()
    assert any(k.endswith("/MLmodel") for k in stored), sorted(stored)
    # Nothing of this workspace went to the gateway's local store.
    local = Path(services.env["KEEL_GATEWAY_ARTIFACT_ROOT"]) / workspace
    assert not await anyio.Path(local).exists()
