"""`/api/v1/teams[...]`: groups of users that workspace roles can name."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from keel_common.contracts.auth import CreateTeam, ListTeams, SetTeamMember, TeamList, TeamView
from keel_gateway.auth.permissions import require_org
from keel_gateway.auth.principal import Principal
from keel_gateway.dependencies import Rpc
from keel_gateway.idempotency import IdempotencyKey

router = APIRouter(prefix="/api/v1/teams", tags=["teams"])


@router.post("", status_code=201, response_model=TeamView)
async def create_team(
    body: CreateTeam,
    principal: Annotated[Principal, Depends(require_org("member:create"))],
    client: Rpc,
    key: IdempotencyKey,
) -> TeamView:
    return await client.call("auth", body, TeamView, actor=principal.subject, idempotency_key=key)


@router.get("", response_model=TeamList)
async def list_teams(
    principal: Annotated[Principal, Depends(require_org("member:read"))], client: Rpc
) -> TeamList:
    return await client.call("auth", ListTeams(), TeamList, actor=principal.subject)


@router.put("/{team_id}/members/{user_id}", response_model=TeamView)
async def add_team_member(
    team_id: uuid.UUID,
    user_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require_org("member:update"))],
    client: Rpc,
) -> TeamView:
    request = SetTeamMember(team_id=team_id, user_id=user_id, member=True)
    return await client.call("auth", request, TeamView, actor=principal.subject)


@router.delete("/{team_id}/members/{user_id}", response_model=TeamView)
async def remove_team_member(
    team_id: uuid.UUID,
    user_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require_org("member:update"))],
    client: Rpc,
) -> TeamView:
    request = SetTeamMember(team_id=team_id, user_id=user_id, member=False)
    return await client.call("auth", request, TeamView, actor=principal.subject)
