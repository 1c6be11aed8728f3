"""The metadata store through the gateway and through Kafka ingestion: stacks, pipelines,
runs and steps, status rules, listing, idempotency and workspace isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from keel_common.contracts.base import Contract, Envelope
from keel_common.contracts.metadata import (
    INGEST_TOPIC,
    FinishStep,
    SetRunStatus,
    StartRun,
    StartStep,
)
from keel_common.settings import BusSettings
from tests.e2e.auth_support import admin, new_workspace
from tests.e2e.conftest import RunningServices
from tests.support.kafka import dead_letters_for, eventually, header, read_records

pytestmark = pytest.mark.broker


def _url(services: RunningServices, workspace: str, path: str) -> str:
    return f"{services.gateway_url}/api/v1/workspaces/{workspace}/{path}"


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_stacks_hold_config_and_secret_references(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    stack = {
        "name": "gpu",
        "components": [
            {
                "type": "orchestrator",
                "flavor": "kubernetes",
                "name": "k8s",
                "config": {"namespace": "ml"},
            },
            {
                "type": "artifact_store",
                "flavor": "s3",
                "name": "lake",
                "config": {"path": "s3://bucket/ml"},
                "secret_refs": {"credentials": "aws/ml"},
            },
        ],
    }
    created = _ok(httpx.post(_url(services, workspace, "stacks"), json=stack, headers=headers), 201)
    again = _ok(httpx.post(_url(services, workspace, "stacks"), json=stack, headers=headers), 201)
    assert again["id"] == created["id"]
    assert created["components"][1]["secret_refs"] == {"credentials": "aws/ml"}
    different = httpx.post(
        _url(services, workspace, "stacks"), headers=headers, json={**stack, "components": []}
    )
    assert different.status_code == 409
    wrong = httpx.post(
        _url(services, workspace, "stacks"),
        headers=headers,
        json={"name": "x", "components": [{"type": "toaster", "flavor": "a", "name": "b"}]},
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"].startswith("components.0.type")


def test_a_run_moves_forward_only(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    _ok(
        httpx.post(_url(services, workspace, "stacks"), json={"name": "local"}, headers=headers),
        201,
    )
    spec = {"steps": {"load": [], "train": ["load"], "evaluate": ["train"]}}
    body = {
        "pipeline": "training",
        "pipeline_spec": spec,
        "stack": "local",
        "parameters": {"lr": 0.01},
        "tags": ["nightly"],
    }
    run = _ok(httpx.post(_url(services, workspace, "runs"), json=body, headers=headers), 201)
    assert (run["status"], run["pipeline"], run["pipeline_version"]) == ("running", "training", 1)
    runs = _url(services, workspace, f"runs/{run['id']}")

    for name, upstream in (("load", []), ("train", ["load"])):
        _ok(
            httpx.post(f"{runs}/steps", json={"name": name, "upstream": upstream}, headers=headers),
            201,
        )
        _ok(
            httpx.post(f"{runs}/steps/{name}/finish", json={"status": "completed"}, headers=headers)
        )
    not_started = httpx.post(
        f"{runs}/steps/evaluate/finish", json={"status": "completed"}, headers=headers
    )
    assert not_started.status_code == 409
    _ok(
        httpx.post(
            f"{runs}/steps", json={"name": "evaluate", "upstream": ["train"]}, headers=headers
        ),
        201,
    )
    early = datetime.now(UTC) - timedelta(hours=1)
    too_early = httpx.post(
        f"{runs}/steps/evaluate/finish",
        headers=headers,
        json={"status": "completed", "finished_at": early.isoformat()},
    )
    assert too_early.status_code == 422
    assert too_early.json()["field"] == "finished_at"

    done = _ok(httpx.put(f"{runs}/status", json={"status": "failed"}, headers=headers))
    assert done["status"] == "failed" and done["finished_at"]
    back = httpx.put(f"{runs}/status", json={"status": "running"}, headers=headers)
    assert back.status_code == 409
    other_final = httpx.put(f"{runs}/status", json={"status": "completed"}, headers=headers)
    assert other_final.status_code == 409
    stale = httpx.put(
        f"{runs}/status", headers=headers, json={"status": "failed", "expected_revision": 1}
    )
    assert stale.status_code == 409

    detail = _ok(httpx.get(runs, headers=headers))
    assert {s["name"]: (s["status"], s["upstream"]) for s in detail["steps"]} == {
        "load": ("completed", []),
        "train": ("completed", ["load"]),
        "evaluate": ("running", ["train"]),
    }
    assert (
        httpx.get(_url(services, workspace, f"runs/{uuid.uuid4()}"), headers=headers).status_code
        == 404
    )
    bad_step = httpx.post(
        f"{runs}/steps/bad%20name/finish", json={"status": "completed"}, headers=headers
    )
    assert bad_step.status_code == 422 and bad_step.json()["errors"][0]["field"] == "path.name"
    pipelines = _ok(httpx.get(_url(services, workspace, "pipelines"), headers=headers))
    assert [(p["name"], p["latest_version"]) for p in pipelines["items"]] == [("training", 1)]


def test_a_retried_create_returns_the_first_run(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    keyed = {**headers, "Idempotency-Key": "launch-42"}
    first = _ok(
        httpx.post(_url(services, workspace, "runs"), json={"pipeline": "p"}, headers=keyed), 201
    )
    second = _ok(
        httpx.post(_url(services, workspace, "runs"), json={"pipeline": "p"}, headers=keyed), 201
    )
    assert second["id"] == first["id"]
    listed = _ok(httpx.get(_url(services, workspace, "runs"), headers=headers))
    assert len(listed["items"]) == 1


def test_listing_filters_sorts_and_pages(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    made = []
    for i in range(7):
        body = {
            "pipeline": "etl" if i % 2 else "train",
            "name": f"run-{i}",
            "project": "churn" if i < 3 else "fraud",
            "tags": ["even"] if i % 2 == 0 else [],
        }
        made.append(
            _ok(httpx.post(_url(services, workspace, "runs"), json=body, headers=headers), 201)
        )
    _ok(
        httpx.put(
            _url(services, workspace, f"runs/{made[0]['id']}/status"),
            json={"status": "completed"},
            headers=headers,
        )
    )

    def names(**params: Any) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            page = _ok(
                httpx.get(
                    _url(services, workspace, "runs"),
                    headers=headers,
                    params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})},
                )
            )
            assert len(page["items"]) <= 2
            seen += [r["name"] for r in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return seen

    assert names() == [f"run-{i}" for i in reversed(range(7))]
    assert names(sort="name") == [f"run-{i}" for i in range(7)]
    assert names(pipeline="etl") == ["run-5", "run-3", "run-1"]
    assert names(tag="even", sort="name") == ["run-0", "run-2", "run-4", "run-6"]
    assert names(status="completed") == ["run-0"]
    assert names(status=["running", "completed"], name_prefix="run-6") == ["run-6"]
    assert names(pipeline="nothing") == []
    assert names(project="churn") == ["run-2", "run-1", "run-0"]
    assert names(created_after=made[4]["created_at"]) == ["run-6", "run-5", "run-4"]
    bad = httpx.get(
        _url(services, workspace, "runs"), params={"cursor": "garbage!"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"
    assert (
        httpx.get(
            _url(services, workspace, "runs"), params={"limit": 1000}, headers=headers
        ).status_code
        == 422
    )
    assert (
        httpx.get(
            _url(services, workspace, "runs"), params={"status": "sleeping"}, headers=headers
        ).status_code
        == 422
    )


def test_runs_never_cross_workspaces(services: RunningServices) -> None:
    headers = admin(services)
    home, other = new_workspace(services, headers), new_workspace(services, headers)
    run = _ok(
        httpx.post(_url(services, home, "runs"), json={"pipeline": "p"}, headers=headers), 201
    )
    assert httpx.get(_url(services, other, f"runs/{run['id']}"), headers=headers).status_code == 404
    assert _ok(httpx.get(_url(services, other, "runs"), headers=headers))["items"] == []
    moved = httpx.put(
        _url(services, other, f"runs/{run['id']}/status"),
        json={"status": "completed"},
        headers=headers,
    )
    assert moved.status_code == 404


async def _publish(
    settings: BusSettings,
    workspace: str,
    events: list[Contract],
    *,
    ids: list[uuid.UUID] | None = None,
) -> list[Envelope]:
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap)
    await producer.start()
    sent = []
    try:
        for i, event in enumerate(events):
            envelope = Envelope.wrap(event, workspace=uuid.UUID(workspace), actor="service:ci")
            if ids is not None:
                envelope = envelope.model_copy(update={"id": ids[i]})
            run_id = str(getattr(event, "run_id", "") or "")
            await producer.send_and_wait(
                INGEST_TOPIC,
                envelope.to_bytes(),
                key=run_id.encode(),
                headers=[(k, v.encode()) for k, v in envelope.headers().items()],
            )
            sent.append(envelope)
    finally:
        await producer.stop()
    return sent


async def test_ingested_events_are_idempotent_and_tolerate_disorder(
    services: RunningServices, bus_settings: BusSettings
) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    run_id = uuid.uuid4()
    t0 = datetime.now(UTC)
    start = StartRun(run_id=run_id, pipeline="ingested", started_at=t0)
    load_done = FinishStep(
        run_id=run_id,
        name="load",
        status="completed",
        started_at=t0 + timedelta(seconds=1),
        finished_at=t0 + timedelta(seconds=5),
    )
    load_started = StartStep(run_id=run_id, name="load", started_at=t0 + timedelta(seconds=1))
    finished = SetRunStatus(run_id=run_id, status="completed", at=t0 + timedelta(seconds=9))
    message_ids = [uuid.uuid4() for _ in range(4)]
    # Out of order (the step's finish before its start), then everything again: the same
    # messages (redelivery) and the same events as new messages (a client retrying).
    order = [start, load_done, load_started, finished]
    await _publish(bus_settings, workspace, order, ids=message_ids)
    await _publish(bus_settings, workspace, order, ids=message_ids)
    await _publish(bus_settings, workspace, order)
    url = _url(services, workspace, f"runs/{run_id}")

    def settled() -> bool:
        response = httpx.get(url, headers=headers)
        return response.status_code == 200 and response.json()["run"]["status"] == "completed"

    await eventually(settled, timeout=30)
    detail = _ok(httpx.get(url, headers=headers))
    assert [(s["name"], s["status"]) for s in detail["steps"]] == [("load", "completed")]
    step = detail["steps"][0]
    assert datetime.fromisoformat(step["started_at"]) == t0 + timedelta(seconds=1)
    assert datetime.fromisoformat(detail["run"]["finished_at"]) == t0 + timedelta(seconds=9)
    assert len(_ok(httpx.get(_url(services, workspace, "runs"), headers=headers))["items"]) == 1

    # Domain events: one run.started and one run.finished, whatever was replayed.
    def mine(records: list[Any]) -> list[Envelope]:
        envelopes = [Envelope.model_validate_json(r.value) for r in records]
        return [e for e in envelopes if e.payload.get("run_id") == str(run_id)]

    events = mine(
        await read_records(
            bus_settings, "keel.events.metadata", until=lambda rs: len(mine(rs)) >= 2, timeout=15
        )
    )
    assert sorted(e.type for e in events) == [
        "keel.metadata.run.finished",
        "keel.metadata.run.started",
    ]

    # A wrong event (a different final status) between two good ones, on the same
    # partition: it is parked with its reason, and the good ones still take effect.
    late_steps = [StartStep(run_id=run_id, name=n) for n in ("report", "notify")]
    await _publish(
        bus_settings,
        workspace,
        [late_steps[0], SetRunStatus(run_id=run_id, status="failed"), late_steps[1]],
    )
    parked = await dead_letters_for(bus_settings, INGEST_TOPIC)
    reasons = [header(r, "keel-dlq-reason") for r in parked]
    assert any("it cannot become failed" in r for r in reasons), reasons

    def all_steps() -> bool:
        return len(_ok(httpx.get(url, headers=headers))["steps"]) == 3

    await eventually(all_steps, timeout=15)
    assert _ok(httpx.get(url, headers=headers))["run"]["status"] == "completed"
