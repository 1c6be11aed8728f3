"""`/api/v1/workspaces/{workspace_id}/relays[...]` and the workspace's secrets backend."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field

from keel_common.contracts.secrets import (
    BackendView,
    GetBackend,
    GetRelay,
    ListRelays,
    RegisterRelay,
    RelayList,
    RelayRegistered,
    RelayView,
    SetBackend,
)
from keel_common.crypto.sealed import EphemeralKey
from keel_gateway.secrets.calls import BackendAdmin, Reader, RelayAdmin, RelayReader

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}", tags=["relays"])


class NewRelay(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class RegisteredRelay(BaseModel):
    relay: RelayView
    enrollment: str = Field(
        description="Shown once. Give it to the relay as KEEL_RELAY_ENROLLMENT; it holds a "
        "one-time token and the control plane's verification key."
    )


@router.post("/relays", status_code=201, response_model=RegisteredRelay)
async def register_relay(body: NewRelay, call: RelayAdmin) -> RegisteredRelay:
    reply = EphemeralKey.generate()
    registered = await call.ask(
        RegisterRelay(name=body.name, reply_key=reply.public_text), RelayRegistered
    )
    bundle = reply.open(registered.enrollment, context=RelayRegistered.TYPE).decode()
    return RegisteredRelay(relay=registered.relay, enrollment=bundle)


@router.get("/relays", response_model=RelayList)
async def list_relays(call: RelayReader) -> RelayList:
    return await call.ask(ListRelays(), RelayList)


@router.get("/relays/{relay_id}", response_model=RelayView)
async def get_relay(relay_id: uuid.UUID, call: RelayReader) -> RelayView:
    return await call.ask(GetRelay(relay_id=relay_id), RelayView)


@router.get("/secrets-backend", response_model=BackendView)
async def get_backend(call: Reader) -> BackendView:
    return await call.ask(GetBackend(), BackendView)


@router.put("/secrets-backend", response_model=BackendView)
async def set_backend(body: SetBackend, call: BackendAdmin) -> BackendView:
    """Where the workspace's values live: `sql`, `vault`, or `relay` (Scenario 2). Refused
    while the workspace holds secrets in another backend."""
    return await call.ask(body, BackendView)
