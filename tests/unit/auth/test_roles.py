"""The built-in roles, table-driven: every (role, resource, action) has an expected answer."""

from __future__ import annotations

import pytest

from keel_auth.rbac.roles import (
    ML,
    ORGANIZATION_ROLES,
    WORKSPACE_ROLES,
    Action,
    Resource,
    effective,
    invalid_custom_permissions,
    permission,
)

A, R = Action, Resource
ALL_ML = set(ML)


def expected(role: str, resource: Resource, action: Action) -> bool:
    """The policy in words, written independently of the tables it checks."""
    if role == "ws:admin":
        return (
            not (resource is R.WORKSPACE and action is A.CREATE) and resource is not R.ORGANIZATION
        )
    if role == "org:admin":
        return True
    if role == "org:member":
        return False
    reads = resource in ALL_ML | {R.SECRET, R.WORKSPACE, R.MEMBER} and action is A.READ
    if role in ("ws:viewer", "org:viewer"):
        return reads
    writes_ml = resource in ALL_ML and action in (A.CREATE, A.UPDATE)
    if role == "ws:contributor":
        return reads or writes_ml
    if role == "ws:developer":
        return (
            reads
            or writes_ml
            or (resource in ALL_ML and action is A.DELETE)
            or (resource is R.SECRET and action is not A.PROMOTE and action is not A.READ)
            or (resource is R.MODEL_VERSION and action is A.PROMOTE)
            or (resource in (R.RELAY, R.SERVICE_ACCOUNT) and action is A.READ)
        )
    raise AssertionError(role)


ROLES = [f"ws:{r}" for r in WORKSPACE_ROLES] + [f"org:{r}" for r in ORGANIZATION_ROLES]
CASES = [(role, r, a) for role in ROLES for r in Resource for a in Action]


@pytest.mark.parametrize(("role", "resource", "action"), CASES)
def test_role_grants_exactly_what_the_policy_says(
    role: str, resource: Resource, action: Action
) -> None:
    scope, name = role.split(":")
    granted = effective([name], []) if scope == "org" else effective([], [name])
    assert (permission(resource, action) in granted) is expected(role, resource, action)


def test_viewer_cannot_read_secret_values_but_developer_can() -> None:
    value = permission(R.SECRET, A.READ_SECRET_VALUE)
    assert value not in effective([], ["viewer"])
    assert value in effective([], ["developer"])


def test_permissions_are_the_union_of_bindings() -> None:
    union = effective(["member"], ["viewer", "contributor"])
    assert union == WORKSPACE_ROLES["contributor"]


def test_unknown_roles_grant_nothing() -> None:
    assert effective(["owner"], ["superuser"]) == frozenset()


def test_custom_roles_grant_their_permissions_and_builtins_keep_precedence() -> None:
    custom = {"promoter": frozenset({"model_version:promote"}), "viewer": frozenset({"x:y"})}
    assert effective([], ["promoter"], custom) == {"model_version:promote"}
    assert effective([], ["viewer"], custom) == WORKSPACE_ROLES["viewer"]


def test_custom_roles_cannot_grant_organization_settings_or_unknown_permissions() -> None:
    assert invalid_custom_permissions(["model:read", "secret:read_secret_value"]) == []
    assert invalid_custom_permissions(["organization:update", "workspace:create", "model:fly"]) == [
        "model:fly",
        "organization:update",
        "workspace:create",
    ]
