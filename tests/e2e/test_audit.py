"""The audit log through the gateway: every service's audit events, kept by the auth
service, readable by admins per workspace and per organization; never a secret value."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.auth_support import add_user, admin, bearer, login, new_workspace
from tests.e2e.conftest import RunningServices
from tests.e2e.secrets_support import create_secret, read_values

pytestmark = pytest.mark.broker

PASSWORD = "correct horse battery staple"


def _audit(services: RunningServices, path: str, headers: dict[str, str], **query: Any) -> Any:
    response = httpx.get(f"{services.gateway_url}/api/v1/{path}", params=query, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _until(check: Any, timeout: float = 30) -> Any:
    """Audit events reach the log over Kafka: wait for them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("the audit log did not show the entries in time")


async def test_secret_access_is_in_the_workspace_log_with_its_request_id(
    services: RunningServices,
) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    value = f"value-{uuid.uuid4().hex}"
    created = create_secret(services, workspace, headers, {"token": value})
    revealed = read_values(services, workspace, headers, created["id"])
    assert revealed.status_code == 200
    missing = read_values(services, workspace, headers, str(uuid.uuid4()))
    assert missing.status_code == 404

    path = f"workspaces/{workspace}/audit"
    reveals = _until(
        lambda: [
            e
            for e in _audit(services, path, headers, action_prefix="secret.reveal")["items"]
            if e["outcome"] == "success"
        ]
    )
    [entry] = reveals
    assert entry["actor"].startswith("user:")
    assert entry["target"] == f"secret:{workspace}/{created['name']}"
    assert entry["workspace_id"] == workspace
    # The same id as the HTTP response's: audit joins the access log.
    assert entry["request_id"] == revealed.headers["x-request-id"]

    failures = _until(
        lambda: _audit(services, path, headers, action_prefix="secret.reveal", outcome="failure")[
            "items"
        ]
    )
    assert [f["request_id"] for f in failures] == [missing.headers["x-request-id"]]

    everything = _audit(services, path, headers, limit=200)["items"]
    assert {"secret.create", "secret.reveal"} <= {e["action"] for e in everything}
    assert (
        value
        not in httpx.get(
            f"{services.gateway_url}/api/v1/{path}", params={"limit": 200}, headers=headers
        ).text
    )

    first = _audit(services, path, headers, limit=1)
    second = _audit(services, path, headers, limit=1, cursor=first["next_cursor"])
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert first["items"][0]["at"] >= second["items"][0]["at"]  # newest first

    bad = httpx.get(
        f"{services.gateway_url}/api/v1/{path}", params={"cursor": "nonsense"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"

    # Another workspace's log does not show this one's entries.
    other = new_workspace(services, headers)
    assert _audit(services, f"workspaces/{other}/audit", headers)["items"] == []


async def test_only_admins_read_the_log_and_sign_ins_are_in_the_organizations(
    services: RunningServices,
) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    email = f"dev-{uuid.uuid4().hex[:8]}@example.com"
    await add_user(
        services.infra, email, PASSWORD, workspace_roles={uuid.UUID(workspace): "developer"}
    )
    developer = bearer(login(services.gateway_url, email, PASSWORD))
    refused = httpx.get(
        f"{services.gateway_url}/api/v1/workspaces/{workspace}/audit", headers=developer
    )
    assert refused.status_code == 403
    assert httpx.get(f"{services.gateway_url}/api/v1/audit", headers=developer).status_code == 403

    wrong = httpx.post(
        f"{services.gateway_url}/api/v1/auth/login", json={"email": email, "password": "nope"}
    )
    assert wrong.status_code == 401
    denied = _until(
        lambda: [
            e
            for e in _audit(services, "audit", headers, action_prefix="auth.login", limit=200)[
                "items"
            ]
            if e["outcome"] != "success" and e["target"] and e["target"].startswith("user:")
        ]
    )
    assert all(PASSWORD not in str(e) and "nope" not in str(e) for e in denied)


def test_registry_and_experiment_changes_are_audited_through_either_api(
    services: RunningServices,
) -> None:
    """Who promoted which model version, through Keel's API or MLflow's; logging is not."""
    headers = admin(services)
    workspace = new_workspace(services, headers)
    api = f"{services.gateway_url}/api/v1/workspaces/{workspace}"
    mlflow = f"{services.gateway_url}/mlflow/workspaces/{workspace}/api/2.0/mlflow"

    def send(method: str, url: str, body: dict[str, Any]) -> Any:
        response = httpx.request(method, url, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    send("POST", f"{api}/models/churn/versions", {})
    send("PUT", f"{api}/models/churn/versions/1/stage", {"stage": "production"})
    experiment = send("POST", f"{mlflow}/experiments/create", {"name": "exp"})["experiment_id"]
    run = send("POST", f"{mlflow}/runs/create", {"experiment_id": experiment})["run"]
    metric = {"key": "loss", "value": 0.5, "timestamp": 1, "step": 0}
    send("POST", f"{mlflow}/runs/log-metric", {"run_id": run["info"]["run_id"], **metric})
    send("POST", f"{mlflow}/model-versions/create", {"name": "churn", "source": "s3://m"})
    transition = {"name": "churn", "version": "2", "stage": "Staging"}
    send("POST", f"{mlflow}/model-versions/transition-stage", transition)

    path = f"workspaces/{workspace}/audit"
    expected = {
        ("metadata.create_model_version", "model=churn"),
        ("metadata.set_model_stage", "model=churn number=1 stage=production"),
        ("mlflow.create_experiment", "name=exp"),
        ("mlflow.create_model_version", "name=churn"),
        ("mlflow.transition_model_version_stage", "name=churn version=2 stage=Staging"),
    }

    def changes() -> list[dict[str, Any]]:
        items = _audit(services, path, headers, limit=50)["items"]
        return [e for e in items if e["action"].startswith(("metadata.", "mlflow."))]

    _until(lambda: {(e["action"], e["target"]) for e in changes()} >= expected)
    audited = changes()
    # Creating the run and logging its metric are the run's own record, not audit entries.
    assert {(e["action"], e["target"]) for e in audited} == expected
    assert all(e["actor"].startswith("user:") and e["outcome"] == "success" for e in audited)
    assert all(e["request_id"] for e in audited)
