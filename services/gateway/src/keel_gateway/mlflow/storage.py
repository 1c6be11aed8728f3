"""The artifact store of the MLflow-compatible API: where the `mlflow-artifacts` proxy puts
and finds the bytes of a workspace's files. Two kinds, one contract: a directory on the
gateway's disk (`local_storage.py`, the default) or an S3-compatible bucket
(`s3_storage.py`). Paths come from clients, so each is checked here, in one place, before a
store turns it into a file name or an object key."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Protocol

from keel_common.errors import FieldIssue, InvalidInput


@dataclass(frozen=True)
class Listed:
    name: str
    is_dir: bool
    size: int | None


@dataclass(frozen=True)
class Download:
    size: int
    chunks: AsyncIterator[bytes]


class ArtifactStore(Protocol):
    """Each workspace sees only its own files: every method takes the workspace first."""

    async def upload(
        self, workspace_id: uuid.UUID, artifact_path: str, chunks: AsyncIterator[bytes]
    ) -> None:
        """Stores the whole stream under `artifact_path`, or nothing: a reader never sees
        half a file, and an upload cut short leaves nothing behind."""

    async def download(self, workspace_id: uuid.UUID, artifact_path: str) -> Download:
        """The file's bytes; `NotFound` for nothing or a directory there."""

    async def listing(self, workspace_id: uuid.UUID, artifact_path: str) -> list[Listed]:
        """A directory's entries, sorted; a file lists as itself; nothing there is empty."""

    async def delete(self, workspace_id: uuid.UUID, artifact_path: str) -> None:
        """Removes a file, or a directory with everything in it; nothing there is no error."""


def relative_path(artifact_path: str) -> PurePosixPath:
    """`artifact_path` as a path below a workspace's root; refuses anything that could
    leave it (`..`, a backslash, a NUL). `.` is the root itself."""
    relative = PurePosixPath(artifact_path.strip("/"))
    if "\\" in artifact_path or "\x00" in artifact_path or ".." in relative.parts:
        raise outside_the_root(artifact_path)
    return relative


def outside_the_root(artifact_path: str) -> InvalidInput:
    return InvalidInput(
        f"invalid artifact path {artifact_path!r}",
        errors=[FieldIssue(field="path", reason="must stay inside the artifact root")],
    )


def is_a_directory(artifact_path: str) -> InvalidInput:
    return InvalidInput(
        f"{artifact_path!r} is a directory",
        errors=[FieldIssue(field="path", reason="a directory, not a file")],
    )
