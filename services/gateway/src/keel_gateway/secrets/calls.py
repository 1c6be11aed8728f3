"""The secrets routes' dependencies, one per permission they need."""

from typing import Annotated

from fastapi import Depends

from keel_common.contracts.secrets import Caller
from keel_gateway.calls import WorkspaceCall, workspace_call


def caller(call: WorkspaceCall) -> Caller:
    """Who asks, as far as secret visibility goes."""
    return Caller(teams=call.teams)


def _needs(permission: str) -> object:
    return Depends(workspace_call("secrets", permission))


Reader = Annotated[WorkspaceCall, _needs("secret:read")]
ValueReader = Annotated[WorkspaceCall, _needs("secret:read_secret_value")]
Creator = Annotated[WorkspaceCall, _needs("secret:create")]
Updater = Annotated[WorkspaceCall, _needs("secret:update")]
Deleter = Annotated[WorkspaceCall, _needs("secret:delete")]
Sharer = Annotated[WorkspaceCall, _needs("secret:share")]
RelayAdmin = Annotated[WorkspaceCall, _needs("relay:create")]
RelayReader = Annotated[WorkspaceCall, _needs("relay:read")]
BackendAdmin = Annotated[WorkspaceCall, _needs("workspace:update")]
