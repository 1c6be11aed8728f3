"""Artifacts in a directory per workspace under the gateway's `artifact_root` (the embedded
stack's store; a deployment mounts a volume there)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from keel_common.errors import FieldIssue, InvalidInput, NotFound
from keel_gateway.mlflow.storage import (
    Download,
    Listed,
    is_a_directory,
    outside_the_root,
    relative_path,
)

CHUNK_BYTES = 1024 * 1024
# Uploads in progress are written beside their target under this prefix and never listed.
PARTIAL = ".upload-"


class LocalArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, workspace_id: uuid.UUID, artifact_path: str) -> Path:
        """Where `artifact_path` lives; refuses anything that would leave the workspace,
        symbolic links included."""
        base = self.root / str(workspace_id)
        resolved = (base / relative_path(artifact_path)).resolve()
        if resolved != base and base not in resolved.parents:
            raise outside_the_root(artifact_path)
        return resolved

    async def upload(
        self, workspace_id: uuid.UUID, artifact_path: str, chunks: AsyncIterator[bytes]
    ) -> None:
        target = self.path(workspace_id, artifact_path)
        if target.is_dir():
            raise is_a_directory(artifact_path)
        try:
            await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise InvalidInput(
                f"{artifact_path!r} goes through a file",
                errors=[FieldIssue(field="path", reason="a file stands where a directory is")],
            ) from None
        # Written beside the target and renamed over it: a reader never sees half a file,
        # and an upload cut short (or over the size limit) leaves nothing behind.
        partial = target.parent / f"{PARTIAL}{uuid.uuid4().hex}"
        try:
            async with await anyio.open_file(partial, "wb") as out:
                async for chunk in chunks:
                    await out.write(chunk)
            await anyio.Path(partial).rename(target)
        finally:
            await anyio.Path(partial).unlink(missing_ok=True)

    async def download(self, workspace_id: uuid.UUID, artifact_path: str) -> Download:
        found = self.path(workspace_id, artifact_path)
        if not found.is_file():
            raise NotFound(f"no artifact at {artifact_path!r}", field="path")
        return Download(found.stat().st_size, _read(found))

    async def listing(self, workspace_id: uuid.UUID, artifact_path: str) -> list[Listed]:
        found = self.path(workspace_id, artifact_path)
        return await anyio.to_thread.run_sync(_entries, found)

    async def delete(self, workspace_id: uuid.UUID, artifact_path: str) -> None:
        found = self.path(workspace_id, artifact_path)
        if found.is_dir():
            await anyio.to_thread.run_sync(shutil.rmtree, found)
        else:
            await anyio.Path(found).unlink(missing_ok=True)


async def _read(path: Path) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as source:
        while chunk := await source.read(CHUNK_BYTES):
            yield chunk


def _entries(found: Path) -> list[Listed]:
    if found.is_file():
        return [Listed(found.name, False, found.stat().st_size)]
    if not found.is_dir():
        return []
    entries = []
    with os.scandir(found) as scan:
        for entry in scan:
            if entry.name.startswith(PARTIAL):
                continue
            is_dir = entry.is_dir()
            entries.append(Listed(entry.name, is_dir, None if is_dir else entry.stat().st_size))
    return sorted(entries, key=lambda e: e.name)
