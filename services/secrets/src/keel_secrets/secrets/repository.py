"""Every SQL query about secrets. Visibility is part of every read query, never a filter
applied afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_secrets.relays.models import Relay
from keel_secrets.secrets.models import Secret
from keel_secrets.workspaces.models import WorkspaceBackend


@dataclass(frozen=True)
class Viewer:
    subject: str  # `user:<id>` or `service_account:<id>`
    teams: list[uuid.UUID] = field(default_factory=list)

    @property
    def user_id(self) -> uuid.UUID | None:
        kind, _, raw = self.subject.partition(":")
        if kind != "user":
            return None
        try:
            return uuid.UUID(raw)
        except ValueError:
            return None


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """Workspace-wide secrets, the viewer's own, and private ones shared with the viewer
    or one of its teams."""
    allowed = [Secret.scope == "workspace", Secret.owner == viewer.subject]
    if viewer.user_id is not None:
        allowed.append(Secret.shared_with_users.contains([viewer.user_id]))
    if viewer.teams:
        allowed.append(Secret.shared_with_teams.overlap(viewer.teams))
    return or_(*allowed)


async def visible(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    viewer: Viewer,
    *,
    secret_id: uuid.UUID | None = None,
    name: str | None = None,
    for_update: bool = False,
) -> Secret | None:
    query = select(Secret).where(Secret.workspace_id == workspace_id, visible_to(viewer))
    if secret_id is not None:
        query = query.where(Secret.id == secret_id)
    if name is not None:
        query = query.where(Secret.name == name)
    if for_update:
        query = query.with_for_update(of=Secret)
    return (await session.execute(query)).scalars().first()


async def visible_with_backend(
    session: AsyncSession, workspace_id: uuid.UUID, viewer: Viewer, secret_id: uuid.UUID
) -> tuple[Secret, WorkspaceBackend | None] | None:
    """A visible secret and its workspace's stored backend choice (None: none stored) in
    one statement; the workspace's relay, if any, is loaded into the session too. The value
    read that follows then needs no round trip to find its backend."""
    query = (
        select(Secret, WorkspaceBackend, Relay)
        .outerjoin(WorkspaceBackend, WorkspaceBackend.workspace_id == Secret.workspace_id)
        .outerjoin(Relay, Relay.id == WorkspaceBackend.relay_id)
        .where(Secret.workspace_id == workspace_id, Secret.id == secret_id, visible_to(viewer))
    )
    row = (await session.execute(query)).first()
    return None if row is None else (row[0], row[1])


async def name_taken(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> bool:
    found = await session.scalar(
        select(Secret.id).where(Secret.workspace_id == workspace_id, Secret.name == name)
    )
    return found is not None


async def page(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    viewer: Viewer,
    *,
    prefix: str | None,
    after: str | None,
    limit: int,
) -> Sequence[Secret]:
    """Up to `limit` visible secrets in name order, after the name `after`."""
    query = select(Secret).where(Secret.workspace_id == workspace_id, visible_to(viewer))
    if prefix:
        query = query.where(Secret.name.startswith(prefix, autoescape=True))
    if after is not None:
        query = query.where(Secret.name > after)
    result = await session.execute(query.order_by(Secret.name).limit(limit))
    return result.scalars().all()
