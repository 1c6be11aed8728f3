"""One dependency per permission that yields everything a secrets route needs: the
authorized principal, the workspace, the caller's teams and the RPC client.

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
from keel_common.contracts.secrets import Caller
from keel_gateway.auth.permissions import PermissionCache, require_workspace
from keel_gateway.auth.principal import Principal
from keel_gateway.dependencies import Rpc

Res = TypeVar("Res", bound=Contract)


@dataclass(frozen=True)
class SecretsCall:
    workspace_id: uuid.UUID
    principal: Principal
    caller: Caller
    rpc: RpcClient

    async def ask(self, request: Contract, returns: type[Res]) -> Res:
        return await self.rpc.call(
            "secrets",
            request,
            returns,
            workspace=self.workspace_id,
            actor=self.principal.subject,
        )


def secrets_call(needed: str) -> Callable[..., Awaitable[SecretsCall]]:
    async def build(
        request: Request,
        workspace_id: uuid.UUID,
        principal: Annotated[Principal, Depends(require_workspace(needed))],
        rpc: Rpc,
    ) -> SecretsCall:
        cache: PermissionCache = request.app.state.permissions
        teams = await cache.teams_of(principal, workspace_id)
        return SecretsCall(workspace_id, principal, Caller(teams=teams), rpc)

    return build


Reader = Annotated[SecretsCall, Depends(secrets_call("secret:read"))]
ValueReader = Annotated[SecretsCall, Depends(secrets_call("secret:read_secret_value"))]
Creator = Annotated[SecretsCall, Depends(secrets_call("secret:create"))]
Updater = Annotated[SecretsCall, Depends(secrets_call("secret:update"))]
Deleter = Annotated[SecretsCall, Depends(secrets_call("secret:delete"))]
Sharer = Annotated[SecretsCall, Depends(secrets_call("secret:share"))]
RelayAdmin = Annotated[SecretsCall, Depends(secrets_call("relay:create"))]
RelayReader = Annotated[SecretsCall, Depends(secrets_call("relay:read"))]
BackendAdmin = Annotated[SecretsCall, Depends(secrets_call("workspace:update"))]
