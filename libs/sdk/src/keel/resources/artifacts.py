"""Artifact versions of a workspace and their lineage."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from keel import routes
from keel.http import Http
from keel.models import ArtifactVersion, Lineage
from keel.pagination import paginate


class Artifacts:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def versions(self, artifact: str, page_size: int = 50) -> Iterator[ArtifactVersion]:
        """Every version of the artifact named `artifact`, newest first."""
        path = {"workspace_id": self._workspace, "name": artifact}
        return paginate(
            lambda cursor: self._http.fetch(
                routes.ARTIFACT_VERSIONS, path, params={"limit": page_size, "cursor": cursor}
            )
        )

    def version(self, version_id: uuid.UUID | str) -> ArtifactVersion:
        path = {"workspace_id": self._workspace, "version_id": version_id}
        return self._http.fetch(routes.ARTIFACT_VERSION, path)

    def lineage(self, version_id: uuid.UUID | str, depth: int = 5) -> Lineage:
        """The steps and runs that produced this version and what they read, `depth`
        hops upstream."""
        path = {"workspace_id": self._workspace, "version_id": version_id}
        return self._http.fetch(routes.ARTIFACT_LINEAGE, path, params={"depth": depth})
