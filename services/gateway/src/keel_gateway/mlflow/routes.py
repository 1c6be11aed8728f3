"""The MLflow-compatible API: `MLFLOW_TRACKING_URI=<gateway>/mlflow/workspaces/<id>` and
`MLFLOW_TRACKING_TOKEN=<Keel token or API key>`, and the unmodified `mlflow` client logs
to that workspace under Keel's RBAC.

Each call is parsed into its contract (MLflow's field names), authorized by the endpoint's
permission, and forwarded to the metadata service; the reply goes back as it came. Not in
the OpenAPI schema: the contract here is MLflow's own REST API.

No `from __future__ import annotations`: FastAPI reads the route's annotations at runtime,
and the permission inside them is a closure variable.
"""

import json
import typing
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from keel_common.errors import FieldIssue, InvalidInput, field_issues
from keel_gateway.calls import WorkspaceCall, workspace_call
from keel_gateway.mlflow.endpoints import ENDPOINTS, Endpoint
from keel_gateway.mlflow.errors import MlflowRoute

PREFIX = "/mlflow/workspaces/{workspace_id}"
# MLflow's own limit on a request (log-batch's 1 MB), which also keeps the request within one
# Kafka record (1 MiB) with its envelope; files go through mlflow-artifacts.
MAX_REQUEST_BYTES = 1_000_000
API = "/api/2.0/mlflow"

router = APIRouter(prefix=PREFIX, route_class=MlflowRoute, include_in_schema=False)


async def _fields(request: Request, endpoint: Endpoint) -> dict[str, Any]:
    """The call's fields: the query string for GET (lists as repeated keys), the JSON
    body otherwise, and the path's own parameters."""
    if request.method == "GET":
        lists = _list_fields(endpoint)
        query = request.query_params
        fields: dict[str, Any] = {
            key: query.getlist(key) if key in lists else query[key] for key in query
        }
    else:
        raw = await request.body()
        if len(raw) > MAX_REQUEST_BYTES:
            raise InvalidInput(
                f"the request is over MLflow's limit of {MAX_REQUEST_BYTES} bytes",
                errors=[FieldIssue(field="<body>", reason="over 1 MB")],
            )
        try:
            fields = json.loads(raw) if raw.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InvalidInput(
                "the body is not JSON",
                errors=[FieldIssue(field="<body>", reason="not valid JSON")],
            ) from None
        if not isinstance(fields, dict):
            raise InvalidInput(
                "the body must be a JSON object",
                errors=[FieldIssue(field="<body>", reason="not a JSON object")],
            )
    path_params = {k: v for k, v in request.path_params.items() if k != "workspace_id"}
    return {**fields, **path_params}


def _list_fields(endpoint: Endpoint) -> set[str]:
    return {
        name
        for name, field in endpoint.request.model_fields.items()
        if typing.get_origin(field.annotation) is list
    }


def _route(endpoint: Endpoint) -> None:
    needs = Depends(workspace_call("metadata", endpoint.permission))

    async def call(request: Request, ask: Annotated[WorkspaceCall, needs]) -> Response:
        fields = await _fields(request, endpoint)
        if endpoint.adapt is not None:
            fields = endpoint.adapt(fields)
        try:
            contract = endpoint.request.model_validate(fields)
        except ValidationError as exc:
            raise InvalidInput(errors=field_issues(exc)) from None
        reply = await ask.ask(contract, endpoint.reply)
        return Response(reply.response_json(), media_type="application/json")

    router.add_api_route(
        API + endpoint.path,
        call,
        methods=[endpoint.method],
        name=f"mlflow {endpoint.method} {endpoint.path}",
    )


for _endpoint in ENDPOINTS:
    _route(_endpoint)


@router.get("/api/3.0/mlflow/server-info")
async def server_info() -> JSONResponse:
    """What the client asks before uploading: files go through this server."""
    return JSONResponse(
        {
            "store_type": "SqlStore",
            "workspaces_enabled": False,
            "trace_archival_enabled": False,
            "multipart_uploads_enabled": False,
            "multipart_downloads_enabled": False,
        }
    )


# Included after every other MLflow route: calls Keel does not offer (traces, prompts'
# webhooks...) get MLflow's own answer instead of a problem+json 404.
fallback = APIRouter(prefix=PREFIX, route_class=MlflowRoute, include_in_schema=False)


@fallback.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def not_offered(rest: str) -> JSONResponse:
    return JSONResponse(
        {"error_code": "ENDPOINT_NOT_FOUND", "message": f"Keel does not offer /{rest}"},
        status_code=404,
    )
