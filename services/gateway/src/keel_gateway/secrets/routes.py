"""`/api/v1/workspaces/{workspace_id}/secrets[...]`: secrets and their values.

Reading metadata needs `secret:read`; reading values needs `secret:read_secret_value` and
is its own route, so a viewer's listing can never carry a value. Values are answered with
`Cache-Control: no-store`.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from keel_common.contracts.base import MAX_DB_INT
from keel_common.contracts.secrets import (
    VALUES_CONTEXT,
    CreateSecret,
    DeleteSecret,
    GetSecret,
    ListSecrets,
    RevealSecret,
    Scope,
    SecretDeleted,
    SecretList,
    SecretName,
    SecretValues,
    SecretView,
    ShareSecret,
    UpdateSecret,
    ValueKey,
)
from keel_common.crypto.sealed import EphemeralKey, Sealed
from keel_common.errors import PayloadTooLarge
from keel_gateway.dependencies import Settings
from keel_gateway.secrets.calls import (
    Creator,
    Deleter,
    Reader,
    Sharer,
    Updater,
    ValueReader,
    caller,
)
from keel_gateway.secrets.sealing import ValueKeys

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/secrets", tags=["secrets"])

Values = dict[ValueKey, str]


class NewSecret(BaseModel):
    name: SecretName
    description: str = Field(default="", max_length=500)
    scope: Scope = "workspace"
    values: Values = Field(min_length=1, max_length=100)


class SecretChange(BaseModel):
    values: Values | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    expected_version: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DB_INT,
        description="Refuse with 409 unless the secret is at this version.",
    )


class Shares(BaseModel):
    users: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    teams: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class RevealedValues(BaseModel):
    secret_id: uuid.UUID
    version: int
    values: dict[str, str]


def _check_size(values: Values, limit: int) -> None:
    size = sum(len(k.encode()) + len(v.encode()) for k, v in values.items())
    if size > limit:
        raise PayloadTooLarge(
            f"values take {size} bytes; a secret holds at most {limit}", field="values"
        )


def _value_keys(request: Request) -> ValueKeys:
    keys: ValueKeys = request.app.state.value_keys
    return keys


@router.post("", status_code=201, response_model=SecretView)
async def create_secret(
    body: NewSecret, request: Request, call: Creator, settings: Settings
) -> SecretView:
    _check_size(body.values, settings.secret_max_bytes)

    async def send(sealed: Sealed) -> SecretView:
        create = CreateSecret(
            name=body.name,
            description=body.description,
            scope=body.scope,
            values=sealed,
            keys=sorted(body.values),
        )
        return await call.ask(create, SecretView)

    return await _value_keys(request).sealed_call(
        call.workspace_id, call.principal.subject, body.values, send
    )


@router.get("", response_model=SecretList)
async def list_secrets(
    call: Reader,
    prefix: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> SecretList:
    query = ListSecrets(caller=caller(call), prefix=prefix, limit=limit, cursor=cursor)
    return await call.ask(query, SecretList)


@router.get("/by-name/{name:path}", response_model=SecretView)
async def get_secret_by_name(name: SecretName, call: Reader) -> SecretView:
    query = GetSecret(caller=caller(call), name=name)
    return await call.ask(query, SecretView)


@router.get("/{secret_id}", response_model=SecretView)
async def get_secret(secret_id: uuid.UUID, call: Reader) -> SecretView:
    return await call.ask(GetSecret(caller=caller(call), secret_id=secret_id), SecretView)


@router.get("/{secret_id}/values", response_model=RevealedValues)
async def read_values(
    secret_id: uuid.UUID,
    response: Response,
    call: ValueReader,
    version: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
) -> RevealedValues:
    """The values of one version (the latest by default)."""
    reply = EphemeralKey.generate()
    query = RevealSecret(
        caller=caller(call), secret_id=secret_id, version=version, reply_key=reply.public_text
    )
    found = await call.ask(query, SecretValues)
    values = json.loads(reply.open(found.values, context=VALUES_CONTEXT))
    response.headers["Cache-Control"] = "no-store"
    return RevealedValues(secret_id=found.secret_id, version=found.version, values=values)


@router.put("/{secret_id}", response_model=SecretView)
async def update_secret(
    secret_id: uuid.UUID, body: SecretChange, request: Request, call: Updater, settings: Settings
) -> SecretView:
    """New values make a new version; a description alone does not."""

    async def send(sealed: Sealed | None) -> SecretView:
        change = UpdateSecret(
            caller=caller(call),
            secret_id=secret_id,
            values=sealed,
            keys=sorted(body.values) if body.values else None,
            description=body.description,
            expected_version=body.expected_version,
        )
        return await call.ask(change, SecretView)

    if body.values is None:
        return await send(None)
    _check_size(body.values, settings.secret_max_bytes)
    return await _value_keys(request).sealed_call(
        call.workspace_id, call.principal.subject, body.values, send
    )


@router.delete("/{secret_id}", status_code=204)
async def delete_secret(secret_id: uuid.UUID, call: Deleter) -> Response:
    await call.ask(DeleteSecret(caller=caller(call), secret_id=secret_id), SecretDeleted)
    return Response(status_code=204)


@router.put("/{secret_id}/shares", response_model=SecretView)
async def share_secret(secret_id: uuid.UUID, body: Shares, call: Sharer) -> SecretView:
    """Whom a private secret is shared with (replaces the previous list); owner only."""
    share = ShareSecret(
        caller=caller(call), secret_id=secret_id, users=body.users, teams=body.teams
    )
    return await call.ask(share, SecretView)
