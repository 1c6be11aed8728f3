"""The metadata routes' dependencies, one per permission they need."""

from typing import Annotated

from fastapi import Depends

from keel_gateway.calls import WorkspaceCall, workspace_call


def _needs(permission: str) -> object:
    return Depends(workspace_call("metadata", permission))


StackReader = Annotated[WorkspaceCall, _needs("stack:read")]
StackCreator = Annotated[WorkspaceCall, _needs("stack:create")]
PipelineReader = Annotated[WorkspaceCall, _needs("pipeline:read")]
RunReader = Annotated[WorkspaceCall, _needs("pipeline_run:read")]
RunCreator = Annotated[WorkspaceCall, _needs("pipeline_run:create")]
RunUpdater = Annotated[WorkspaceCall, _needs("pipeline_run:update")]
ArtifactReader = Annotated[WorkspaceCall, _needs("artifact:read")]
ArtifactCreator = Annotated[WorkspaceCall, _needs("artifact:create")]
ArtifactUpdater = Annotated[WorkspaceCall, _needs("artifact:update")]
ModelReader = Annotated[WorkspaceCall, _needs("model:read")]
ModelVersionCreator = Annotated[WorkspaceCall, _needs("model_version:create")]
ModelVersionUpdater = Annotated[WorkspaceCall, _needs("model_version:update")]
ModelPromoter = Annotated[WorkspaceCall, _needs("model_version:promote")]
