"""Stacks, pipelines and runs of a workspace."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from keel import routes
from keel.http import Http
from keel.models import ArtifactOutput, Pipeline, Run, RunDetail, Stack, Step
from keel.pagination import paginate
from keel.resources.lookup import as_uuid, find


class Stacks:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def list(self) -> list[Stack]:
        return self._http.fetch(routes.STACKS, {"workspace_id": self._workspace}).items

    def get(self, stack: uuid.UUID | str) -> Stack:
        """By id or name."""
        stack_id = as_uuid(stack)
        if stack_id is None:
            return find(self.list(), str(stack), "stack")
        path = {"workspace_id": self._workspace, "stack_id": stack_id}
        return self._http.fetch(routes.STACK, path)

    def create(
        self, name: str, components: Sequence[Mapping[str, Any]] = (), description: str = ""
    ) -> Stack:
        """Creating the same stack again returns it; another stack under the name is a 409."""
        body = {"name": name, "description": description, "components": [*components]}
        return self._http.fetch(routes.CREATE_STACK, {"workspace_id": self._workspace}, json=body)


class Pipelines:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def list(self) -> list[Pipeline]:
        return self._http.fetch(routes.PIPELINES, {"workspace_id": self._workspace}).items

    def get(self, pipeline: uuid.UUID | str) -> Pipeline:
        """By id or name (the gateway has no single-pipeline route: found in the list)."""
        return find(self.list(), pipeline, "pipeline")


class Runs:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def list(
        self,
        *,
        status: Sequence[str] = (),
        project: str | None = None,
        pipeline: str | None = None,
        stack: str | None = None,
        created_by: str | None = None,
        name_prefix: str | None = None,
        tag: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        sort: str = "-created_at",
        limit: int | None = None,
        page_size: int = 100,
    ) -> Iterator[Run]:
        """Runs matching every filter given, newest first by default; at most `limit`."""
        filters: dict[str, Any] = {
            "status": list(status) or None,
            "project": project,
            "pipeline": pipeline,
            "stack": stack,
            "created_by": created_by,
            "name_prefix": name_prefix,
            "tag": tag,
            "created_after": created_after.isoformat() if created_after else None,
            "created_before": created_before.isoformat() if created_before else None,
            "sort": sort,
            "limit": min(page_size, limit) if limit else page_size,
        }
        path = {"workspace_id": self._workspace}
        return paginate(
            lambda cursor: self._http.fetch(
                routes.RUNS, path, params={**filters, "cursor": cursor}
            ),
            limit=limit,
        )

    def get(self, run_id: uuid.UUID | str) -> RunDetail:
        """The run and its steps."""
        return self._http.fetch(routes.RUN, {"workspace_id": self._workspace, "run_id": run_id})

    def start(
        self,
        pipeline: str,
        *,
        name: str | None = None,
        project: str | None = None,
        stack: str | None = None,
        parameters: dict[str, Any] | None = None,
        tags: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> Run:
        """Record a new run. With an `idempotency_key`, a retried call returns the first
        call's run (and so the SDK may retry it after a timeout)."""
        body: dict[str, Any] = {
            "pipeline": pipeline,
            "name": name,
            "project": project,
            "stack": stack,
            "parameters": parameters or {},
            "tags": list(tags),
        }
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        path = {"workspace_id": self._workspace}
        return self._http.fetch(routes.START_RUN, path, json=body, headers=headers)

    def set_status(
        self, run_id: uuid.UUID | str, status: str, expected_revision: int | None = None
    ) -> Run:
        body = {"status": status, "expected_revision": expected_revision}
        path = {"workspace_id": self._workspace, "run_id": run_id}
        return self._http.fetch(routes.SET_RUN_STATUS, path, json=body)

    def start_step(
        self,
        run_id: uuid.UUID | str,
        name: str,
        *,
        inputs: Mapping[str, uuid.UUID | str] | None = None,
        upstream: Sequence[str] = (),
    ) -> Step:
        """Record that step `name` started, reading `inputs` (input name -> artifact
        version id): lineage walks back through them."""
        body = {
            "name": name,
            "inputs": {key: str(value) for key, value in (inputs or {}).items()},
            "upstream": list(upstream),
        }
        path = {"workspace_id": self._workspace, "run_id": run_id}
        return self._http.fetch(routes.START_STEP, path, json=body)

    def finish_step(
        self,
        run_id: uuid.UUID | str,
        name: str,
        status: str = "completed",
        *,
        outputs: Sequence[ArtifactOutput] = (),
    ) -> Step:
        """Record how step `name` ended and the artifact versions it produced."""
        body = {
            "status": status,
            "outputs": [o.model_dump(mode="json", exclude_none=True) for o in outputs],
        }
        path = {"workspace_id": self._workspace, "run_id": run_id, "name": name}
        return self._http.fetch(routes.FINISH_STEP, path, json=body)
