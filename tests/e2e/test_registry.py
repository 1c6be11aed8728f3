"""Artifacts, lineage, the model registry, run metadata and tags, through the gateway and
through ingestion."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from keel_common.contracts.base import Envelope
from keel_common.contracts.metadata import (
    ArtifactOutput,
    FinishStep,
    StartRun,
    StartStep,
)
from keel_common.settings import BusSettings
from tests.e2e.auth_support import admin, new_workspace
from tests.e2e.conftest import RunningServices
from tests.e2e.test_metadata import _ok, _publish, _url
from tests.support.kafka import eventually, read_records

pytestmark = pytest.mark.broker


def _pipeline(services: RunningServices, workspace: str, headers: dict[str, str]) -> dict[str, Any]:
    """load -> clean -> train, each step consuming the previous step's output."""
    run = _ok(
        httpx.post(
            _url(services, workspace, "runs"), json={"pipeline": "lineage"}, headers=headers
        ),
        201,
    )
    steps = _url(services, workspace, f"runs/{run['id']}/steps")
    produced: dict[str, str] = {}
    previous: str | None = None
    for name, artifact in (("load", "raw"), ("clean", "clean"), ("train", "model")):
        inputs = {"data": produced[previous]} if previous else {}
        _ok(httpx.post(steps, json={"name": name, "inputs": inputs}, headers=headers), 201)
        output = {
            "artifact": artifact,
            "uri": f"s3://lake/{artifact}",
            "type": "model" if artifact == "model" else "data",
            "size": 10,
        }
        _ok(
            httpx.post(
                f"{steps}/{name}/finish",
                json={"status": "completed", "outputs": [output]},
                headers=headers,
            )
        )
        versions = _ok(
            httpx.get(_url(services, workspace, f"artifacts/{artifact}/versions"), headers=headers)
        )
        produced[name] = versions["items"][0]["id"]
        previous = name
    return {"run": run, "produced": produced}


