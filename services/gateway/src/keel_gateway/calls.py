"""One dependency per (service, permission) that yields what a workspace route needs: the
authorized principal, the workspace of the path, the caller's teams and an RPC helper
addressed to the owning service.

No `from __future__ import annotations` here: FastAPI reads the dependency's annotations
at runtime, and the permission inside them is a closure variable.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.base import Contract
from keel_gateway.auth.permissions import PermissionCache, require_workspace
from keel_gateway.auth.principal import Principal
from keel_gateway.dependencies import Rpc
from keel_gateway.idempotency import IdempotencyKey

Res = TypeVar("Res", bound=Contract)


@dataclass(frozen=True)
class WorkspaceCall:
    service: str
    workspace_id: uuid.UUID
    principal: Principal
    teams: list[uuid.UUID]
    rpc: RpcClient
    # A POST's Idempotency-Key: a repeat of the call gets the first one's reply.
    idempotency_key: str | None = None

    async def ask(self, request: Contract, returns: type[Res]) -> Res:
        return await self.rpc.call(
            self.service,
            request,
            returns,
            workspace=self.workspace_id,
            actor=self.principal.subject,
            idempotency_key=self.idempotency_key,
        )


def workspace_call(service: str, needed: str) -> Callable[..., Awaitable[WorkspaceCall]]:
    async def build(
        request: Request,
        workspace_id: uuid.UUID,
        principal: Annotated[Principal, Depends(require_workspace(needed))],
        rpc: Rpc,
        idempotency_key: IdempotencyKey,
    ) -> WorkspaceCall:
        cache: PermissionCache = request.app.state.permissions
        teams = await cache.teams_of(principal, workspace_id)
        return WorkspaceCall(service, workspace_id, principal, teams, rpc, idempotency_key)

    return build
