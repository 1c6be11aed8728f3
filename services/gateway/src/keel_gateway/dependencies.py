"""Shared FastAPI dependencies: the RPC client and the settings of this gateway."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from keel_common.bus.rpc_client import RpcClient
from keel_gateway.settings import GatewaySettings


def rpc(request: Request) -> RpcClient:
    client: RpcClient = request.app.state.rpc
    return client


def settings(request: Request) -> GatewaySettings:
    config: GatewaySettings = request.app.state.settings
    return config


Rpc = Annotated[RpcClient, Depends(rpc)]
Settings = Annotated[GatewaySettings, Depends(settings)]
