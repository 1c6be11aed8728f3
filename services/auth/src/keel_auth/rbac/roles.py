"""The built-in roles and the permissions they grant. Pure data and logic, no I/O.

A permission is `<resource>:<action>`. Organization roles apply in every workspace of the
organization (an org admin can do everything everywhere); workspace roles apply in one.
Effective permissions are the union of everything bound to the principal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Action(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    READ_SECRET_VALUE = "read_secret_value"  # noqa: S105 (a permission name)
    SHARE = "share"
    PROMOTE = "promote"


class Resource(StrEnum):
    # Organization-level settings such as SSO; never granted by a workspace role.
    ORGANIZATION = "organization"
    WORKSPACE = "workspace"
    MEMBER = "member"
    SERVICE_ACCOUNT = "service_account"
    RELAY = "relay"
    SECRET = "secret"  # noqa: S105 (a resource name)
    STACK = "stack"
    PIPELINE = "pipeline"
    PIPELINE_RUN = "pipeline_run"
    ARTIFACT = "artifact"
    MODEL = "model"
    MODEL_VERSION = "model_version"
    # MLflow experiments, with their runs and logged models (the MLflow-compatible API).
    EXPERIMENT = "experiment"
    # The audit log; only admins read it (no other role grants it).
    AUDIT = "audit"


def permission(resource: Resource, action: Action) -> str:
    return f"{resource.value}:{action.value}"


def _grant(resources: Iterable[Resource], actions: Iterable[Action]) -> frozenset[str]:
    actions = list(actions)
    return frozenset(permission(r, a) for r in resources for a in actions)


ML = (
    Resource.STACK,
    Resource.PIPELINE,
    Resource.PIPELINE_RUN,
    Resource.ARTIFACT,
    Resource.MODEL,
    Resource.MODEL_VERSION,
    Resource.EXPERIMENT,
)
EVERYTHING = frozenset(permission(r, a) for r in Resource for a in Action)

_VIEWER = _grant([*ML, Resource.SECRET, Resource.WORKSPACE, Resource.MEMBER], [Action.READ])
_CONTRIBUTOR = _VIEWER | _grant(ML, [Action.CREATE, Action.UPDATE])
_DEVELOPER = (
    _CONTRIBUTOR
    | _grant(ML, [Action.DELETE])
    | _grant(
        [Resource.SECRET],
        [Action.CREATE, Action.UPDATE, Action.DELETE, Action.READ_SECRET_VALUE, Action.SHARE],
    )
    | {permission(Resource.MODEL_VERSION, Action.PROMOTE)}
    | _grant([Resource.RELAY, Resource.SERVICE_ACCOUNT], [Action.READ])
)

WORKSPACE_ROLES: dict[str, frozenset[str]] = {
    "viewer": _VIEWER,
    "contributor": _CONTRIBUTOR,
    "developer": _DEVELOPER,
    "admin": EVERYTHING
    - {permission(Resource.WORKSPACE, Action.CREATE)}
    - _grant([Resource.ORGANIZATION], Action),
}

ORGANIZATION_ROLES: dict[str, frozenset[str]] = {
    # Everything, in every workspace of the organization.
    "admin": EVERYTHING,
    # Belongs to the organization; sees only the workspaces where it has a role.
    "member": frozenset(),
    # Reads everything, in every workspace of the organization.
    "viewer": _VIEWER,
}


def effective(
    organization_roles: Iterable[str],
    workspace_roles: Iterable[str],
    custom: Mapping[str, frozenset[str]] | None = None,
) -> frozenset[str]:
    """The union of what the roles grant; `custom` holds the organization's own roles."""
    granted: set[str] = set()
    for role in organization_roles:
        granted |= ORGANIZATION_ROLES.get(role, frozenset())
    for role in workspace_roles:
        granted |= WORKSPACE_ROLES.get(role) or (custom or {}).get(role, frozenset())
    return frozenset(granted)


def invalid_custom_permissions(permissions: Iterable[str]) -> list[str]:
    """Permissions a custom workspace role may not grant: unknown ones, and organization
    settings (a workspace role never reaches beyond its workspace)."""
    allowed = (
        EVERYTHING
        - _grant([Resource.ORGANIZATION], Action)
        - {permission(Resource.WORKSPACE, Action.CREATE)}
    )
    return sorted(set(permissions) - allowed)
