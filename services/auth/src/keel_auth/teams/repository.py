"""Every SQL query about teams."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.teams.models import Team, TeamMember


async def add(session: AsyncSession, organization_id: uuid.UUID, name: str) -> Team:
    team = Team(organization_id=organization_id, name=name)
    session.add(team)
    await session.flush()
    return team


async def by_name(session: AsyncSession, organization_id: uuid.UUID, name: str) -> Team | None:
    result = await session.execute(
        select(Team).where(Team.organization_id == organization_id, Team.name == name)
    )
    return result.scalar_one_or_none()


async def get(session: AsyncSession, team_id: uuid.UUID) -> Team | None:
    return await session.get(Team, team_id)


async def in_organization(session: AsyncSession, organization_id: uuid.UUID) -> Sequence[Team]:
    result = await session.execute(
        select(Team).where(Team.organization_id == organization_id).order_by(Team.name)
    )
    return result.scalars().all()


async def members_of(
    session: AsyncSession, team_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    result = await session.execute(select(TeamMember).where(TeamMember.team_id.in_(team_ids)))
    members: dict[uuid.UUID, list[uuid.UUID]] = {t: [] for t in team_ids}
    for row in result.scalars():
        members[row.team_id].append(row.user_id)
    return members


async def teams_of(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    result = await session.execute(select(TeamMember.team_id).where(TeamMember.user_id == user_id))
    return list(result.scalars())


async def add_member(session: AsyncSession, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await session.execute(
        insert(TeamMember).values(team_id=team_id, user_id=user_id).on_conflict_do_nothing()
    )


async def remove_member(session: AsyncSession, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await session.execute(
        delete(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id)
    )