def test_lineage_walks_back_through_steps_and_runs(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    made = _pipeline(services, workspace, headers)
    model = made["produced"]["train"]

    graph = _ok(
        httpx.get(_url(services, workspace, f"artifact-versions/{model}/lineage"), headers=headers)
    )
    assert sorted(v["artifact"] for v in graph["artifact_versions"]) == ["clean", "model", "raw"]
    edges = {s["name"]: (s["inputs"], s["outputs"]) for s in graph["steps"]}
    assert edges["train"] == ([made["produced"]["clean"]], [model])
    assert edges["clean"] == ([made["produced"]["load"]], [made["produced"]["clean"]])
    assert all(s["run_id"] == made["run"]["id"] for s in graph["steps"])

    shallow = _ok(
        httpx.get(
            _url(services, workspace, f"artifact-versions/{model}/lineage"),
            params={"depth": 1},
            headers=headers,
        )
    )
    assert sorted(v["artifact"] for v in shallow["artifact_versions"]) == ["clean", "model"]

    other = new_workspace(services, headers)
    assert (
        httpx.get(
            _url(services, other, f"artifact-versions/{model}/lineage"), headers=headers
        ).status_code
        == 404
    )
    unknown_input = httpx.post(
        _url(services, workspace, f"runs/{made['run']['id']}/steps"),
        json={"name": "x", "inputs": {"d": str(uuid.uuid4())}},
        headers=headers,
    )
    assert unknown_input.status_code == 422


async def test_model_versions_stages_aliases_and_events(
    services: RunningServices, bus_settings: BusSettings
) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    made = _pipeline(services, workspace, headers)
    models = _url(services, workspace, "models/churn")
    body = {
        "run_id": made["run"]["id"],
        "artifacts": {
            "model": [made["produced"]["train"]],
            "training_data": [made["produced"]["clean"]],
        },
    }
    v1 = _ok(httpx.post(f"{models}/versions", json=body, headers=headers), 201)
    v2 = _ok(httpx.post(f"{models}/versions", json={}, headers=headers), 201)
    assert (v1["number"], v2["number"], v1["stage"]) == (1, 2, "none")
    assert v1["artifacts"]["training_data"] == [made["produced"]["clean"]]

    _ok(httpx.put(f"{models}/versions/1/stage", json={"stage": "production"}, headers=headers))
    promoted = _ok(
        httpx.put(
            f"{models}/versions/2/stage",
            headers=headers,
            json={"stage": "production", "archive_others": True},
        )
    )
    assert promoted["stage"] == "production"
    first = _ok(httpx.get(f"{models}/versions/1", headers=headers))
    assert first["stage"] == "archived"
    assert [(h["from_stage"], h["to_stage"]) for h in first["history"]] == [
        ("none", "production"),
        ("production", "archived"),
    ]

    _ok(httpx.put(f"{models}/aliases/champion", json={"number": 2}, headers=headers))
    assert _ok(httpx.get(f"{models}/aliases/champion", headers=headers))["number"] == 2
    moved = _ok(httpx.put(f"{models}/aliases/champion", json={"number": 1}, headers=headers))
    assert {v["number"]: v["aliases"] for v in moved["items"]} == {2: [], 1: ["champion"]}
    _ok(httpx.put(f"{models}/aliases/champion", json={"number": None}, headers=headers))
    assert httpx.get(f"{models}/aliases/champion", headers=headers).status_code == 404
    assert httpx.get(f"{models}/versions/9", headers=headers).status_code == 404
    assert (
        httpx.put(f"{models}/versions/1/stage", json={"stage": "gold"}, headers=headers).status_code
        == 422
    )

    lineage = _ok(
        httpx.get(_url(services, workspace, f"model-versions/{v1['id']}/lineage"), headers=headers)
    )
    assert sorted(v["artifact"] for v in lineage["artifact_versions"]) == ["clean", "model", "raw"]

    def mine(records: list[Any]) -> list[str]:
        envelopes = [Envelope.model_validate_json(r.value) for r in records]
        return [
            e.type
            for e in envelopes
            if e.workspace == uuid.UUID(workspace)
            and e.type.startswith("keel.metadata.model_version")
        ]

    seen = mine(
        await read_records(
            bus_settings, "keel.events.metadata", until=lambda rs: len(mine(rs)) >= 5, timeout=15
        )
    )
    assert seen.count("keel.metadata.model_version.created") == 2
    assert seen.count("keel.metadata.model_version.stage_changed") == 3


def test_typed_metadata_and_tags(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    made = _pipeline(services, workspace, headers)
    run_url = _url(services, workspace, f"metadata/run/{made['run']['id']}")
    logged = _ok(
        httpx.put(
            run_url,
            headers=headers,
            json={
                "values": {
                    "accuracy": {"kind": "number", "value": 0.93},
                    "report": {"kind": "uri", "value": "s3://lake/report.html"},
                    "confusion": {"kind": "json", "value": [[5, 1], [0, 7]]},
                }
            },
        )
    )
    assert logged["values"]["accuracy"] == {"kind": "number", "value": 0.93}
    _ok(
        httpx.put(
            run_url,
            headers=headers,
            json={"values": {"accuracy": {"kind": "number", "value": 0.95}}},
        )
    )
    assert _ok(httpx.get(run_url, headers=headers))["values"]["accuracy"]["value"] == 0.95

    wrong = httpx.put(
        run_url, headers=headers, json={"values": {"accuracy": {"kind": "number", "value": "high"}}}
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "values.accuracy"
    huge = httpx.put(
        run_url, headers=headers, json={"values": {"blob": {"kind": "json", "value": "x" * 20_000}}}
    )
    assert huge.status_code == 413 and huge.json()["field"] == "values.blob"
    missing = httpx.put(
        _url(services, workspace, f"metadata/run/{uuid.uuid4()}"),
        headers=headers,
        json={"values": {"a": {"kind": "string", "value": "b"}}},
    )
    assert missing.status_code == 404

    artifact = made["produced"]["train"]
    tagged = _ok(
        httpx.put(
            _url(services, workspace, f"tags/artifact_version/{artifact}"),
            json={"tags": ["gold", "v1", "gold"]},
            headers=headers,
        )
    )
    assert tagged["tags"] == ["gold", "v1"]
    version = _ok(
        httpx.get(_url(services, workspace, f"artifact-versions/{artifact}"), headers=headers)
    )
    assert version["tags"] == ["gold", "v1"]


async def test_ingested_outputs_register_artifacts_once(
    services: RunningServices, bus_settings: BusSettings
) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    run_id, version_id = uuid.uuid4(), uuid.uuid4()
    output = ArtifactOutput(artifact_version_id=version_id, artifact="features", uri="s3://f")
    events = [
        StartRun(run_id=run_id, pipeline="ingested"),
        StartStep(run_id=run_id, name="featurize"),
        FinishStep(run_id=run_id, name="featurize", status="completed", outputs=[output]),
    ]
    await _publish(bus_settings, workspace, events)
    await _publish(bus_settings, workspace, events)  # replayed by a retrying client

    def registered() -> bool:
        url = _url(services, workspace, f"artifact-versions/{version_id}")
        return httpx.get(url, headers=headers).status_code == 200

    await eventually(registered, timeout=30)
    versions = _ok(
        httpx.get(_url(services, workspace, "artifacts/features/versions"), headers=headers)
    )
    assert [(v["id"], v["version"], v["producer_run_id"]) for v in versions["items"]] == [
        (str(version_id), 1, str(run_id))
    ]


def test_stacks_pipelines_steps_and_models_carry_tags_too(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)

    def tag(entity: str, entity_id: str, tags: list[str]) -> httpx.Response:
        url = _url(services, workspace, f"tags/{entity}/{entity_id}")
        return httpx.put(url, json={"tags": tags}, headers=headers)

    stack = _ok(
        httpx.post(_url(services, workspace, "stacks"), json={"name": "k8s"}, headers=headers), 201
    )
    run = _ok(
        httpx.post(
            _url(services, workspace, "runs"),
            json={"pipeline": "tagged", "stack": "k8s"},
            headers=headers,
        ),
        201,
    )
    step = _ok(
        httpx.post(
            _url(services, workspace, f"runs/{run['id']}/steps"),
            json={"name": "fit"},
            headers=headers,
        ),
        201,
    )
    pipeline = _ok(httpx.get(_url(services, workspace, "pipelines"), headers=headers))["items"][0]
    _ok(
        httpx.post(_url(services, workspace, "models/churn/versions"), json={}, headers=headers),
        201,
    )
    model = _ok(httpx.get(_url(services, workspace, "models"), headers=headers))["items"][0]

    for entity, thing in (
        ("stack", stack),
        ("pipeline", pipeline),
        ("step", step),
        ("model", model),
    ):
        assert _ok(tag(entity, thing["id"], ["prod", "team-a", "prod"]))["tags"] == [
            "prod",
            "team-a",
        ]

    assert _ok(httpx.get(_url(services, workspace, f"stacks/{stack['id']}"), headers=headers))[
        "tags"
    ] == ["prod", "team-a"]
    assert _ok(httpx.get(_url(services, workspace, "pipelines"), headers=headers))["items"][0][
        "tags"
    ] == ["prod", "team-a"]
    detail = _ok(httpx.get(_url(services, workspace, f"runs/{run['id']}"), headers=headers))
    assert detail["steps"][0]["tags"] == ["prod", "team-a"]
    assert _ok(httpx.get(_url(services, workspace, "models"), headers=headers))["items"][0][
        "tags"
    ] == ["prod", "team-a"]

    # Another workspace's stack is as good as absent; an unknown kind is a 422.
    other = new_workspace(services, headers)
    foreign = _ok(
        httpx.post(_url(services, other, "stacks"), json={"name": "x"}, headers=headers), 201
    )
    assert tag("stack", foreign["id"], ["stolen"]).status_code == 404
    assert tag("workspace", workspace, ["nope"]).status_code == 422


def test_numbers_past_the_database_integer_are_a_422_not_a_500(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    too_big = 2**31
    for response in (
        httpx.get(_url(services, workspace, f"models/churn/versions/{too_big}"), headers=headers),
        httpx.put(
            _url(services, workspace, "models/churn/aliases/champion"),
            json={"number": too_big},
            headers=headers,
        ),
        httpx.get(
            _url(services, workspace, f"secrets/{uuid.uuid4()}/values"),
            params={"version": too_big},
            headers=headers,
        ),
    ):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
