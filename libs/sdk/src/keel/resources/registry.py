"""The model registry of a workspace."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from keel import routes
from keel.http import Http
from keel.models import Lineage, Model, ModelVersion
from keel.resources.lookup import find


class Models:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def list(self) -> list[Model]:
        return self._http.fetch(routes.MODELS, {"workspace_id": self._workspace}).items

    def get(self, model: str) -> Model:
        """By name (the gateway has no single-model route: found in the list)."""
        return find(self.list(), model, "model")

    def versions(self, model: str) -> builtins.list[ModelVersion]:
        path = {"workspace_id": self._workspace, "model": model}
        return self._http.fetch(routes.MODEL_VERSIONS, path).items

    def version(
        self, model: str, number: int | None = None, *, alias: str | None = None
    ) -> ModelVersion:
        """A version by number, or by alias (`champion`)."""
        if (number is None) == (alias is None):
            raise ValueError("give a version number or an alias")
        path: dict[str, object] = {"workspace_id": self._workspace, "model": model}
        if alias is not None:
            return self._http.fetch(routes.MODEL_VERSION_BY_ALIAS, {**path, "alias": alias})
        return self._http.fetch(routes.MODEL_VERSION, {**path, "number": number})

    def create_version(
        self,
        model: str,
        *,
        description: str = "",
        run_id: uuid.UUID | str | None = None,
        artifacts: Mapping[str, Sequence[uuid.UUID | str]] | None = None,
        tags: Sequence[str] = (),
    ) -> ModelVersion:
        """A new numbered version (the model is created with its first), made of artifact
        versions by role (`{"model": [...], "training_data": [...]}`)."""
        body: dict[str, Any] = {
            "description": description,
            "run_id": str(run_id) if run_id else None,
            "artifacts": {
                role: [str(v) for v in versions] for role, versions in (artifacts or {}).items()
            },
            "tags": list(tags),
        }
        path = {"workspace_id": self._workspace, "model": model}
        return self._http.fetch(routes.CREATE_MODEL_VERSION, path, json=body)

    def set_stage(
        self, model: str, number: int, stage: str, *, archive_others: bool = False
    ) -> ModelVersion:
        """Move a version to `stage` (staging, production, archived, none); with
        `archive_others`, the versions now in that stage move to archived."""
        path = {"workspace_id": self._workspace, "model": model, "number": number}
        body = {"stage": stage, "archive_others": archive_others}
        return self._http.fetch(routes.SET_MODEL_STAGE, path, json=body)

    def set_alias(self, model: str, alias: str, number: int | None) -> builtins.list[ModelVersion]:
        """Point `alias` at version `number` (moving it), or remove it with None. Returns
        the versions the move changed."""
        path = {"workspace_id": self._workspace, "model": model, "alias": alias}
        return self._http.fetch(routes.SET_MODEL_ALIAS, path, json={"number": number}).items

    def lineage(self, version_id: uuid.UUID | str, depth: int = 5) -> Lineage:
        """What the version was made from: its artifacts' lineage, `depth` hops back."""
        path = {"workspace_id": self._workspace, "version_id": version_id}
        return self._http.fetch(routes.MODEL_LINEAGE, path, params={"depth": depth})
