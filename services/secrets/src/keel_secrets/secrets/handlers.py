"""RPC: secrets. The gateway has checked the caller's permission in the workspace; this
service applies visibility (private secrets) and audits every access, refused ones too."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from keel_common.audit.record import Outcome, audit
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.secrets import (
    Caller,
    CreateSecret,
    DeleteSecret,
    GetSecret,
    GetValueKey,
    ListSecrets,
    RevealSecret,
    SecretDeleted,
    SecretList,
    SecretValues,
    SecretView,
    ShareSecret,
    UpdateSecret,
    ValueKeyView,
)
from keel_common.errors import FailAfterCommit, InvalidInput, KeelError, Unauthenticated
from keel_secrets.secrets import service
from keel_secrets.secrets.models import Secret
from keel_secrets.secrets.repository import Viewer
from keel_secrets.secrets.service import Call
from keel_secrets.workspaces.service import Backends

T = TypeVar("T")


def view(secret: Secret) -> SecretView:
    return SecretView(
        id=secret.id,
        name=secret.name,
        description=secret.description,
        scope=secret.scope,
        keys=secret.keys,
        version=secret.version,
        backend=secret.backend,
        owner=secret.owner,
        shared_with_users=secret.shared_with_users,
        shared_with_teams=secret.shared_with_teams,
        created_by=secret.created_by,
        created_at=secret.created_at,
        updated_by=secret.updated_by,
        updated_at=secret.updated_at,
    )


def call_of(ctx: RpcContext, caller: Caller | None = None) -> Call:
    if ctx.workspace is None:
        raise InvalidInput("secrets live in a workspace; the request names none")
    if ctx.actor is None:
        raise Unauthenticated("the request names no caller")
    teams = caller.teams if caller else []
    return Call(ctx.workspace, Viewer(ctx.actor, teams), ctx.request_id)


async def audited(
    ctx: RpcContext,
    call: Call,
    action: str,
    target: str,
    operation: Callable[[], Awaitable[T]],
    *,
    writes: bool = True,
) -> T:
    """Run `operation` in a savepoint; if it fails, undo its writes but keep an audit
    record of the failure, then answer the error. An operation that writes nothing before
    it can fail (`writes=False`: a read, whose only write is its own audit record at the
    end) needs no savepoint, which saves two round trips on the hottest path."""
    session = ctx.db()
    try:
        if not writes:
            return await operation()
        async with session.begin_nested():
            return await operation()
    except KeelError as exc:
        # A RemoteError (the relay's refusal) carries its status in its problem.
        outcome: Outcome = "denied" if exc.to_problem().status in (401, 403) else "failure"
        await audit(
            session,
            action,
            outcome,
            actor=call.actor,
            workspace=call.workspace_id,
            target=target,
            request_id=call.request_id,
            reason=exc.detail,
        )
        raise FailAfterCommit(exc) from None


def _secret_target(call: Call, secret_id: uuid.UUID | str) -> str:
    return f"secret:{call.workspace_id}/{secret_id}"


def register(router: RpcRouter, backends: Backends) -> None:
    @router.method(GetValueKey)
    async def value_key(_: GetValueKey, ctx: RpcContext) -> ValueKeyView:
        call = call_of(ctx)
        return (await backends.of(ctx.db(), call.workspace_id)).value_key()

    @router.method(CreateSecret)
    async def create(request: CreateSecret, ctx: RpcContext) -> SecretView:
        call = call_of(ctx)
        secret = await audited(
            ctx,
            call,
            "secret.create",
            _secret_target(call, request.name),
            lambda: service.create(ctx.db(), backends, call, request),
        )
        return view(secret)

    @router.method(ListSecrets)
    async def list_secrets(request: ListSecrets, ctx: RpcContext) -> SecretList:
        items, cursor = await service.listed(ctx.db(), call_of(ctx, request.caller), request)
        return SecretList(items=[view(s) for s in items], next_cursor=cursor)

    @router.method(GetSecret)
    async def get(request: GetSecret, ctx: RpcContext) -> SecretView:
        call = call_of(ctx, request.caller)
        return view(await service.get(ctx.db(), call, request.secret_id, request.name))

    # A read's only write is its audit entry, after the value is in hand: no transaction.
    @router.method(RevealSecret, autocommit=True)
    async def reveal(request: RevealSecret, ctx: RpcContext) -> SecretValues:
        call = call_of(ctx, request.caller)
        secret, version, values = await audited(
            ctx,
            call,
            "secret.reveal",
            _secret_target(call, request.secret_id),
            lambda: service.reveal(ctx.db(), backends, call, request),
            writes=False,
        )
        return SecretValues(secret_id=secret.id, version=version, values=values)

    @router.method(UpdateSecret)
    async def update(request: UpdateSecret, ctx: RpcContext) -> SecretView:
        call = call_of(ctx, request.caller)
        secret = await audited(
            ctx,
            call,
            "secret.update",
            _secret_target(call, request.secret_id),
            lambda: service.update(ctx.db(), backends, call, request),
        )
        return view(secret)

    @router.method(DeleteSecret)
    async def delete(request: DeleteSecret, ctx: RpcContext) -> SecretDeleted:
        call = call_of(ctx, request.caller)
        await audited(
            ctx,
            call,
            "secret.delete",
            _secret_target(call, request.secret_id),
            lambda: service.delete(ctx.db(), backends, call, request.secret_id),
        )
        return SecretDeleted(secret_id=request.secret_id)

    @router.method(ShareSecret)
    async def share(request: ShareSecret, ctx: RpcContext) -> SecretView:
        call = call_of(ctx, request.caller)
        secret = await audited(
            ctx,
            call,
            "secret.share",
            _secret_target(call, request.secret_id),
            lambda: service.share(ctx.db(), call, request),
        )
        return view(secret)
