"""The main journeys through the Python SDK, against the real stack: the admin signs in,
makes a workspace, a service account with an API key, stores and reads a secret,
registers a relay, records runs and lists them; failures arrive as typed errors."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from keel import Client, Forbidden, InvalidRequest, NotFound, WorkspaceClient
from keel.models import Tokens, VaultLocation
from tests.e2e.conftest import RunningServices
from tests.support.idp import browser_sign_in, confirm_device_login
from tests.support.journey import MODEL, assert_journey_recorded, ml_journey, sign_in

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


def test_the_secrets_backend_is_chosen_per_workspace(workspace: WorkspaceClient) -> None:
    assert workspace.secrets.backend().kind == "sql"
    chosen = workspace.secrets.use_backend("vault", vault=VaultLocation(path_prefix="sdk/ml"))
    assert chosen.kind == "vault" and chosen.vault is not None
    assert chosen.vault.path_prefix == "sdk/ml"
    created = workspace.secrets.create("db/vaulted", {"PASSWORD": "in-vault"})
    assert created.backend == "vault"
    assert workspace.secrets.reveal(created.id).values == {"PASSWORD": "in-vault"}
    # A relay the workspace does not have: refused, and the backend stays as it was.
    with pytest.raises(NotFound):
        workspace.secrets.use_backend("relay", relay_id=uuid.uuid4())
    assert workspace.secrets.backend().kind == "vault"


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


def test_a_pipeline_run_with_artifacts_and_a_promoted_model(
    services: RunningServices, tmp_path: Path
) -> None:
    """The journey every deployment scenario runs (tests/cli/test_dev_scenarios.py)."""
    credentials = services.infra.credentials
    with sign_in(services.gateway_url, credentials.admin_email, credentials.admin_password) as keel:
        journey = ml_journey(keel, tmp_path / "artifact-store")
        assert_journey_recorded(keel, journey)
        workspace = keel.workspace(journey.workspace_id)
        # Moving the alias and archiving on promotion, through the SDK too.
        workspace.models.create_version(MODEL)
        moved = workspace.models.set_alias(MODEL, "champion", 2)
        assert {(v.number, tuple(v.aliases)) for v in moved} == {(1, ()), (2, ("champion",))}
        promoted = workspace.models.set_stage(MODEL, 2, "production", archive_others=True)
        assert promoted.stage == "production"
        assert workspace.models.version(MODEL, 1).stage == "archived"
        with pytest.raises(NotFound):
            workspace.artifacts.version(uuid.uuid4())


def test_a_person_invited_through_sso_signs_in_and_works_in_the_workspace(
    services: RunningServices, admin: Client, workspace: WorkspaceClient, oidc_provider: str
) -> None:
    """Inviting through SSO: the person's IdP group joins a team that holds a role in the
    workspace; they sign in at the IdP (approving the SDK's device login) and work there."""
    tag = uuid.uuid4().hex[:6]
    team = admin.teams.create(f"ml-{tag}")
    workspace.members.set_team_role(team.id, "developer")
    group = f"ml-engineers-{tag}"
    configured = admin.sso.configure(
        oidc_provider,
        "keel",
        client_secret="idp-client-secret",
        allowed_domains=["example.com"],
        group_claim="groups",
        group_teams={group: team.id},
    )
    assert configured.has_client_secret and configured.group_teams == {group: team.id}
    email = f"erin-{tag}@example.com"
    httpx.put(f"{oidc_provider}/users/{email}", json={"email": email, "groups": [group]})

    with Client(services.gateway_url) as anonymous:
        code = anonymous.sessions.start_device_login()
        link = anonymous.sessions.sso_sign_in_url(configured.organization_id, code.user_code)
        assert (
            confirm_device_login(browser_sign_in(link, email)).status_code == 200
        )  # Erin's browser
        tokens = anonymous.sessions.wait_for_device_login(code)
    with Client(services.gateway_url, access_token=tokens.access_token) as erin:
        assert [w.id for w in erin.workspaces.list()] == [workspace.id]
        mine = erin.workspace(workspace.id)
        run = mine.runs.start("train")
        assert [r.id for r in mine.runs.list()] == [run.id]
        with pytest.raises(Forbidden):
            mine.service_accounts.create("not-for-developers")
    [joined] = [t for t in admin.teams.list() if t.id == team.id]
    assert len(joined.members) == 1


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
