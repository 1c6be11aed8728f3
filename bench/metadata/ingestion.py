"""The ingestion measurement: complete runs published to Kafka, timed until listed completed."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from bench.metadata.http import api
from bench.metadata.results import Ingestion
from bench.runtime import log
from keel_common.contracts.base import Contract, Envelope
from keel_common.contracts.metadata import (
    INGEST_TOPIC,
    FinishStep,
    SetRunStatus,
    StartRun,
    StartStep,
)
from tools.seed_metadata import step_names, step_upstream


def run_events(
    run_id: uuid.UUID, name: str, tag: str, stack: str, steps: int, t0: datetime
) -> list[Contract]:
    """What an orchestrator integration sends for one run, times consistent."""
    names = step_names(steps)
    upstream = step_upstream(names)
    spec = {"steps": dict(zip(names, upstream, strict=True)), "image": "bench:1"}
    events: list[Contract] = [
        StartRun(
            run_id=run_id,
            name=name,
            pipeline="bench-ingest",
            pipeline_spec=spec,
            stack=stack,
            parameters={"learning_rate": 0.01, "epochs": 3},
            trigger="api",
            started_at=t0,
            tags=[tag],
        )
    ]
    at = t0
    for step, needs in zip(names, upstream, strict=True):
        events.append(StartStep(run_id=run_id, name=step, upstream=needs, started_at=at))
        at += timedelta(seconds=2)
        events.append(FinishStep(run_id=run_id, name=step, status="completed", finished_at=at))
        at += timedelta(milliseconds=100)
    events.append(SetRunStatus(run_id=run_id, status="completed", at=at))
    return events


async def completed_with_tag(http: httpx.AsyncClient, base: str, tag: str) -> int:
    count, cursor = 0, None
    while True:
        query: dict[str, Any] = {"tag": tag, "status": "completed", "limit": 200}
        if cursor:
            query["cursor"] = cursor
        body = await api(http, "GET", f"{base}/runs", 200, params=query)
        count += len(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return count


async def ingest(
    http: httpx.AsyncClient,
    base: str,
    *,
    workspace: uuid.UUID,
    bootstrap: str,
    runs: int,
    steps: int,
    stack: str,
    timeout: float,
) -> Ingestion:
    tag = f"ingest-{secrets.token_hex(4)}"
    t0 = datetime.now(UTC) - timedelta(hours=1)
    messages: list[tuple[bytes, bytes, list[tuple[str, bytes]]]] = []
    for k in range(runs):
        run_id = uuid.uuid4()
        for event in run_events(run_id, f"bench-ingest-{tag}-{k}", tag, stack, steps, t0):
            envelope = Envelope.wrap(event, workspace=workspace, actor="service:bench")
            headers = [(key, value.encode()) for key, value in envelope.headers().items()]
            messages.append((str(run_id).encode(), envelope.to_bytes(), headers))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        started = time.perf_counter()
        pending = [
            await producer.send(INGEST_TOPIC, value, key=key, headers=headers)
            for key, value, headers in messages
        ]
        await asyncio.gather(*pending)
        published = time.perf_counter() - started
    finally:
        await producer.stop()
    log(f"{len(messages):,} events for {runs} runs published in {published:.2f}s")
    completed, last_log = 0, started
    while True:
        completed = await completed_with_tag(http, base, tag)
        now = time.perf_counter()
        if completed >= runs or now - started > timeout:
            break
        if now - last_log > 5:
            log(f"ingestion: {completed}/{runs} runs completed after {now - started:.0f}s")
            last_log = now
        await asyncio.sleep(0.2)
    total = time.perf_counter() - started
    return Ingestion(runs, completed, published, total, steps)
