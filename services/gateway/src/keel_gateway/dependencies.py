"""Shared FastAPI dependencies: the RPC client and the settings of this gateway.

Coroutines, though they do not await: FastAPI runs a plain-function dependency in a worker
thread, a thread round trip per request for reading an attribute."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from keel_common.bus.rpc_client import RpcClient
from keel_gateway.settings import GatewaySettings


async def rpc(request: Request) -> RpcClient:
    client: RpcClient = request.app.state.rpc
    return client


async def settings(request: Request) -> GatewaySettings:
    config: GatewaySettings = request.app.state.settings
    return config


Rpc = Annotated[RpcClient, Depends(rpc)]
Settings = Annotated[GatewaySettings, Depends(settings)]
