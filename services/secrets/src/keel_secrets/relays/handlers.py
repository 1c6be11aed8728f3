"""RPC: registering relays and reading their status; the enrollment bundle leaves sealed
to the registering admin's one-use key."""

from __future__ import annotations

from datetime import timedelta

from keel_common.audit.record import audit
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.bus.topics import SHORT_RETENTION, TopicSpec, ensure_topics
from keel_common.contracts.relay import relay_request_topic
from keel_common.contracts.secrets import (
    GetRelay,
    ListRelays,
    RegisterRelay,
    RelayList,
    RelayRegistered,
    RelayView,
)
from keel_common.crypto.sealed import seal_to_requester
from keel_common.settings import BusSettings
from keel_secrets.keys.service import ServiceKeys
from keel_secrets.relays import repository, service
from keel_secrets.secrets.handlers import call_of
from keel_secrets.settings import SecretsSettings


def register(
    router: RpcRouter, keys: ServiceKeys, settings: SecretsSettings, bus: BusSettings
) -> None:
    offline_after = timedelta(seconds=settings.relay_offline_after_s)

    @router.method(RegisterRelay)
    async def register_relay(request: RegisterRelay, ctx: RpcContext) -> RelayRegistered:
        call = call_of(ctx)
        registered = await service.register(
            ctx.db(),
            call.workspace_id,
            call.actor,
            request.name,
            control_plane_key=keys.verify_key_text(),
            ttl=timedelta(seconds=settings.enrollment_ttl_s),
        )
        # The request topic exists before the relay does, so no request waits on metadata.
        topic = TopicSpec(
            relay_request_topic(registered.relay.id), bus.topic_partitions, SHORT_RETENTION
        )
        await ensure_topics(bus, [topic])
        await audit(
            ctx.db(),
            "relay.register",
            "success",
            actor=call.actor,
            workspace=call.workspace_id,
            target=f"relay:{registered.relay.id}",
            request_id=call.request_id,
        )
        bundle = seal_to_requester(
            registered.bundle.to_text().encode(), request.reply_key, context=RelayRegistered.TYPE
        )
        [relay_view] = await service.views(ctx.db(), [registered.relay], offline_after)
        return RelayRegistered(relay=relay_view, enrollment=bundle)

    @router.method(ListRelays)
    async def list_relays(_: ListRelays, ctx: RpcContext) -> RelayList:
        found = await repository.in_workspace(ctx.db(), call_of(ctx).workspace_id)
        return RelayList(items=await service.views(ctx.db(), found, offline_after))

    @router.method(GetRelay)
    async def get_relay(request: GetRelay, ctx: RpcContext) -> RelayView:
        relay = await service.in_workspace(ctx.db(), call_of(ctx).workspace_id, request.relay_id)
        [relay_view] = await service.views(ctx.db(), [relay], offline_after)
        return relay_view
