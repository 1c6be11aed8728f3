"""Cursor pages read as one iterator, fetched only as far as the caller reads."""

from __future__ import annotations

import uuid

import httpx

from tests.unit.sdk.fakes import ScriptedGateway

WORKSPACE = "6f1d1c5e-2b8a-4b8e-9d7e-3c1b0a4e5f60"


def _run(name: str) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "project": None,
        "pipeline_id": str(uuid.uuid4()),
        "pipeline": "train",
        "pipeline_version": None,
        "stack_id": None,
        "status": "running",
        "started_at": None,
        "finished_at": None,
        "created_by": "user:x",
        "created_at": "2026-01-01T00:00:00Z",
        "parameters": {},
        "trigger": "manual",
        "code_ref": None,
        "tags": [],
        "revision": 1,
    }


def _page(names: list[str], cursor: str | None) -> httpx.Response:
    return httpx.Response(200, json={"items": [_run(n) for n in names], "next_cursor": cursor})


def test_every_page_is_read_in_order_with_the_filters_kept() -> None:
    gateway = ScriptedGateway(_page(["a", "b"], "c1"), _page(["c", "d"], "c2"), _page(["e"], None))
    runs = gateway.client(api_key="k").workspace(WORKSPACE).runs
    names = [run.name for run in runs.list(status=["failed", "running"], pipeline="train")]
    assert names == ["a", "b", "c", "d", "e"]
    cursors = [r.url.params.get("cursor") for r in gateway.requests]
    assert cursors == [None, "c1", "c2"]
    for request in gateway.requests:
        assert request.url.params.get_list("status") == ["failed", "running"]
        assert request.url.params["pipeline"] == "train"


def test_a_limit_stops_reading_pages() -> None:
    gateway = ScriptedGateway(_page(["a", "b"], "c1"), _page(["c", "d"], "c2"))
    runs = gateway.client(api_key="k").workspace(WORKSPACE).runs
    assert [run.name for run in runs.list(limit=3, page_size=2)] == ["a", "b", "c"]
    assert len(gateway.requests) == 2
    assert gateway.requests[0].url.params["limit"] == "2"


def test_nothing_is_fetched_until_read() -> None:
    gateway = ScriptedGateway()
    gateway.client(api_key="k").workspace(WORKSPACE).runs.list()
    assert gateway.requests == []
