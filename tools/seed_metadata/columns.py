"""The columns each COPY writes, and where a field sits in a run's or a step's record."""

from __future__ import annotations

from typing import Any

Record = tuple[Any, ...]

# The columns each COPY writes, in the order the row functions produce them.
STACK_COLUMNS = (
    "id",
    "workspace_id",
    "name",
    "description",
    "components",
    "created_by",
    "created_at",
)
PIPELINE_COLUMNS = ("id", "workspace_id", "name", "latest_version", "created_at")
VERSION_COLUMNS = ("id", "pipeline_id", "version", "spec", "spec_hash", "created_at")
RUN_COLUMNS = (
    "id", "workspace_id", "name", "project", "pipeline_id", "pipeline_version_id", "stack_id",
    "status", "started_at", "finished_at", "parameters", "trigger", "code_ref", "tags",
    "created_by", "created_at", "revision",
)  # fmt: skip
STEP_COLUMNS = (
    "id", "run_id", "name", "status", "upstream", "cache_key", "cached_from", "started_at",
    "finished_at",
)  # fmt: skip
ARTIFACT_COLUMNS = ("id", "workspace_id", "name", "latest_version", "created_at")
ARTIFACT_VERSION_COLUMNS = (
    "id", "workspace_id", "artifact_id", "version", "uri", "type", "data_type", "materializer",
    "size", "content_hash", "visualizations", "tags", "output", "producer_step_id",
    "producer_run_id", "created_at",
)  # fmt: skip
# Where the row functions below find a field in a run's or a step's record.
RUN_ID, RUN_NAME, RUN_FINISHED = (RUN_COLUMNS.index(c) for c in ("id", "name", "finished_at"))
STEP_ID, STEP_NAME, STEP_STATUS, STEP_UPSTREAM, STEP_STARTED, STEP_FINISHED = (
    STEP_COLUMNS.index(c) for c in ("id", "name", "status", "upstream", "started_at", "finished_at")
)
STEP_INPUT_COLUMNS = ("step_id", "name", "artifact_version_id")
RUN_METADATA_COLUMNS = ("entity", "entity_id", "key", "workspace_id", "kind", "value", "logged_at")
# The tables of artifacts and run metadata, seeded only if the service's schema has them.
ARTIFACT_TABLES = ("artifacts", "artifact_versions", "step_inputs", "run_metadata")
