"""The artifact store of the MLflow-compatible API: a directory per workspace under the
gateway's `artifact_root`. Paths come from clients, so each is checked to stay inside its
workspace's directory before anything touches the disk."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from keel_common.errors import FieldIssue, InvalidInput, NotFound


@dataclass(frozen=True)
class Listed:
    name: str
    is_dir: bool
    size: int | None


class ArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, workspace_id: uuid.UUID, artifact_path: str) -> Path:
        """Where `artifact_path` lives; refuses anything that would leave the workspace."""
        relative = PurePosixPath(artifact_path.strip("/"))
        if "\\" in artifact_path or "\x00" in artifact_path or ".." in relative.parts:
            raise InvalidInput(
                f"invalid artifact path {artifact_path!r}",
                errors=[FieldIssue(field="path", reason="must stay inside the artifact root")],
            )
        base = self.root / str(workspace_id)
        resolved = (base / relative).resolve()
        if resolved != base and base not in resolved.parents:
            raise InvalidInput(
                f"invalid artifact path {artifact_path!r}",
                errors=[FieldIssue(field="path", reason="must stay inside the artifact root")],
            )
        return resolved

    def file(self, workspace_id: uuid.UUID, artifact_path: str) -> Path:
        found = self.path(workspace_id, artifact_path)
        if not found.is_file():
            raise NotFound(f"no artifact at {artifact_path!r}", field="path")
        return found

    def listing(self, workspace_id: uuid.UUID, artifact_path: str) -> list[Listed]:
        """A directory's entries; a file lists as itself; nothing there lists as empty."""
        found = self.path(workspace_id, artifact_path)
        if found.is_file():
            return [Listed(found.name, False, found.stat().st_size)]
        if not found.is_dir():
            return []
        entries = []
        with os.scandir(found) as scan:
            for entry in scan:
                if entry.name.startswith(".upload-"):
                    continue  # an upload in progress
                is_dir = entry.is_dir()
                entries.append(Listed(entry.name, is_dir, None if is_dir else entry.stat().st_size))
        return sorted(entries, key=lambda e: e.name)
