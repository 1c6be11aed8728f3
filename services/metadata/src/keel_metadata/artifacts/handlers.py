"""RPC: artifact versions and their lineage."""

from __future__ import annotations

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.artifacts import (
    ArtifactVersionList,
    ArtifactVersionView,
    GetArtifactVersion,
    GetLineage,
    LineageGraph,
    ListArtifactVersions,
    RegisterArtifactVersion,
)
from keel_common.errors import InvalidInput
from keel_metadata.artifacts import lineage
from keel_metadata.artifacts import service as artifacts
from keel_metadata.registry import service as registry
from keel_metadata.registry.models import ModelVersion
from keel_metadata.runs import repository as runs
from keel_metadata.scope import scope_of
from keel_metadata.views import artifact_version_view, lineage_view


def register(router: RpcRouter) -> None:
    @router.method(RegisterArtifactVersion)
    async def register_version(
        request: RegisterArtifactVersion, ctx: RpcContext
    ) -> ArtifactVersionView:
        scope = scope_of(ctx)
        producer = None
        if request.run_id is not None or request.step is not None:
            if request.run_id is None or request.step is None:
                raise InvalidInput("a producing step needs both run_id and step", field="step")
            if await runs.run(ctx.db(), scope.workspace_id, request.run_id) is None:
                raise InvalidInput(f"no run {request.run_id} in this workspace", field="run_id")
            producer = await runs.step(ctx.db(), request.run_id, request.step)
            if producer is None:
                raise InvalidInput(f"the run has no step {request.step!r}", field="step")
        version = await artifacts.register(ctx.db(), scope, request.version, producer)
        return artifact_version_view(version, request.version.artifact)

    @router.method(GetArtifactVersion, read_only=True)
    async def get_version(request: GetArtifactVersion, ctx: RpcContext) -> ArtifactVersionView:
        version, name = await artifacts.get(
            ctx.db(), scope_of(ctx).workspace_id, request.artifact_version_id
        )
        return artifact_version_view(version, name)

    @router.method(ListArtifactVersions, read_only=True)
    async def list_versions(request: ListArtifactVersions, ctx: RpcContext) -> ArtifactVersionList:
        items, cursor = await artifacts.listed(
            ctx.db(), scope_of(ctx).workspace_id, request.artifact, request.limit, request.cursor
        )
        return ArtifactVersionList(
            items=[artifact_version_view(v, request.artifact) for v in items], next_cursor=cursor
        )

    @router.method(GetLineage, read_only=True)
    async def get_lineage(request: GetLineage, ctx: RpcContext) -> LineageGraph:
        workspace_id = scope_of(ctx).workspace_id
        if (request.artifact_version_id is None) == (request.model_version_id is None):
            raise InvalidInput(
                "start from an artifact version or a model version", field="artifact_version_id"
            )
        if request.artifact_version_id is not None:
            await artifacts.get(ctx.db(), workspace_id, request.artifact_version_id)
            start = [request.artifact_version_id]
        else:
            assert request.model_version_id is not None
            version = await ctx.db().get(ModelVersion, request.model_version_id)
            if version is None or version.workspace_id != workspace_id:
                raise InvalidInput(
                    "no such model version in this workspace", field="model_version_id"
                )
            linked = (await registry.facts(ctx.db(), [version.id])).artifacts[version.id]
            start = [i for ids in linked.values() for i in ids]
        found = await lineage.upstream(ctx.db(), workspace_id, start, request.depth)
        return lineage_view(found)
