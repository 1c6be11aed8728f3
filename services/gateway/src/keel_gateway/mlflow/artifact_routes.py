"""`mlflow-artifacts`: the MLflow client's uploads, downloads, listings and deletes of run
and model files, streamed between the client and the workspace's artifact store (a
directory or an S3-compatible bucket, `storage.py`). Bytes never pass through Kafka or
Postgres.

No `from __future__ import annotations`: FastAPI reads the dependencies' annotations at
runtime, and the permissions inside them are closure variables."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse

from keel_gateway.auth.permissions import require_workspace
from keel_gateway.auth.principal import Principal
from keel_gateway.mlflow.endpoints import DELETE, READ, WRITE
from keel_gateway.mlflow.errors import MlflowRoute
from keel_gateway.mlflow.routes import PREFIX
from keel_gateway.mlflow.storage import ArtifactStore

ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"

router = APIRouter(prefix=PREFIX, route_class=MlflowRoute, include_in_schema=False)

Reader = Annotated[Principal, Depends(require_workspace(READ))]
Writer = Annotated[Principal, Depends(require_workspace(WRITE))]
Deleter = Annotated[Principal, Depends(require_workspace(DELETE))]


def _store(request: Request) -> ArtifactStore:
    store: ArtifactStore = request.app.state.artifacts
    return store


@router.put(ARTIFACTS + "/{artifact_path:path}")
async def upload(
    request: Request, workspace_id: uuid.UUID, artifact_path: str, _: Writer
) -> JSONResponse:
    await _store(request).upload(workspace_id, artifact_path, request.stream())
    return JSONResponse({})


@router.get(ARTIFACTS + "/{artifact_path:path}")
async def download(
    request: Request, workspace_id: uuid.UUID, artifact_path: str, _: Reader
) -> StreamingResponse:
    found = await _store(request).download(workspace_id, artifact_path)
    return StreamingResponse(
        found.chunks,
        media_type="application/octet-stream",
        headers={"Content-Length": str(found.size)},
    )


@router.get(ARTIFACTS)
async def listing(
    request: Request, workspace_id: uuid.UUID, _: Reader, path: str = ""
) -> JSONResponse:
    entries = await _store(request).listing(workspace_id, path)
    files = [
        {"path": e.name, "is_dir": e.is_dir} | ({} if e.size is None else {"file_size": e.size})
        for e in entries
    ]
    return JSONResponse({"files": files})


@router.delete(ARTIFACTS + "/{artifact_path:path}")
async def delete(
    request: Request, workspace_id: uuid.UUID, artifact_path: str, _: Deleter
) -> JSONResponse:
    await _store(request).delete(workspace_id, artifact_path)
    return JSONResponse({})
