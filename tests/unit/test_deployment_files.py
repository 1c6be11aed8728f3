"""docker-compose.yml and the Dockerfile agree with each other and with the services.

Docker is not available to the test suite, so this checks the files' structure: every
service is built from an existing Dockerfile target, points at Kafka and at its *own*
database, and the gateway is the only published port.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("auth", "secrets", "metadata", "gateway")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def test_every_service_builds_from_an_existing_dockerfile_target() -> None:
    targets = set(re.findall(r"^FROM \S+ AS (\S+)$", (REPO / "Dockerfile").read_text(), re.M))
    services = compose()["services"]
    for name in SERVICES:
        assert services[name]["build"]["target"] == name
        assert name in targets


def test_each_service_uses_kafka_and_only_its_own_database() -> None:
    services = compose()["services"]
    init_sql = (REPO / "infra/postgres/init.sql").read_text()
    for name in ("auth", "secrets", "metadata"):
        env = services[name]["environment"]
        assert env["KEEL_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["KEEL_KAFKA_PROFILE"] == "kafka"
        [url_key] = [k for k in env if k.endswith("_DATABASE_URL")]
        assert url_key == f"KEEL_{name.upper()}_DATABASE_URL"
        assert env[url_key].endswith(f"/keel_{name}")
        assert f"CREATE DATABASE keel_{name};" in init_sql


def test_only_the_gateway_is_published_and_only_on_loopback() -> None:
    services = compose()["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    assert published == {"gateway": ["127.0.0.1:8080:8080"]}


def test_no_password_is_written_into_the_compose_file() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    assert "${KEEL_POSTGRES_PASSWORD:?" in text
    assert not re.search(r"PASSWORD:\s*['\"]?\w", text.replace("POSTGRES_PASSWORD_FILE", ""))


def dockerfile_stages() -> dict[str, str]:
    """Each `FROM ... AS name` stage's text, continuation lines joined."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    stages: dict[str, str] = {}
    for block in re.split(r"^(?=FROM )", text, flags=re.M):
        match = re.match(r"FROM (\S+) AS (\S+)", block)
        if match:
            stages[match.group(2)] = block
    return stages


def test_the_relay_image_is_slim_non_root_and_checks_its_own_health() -> None:
    stages = dockerfile_stages()
    relay, build = stages["relay"], stages["relay-build"]
    base = re.match(r"FROM (\S+)", stages["runtime"])
    assert base is not None
    assert relay.startswith(f"FROM {base.group(1)} AS relay")  # the same pinned slim base
    assert base.group(1).endswith("-slim-bookworm")
    # Only the relay's packages: no auth, metadata or gateway code in the customer's cluster.
    [install] = re.findall(r"uv pip install [^&\n]*", build)
    assert install.split()[-2:] == ["./libs/common", "./services/secrets"]
    assert "COPY --from=relay-build /opt/keel /opt/keel" in relay
    [user] = re.findall(r"^USER (\S+)$", relay, re.M)
    assert user.split(":")[0] not in {"root", "0"}
    [healthcheck] = re.findall(r"^HEALTHCHECK .*$", relay, re.M)
    assert "urllib.request" in healthcheck
    assert "/healthz" in healthcheck
    assert "curl" not in relay
    assert re.search(r"^EXPOSE 8090$", relay, re.M)
    assert "KEEL_RELAY_HTTP_HOST=0.0.0.0" in relay
    assert re.search(r'^ENTRYPOINT \["keel-relay"\]$', relay, re.M)
