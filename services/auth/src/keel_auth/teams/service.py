"""Teams. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.identity import repository as identity
from keel_auth.rbac.roles import Action, Resource, permission
from keel_auth.rbac.service import Principal, require
from keel_auth.sessions.service import audit
from keel_auth.teams import repository
from keel_auth.teams.models import Team
from keel_common.errors import Conflict, NotFound


async def create(session: AsyncSession, principal: Principal, name: str) -> Team:
    await require(session, principal, permission(Resource.MEMBER, Action.CREATE), None)
    if await repository.by_name(session, principal.organization_id, name) is not None:
        raise Conflict(f"a team named {name!r} already exists", field="name")
    team = await repository.add(session, principal.organization_id, name)
    await audit(session, "team.create", "success", actor=principal.subject,
                target=f"team:{team.id}")  # fmt: skip
    return team


async def listed(
    session: AsyncSession, principal: Principal
) -> tuple[Sequence[Team], dict[uuid.UUID, list[uuid.UUID]]]:
    await require(session, principal, permission(Resource.MEMBER, Action.READ), None)
    teams = await repository.in_organization(session, principal.organization_id)
    return teams, await repository.members_of(session, [t.id for t in teams])


async def set_member(
    session: AsyncSession,
    principal: Principal,
    team_id: uuid.UUID,
    user_id: uuid.UUID,
    member: bool,
) -> None:
    await require(session, principal, permission(Resource.MEMBER, Action.UPDATE), None)
    team = await repository.get(session, team_id)
    user = await identity.user_by_id(session, user_id)
    if team is None or team.organization_id != principal.organization_id:
        raise NotFound("no such team in this organization")
    if user is None or user.organization_id != principal.organization_id:
        raise NotFound("no such user in this organization")
    if member:
        await repository.add_member(session, team_id, user_id)
    else:
        await repository.remove_member(session, team_id, user_id)
    change = "added to" if member else "removed from"
    await audit(session, "team.member", "success", actor=principal.subject,
                target=f"user:{user_id}", reason=f"{change} team {team_id}")  # fmt: skip


async def sync_from_groups(
    session: AsyncSession,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    groups: Iterable[str],
    group_teams: dict[str, str],
) -> None:
    """Make the user's membership of every mapped team match the IdP's groups; teams
    without a mapping are managed in Keel and left alone."""
    wanted = {uuid.UUID(group_teams[g]) for g in groups if g in group_teams}
    mapped = {uuid.UUID(t) for t in group_teams.values()}
    current = set(await repository.teams_of(session, user_id))
    for team_id in mapped:
        team = await repository.get(session, team_id)
        if team is None or team.organization_id != organization_id:
            continue
        if team_id in wanted and team_id not in current:
            await repository.add_member(session, team_id, user_id)
        elif team_id not in wanted and team_id in current:
            await repository.remove_member(session, team_id, user_id)
