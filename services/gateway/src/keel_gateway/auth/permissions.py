"""Authorization as dependencies that declare the permission a route needs.

Effective permissions (and the caller's teams) come from the auth service and are cached
per (principal, scope) for a few seconds, so an authenticated read costs no RPC in the
common case.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import Request

from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.auth import GetPermissions, PermissionSet
from keel_common.errors import Forbidden
from keel_gateway.auth.principal import CurrentPrincipal, Principal


class PermissionCache:
    def __init__(self, rpc: RpcClient, ttl_s: float) -> None:
        self._rpc = rpc
        self._ttl_s = ttl_s
        self._entries: dict[tuple[str, uuid.UUID | None], tuple[float, PermissionSet]] = {}

    async def granted(self, principal: Principal, workspace: uuid.UUID | None) -> PermissionSet:
        key = (principal.subject, workspace)
        cached = self._entries.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        answer = await self._rpc.call(
            "auth", GetPermissions(workspace=workspace), PermissionSet, actor=principal.subject
        )
        self._entries[key] = (time.monotonic() + self._ttl_s, answer)
        return answer

    async def of(self, principal: Principal, workspace: uuid.UUID | None) -> frozenset[str]:
        return frozenset((await self.granted(principal, workspace)).permissions)

    async def teams_of(self, principal: Principal, workspace: uuid.UUID) -> list[uuid.UUID]:
        return (await self.granted(principal, workspace)).teams

    def forget(self, subject: str | None = None) -> None:
        """Drop cached permissions (all, or one principal's) after a change."""
        if subject is None:
            self._entries.clear()
            return
        for key in [k for k in self._entries if k[0] == subject]:
            del self._entries[key]


def require_workspace(needed: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller must hold `needed` in the `workspace_id` of the path."""

    async def check(
        request: Request, workspace_id: uuid.UUID, principal: CurrentPrincipal
    ) -> Principal:
        cache: PermissionCache = request.app.state.permissions
        if needed not in await cache.of(principal, workspace_id):
            raise Forbidden(f"missing permission {needed} in this workspace")
        return principal

    return check


def require_org(needed: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller must hold `needed` at organization scope."""

    async def check(request: Request, principal: CurrentPrincipal) -> Principal:
        cache: PermissionCache = request.app.state.permissions
        if needed not in await cache.of(principal, None):
            raise Forbidden(f"missing permission {needed}")
        return principal

    return check
