"""`mlflow-artifacts`: the MLflow client's uploads, downloads, listings and deletes of run
and model files, streamed between the client and the workspace's artifact store. Bytes
never pass through Kafka or Postgres.

No `from __future__ import annotations`: FastAPI reads the dependencies' annotations at
runtime, and the permissions inside them are closure variables."""

import shutil
import uuid
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from keel_common.errors import FieldIssue, InvalidInput
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
    target = _store(request).path(workspace_id, artifact_path)
    if target.is_dir():
        raise InvalidInput(
            f"{artifact_path!r} is a directory",
            errors=[FieldIssue(field="path", reason="a directory, not a file")],
        )
    await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed over it: a reader never sees half a file, and
    # an upload cut short (or over the size limit) leaves nothing behind.
    partial = target.parent / f".upload-{uuid.uuid4().hex}"
    try:
        async with await anyio.open_file(partial, "wb") as out:
            async for chunk in request.stream():
                await out.write(chunk)
        await anyio.Path(partial).rename(target)
    finally:
        await anyio.Path(partial).unlink(missing_ok=True)
    return JSONResponse({})


@router.get(ARTIFACTS + "/{artifact_path:path}")
async def download(
    request: Request, workspace_id: uuid.UUID, artifact_path: str, _: Reader
) -> Response:
    found = _store(request).file(workspace_id, artifact_path)
    return FileResponse(found, media_type="application/octet-stream")


@router.get(ARTIFACTS)
async def listing(
    request: Request, workspace_id: uuid.UUID, _: Reader, path: str = ""
) -> JSONResponse:
    entries = _store(request).listing(workspace_id, path)
    files = [
        {"path": e.name, "is_dir": e.is_dir} | ({} if e.size is None else {"file_size": e.size})
        for e in entries
    ]
    return JSONResponse({"files": files})


@router.delete(ARTIFACTS + "/{artifact_path:path}")
async def delete(
    request: Request, workspace_id: uuid.UUID, artifact_path: str, _: Deleter
) -> JSONResponse:
    found = _store(request).path(workspace_id, artifact_path)
    if found.is_dir():
        await anyio.to_thread.run_sync(shutil.rmtree, found)
    else:
        await anyio.Path(found).unlink(missing_ok=True)
    return JSONResponse({})
