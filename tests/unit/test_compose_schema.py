"""docker-compose.yml as Compose itself sees it: the Compose Specification's JSON Schema
(the one `docker compose` validates with, kept in tests/unit/schemas) on every run, and
`docker compose config` for each profile where `docker` is on PATH."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.unit.test_deployment_files import REPO, SERVICES, compose


def compose_spec_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads((REPO / "tests/unit/schemas/compose-spec.json").read_text())
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(schema).iter_errors(document)
    ]


def test_the_file_satisfies_the_compose_specification_schema() -> None:
    assert compose_spec_errors(compose()) == []


def test_the_compose_schema_refuses_what_compose_would_refuse() -> None:
    broken = copy.deepcopy(compose())
    broken["services"]["gateway"]["restart_policy"] = "always"  # not a service key
    broken["services"]["auth"]["depends_on"] = {"postgres": {"condition": "ready"}}
    found = compose_spec_errors(broken)
    assert any("('restart_policy' was unexpected)" in error for error in found), found
    assert any(error.startswith("services.auth.depends_on") for error in found), found
    assert {error.split(":")[0] for error in found} == {
        "services.gateway",
        "services.auth",
        "services.auth.depends_on",
    }


def docker_compose() -> list[str] | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
    return [docker, "compose"] if probe.returncode == 0 else None


def test_docker_compose_accepts_every_profile() -> None:
    command = docker_compose()
    if command is None:
        pytest.skip(
            "`docker compose` is not available here (no docker, or no compose plugin): "
            "the file was checked structurally above, not by Compose itself"
        )
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "KEEL_POSTGRES_PASSWORD": "x",
        "KEEL_AUTH_KEY_ENCRYPTION_KEY": "x",
        "KEEL_SECRETS_KEY_ENCRYPTION_KEY": "x",
        **{f"KAFKA_{s.upper()}_PASSWORD": "x" for s in SERVICES},
    }
    for profile in ("saas", "hybrid", "onprem"):
        compose_file = str(REPO / "docker-compose.yml")
        subprocess.run(
            [*command, "-f", compose_file, "--profile", profile, "config", "--quiet"],
            env=env,
            check=True,
            timeout=60,
        )
