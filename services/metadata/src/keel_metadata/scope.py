"""Who writes, into which workspace, and how strictly: API calls are refused when they
ask for an impossible change; ingestion events that arrive late are skipped instead."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from keel_common.bus.rpc_server import RpcContext
from keel_common.bus.topics import events_topic
from keel_common.errors import InvalidInput, Unauthenticated

METADATA_EVENTS = events_topic("metadata")


@dataclass(frozen=True)
class Scope:
    workspace_id: uuid.UUID
    actor: str
    # True for the API (a stale change is a 409), False for ingestion (it is skipped).
    strict: bool = True


def scope_of(ctx: RpcContext) -> Scope:
    if ctx.workspace is None:
        raise InvalidInput("metadata lives in a workspace; the request names none")
    if ctx.actor is None:
        raise Unauthenticated("the request names no caller")
    return Scope(ctx.workspace, ctx.actor)
