"""A workspace's choice of backend, and the backend object that serves it."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.secrets import BackendView, SetBackend, VaultLocation
from keel_common.errors import Conflict, InvalidInput, NotFound
from keel_secrets.backends.base import Backend
from keel_secrets.backends.relay import RelayBackend
from keel_secrets.backends.sql import SqlBackend
from keel_secrets.backends.vault import VaultBackend
from keel_secrets.keys.keyring import KeyRing
from keel_secrets.keys.service import ServiceKeys
from keel_secrets.relays import repository as relays
from keel_secrets.relays.client import RelayClient
from keel_secrets.secrets.models import Secret
from keel_secrets.settings import SecretsSettings
from keel_secrets.vault.client import VaultSession
from keel_secrets.vault.kv import KvStore
from keel_secrets.workspaces.models import WorkspaceBackend


def default_prefix(workspace_id: uuid.UUID) -> str:
    return f"keel/{workspace_id}"


class Backends:
    def __init__(
        self,
        settings: SecretsSettings,
        keys: ServiceKeys,
        keyring: KeyRing,
        relay_client: RelayClient,
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._relay_client = relay_client
        self._sql = SqlBackend(keys, keyring)
        self._vault = settings.vault_connection()
        # One logged-in session per Vault namespace, one store per (namespace, mount).
        self._sessions: dict[str | None, VaultSession] = {}
        self._stores: dict[tuple[str | None, str], KvStore] = {}

    async def close(self) -> None:
        for vault in self._sessions.values():
            await vault.close()

    async def view(self, session: AsyncSession, workspace_id: uuid.UUID) -> BackendView:
        return self._view_of(await session.get(WorkspaceBackend, workspace_id))

    def _view_of(self, stored: WorkspaceBackend | None) -> BackendView:
        if stored is None:
            return BackendView(kind=self._settings.default_backend)
        vault = None
        if stored.kind == "vault":
            vault = VaultLocation(
                mount=stored.vault_mount or "secret",
                path_prefix=stored.vault_path_prefix,
                namespace=stored.vault_namespace,
            )
        return BackendView(kind=stored.kind, vault=vault, relay_id=stored.relay_id)

    async def choose(
        self, session: AsyncSession, workspace_id: uuid.UUID, actor: str, choice: SetBackend
    ) -> BackendView:
        if choice.kind == "vault" and self._vault is None:
            raise InvalidInput(
                "this deployment has no Vault configured (KEEL_SECRETS_VAULT_*)", field="kind"
            )
        if choice.kind == "relay":
            if choice.relay_id is None:
                raise InvalidInput("the relay backend needs relay_id", field="relay_id")
            relay = await relays.get(session, choice.relay_id)
            if relay is None or relay.workspace_id != workspace_id:
                raise NotFound("no such relay in this workspace")
        current = await self.view(session, workspace_id)
        if current.kind != choice.kind or current.relay_id != choice.relay_id:
            held = await session.scalar(
                select(func.count()).select_from(Secret).where(Secret.workspace_id == workspace_id)
            )
            if held:
                raise Conflict(
                    f"the workspace holds {held} secrets in its {current.kind} "
                    "backend; delete or move them before switching"
                )
        location = choice.vault or VaultLocation()
        stored = await session.get(WorkspaceBackend, workspace_id, with_for_update=True)
        if stored is None:
            stored = WorkspaceBackend(workspace_id=workspace_id)
            session.add(stored)
        stored.kind = choice.kind
        stored.vault_mount = location.mount if choice.kind == "vault" else None
        stored.vault_path_prefix = location.path_prefix if choice.kind == "vault" else None
        stored.vault_namespace = location.namespace if choice.kind == "vault" else None
        stored.relay_id = choice.relay_id if choice.kind == "relay" else None
        stored.updated_by = actor
        await session.flush()
        return await self.view(session, workspace_id)

    async def of(self, session: AsyncSession, workspace_id: uuid.UUID) -> Backend:
        stored = await session.get(WorkspaceBackend, workspace_id)
        return await self.of_choice(session, workspace_id, stored)

    async def of_choice(
        self, session: AsyncSession, workspace_id: uuid.UUID, stored: WorkspaceBackend | None
    ) -> Backend:
        """The backend of a workspace whose stored choice is already loaded (None: it has
        none, so the deployment's default serves it)."""
        view = self._view_of(stored)
        if view.kind == "sql":
            return self._sql
        if view.kind == "vault":
            location = view.vault or VaultLocation()
            prefix = location.path_prefix or default_prefix(workspace_id)
            return VaultBackend(self._keys, self._store(location), prefix)
        assert view.relay_id is not None
        relay = await relays.get(session, view.relay_id)
        if relay is None:
            raise NotFound("the workspace's relay no longer exists")
        return RelayBackend(self._relay_client, relay)

    def _store(self, location: VaultLocation) -> KvStore:
        if self._vault is None:
            raise InvalidInput("this deployment has no Vault configured")
        key = (location.namespace, location.mount)
        if key not in self._stores:
            if location.namespace not in self._sessions:
                connection = self._vault.model_copy(
                    update={"namespace": location.namespace or self._vault.namespace}
                )
                self._sessions[location.namespace] = VaultSession(connection)
            self._stores[key] = KvStore(self._sessions[location.namespace], location.mount)
        return self._stores[key]
