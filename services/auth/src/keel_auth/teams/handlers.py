"""RPC: teams."""

from __future__ import annotations

from keel_auth.rbac.service import principal_of
from keel_auth.teams import service
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.auth import CreateTeam, ListTeams, SetTeamMember, TeamList, TeamView


def register(router: RpcRouter) -> None:
    @router.method(CreateTeam)
    async def create(request: CreateTeam, ctx: RpcContext) -> TeamView:
        principal = await principal_of(ctx.db(), ctx.actor)
        team = await service.create(ctx.db(), principal, request.name)
        return TeamView(id=team.id, name=team.name, members=[])

    @router.method(ListTeams)
    async def list_teams(_: ListTeams, ctx: RpcContext) -> TeamList:
        principal = await principal_of(ctx.db(), ctx.actor)
        teams, members = await service.listed(ctx.db(), principal)
        return TeamList(
            items=[TeamView(id=t.id, name=t.name, members=members[t.id]) for t in teams]
        )

    @router.method(SetTeamMember)
    async def set_member(request: SetTeamMember, ctx: RpcContext) -> TeamView:
        principal = await principal_of(ctx.db(), ctx.actor)
        await service.set_member(
            ctx.db(), principal, request.team_id, request.user_id, request.member
        )
        teams, members = await service.listed(ctx.db(), principal)
        [team] = [t for t in teams if t.id == request.team_id]
        return TeamView(id=team.id, name=team.name, members=members[team.id])
