"""The main journeys through `keel` run as a user runs it (a subprocess), on the real
stack: what it prints, what it keeps quiet about, and the exit codes scripts rely on."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from keel import Client
from keel_devstack.process import free_port
from tests.e2e.conftest import RunningServices
from tests.support.idp import browser_sign_in, confirm_device_login
from tests.support.processes import wait_for_line

pytestmark = pytest.mark.broker

KEEL = str(Path(sys.executable).parent / "keel")


class Keel:
    """`keel` with its own config directory: one signed-in user or machine."""

    def __init__(self, services: RunningServices, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.env = {
            **os.environ,
            "KEEL_CONFIG_DIR": str(home),
            "KEEL_URL": services.gateway_url,
            "COLUMNS": "200",
        }
        self.env.pop("KEEL_WORKSPACE", None)

    def __call__(
        self, *args: str, stdin: str | None = None, expect: int = 0
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [KEEL, *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == expect, (result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def admin(services: RunningServices, tmp_path: Path) -> Keel:
    keel = Keel(services, tmp_path / "admin")
    credentials = services.infra.credentials
    signed_in = keel(
        "login", "--email", credentials.admin_email, "--password-stdin",
        stdin=credentials.admin_password + "\n",
    )  # fmt: skip
    assert "Signed in" in signed_in.stdout
    path = keel.home / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials.admin_password not in path.read_text()
    return keel


@pytest.fixture
def slug(admin: Keel) -> str:
    """A new workspace, made current."""
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    assert "Created workspace" in admin("workspace", "create", slug).stdout
    assert f"Now using workspace {slug}" in admin("workspace", "use", slug).stdout
    listed = admin("workspace", "list").stdout
    [current] = [line for line in listed.splitlines() if line.lstrip().startswith("*")]
    assert slug in current
    return slug


def test_a_secret_is_never_printed_unless_asked(admin: Keel, slug: str) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    created = admin(
        "secret", "create", "db/main", "--value", "USER=ml", "--value-stdin", "PASSWORD",
        stdin=password + "\n",
    )  # fmt: skip
    assert "Created secret db/main (version 1" in created.stdout
    shown = admin("secret", "get", "db/main").stdout
    listed = admin("secret", "list").stdout
    as_json = admin("secret", "list", "--json").stdout
    for output in (created.stdout, shown, listed, as_json):
        assert password not in output
    assert "PASSWORD, USER" in shown and "--reveal" in shown
    assert "db/main" in listed

    revealed = admin("secret", "get", "db/main", "--reveal").stdout
    assert f"PASSWORD={password}" in revealed
    values = admin.json("secret", "get", "db/main", "--show-values")["values"]
    assert values == {"USER": "ml", "PASSWORD": password}

    updated = admin("secret", "update", "db/main", "--from-file", "-", stdin="PASSWORD='new'\n")
    assert "version 2" in updated.stdout
    assert admin.json("secret", "get", "db/main", "--reveal")["values"] == {"PASSWORD": "new"}
    assert admin("secret", "delete", "db/main", "--yes").returncode == 0
    missing = admin("secret", "get", "db/main", expect=5)
    assert "no such secret" in missing.stderr and "request id" in missing.stderr


def test_a_service_account_key_signs_a_machine_in(
    services: RunningServices, admin: Keel, slug: str, tmp_path: Path
) -> None:
    admin("service-account", "create", "ci", "--role", "viewer")
    assert "ci" in admin("service-account", "list").stdout
    key = admin.json("service-account", "create-key", "ci", "--name", "pipeline")["key"]

    machine = Keel(services, tmp_path / "machine")
    machine("login", "--api-key-stdin", stdin=key + "\n")
    assert key in (machine.home / "credentials.json").read_text()
    assert [w["slug"] for w in machine.json("workspace", "list")] == [slug]
    # A viewer may list, not create: exit 4, with the gateway's reason.
    assert machine("secret", "list", "-w", slug).stdout.strip() == "(none)"
    refused = machine("secret", "create", "x", "--value", "A=b", "-w", slug, expect=4)
    assert "secret:create" in refused.stderr

    bad = Keel(services, tmp_path / "bad")
    bad("login", "--api-key-stdin", stdin="keel_ak_not-a-key\n", expect=3)
    assert not (bad.home / "credentials.json").exists()


def test_a_relay_is_registered_and_its_status_shown(admin: Keel, slug: str) -> None:
    registered = admin("relay", "register", "edge").stdout
    assert "KEEL_RELAY_ENROLLMENT" in registered
    [row] = [line for line in admin("relay", "list").stdout.splitlines() if "edge" in line]
    assert "pending" in row
    assert admin.json("relay", "status", "edge")["status"] == "pending"
    assert "status:" in admin("relay", "status", "edge").stdout
    admin("relay", "status", "nowhere", expect=5)


def test_runs_recorded_through_the_api_are_listed_and_shown(
    services: RunningServices, admin: Keel, slug: str
) -> None:
    saved = json.loads((admin.home / "credentials.json").read_text())
    with Client(services.gateway_url, access_token=saved["access_token"]) as api:
        runs = api.workspace(slug).runs
        done = runs.start("train", name="train-1", tags=["nightly"])
        runs.set_status(done.id, "completed")
        runs.start("train", name="train-2")

    table = admin("run", "list").stdout.splitlines()
    assert table[0].split()[:3] == ["NAME", "PIPELINE", "STATUS"]
    assert [line.split()[0] for line in table[2:]] == ["train-2", "train-1"]
    completed = admin.json("run", "list", "--status", "completed")
    assert [r["name"] for r in completed] == ["train-1"]
    assert len(admin.json("run", "list", "--limit", "1")) == 1
    shown = admin("run", "get", str(done.id)).stdout
    assert "completed" in shown and "train-1" in shown
    assert "train" in admin("pipeline", "list").stdout
    assert admin.json("pipeline", "get", "train")["name"] == "train"
    assert admin("stack", "list").stdout.strip() == "(none)"
    assert admin.json("model", "list") == []


def test_exit_codes(services: RunningServices, admin: Keel, slug: str, tmp_path: Path) -> None:
    nobody = Keel(services, tmp_path / "nobody")
    assert "keel login" in nobody("workspace", "list", expect=3).stderr
    admin("workspace", "create", slug, expect=6)
    assert "give at least one value" in admin("secret", "create", "x", expect=2).stderr
    admin("workspace", "use", "no-such-workspace", expect=5)
    admin("run", "list", "--status", "bogus", expect=2)
    elsewhere = f"http://127.0.0.1:{free_port()}"
    # Saved credentials never go to another gateway than the one that issued them.
    moved = subprocess.run(
        [KEEL, "workspace", "list"],
        env=admin.env | {"KEEL_URL": elsewhere},
        capture_output=True,
        text=True,
    )
    assert moved.returncode == 3 and f"keel login --url {elsewhere}" in moved.stderr
    # The gateway they belong to, unreachable: 7, retry later.
    stranded = tmp_path / "stranded"
    stranded.mkdir()
    saved = json.loads((admin.home / "credentials.json").read_text())
    (stranded / "credentials.json").write_text(json.dumps({**saved, "url": elsewhere}))
    down = subprocess.run(
        [KEEL, "workspace", "list"],
        env=admin.env | {"KEEL_URL": elsewhere, "KEEL_CONFIG_DIR": str(stranded)},
        capture_output=True,
        text=True,
    )
    assert down.returncode == 7 and "cannot reach" in down.stderr


def test_an_expired_session_is_refreshed_and_saved(admin: Keel, slug: str) -> None:
    path = admin.home / "credentials.json"
    saved = json.loads(path.read_text())
    path.write_text(json.dumps({**saved, "access_token": "expired.token.x"}))
    assert slug in admin("workspace", "list").stdout
    refreshed = json.loads(path.read_text())
    assert refreshed["refresh_token"] != saved["refresh_token"]
    assert refreshed["access_token"] != "expired.token.x"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_person_invited_through_sso_signs_in_with_keel_login_sso(
    services: RunningServices, admin: Keel, slug: str, oidc_provider: str, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    assert f"Created team ml-{tag}" in admin("team", "create", f"ml-{tag}").stdout
    granted = admin("team", "grant", f"ml-{tag}", "developer").stdout
    assert f"Team ml-{tag} now has role developer" in granted
    group = f"ml-engineers-{tag}"
    configured = admin(
        "sso", "configure", "--issuer", oidc_provider, "--client-id", "keel",
        "--client-secret-stdin", "--allowed-domain", "example.com",
        "--group-claim", "groups", "--group-team", f"{group}=ml-{tag}",
        stdin="idp-client-secret\n",
    ).stdout  # fmt: skip
    assert "idp-client-secret" not in configured
    [organization] = re.findall(r"keel login --sso (\S+)", configured)
    email = f"frank-{tag}@example.com"
    httpx.put(f"{oidc_provider}/users/{email}", json={"email": email, "groups": [group]})

    frank = Keel(services, tmp_path / "frank")
    login = subprocess.Popen(
        [KEEL, "login", "--sso", organization],
        env=frank.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = "".join(wait_for_line(login, "Waiting for approval", timeout=30))
        [link] = re.findall(r"http\S+/start\?user_code=\S+", printed)
        assert (
            confirm_device_login(browser_sign_in(link, email)).status_code == 200
        )  # Frank's browser
        assert login.wait(30) == 0
    finally:
        login.kill()
    assert [w["slug"] for w in frank.json("workspace", "list")] == [slug]
    frank("run", "list", "--workspace", slug)
    refused = frank("service-account", "create", "ci", "--workspace", slug, expect=4)
    assert "forbidden" in refused.stderr.lower() or "permission" in refused.stderr.lower()
    [team] = [t for t in admin.json("team", "list") if t["name"] == f"ml-{tag}"]
    assert len(team["members"]) == 1
