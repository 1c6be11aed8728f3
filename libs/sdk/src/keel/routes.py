"""Every gateway route the SDK calls, in one place.

The HTTP layer only accepts a `Route`, so this list is the SDK's whole surface; a test
checks each (method, path template) and the fields of its result against the gateway's
OpenAPI schema, and fails when the two drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import quote

from keel.models import (
    ApiKey,
    ArtifactVersion,
    DeviceCode,
    Lineage,
    Model,
    ModelVersion,
    Page,
    Pipeline,
    RegisteredRelay,
    Relay,
    Resource,
    Role,
    Run,
    RunDetail,
    Secret,
    SecretsBackend,
    SecretValues,
    ServiceAccount,
    SsoConfig,
    Stack,
    Step,
    Team,
    Tokens,
    Workspace,
)


class Empty(Resource):
    """The answer of a route that answers 204 No Content."""


T = TypeVar("T", bound=Resource)


@dataclass(frozen=True)
class Route(Generic[T]):
    method: str
    template: str
    # What a successful answer holds.
    returns: type[T]

    @property
    def keyed(self) -> bool:
        """A POST the SDK sends with an Idempotency-Key of its own, so that it may be
        retried after a timeout without doing it twice. Not sign-in: the gateway keeps no
        key there, and a refresh token works once."""
        return self.method == "POST" and not self.template.startswith("/api/v1/auth/")

    def path(self, **params: object) -> str:
        # Names may hold `/` (secret `app/db`): quoted, the router still sees one segment
        # for `{name}`, and `{name:path}` routes decode it back.
        return self.template.format(**{k: quote(str(v), safe="") for k, v in params.items()})


ALL: list[Route[Resource]] = []


def _route(method: str, template: str, returns: type[T]) -> Route[T]:
    route = Route(method, "/api/v1" + template, returns)
    ALL.append(route)  # type: ignore[arg-type]  # Route is read-only: covariant in use
    return route


def _no_content(method: str, template: str) -> Route[Empty]:
    return _route(method, template, Empty)


# Sign-in
LOGIN = _route("POST", "/auth/login", Tokens)
REFRESH = _route("POST", "/auth/refresh", Tokens)
DEVICE_CODE = _route("POST", "/auth/device/code", DeviceCode)
DEVICE_TOKEN = _route("POST", "/auth/device/token", Tokens)
DEVICE_APPROVE = _no_content("POST", "/auth/device/approve")
# Opened in a browser, not called: it redirects to the organization's identity provider.
SSO_START = "/api/v1/auth/sso/{organization_id}/start"
CONFIGURE_SSO = _route("PUT", "/sso", SsoConfig)

# Organization: workspaces, teams, roles, members
WORKSPACES = _route("GET", "/workspaces", Page[Workspace])
CREATE_WORKSPACE = _route("POST", "/workspaces", Workspace)
TEAMS = _route("GET", "/teams", Page[Team])
CREATE_TEAM = _route("POST", "/teams", Team)
ADD_TEAM_MEMBER = _route("PUT", "/teams/{team_id}/members/{user_id}", Team)
REMOVE_TEAM_MEMBER = _route("DELETE", "/teams/{team_id}/members/{user_id}", Team)
ROLES = _route("GET", "/roles", Page[Role])
SET_MEMBER_ROLE = _no_content("PUT", "/workspaces/{workspace_id}/members/{user_id}")
REMOVE_MEMBER = _no_content("DELETE", "/workspaces/{workspace_id}/members/{user_id}")
SET_TEAM_ROLE = _no_content("PUT", "/workspaces/{workspace_id}/teams/{team_id}")
REMOVE_TEAM = _no_content("DELETE", "/workspaces/{workspace_id}/teams/{team_id}")

# Service accounts and API keys
_ACCOUNTS = "/workspaces/{workspace_id}/service-accounts"
SERVICE_ACCOUNTS = _route("GET", _ACCOUNTS, Page[ServiceAccount])
CREATE_SERVICE_ACCOUNT = _route("POST", _ACCOUNTS, ServiceAccount)
CREATE_API_KEY = _route("POST", _ACCOUNTS + "/{account_id}/api-keys", ApiKey)
REVOKE_API_KEY = _no_content("DELETE", _ACCOUNTS + "/{account_id}/api-keys/{key_id}")

# Secrets
_SECRETS = "/workspaces/{workspace_id}/secrets"
SECRETS = _route("GET", _SECRETS, Page[Secret])
CREATE_SECRET = _route("POST", _SECRETS, Secret)
SECRET = _route("GET", _SECRETS + "/{secret_id}", Secret)
SECRET_BY_NAME = _route("GET", _SECRETS + "/by-name/{name}", Secret)
SECRET_VALUES = _route("GET", _SECRETS + "/{secret_id}/values", SecretValues)
UPDATE_SECRET = _route("PUT", _SECRETS + "/{secret_id}", Secret)
DELETE_SECRET = _no_content("DELETE", _SECRETS + "/{secret_id}")
SECRETS_BACKEND = _route("GET", "/workspaces/{workspace_id}/secrets-backend", SecretsBackend)
SET_SECRETS_BACKEND = _route("PUT", "/workspaces/{workspace_id}/secrets-backend", SecretsBackend)

# Relays
RELAYS = _route("GET", "/workspaces/{workspace_id}/relays", Page[Relay])
REGISTER_RELAY = _route("POST", "/workspaces/{workspace_id}/relays", RegisteredRelay)
RELAY = _route("GET", "/workspaces/{workspace_id}/relays/{relay_id}", Relay)

# Stacks, pipelines, runs
_WORKSPACE = "/workspaces/{workspace_id}"
STACKS = _route("GET", _WORKSPACE + "/stacks", Page[Stack])
CREATE_STACK = _route("POST", _WORKSPACE + "/stacks", Stack)
STACK = _route("GET", _WORKSPACE + "/stacks/{stack_id}", Stack)
PIPELINES = _route("GET", _WORKSPACE + "/pipelines", Page[Pipeline])
RUNS = _route("GET", _WORKSPACE + "/runs", Page[Run])
START_RUN = _route("POST", _WORKSPACE + "/runs", Run)
RUN = _route("GET", _WORKSPACE + "/runs/{run_id}", RunDetail)
SET_RUN_STATUS = _route("PUT", _WORKSPACE + "/runs/{run_id}/status", Run)
START_STEP = _route("POST", _WORKSPACE + "/runs/{run_id}/steps", Step)
FINISH_STEP = _route("POST", _WORKSPACE + "/runs/{run_id}/steps/{name}/finish", Step)

# Artifact versions and lineage
ARTIFACT_VERSIONS = _route("GET", _WORKSPACE + "/artifacts/{name}/versions", Page[ArtifactVersion])
ARTIFACT_VERSION = _route("GET", _WORKSPACE + "/artifact-versions/{version_id}", ArtifactVersion)
ARTIFACT_LINEAGE = _route("GET", _WORKSPACE + "/artifact-versions/{version_id}/lineage", Lineage)
MODEL_LINEAGE = _route("GET", _WORKSPACE + "/model-versions/{version_id}/lineage", Lineage)

# Model registry
_MODELS = "/workspaces/{workspace_id}/models"
MODELS = _route("GET", _MODELS, Page[Model])
MODEL_VERSIONS = _route("GET", _MODELS + "/{model}/versions", Page[ModelVersion])
CREATE_MODEL_VERSION = _route("POST", _MODELS + "/{model}/versions", ModelVersion)
MODEL_VERSION = _route("GET", _MODELS + "/{model}/versions/{number}", ModelVersion)
MODEL_VERSION_BY_ALIAS = _route("GET", _MODELS + "/{model}/aliases/{alias}", ModelVersion)
SET_MODEL_STAGE = _route("PUT", _MODELS + "/{model}/versions/{number}/stage", ModelVersion)
SET_MODEL_ALIAS = _route("PUT", _MODELS + "/{model}/aliases/{alias}", Page[ModelVersion])
