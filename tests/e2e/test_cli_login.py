"""`keel login` as a user runs it: the device flow, approved from another session."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from keel.config import Credentials
from tests.e2e.auth_support import bearer, login
from tests.e2e.conftest import RunningServices
from tests.support.processes import wait_for_line

pytestmark = pytest.mark.broker

KEEL = str(Path(sys.executable).parent / "keel")


def test_keel_login_with_the_device_flow(services: RunningServices, tmp_path: Path) -> None:
    env = {**os.environ, "KEEL_CONFIG_DIR": str(tmp_path), "KEEL_URL": services.gateway_url}
    cli = subprocess.Popen(
        [KEEL, "login"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines = wait_for_line(cli, "Waiting for approval", timeout=30)
        [code] = set(re.findall(r"\b[A-Z]{4}-[A-Z]{4}\b", "".join(lines)))

        credentials = services.infra.credentials
        admin = bearer(
            login(services.gateway_url, credentials.admin_email, credentials.admin_password)
        )
        approve = f"{services.gateway_url}/api/v1/auth/device/approve"
        assert httpx.post(approve, json={"user_code": code}, headers=admin).status_code == 204
        # A code works once.
        assert httpx.post(approve, json={"user_code": code}, headers=admin).status_code == 404
        assert cli.wait(30) == 0
    finally:
        cli.kill()

    path = tmp_path / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.environ["KEEL_CONFIG_DIR"] = str(tmp_path)
    try:
        saved = Credentials.load()
    finally:
        del os.environ["KEEL_CONFIG_DIR"]
    assert saved is not None and saved.access_token
    listed = httpx.get(
        f"{services.gateway_url}/api/v1/workspaces",
        headers={"Authorization": f"Bearer {saved.access_token}"},
    )
    assert listed.status_code == 200


def test_polling_before_approval_is_pending_and_unknown_codes_are_refused(
    services: RunningServices,
) -> None:
    started = httpx.post(f"{services.gateway_url}/api/v1/auth/device/code").json()
    token = f"{services.gateway_url}/api/v1/auth/device/token"
    pending = httpx.post(token, json={"device_code": started["device_code"]})
    assert pending.status_code == 400
    assert pending.json()["error"] == "authorization_pending"
    fast = httpx.post(token, json={"device_code": started["device_code"]})
    assert fast.json()["error"] == "slow_down"
    unknown = httpx.post(token, json={"device_code": "x" * 43})
    assert unknown.json()["error"] == "invalid_grant"
