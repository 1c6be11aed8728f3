"""A workspace's secrets. Listing and reading show names and keys; values only come
from `reveal`, which needs its own permission."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from keel import routes
from keel.http import Http
from keel.models import Secret, SecretsBackend, SecretValues, VaultLocation
from keel.pagination import paginate
from keel.resources.lookup import as_uuid


class Secrets:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def create(
        self,
        name: str,
        values: dict[str, str],
        *,
        description: str = "",
        scope: str = "workspace",
    ) -> Secret:
        body = {"name": name, "values": values, "description": description, "scope": scope}
        return self._http.fetch(routes.CREATE_SECRET, self._path(), json=body)

    def list(self, prefix: str | None = None, page_size: int = 100) -> Iterator[Secret]:
        """Every secret the caller may see (names starting with `prefix`), page by page."""
        return paginate(
            lambda cursor: self._http.fetch(
                routes.SECRETS,
                self._path(),
                params={"prefix": prefix, "limit": page_size, "cursor": cursor},
            )
        )

    def get(self, secret: uuid.UUID | str) -> Secret:
        """By id, or by name (`app/db`)."""
        secret_id = as_uuid(secret)
        if secret_id is None:
            return self._http.fetch(routes.SECRET_BY_NAME, self._path(name=secret))
        return self._http.fetch(routes.SECRET, self._path(secret_id=secret_id))

    def reveal(self, secret: uuid.UUID | str, version: int | None = None) -> SecretValues:
        """The values of a version (the latest by default)."""
        path = self._path(secret_id=self._id(secret))
        return self._http.fetch(routes.SECRET_VALUES, path, params={"version": version})

    def update(
        self,
        secret: uuid.UUID | str,
        *,
        values: dict[str, str] | None = None,
        description: str | None = None,
        expected_version: int | None = None,
    ) -> Secret:
        """New values make a new version (the keys given replace all of them); a new
        description alone does not. `expected_version` refuses (409) a concurrent change."""
        body = {
            "values": values,
            "description": description,
            "expected_version": expected_version,
        }
        path = self._path(secret_id=self._id(secret))
        return self._http.fetch(routes.UPDATE_SECRET, path, json=body)

    def delete(self, secret: uuid.UUID | str) -> None:
        self._http.send(routes.DELETE_SECRET, self._path(secret_id=self._id(secret)))

    def backend(self) -> SecretsBackend:
        """Where this workspace keeps its values."""
        return self._http.fetch(routes.SECRETS_BACKEND, self._path())

    def use_backend(
        self,
        kind: str,
        *,
        relay_id: uuid.UUID | str | None = None,
        vault: VaultLocation | None = None,
    ) -> SecretsBackend:
        """Keep new values in `kind` from now on: `relay` names the workspace's enrolled
        relay; `vault` may say where in the deployment's Vault."""
        body = {
            "kind": kind,
            "relay_id": str(relay_id) if relay_id else None,
            "vault": vault.model_dump(exclude_none=True) if vault else None,
        }
        return self._http.fetch(routes.SET_SECRETS_BACKEND, self._path(), json=body)

    def _id(self, secret: uuid.UUID | str) -> uuid.UUID:
        return as_uuid(secret) or self.get(secret).id

    def _path(self, **more: object) -> dict[str, object]:
        return {"workspace_id": self._workspace, **more}
