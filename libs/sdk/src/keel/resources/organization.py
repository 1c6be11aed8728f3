"""Organization-wide: workspaces, teams and roles."""

from __future__ import annotations

import uuid

from keel import routes
from keel.http import Http
from keel.models import Role, Team, Workspace


class Workspaces:
    def __init__(self, http: Http) -> None:
        self._http = http

    def list(self) -> list[Workspace]:
        """The workspaces the caller may see."""
        return self._http.fetch(routes.WORKSPACES).items

    def create(self, name: str, slug: str) -> Workspace:
        return self._http.fetch(routes.CREATE_WORKSPACE, json={"name": name, "slug": slug})


class Teams:
    def __init__(self, http: Http) -> None:
        self._http = http

    def list(self) -> list[Team]:
        return self._http.fetch(routes.TEAMS).items

    def create(self, name: str) -> Team:
        return self._http.fetch(routes.CREATE_TEAM, json={"name": name})

    def add_member(self, team_id: uuid.UUID | str, user_id: uuid.UUID | str) -> Team:
        path = {"team_id": team_id, "user_id": user_id}
        return self._http.fetch(routes.ADD_TEAM_MEMBER, path)

    def remove_member(self, team_id: uuid.UUID | str, user_id: uuid.UUID | str) -> Team:
        path = {"team_id": team_id, "user_id": user_id}
        return self._http.fetch(routes.REMOVE_TEAM_MEMBER, path)


class Roles:
    def __init__(self, http: Http) -> None:
        self._http = http

    def list(self) -> list[Role]:
        """The built-in workspace roles and the organization's own."""
        return self._http.fetch(routes.ROLES).items
