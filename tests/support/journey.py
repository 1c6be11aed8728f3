"""One user's journey through Keel with the Python SDK, the same in every deployment:
sign in, create a workspace, store and read a secret, record a pipeline run whose steps
write artifacts, register the trained model and promote it.

The artifacts' bytes are written to `artifact_store` (the customer's artifact store; a
directory here) and Keel is told only their URIs, as a pipeline does. What the journey
made is returned so a test can check where each kind of data landed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from keel import Client, WorkspaceClient
from keel.models import ArtifactOutput, ModelVersion

MODEL = "churn"


@dataclass(frozen=True)
class Journey:
    workspace_id: uuid.UUID
    secret_id: uuid.UUID
    secret_value: str
    run_id: uuid.UUID
    # Written into every artifact file: a test looks for it where artifacts must not be.
    artifact_marker: str
    artifact_uris: list[str]
    model_version: ModelVersion


def sign_in(gateway_url: str, email: str, password: str) -> Client:
    with Client(gateway_url) as anonymous:
        tokens = anonymous.sessions.password_login(email, password)
    return Client(gateway_url, access_token=tokens.access_token, refresh_token=tokens.refresh_token)


def ml_journey(
    keel: Client,
    artifact_store: Path,
    onboard: Callable[[WorkspaceClient], None] = lambda _: None,
) -> Journey:
    """The journey as `keel`'s user. `onboard` runs once the workspace exists, before any
    secret is stored: Scenario 2 connects the workspace to its relay there."""
    slug = f"journey-{uuid.uuid4().hex[:8]}"
    keel.workspaces.create(f"Journey {slug[-8:]}", slug)
    workspace = keel.workspace(slug)
    onboard(workspace)

    value = f"pw-{uuid.uuid4().hex}"
    secret = workspace.secrets.create("warehouse/db", {"PASSWORD": value})
    assert workspace.secrets.reveal(secret.id).values == {"PASSWORD": value}

    marker = f"artifact-bytes-{uuid.uuid4().hex}"
    run = workspace.runs.start("training", parameters={"epochs": 3})
    produced: dict[str, uuid.UUID] = {}
    previous: str | None = None
    for step, artifact in (("load", "features"), ("train", "model")):
        inputs = {"data": produced[previous]} if previous else {}
        workspace.runs.start_step(run.id, step, inputs=inputs)
        output = _store_artifact(artifact_store / str(run.id) / artifact, artifact, marker)
        workspace.runs.finish_step(run.id, step, outputs=[output])
        produced[step] = next(workspace.artifacts.versions(artifact)).id
        previous = step
    workspace.runs.set_status(run.id, "completed")

    workspace.models.create_version(
        MODEL,
        run_id=run.id,
        artifacts={"model": [produced["train"]], "training_data": [produced["load"]]},
    )
    workspace.models.set_stage(MODEL, 1, "production")
    workspace.models.set_alias(MODEL, "champion", 1)
    return Journey(
        workspace_id=workspace.id,
        secret_id=secret.id,
        secret_value=value,
        run_id=run.id,
        artifact_marker=marker,
        artifact_uris=[workspace.artifacts.version(v).uri for v in produced.values()],
        model_version=workspace.models.version(MODEL, alias="champion"),
    )


def _store_artifact(path: Path, artifact: str, marker: str) -> ArtifactOutput:
    """Write the artifact as a pipeline step would, and say what to report of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = f"{artifact}: {marker}\n".encode()
    path.write_bytes(content)
    return ArtifactOutput(
        artifact=artifact,
        uri=path.as_uri(),
        type="model" if artifact == "model" else "data",
        size=len(content),
        content_hash=f"sha256:{hashlib.sha256(content).hexdigest()}",
    )


def assert_journey_recorded(keel: Client, journey: Journey) -> None:
    """What the user sees of the journey afterwards, through the SDK."""
    workspace = keel.workspace(journey.workspace_id)
    detail = workspace.runs.get(journey.run_id)
    assert detail.run.status == "completed"
    assert [(s.name, s.status) for s in detail.steps] == [
        ("load", "completed"),
        ("train", "completed"),
    ]
    version = journey.model_version
    assert (version.model, version.number, version.stage) == (MODEL, 1, "production")
    assert version.aliases == ["champion"] and version.run_id == journey.run_id
    assert [(c.from_stage, c.to_stage) for c in version.history] == [("none", "production")]
    # The model's lineage leads back through training to the features the run loaded.
    lineage = workspace.models.lineage(version.id)
    assert sorted(v.artifact for v in lineage.artifact_versions) == ["features", "model"]
    assert {s.name for s in lineage.steps} == {"load", "train"}
    assert all(s.run_id == journey.run_id for s in lineage.steps)
    for uri in journey.artifact_uris:
        assert uri.startswith("file://")
        assert journey.artifact_marker in Path(uri.removeprefix("file://")).read_text()
