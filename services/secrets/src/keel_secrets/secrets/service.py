"""Secrets: create, read, reveal, update, delete, share. Takes a session; never commits.

The metadata row and the backend write happen in one unit of work: if the backend fails,
the row is rolled back, so a secret is never listed without its value.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.audit.record import audit
from keel_common.contracts.secrets import (
    CreateSecret,
    ListSecrets,
    RevealSecret,
    ShareSecret,
    UpdateSecret,
)
from keel_common.crypto.sealed import Sealed
from keel_common.errors import Conflict, Forbidden, InvalidInput, NotFound
from keel_secrets.backends.base import Target
from keel_secrets.secrets import repository
from keel_secrets.secrets.models import Secret, SecretVersion
from keel_secrets.secrets.repository import Viewer
from keel_secrets.workspaces.service import Backends


@dataclass(frozen=True)
class Call:
    """Who asks, in which workspace, as part of which HTTP request."""

    workspace_id: uuid.UUID
    viewer: Viewer
    request_id: str | None

    @property
    def actor(self) -> str:
        return self.viewer.subject


def target_name(secret: Secret) -> str:
    return f"secret:{secret.workspace_id}/{secret.name}"


def _target(call: Call, secret: Secret) -> Target:
    return Target(call.workspace_id, secret.id, secret.name, call.actor, call.request_id)


async def _visible(
    session: AsyncSession,
    call: Call,
    secret_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Secret:
    secret = await repository.visible(
        session, call.workspace_id, call.viewer, secret_id=secret_id, for_update=for_update
    )
    if secret is None:
        raise NotFound("no such secret in this workspace")
    return secret


async def create(
    session: AsyncSession, backends: Backends, call: Call, request: CreateSecret
) -> Secret:
    if await repository.name_taken(session, call.workspace_id, request.name):
        raise Conflict(f"a secret named {request.name!r} already exists", field="name")
    backend = await backends.of(session, call.workspace_id)
    now = datetime.now(UTC)
    secret = Secret(
        id=uuid.uuid4(),
        workspace_id=call.workspace_id,
        name=request.name,
        description=request.description,
        scope=request.scope,
        owner=call.actor,
        keys=sorted(set(request.keys)),
        version=0,
        backend=backend.kind,
        shared_with_users=[],
        shared_with_teams=[],
        created_by=call.actor,
        created_at=now,
        updated_by=call.actor,
        updated_at=now,
    )
    session.add(secret)
    await session.flush()
    secret.version = await backend.write(session, _target(call, secret), request.values, 0)
    session.add(
        SecretVersion(
            secret_id=secret.id, version=secret.version, keys=secret.keys, created_by=call.actor
        )
    )
    await audit(
        session,
        "secret.create",
        "success",
        actor=call.actor,
        workspace=call.workspace_id,
        target=target_name(secret),
        request_id=call.request_id,
    )
    return secret


def _encode_cursor(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput("the cursor is not one this API returned", field="cursor") from None


async def listed(
    session: AsyncSession, call: Call, request: ListSecrets
) -> tuple[Sequence[Secret], str | None]:
    after = _decode_cursor(request.cursor) if request.cursor else None
    found = await repository.page(
        session,
        call.workspace_id,
        call.viewer,
        prefix=request.prefix,
        after=after,
        limit=request.limit + 1,
    )
    items = found[: request.limit]
    more = len(found) > request.limit
    return items, (_encode_cursor(items[-1].name) if more else None)


async def get(
    session: AsyncSession, call: Call, secret_id: uuid.UUID | None, name: str | None
) -> Secret:
    if (secret_id is None) == (name is None):
        raise InvalidInput("name the secret by id or by name", field="secret_id")
    secret = await repository.visible(
        session, call.workspace_id, call.viewer, secret_id=secret_id, name=name
    )
    if secret is None:
        raise NotFound("no such secret in this workspace")
    return secret


async def reveal(
    session: AsyncSession,
    backends: Backends,
    call: Call,
    request: RevealSecret,
) -> tuple[Secret, int, Sealed]:
    loaded = await repository.visible_with_backend(
        session, call.workspace_id, call.viewer, request.secret_id
    )
    if loaded is None:
        raise NotFound("no such secret in this workspace")
    secret, choice = loaded
    version = request.version
    if version is not None and version > secret.version:
        raise NotFound(f"the secret has no version {version}", field="version")
    backend = await backends.of_choice(session, call.workspace_id, choice)
    target = _target(call, secret)
    found, values = await backend.read(session, target, version, request.reply_key)
    await audit(
        session,
        "secret.reveal",
        "success",
        actor=call.actor,
        workspace=call.workspace_id,
        target=target_name(secret),
        request_id=call.request_id,
        reason=f"version {found}",
    )
    return secret, found, values


async def update(
    session: AsyncSession, backends: Backends, call: Call, request: UpdateSecret
) -> Secret:
    secret = await _visible(session, call, request.secret_id, for_update=True)
    if request.expected_version is not None and request.expected_version != secret.version:
        raise Conflict(
            f"the secret is at version {secret.version}, not {request.expected_version}",
            field="expected_version",
            current_version=secret.version,
        )
    if request.values is not None:
        if request.keys is None:
            raise InvalidInput("new values need their keys", field="keys")
        backend = await backends.of(session, call.workspace_id)
        target = _target(call, secret)
        secret.version = await backend.write(session, target, request.values, secret.version)
        secret.keys = sorted(set(request.keys))
        session.add(
            SecretVersion(
                secret_id=secret.id, version=secret.version, keys=secret.keys, created_by=call.actor
            )
        )
    if request.description is not None:
        secret.description = request.description
    secret.updated_by = call.actor
    secret.updated_at = datetime.now(UTC)
    await session.flush()
    await audit(
        session,
        "secret.update",
        "success",
        actor=call.actor,
        workspace=call.workspace_id,
        target=target_name(secret),
        request_id=call.request_id,
        reason=f"version {secret.version}",
    )
    return secret


async def delete(
    session: AsyncSession, backends: Backends, call: Call, secret_id: uuid.UUID
) -> None:
    secret = await _visible(session, call, secret_id, for_update=True)
    backend = await backends.of(session, call.workspace_id)
    await session.delete(secret)
    await session.flush()
    await backend.destroy(session, _target(call, secret))
    await audit(
        session,
        "secret.delete",
        "success",
        actor=call.actor,
        workspace=call.workspace_id,
        target=target_name(secret),
        request_id=call.request_id,
    )


async def share(session: AsyncSession, call: Call, request: ShareSecret) -> Secret:
    secret = await _visible(session, call, request.secret_id, for_update=True)
    if secret.owner != call.actor:
        raise Forbidden("only the owner of a secret decides whom it is shared with")
    secret.shared_with_users = sorted(set(request.users))
    secret.shared_with_teams = sorted(set(request.teams))
    secret.updated_by = call.actor
    secret.updated_at = datetime.now(UTC)
    await session.flush()
    await audit(
        session,
        "secret.share",
        "success",
        actor=call.actor,
        workspace=call.workspace_id,
        target=target_name(secret),
        request_id=call.request_id,
        reason=f"{len(secret.shared_with_users)} users, {len(secret.shared_with_teams)} teams",
    )
    return secret
