"""Relays: the agents that keep a workspace's secret values inside the customer's network."""

from __future__ import annotations

import uuid

from keel import routes
from keel.http import Http
from keel.models import RegisteredRelay, Relay
from keel.resources.lookup import as_uuid, find


class Relays:
    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self._http = http
        self._workspace = workspace_id

    def register(self, name: str) -> RegisteredRelay:
        """A new relay; its `enrollment` bundle is shown this once."""
        path = {"workspace_id": self._workspace}
        return self._http.fetch(routes.REGISTER_RELAY, path, json={"name": name})

    def list(self) -> list[Relay]:
        return self._http.fetch(routes.RELAYS, {"workspace_id": self._workspace}).items

    def get(self, relay: uuid.UUID | str) -> Relay:
        """By id or name: its status (pending, online, offline) and live instances."""
        relay_id = as_uuid(relay)
        if relay_id is None:
            return find(self.list(), str(relay), "relay")
        path = {"workspace_id": self._workspace, "relay_id": relay_id}
        return self._http.fetch(routes.RELAY, path)
