"""The main journeys through the Python SDK, against the real stack: the admin signs in,
makes a workspace, a service account with an API key, stores and reads a secret,
registers a relay, records runs and lists them; failures arrive as typed errors."""

from __future__ import annotations

import uuid

import pytest

from keel import Client, Forbidden, InvalidRequest, NotFound, WorkspaceClient
from keel.models import Tokens
from tests.e2e.conftest import RunningServices

pytestmark = pytest.mark.broker


def _admin(services: RunningServices) -> Client:
    credentials = services.infra.credentials
    with Client(services.gateway_url) as anonymous:
        tokens = anonymous.sessions.password_login(
            credentials.admin_email, credentials.admin_password
        )
    return Client(
        services.gateway_url, access_token=tokens.access_token, refresh_token=tokens.refresh_token
    )


@pytest.fixture
def admin(services: RunningServices) -> Client:
    return _admin(services)


@pytest.fixture
def workspace(admin: Client) -> WorkspaceClient:
    slug = f"sdk-{uuid.uuid4().hex[:8]}"
    created = admin.workspaces.create(slug.upper(), slug)
    assert created.slug in [w.slug for w in admin.workspaces.list()]
    # By slug, as a user would name it.
    scope = admin.workspace(slug)
    assert scope.id == created.id
    return scope


def test_a_service_account_key_acts_in_its_workspace_only_with_its_role(
    services: RunningServices, workspace: WorkspaceClient
) -> None:
    account = workspace.service_accounts.create("ci", role="viewer")
    key = workspace.service_accounts.create_api_key(account.id, "pipeline", expires_in_days=1)
    assert key.key.startswith("keel_ak_")
    assert key.key not in repr(key)
    assert [a.name for a in workspace.service_accounts.list()] == ["ci"]

    with Client(services.gateway_url, api_key=key.key) as machine:
        assert [w.id for w in machine.workspaces.list()] == [workspace.id]
        scoped = machine.workspace(workspace.id)
        assert list(scoped.secrets.list()) == []
        with pytest.raises(Forbidden) as refused:
            scoped.secrets.create("app/db", {"PASSWORD": "x"})
    assert refused.value.status == 403
    assert refused.value.type.endswith("/forbidden")
    assert refused.value.request_id

    workspace.service_accounts.revoke_api_key(account.id, key.id)


def test_a_secret_is_stored_listed_revealed_updated_and_deleted(
    workspace: WorkspaceClient,
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    created = workspace.secrets.create(
        "db/main", {"USER": "ml", "PASSWORD": password}, description="the main database"
    )
    assert created.keys == ["PASSWORD", "USER"] and created.version == 1
    # Metadata never carries a value, whatever way it is read.
    listed = list(workspace.secrets.list(prefix="db/"))
    assert [s.name for s in listed] == ["db/main"]
    fetched = workspace.secrets.get("db/main")
    for shown in (created, fetched, *listed):
        assert password not in shown.model_dump_json()

    revealed = workspace.secrets.reveal("db/main")
    assert revealed.values == {"USER": "ml", "PASSWORD": password}
    assert password not in repr(revealed)

    updated = workspace.secrets.update("db/main", values={"PASSWORD": "rotated"})
    assert updated.version == 2 and updated.keys == ["PASSWORD"]
    assert workspace.secrets.reveal(created.id, version=1).values["PASSWORD"] == password

    workspace.secrets.delete("db/main")
    with pytest.raises(NotFound):
        workspace.secrets.get("db/main")


def test_invalid_input_names_the_field(workspace: WorkspaceClient) -> None:
    with pytest.raises(InvalidRequest) as refused:
        workspace.secrets.create("db/main", {"not a key!": "x"})
    assert refused.value.status == 422
    assert any(issue.field.startswith("values") for issue in refused.value.errors)


def test_pagination_reads_every_secret(workspace: WorkspaceClient) -> None:
    for number in range(5):
        workspace.secrets.create(f"many/s{number}", {"V": str(number)})
    names = [s.name for s in workspace.secrets.list(prefix="many/", page_size=2)]
    assert names == [f"many/s{n}" for n in range(5)]


def test_a_registered_relay_is_pending_until_it_enrolls(workspace: WorkspaceClient) -> None:
    registered = workspace.relays.register("edge")
    assert registered.enrollment and registered.enrollment not in repr(registered)
    assert registered.relay.status == "pending"
    assert [r.name for r in workspace.relays.list()] == ["edge"]
    by_name = workspace.relays.get("edge")
    assert by_name.id == registered.relay.id
    assert workspace.relays.get(registered.relay.id).status == "pending"


def test_runs_are_recorded_filtered_and_paged(workspace: WorkspaceClient) -> None:
    first = workspace.runs.start("train", name="train-1", idempotency_key="train-1")
    again = workspace.runs.start("train", name="train-1", idempotency_key="train-1")
    assert again.id == first.id
    for number in range(2, 6):
        workspace.runs.start("train", name=f"train-{number}", tags=["nightly"])
    workspace.runs.start("evaluate", name="eval-1")
    workspace.runs.set_status(first.id, "completed")

    everything = [r.name for r in workspace.runs.list(page_size=2)]
    assert sorted(everything) == ["eval-1", *(f"train-{n}" for n in range(1, 6))]
    assert [r.name for r in workspace.runs.list(status=["completed"])] == ["train-1"]
    assert len(list(workspace.runs.list(pipeline="train", tag="nightly"))) == 4
    assert len(list(workspace.runs.list(limit=3))) == 3

    detail = workspace.runs.get(first.id)
    assert detail.run.status == "completed" and detail.run.pipeline == "train"
    assert {p.name for p in workspace.pipelines.list()} == {"train", "evaluate"}
    assert workspace.pipelines.get("train").name == "train"


def test_models_and_versions(workspace: WorkspaceClient) -> None:
    run = workspace.runs.start("train", name="for-model")
    version = workspace.models.create_version("churn", run_id=run.id, description="v1")
    assert version.number == 1
    assert [m.name for m in workspace.models.list()] == ["churn"]
    assert workspace.models.version("churn", 1).run_id == run.id
    assert [v.number for v in workspace.models.versions("churn")] == [1]


def test_an_unusable_access_token_is_refreshed_and_the_new_pair_handed_over(
    services: RunningServices,
) -> None:
    credentials = services.infra.credentials
    with Client(services.gateway_url) as anonymous:
        tokens = anonymous.sessions.password_login(
            credentials.admin_email, credentials.admin_password
        )
    saved: list[Tokens] = []
    with Client(
        services.gateway_url,
        access_token="expired.or.revoked",
        refresh_token=tokens.refresh_token,
        on_refresh=saved.append,
    ) as client:
        assert client.workspaces.list()
    [fresh] = saved
    assert fresh.refresh_token != tokens.refresh_token
