"""Who may act in a workspace: members, teams' roles, service accounts and API keys."""

from __future__ import annotations

import uuid

from keel import routes
from keel.http import Http
from keel.models import ApiKey, ServiceAccount


class Members:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def set_role(self, user_id: uuid.UUID | str, role: str) -> None:
        path = {"workspace_id": self._workspace, "user_id": user_id}
        self._http.send(routes.SET_MEMBER_ROLE, path, json={"role": role})

    def remove(self, user_id: uuid.UUID | str) -> None:
        path = {"workspace_id": self._workspace, "user_id": user_id}
        self._http.send(routes.REMOVE_MEMBER, path)

    def set_team_role(self, team_id: uuid.UUID | str, role: str) -> None:
        path = {"workspace_id": self._workspace, "team_id": team_id}
        self._http.send(routes.SET_TEAM_ROLE, path, json={"role": role})

    def remove_team(self, team_id: uuid.UUID | str) -> None:
        path = {"workspace_id": self._workspace, "team_id": team_id}
        self._http.send(routes.REMOVE_TEAM, path)


class ServiceAccounts:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def list(self) -> list[ServiceAccount]:
        return self._http.fetch(routes.SERVICE_ACCOUNTS, {"workspace_id": self._workspace}).items

    def create(self, name: str, role: str = "viewer") -> ServiceAccount:
        path = {"workspace_id": self._workspace}
        return self._http.fetch(
            routes.CREATE_SERVICE_ACCOUNT, path, json={"name": name, "role": role}
        )

    def create_api_key(
        self, account_id: uuid.UUID | str, name: str, expires_in_days: int | None = None
    ) -> ApiKey:
        """A new key; its `key` is shown this once (Keel keeps only a hash)."""
        path = {"workspace_id": self._workspace, "account_id": account_id}
        body = {"name": name, "expires_in_days": expires_in_days}
        return self._http.fetch(routes.CREATE_API_KEY, path, json=body)

    def revoke_api_key(self, account_id: uuid.UUID | str, key_id: uuid.UUID | str) -> None:
        path = {"workspace_id": self._workspace, "account_id": account_id, "key_id": key_id}
        self._http.send(routes.REVOKE_API_KEY, path)
