"""The small tables runs refer to (stacks, pipelines, their versions): rows, idempotent insert."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from tools.seed_metadata.artifacts import artifact_names, artifact_rows
from tools.seed_metadata.columns import (
    ARTIFACT_COLUMNS,
    ARTIFACT_TABLES,
    PIPELINE_COLUMNS,
    STACK_COLUMNS,
    VERSION_COLUMNS,
    Record,
)
from tools.seed_metadata.plan import (
    NAMESPACE,
    Catalog,
    PipelineInfo,
    Plan,
    pipeline_names,
    stack_names,
    step_names,
    step_upstream,
)


def user_subjects(plan: Plan) -> tuple[str, ...]:
    return tuple(
        f"user:{uuid.uuid5(NAMESPACE, f'{plan.workspace_id}:user:{k}')}" for k in range(plan.users)
    )


def stack_rows(plan: Plan) -> Iterator[Record]:
    """`stacks`: an orchestrator and an artifact store each, credentials by reference."""
    for k, name in enumerate(stack_names(plan)):
        components = [
            {
                "type": "orchestrator",
                "flavor": "kubernetes" if name != "local" else "local",
                "name": f"{name}-orchestrator",
                "config": {"namespace": f"ml-{name}"},
                "secret_refs": {},
            },
            {
                "type": "artifact_store",
                "flavor": "s3" if name != "local" else "local",
                "name": f"{name}-store",
                "config": {"path": f"s3://acme-ml-{name}/artifacts"},
                "secret_refs": {"credentials": f"aws/{name}"} if name != "local" else {},
            },
        ]
        yield (
            uuid.uuid5(NAMESPACE, f"{plan.workspace_id}:stack:{name}"),
            plan.workspace_id,
            name,
            f"The {name} stack",
            json.dumps(components),
            f"user:{uuid.uuid5(NAMESPACE, f'{plan.workspace_id}:user:0')}",
            plan.start - timedelta(days=1, minutes=k),
        )


def versions_of(plan: Plan, index: int) -> int:
    return 1 + index % 4


def pipeline_rows(plan: Plan) -> Iterator[Record]:
    for k, name in enumerate(pipeline_names(plan)):
        yield (
            uuid.uuid5(NAMESPACE, f"{plan.workspace_id}:pipeline:{name}"),
            plan.workspace_id,
            name,
            versions_of(plan, k),
            plan.start - timedelta(hours=12, minutes=k),
        )


def pipeline_spec(plan: Plan, pipeline: str, version: int) -> dict[str, Any]:
    names = step_names(plan.steps)
    return {
        "steps": dict(zip(names, step_upstream(names), strict=True)),
        "image": f"registry.example.com/acme/{pipeline}:{version}",
    }


def spec_hash(spec: dict[str, Any]) -> str:
    """The metadata service's hash of a spec (`pipelines.service.ensure`)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def pipeline_version_rows(plan: Plan, pipeline_ids: dict[str, uuid.UUID]) -> Iterator[Record]:
    """Versions spread evenly over the year; runs use the version current at their time."""
    for k, name in enumerate(pipeline_names(plan)):
        count = versions_of(plan, k)
        for v in range(1, count + 1):
            spec = pipeline_spec(plan, name, v)
            digest = spec_hash(spec)
            yield (
                uuid.uuid5(NAMESPACE, f"{pipeline_ids[name]}:{digest}"),
                pipeline_ids[name],
                v,
                json.dumps(spec),
                digest,
                plan.start + (plan.now - plan.start) * (v - 1) / count - timedelta(hours=1),
            )


def _insert(table: str, columns: Sequence[str], conflict: str) -> str:
    """INSERT of one row that skips what exists. Table and columns are this module's
    constants, never input."""
    values = ", ".join(f"${k + 1}" for k in range(len(columns)))
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO NOTHING"
    )


async def _catalog(conn: Any, plan: Plan) -> tuple[Catalog, dict[uuid.UUID, int]]:
    """Insert the small tables (what exists by name is kept) and read back their ids; and
    each artifact's last version number (none: no artifact tables)."""
    stacks = list(stack_rows(plan))
    await conn.executemany(_insert("stacks", STACK_COLUMNS, "workspace_id, name"), stacks)
    await conn.executemany(
        _insert("pipelines", PIPELINE_COLUMNS, "workspace_id, name"), list(pipeline_rows(plan))
    )
    found = await conn.fetch(
        "SELECT name, id FROM pipelines WHERE workspace_id = $1", plan.workspace_id
    )
    pipeline_ids: dict[str, uuid.UUID] = {r["name"]: r["id"] for r in found}
    versions = list(pipeline_version_rows(plan, pipeline_ids))
    await conn.executemany(
        _insert("pipeline_versions", VERSION_COLUMNS, "pipeline_id, spec_hash"), versions
    )
    await conn.execute(
        "UPDATE pipelines p SET latest_version = v.latest FROM "
        "(SELECT pipeline_id, max(version) AS latest FROM pipeline_versions GROUP BY 1) v "
        "WHERE v.pipeline_id = p.id AND p.workspace_id = $1",
        plan.workspace_id,
    )
    version_ids: dict[tuple[uuid.UUID, str], uuid.UUID] = {
        (r["pipeline_id"], r["spec_hash"]): r["id"]
        for r in await conn.fetch(
            "SELECT v.id, v.pipeline_id, v.spec_hash FROM pipeline_versions v "
            "JOIN pipelines p ON p.id = v.pipeline_id WHERE p.workspace_id = $1",
            plan.workspace_id,
        )
    }
    stack_ids = {
        r["name"]: r["id"]
        for r in await conn.fetch(
            "SELECT name, id FROM stacks WHERE workspace_id = $1", plan.workspace_id
        )
    }
    artifact_ids: dict[str, uuid.UUID] = {}
    numbers: dict[uuid.UUID, int] = {}
    if await _has_artifact_tables(conn):
        await conn.executemany(
            _insert("artifacts", ARTIFACT_COLUMNS, "workspace_id, name"), list(artifact_rows(plan))
        )
        for r in await conn.fetch(
            "SELECT name, id, latest_version FROM artifacts WHERE workspace_id = $1",
            plan.workspace_id,
        ):
            artifact_ids[r["name"]] = r["id"]
            numbers[r["id"]] = r["latest_version"]
    names = step_names(plan.steps)
    upstream = step_upstream(names)
    pipelines = []
    for k, name in enumerate(pipeline_names(plan)):
        pid = pipeline_ids[name]
        ids = tuple(
            version_ids[(pid, spec_hash(pipeline_spec(plan, name, v)))]
            for v in range(1, versions_of(plan, k) + 1)
        )
        outputs = tuple(artifact_ids[a] for a in artifact_names(plan, name) if artifact_ids)
        pipelines.append(PipelineInfo(pid, name, names, upstream, ids, outputs))
    catalog = Catalog(
        tuple(stack_ids[name] for name in stack_names(plan)),
        tuple(pipelines),
        user_subjects(plan),
    )
    return catalog, numbers


async def _has_artifact_tables(conn: Any) -> bool:
    found = await conn.fetchval(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = ANY($1::text[])",
        list(ARTIFACT_TABLES),
    )
    return bool(found == len(ARTIFACT_TABLES))
